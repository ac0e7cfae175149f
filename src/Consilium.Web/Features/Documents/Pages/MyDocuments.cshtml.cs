using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Documents.Pages;

/// <summary>The member sends their own records for a request and sees what the program has received.</summary>
[Authorize(Policy = Policies.DocumentsUpload)]
internal sealed class MyDocumentsModel(DocumentHandlers documents) : PageModel
{
    public PacketIndexView? Index { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct) => Index = await documents.IndexAsync(id, ct);
}

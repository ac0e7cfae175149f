using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Documents.Pages;

/// <summary>The member sends their own records for a request and sees what the program has received.</summary>
[Authorize(Policy = Policies.DocumentsUpload)]
internal sealed class MyDocumentsModel(DocumentHandlers documents, Consents.ConsentGate consents) : PageModel
{
    public PacketIndexView? Index { get; private set; }

    /// <summary>Records are received only under an active authorization, the member's own uploads included.</summary>
    public bool MayUpload { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct)
    {
        Index = await documents.IndexAsync(id, ct);
        MayUpload = await consents.ActiveAsync(id, ct) is not null;
    }
}

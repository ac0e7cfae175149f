using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Records.Pages;

[Authorize(Policy = Policies.RecordsManage)]
public sealed class WorklistModel(RecordHandlers records) : PageModel
{
    public IReadOnlyList<RetrievalItem> Items { get; private set; } = [];
    public bool OverdueOnly { get; private set; }

    public async Task OnGetAsync(bool? overdue, CancellationToken ct)
    {
        OverdueOnly = overdue ?? false;
        Items = await records.WorklistAsync(OverdueOnly, ct);
    }
}

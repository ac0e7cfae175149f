using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Cases.Pages;

[Authorize(Policy = Policies.CaseWorklist)]
public sealed class ListModel(CaseHandlers handlers, CurrentActor actor) : PageModel
{
    public CasePage Result { get; private set; } = new([], 1, 50, 0);
    public CaseStatus? Status { get; private set; }
    public string? Q { get; private set; }
    public bool IsReviewer => actor.Role == Roles.Reviewer;

    public async Task OnGetAsync(CaseStatus? status, string? q, int? page, CancellationToken ct)
    {
        Status = status;
        Q = q;
        Result = await handlers.ListAsync(new CaseListFilter(status, null, q, page, 50), ct);
    }
}

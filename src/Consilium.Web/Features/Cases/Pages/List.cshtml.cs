using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Cases.Pages;

[Authorize(Policy = Policies.CaseWorklist)]
public sealed class ListModel(CaseHandlers handlers, ProgramHandlers programs, CurrentActor actor) : PageModel
{
    public CasePage Result { get; private set; } = new([], 1, 50, 0);
    public CaseStatus? Status { get; private set; }
    public string? Q { get; private set; }
    public Guid? ProgramId { get; private set; }
    public bool Overdue { get; private set; }
    public bool Mine { get; private set; }
    public IReadOnlyList<ProgramView> Programs { get; private set; } = [];
    public bool IsReviewer => actor.Role == Roles.Reviewer;
    public bool IsCoordinator => actor.Role == Roles.Coordinator;

    public async Task OnGetAsync(CaseStatus? status, string? q, Guid? program, bool? overdue, bool? mine, int? page, CancellationToken ct)
    {
        (Status, Q, ProgramId, Overdue, Mine) = (status, q, program, overdue ?? false, mine ?? false);
        Programs = IsReviewer ? [] : await programs.ListAsync(ct);
        Result = await handlers.ListAsync(new CaseListFilter(status, program, q, page, 50, Overdue, Mine), ct);
    }
}

using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Features.Programs;
using Consilium.Features.Worklist;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Cases.Pages;

[Authorize(Policy = Policies.CaseWorklist)]
public sealed class ListModel(CaseHandlers handlers, ProgramHandlers programs, BulkActions bulk, ConsiliumDbContext db, CurrentActor actor, TimeProvider clock) : PageModel
{
    /// <summary>The platform's time as the page was rendered: the live worklist measures the rows' SLA due times against it.</summary>
    public DateTimeOffset Now { get; } = clock.GetUtcNow().ToUniversalTime();

    public CasePage Result { get; private set; } = new([], 1, 50, 0);
    public CaseStatus? Status { get; private set; }
    public string? Q { get; private set; }
    public Guid? ProgramId { get; private set; }
    public bool Overdue { get; private set; }
    public bool Mine { get; private set; }
    public IReadOnlyList<ProgramView> Programs { get; private set; } = [];
    public bool IsReviewer => actor.Role == Roles.Reviewer;
    public bool IsCoordinator => actor.Role == Roles.Coordinator;

    /// <summary>Staff who may act on several cases at once and follow the worklist live.</summary>
    public bool CanBulk => Policies.RolesByPolicy[Policies.WorklistBulk].Contains(actor.Role);

    public IReadOnlyList<CoordinatorLoad> Coordinators { get; private set; } = [];
    public BulkResult? BulkResult { get; private set; }
    public string? BulkError { get; private set; }
    public IReadOnlySet<Guid> Selected { get; private set; } = new HashSet<Guid>();

    public Task OnGetAsync(CaseStatus? status, string? q, Guid? program, bool? overdue, bool? mine, int? page, CancellationToken ct) =>
        LoadAsync(status, q, program, overdue, mine, page, ct);

    /// <summary>The bulk form keeps the filters in hidden fields, so the list comes back as it was, with the outcome of each case.</summary>
    public async Task<IActionResult> OnPostBulkAsync(BulkAction? action, List<Guid>? caseIds, Guid? coordinatorUserId, CaseStatus? to, string? reason,
        CaseStatus? status, string? q, Guid? program, bool? overdue, bool? mine, int? page, CancellationToken ct)
    {
        if (!CanBulk) return Forbid();
        try
        {
            BulkResult = await bulk.ApplyAsync(new BulkRequest(action, caseIds, coordinatorUserId, to, reason), ct);
        }
        catch (RequestValidationException e)
        {
            BulkError = string.Join(" ", e.Errors.Values.SelectMany(m => m));
            Selected = (caseIds ?? []).ToHashSet();
            Response.StatusCode = 400;
        }
        if (BulkResult is { Refused: > 0 }) Selected = BulkResult.Results.Where(r => !r.Succeeded).Select(r => r.CaseId).ToHashSet();
        await LoadAsync(status, q, program, overdue, mine, page, ct);
        return Page();
    }

    /// <summary>
    /// The row of one case if it is in the list the filters describe, else 204: the live page asks this when a case it
    /// does not show changes, so a case moving into the filtered stage appears, rendered (and audited) like the others.
    /// </summary>
    public async Task<IActionResult> OnGetRowAsync(Guid id, CaseStatus? status, string? q, Guid? program, bool? overdue, bool? mine, CancellationToken ct)
    {
        if (!CanBulk) return Forbid();
        var found = await handlers.ListAsync(new CaseListFilter(status, program, q, 1, 1, overdue ?? false, mine ?? false, id), ct);
        return found.Items is [var row] ? Partial("/Features/Cases/Pages/_CaseRow.cshtml", new CaseRow(row, CanBulk, false)) : new NoContentResult();
    }

    async Task LoadAsync(CaseStatus? status, string? q, Guid? program, bool? overdue, bool? mine, int? page, CancellationToken ct)
    {
        (Status, Q, ProgramId, Overdue, Mine) = (status, q, program, overdue ?? false, mine ?? false);
        Programs = IsReviewer ? [] : await programs.ListAsync(ct);
        Result = await handlers.ListAsync(new CaseListFilter(status, program, q, page, 50, Overdue, Mine), ct);
        if (CanBulk)
        {
            var coordinators = new Dictionary<Guid, CoordinatorLoad>();
            foreach (var p in Programs)
                foreach (var c in await CoordinatorAssignment.LoadsAsync(db, p.Id, ct)) coordinators.TryAdd(c.UserId, c);
            Coordinators = coordinators.Values.OrderBy(c => c.Name, StringComparer.CurrentCulture).ToList();
        }
    }
}

public sealed record CaseRow(CaseSummary Case, bool CanBulk, bool Selected);

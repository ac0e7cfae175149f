using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Worklist;

public enum BulkAction
{
    AssignToMe,
    AssignCoordinator,
    Transition,
}

/// <param name="CoordinatorUserId">For <see cref="BulkAction.AssignCoordinator"/>.</param>
/// <param name="To">For <see cref="BulkAction.Transition"/>, with <see cref="Reason"/> where the move needs one.</param>
public sealed record BulkRequest(BulkAction? Action, IReadOnlyList<Guid>? CaseIds, Guid? CoordinatorUserId = null, CaseStatus? To = null, string? Reason = null);

/// <summary>One case's outcome: done (its new stage and version), or refused with the status and reason a single request would get.</summary>
public sealed record BulkOutcome(Guid CaseId, string? Number, bool Succeeded, int Status, string? Error, CaseStatus? Stage, int? Version);

public sealed record BulkResult(IReadOnlyList<BulkOutcome> Results, int Succeeded, int Refused);

/// <summary>
/// Applies one action to several cases of the worklist, case by case, through the same handlers a single request uses
/// (<see cref="IntakeHandlers.ReassignAsync"/>, <see cref="CaseHandlers.TransitionAsync"/>). Each case is its own unit
/// of work in its own scope: validated, audited and saved alone, so a refusal leaves that case as it was and does not
/// stop the others. Records follow-ups are not among the actions: they are logged per record request, to a facility, not
/// per case, and have their own bulk action on the retrieval worklist (Records/BulkFollowUps).
/// </summary>
public sealed class BulkActions(IServiceScopeFactory scopes, CurrentActor user)
{
    public const int MaxCases = 100;

    public async Task<BulkResult> ApplyAsync(BulkRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Action is null) errors["action"] = ["This field is required."];
        if (request.CaseIds is null || request.CaseIds.Count == 0) errors["caseIds"] = ["Select at least one case."];
        else if (request.CaseIds.Count > MaxCases) errors["caseIds"] = [$"At most {MaxCases} cases at a time."];
        if (request.Action == BulkAction.AssignCoordinator && request.CoordinatorUserId is null) errors["coordinatorUserId"] = ["Choose the coordinator."];
        if (request.Action == BulkAction.Transition && request.To is null) errors["to"] = ["Choose the stage."];
        if (request.Action == BulkAction.AssignToMe && user.UserId is null) errors["action"] = ["Only a signed-in user can take cases."];
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var results = new List<BulkOutcome>();
        foreach (var caseId in request.CaseIds!.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            results.Add(await ApplyOneAsync(request, caseId, ct));
        }
        return new BulkResult(results, results.Count(r => r.Succeeded), results.Count(r => !r.Succeeded));
    }

    async Task<BulkOutcome> ApplyOneAsync(BulkRequest request, Guid caseId, CancellationToken ct)
    {
        // A fresh scope per case: its own DbContext, so nothing of a refused case is tracked, let alone saved, with the next.
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        try
        {
            switch (request.Action)
            {
                case BulkAction.AssignToMe:
                case BulkAction.AssignCoordinator:
                    var to = request.Action == BulkAction.AssignToMe ? user.UserId : request.CoordinatorUserId;
                    var assigned = await sp.GetRequiredService<IntakeHandlers>().ReassignAsync(caseId, new ReassignRequest(to, null), ct);
                    return new BulkOutcome(caseId, assigned.Number, true, 200, null, assigned.Status, assigned.Version);
                default:
                    var moved = await sp.GetRequiredService<CaseHandlers>().TransitionAsync(caseId, new TransitionRequest(request.To, request.Reason, null), null, ct);
                    return new BulkOutcome(caseId, moved.Number, true, 200, null, moved.Status, moved.Version);
            }
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException && ProblemMapping.ToProblem(e) is not null)
        {
            var problem = ProblemMapping.ToProblem(e)!;
            var number = e is NotFoundException ? null : await NumberAsync(sp, caseId, ct);
            return new BulkOutcome(caseId, number, false, problem.Status ?? 400, ProblemMapping.Reason(problem), null, null);
        }
    }

    /// <summary>The number of a case the user may see (it was loaded by the refusing handler), for the result line.</summary>
    static async Task<string?> NumberAsync(IServiceProvider sp, Guid caseId, CancellationToken ct)
    {
        var db = sp.GetRequiredService<Infrastructure.Persistence.ConsiliumDbContext>();
        var actor = sp.GetRequiredService<CurrentActor>();
        var clock = sp.GetRequiredService<TimeProvider>();
        return await db.Cases.AsNoTracking().VisibleTo(db, actor, clock.GetUtcNow()).Where(c => c.Id == caseId).Select(c => c.Number).SingleOrDefaultAsync(ct);
    }
}

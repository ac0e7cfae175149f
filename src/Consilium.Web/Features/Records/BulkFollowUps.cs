using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Records;

/// <param name="FollowUp">What a single follow-up takes (<c>POST /api/record-requests/{id}/follow-ups</c>), logged on each request.</param>
public sealed record BulkFollowUpRequest(IReadOnlyList<Guid>? RequestIds, CreateFollowUp? FollowUp);

/// <summary>One request's outcome: logged (its new version), or refused with the status and reason a single follow-up would get.</summary>
public sealed record FollowUpOutcome(Guid RequestId, string? CaseNumber, string? Facility, bool Succeeded, int Status, string? Error, int? Version);

public sealed record BulkFollowUpResult(IReadOnlyList<FollowUpOutcome> Results, int Succeeded, int Refused);

/// <summary>
/// Logs the same follow-up (a call, a re-sent fax…) on several record requests of the retrieval worklist, request by
/// request, through <see cref="RecordHandlers.FollowUpAsync"/>. Each request is its own unit of work in its own scope:
/// consent-checked, version-checked, audited and saved alone, so a refusal leaves that request as it was and does not
/// stop the others.
/// </summary>
public sealed class BulkFollowUps(IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int MaxRequests = 100;

    public async Task<BulkFollowUpResult> ApplyAsync(BulkFollowUpRequest request, CancellationToken ct)
    {
        // The whole input is checked before any request is touched: a bad field is one 400, never a half-applied batch.
        var errors = new Dictionary<string, string[]>();
        if (request.RequestIds is null || request.RequestIds.Count == 0) errors["requestIds"] = ["Select at least one record request."];
        else if (request.RequestIds.Count > MaxRequests) errors["requestIds"] = [$"At most {MaxRequests} record requests at a time."];
        if (request.FollowUp is not { } followUp) errors["followUp"] = ["This field is required."];
        else
        {
            if (followUp.Channel is null) errors["followUp.channel"] = ["This field is required."];
            if (followUp.Note?.Length > 1000) errors["followUp.note"] = ["The note is longer than 1000 characters."];
            if (followUp.NextDueOn is { } due && due < DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
                errors["followUp.nextDueOn"] = ["The next due date is in the past."];
        }
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var results = new List<FollowUpOutcome>();
        foreach (var requestId in request.RequestIds!.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            results.Add(await ApplyOneAsync(requestId, request.FollowUp!, ct));
        }
        return new BulkFollowUpResult(results, results.Count(r => r.Succeeded), results.Count(r => !r.Succeeded));
    }

    async Task<FollowUpOutcome> ApplyOneAsync(Guid requestId, CreateFollowUp followUp, CancellationToken ct)
    {
        // A fresh scope per request: its own DbContext, so nothing of a refused request is tracked, let alone saved, with the next.
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        try
        {
            var view = await sp.GetRequiredService<RecordHandlers>().FollowUpAsync(requestId, followUp, ct);
            var number = await CaseNumberAsync(sp, view.CaseId, ct);
            return new FollowUpOutcome(requestId, number, view.Facility, true, 200, null, view.Version);
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException && ProblemMapping.ToProblem(e) is not null)
        {
            var problem = ProblemMapping.ToProblem(e)!;
            var seen = e is NotFoundException ? null : await VisibleRequestAsync(sp, requestId, ct);
            return new FollowUpOutcome(requestId, seen?.Number, seen?.Facility, false, problem.Status ?? 400, ProblemMapping.Reason(problem), null);
        }
    }

    static async Task<string?> CaseNumberAsync(IServiceProvider sp, Guid caseId, CancellationToken ct)
    {
        var db = sp.GetRequiredService<ConsiliumDbContext>();
        return await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => c.Number).SingleOrDefaultAsync(ct);
    }

    /// <summary>The case number and facility of a request the user may see (the refusing handler had loaded it), for the result line.</summary>
    static async Task<(string Number, string Facility)?> VisibleRequestAsync(IServiceProvider sp, Guid requestId, CancellationToken ct)
    {
        var db = sp.GetRequiredService<ConsiliumDbContext>();
        var actor = sp.GetRequiredService<CurrentActor>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        var row = await (
            from r in db.Set<RecordRequest>().AsNoTracking()
            join c in db.Cases.VisibleTo(db, actor, now) on r.CaseId equals c.Id
            where r.Id == requestId
            select new { c.Number, r.Facility }).SingleOrDefaultAsync(ct);
        return row is null ? null : (row.Number, row.Facility);
    }
}

using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Imaging;

/// <summary>A study in the coordinators' queue, with the identifying tags needed to find its case. Health information.</summary>
public sealed record UnmatchedStudyView(Guid Id, string StudyInstanceUid, string? AccessionNumber, string? PatientId, string? PatientName,
    string? PatientBirthDate, string? PatientSex, string? StudyDate, string? StudyDescription, int SeriesCount, DateTimeOffset ReceivedAt,
    string Reason, int Version);

public sealed record AttachStudyRequest(Guid? CaseId);

public sealed record DismissStudyRequest(string? Reason);

/// <summary>The outcome of a coordinator's decision on a queued study.</summary>
public sealed record ArchiveStudyResult(Guid Id, string StudyInstanceUid, ArchiveStudyStatus Status, Guid? CaseId, string? CaseNumber, string Reason);

/// <summary>
/// The unmatched-study queue: studies the change feed could not put with exactly one case. Coordinators see them with
/// their identifying tags (each listing audited) and attach each to an open case they serve, or dismiss it with a reason.
/// </summary>
public sealed class UnmatchedStudies(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    public const int MaxListed = 200;

    public async Task<IReadOnlyList<UnmatchedStudyView>> ListAsync(CancellationToken ct)
    {
        // The page lists the queue again after a refused decision: what that attempt had tracked must not be saved with the audit.
        db.ChangeTracker.Clear();
        var rows = await db.Set<ArchiveStudy>().AsNoTracking().Where(s => s.Status == ArchiveStudyStatus.Unmatched)
            .OrderBy(s => s.ReceivedAt).ThenBy(s => s.Id).Take(MaxListed).ToListAsync(ct);
        foreach (var row in rows) audit.Record(AuditAction.Query, "ArchiveStudy", row.Id, null, reason: "unmatched imaging queue");
        await db.SaveChangesAsync(ct);
        return rows.Select(s => new UnmatchedStudyView(s.Id, s.StudyInstanceUid, s.AccessionNumber, s.PatientId, s.PatientName, s.PatientBirthDate,
            s.PatientSex, s.StudyDate, s.StudyDescription, s.SeriesCount, s.ReceivedAt, s.Reason, s.Version)).ToList();
    }

    /// <summary>The case with that number among the coordinator's cases (the page asks for the number people use).</summary>
    public async Task<Guid> CaseIdOfAsync(string? caseNumber, CancellationToken ct)
    {
        var number = ArchiveFeed.CaseNumberOf(caseNumber)
            ?? throw new RuleViolationException("caseNumber", "Enter the case number, e.g. C-7KQ2M9XD.");
        return await db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow()).Where(c => c.Number == number).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct)
            ?? throw new RuleViolationException("caseNumber", $"There is no case {number} among the cases you serve.");
    }

    public async Task<ArchiveStudyResult> AttachAsync(Guid id, AttachStudyRequest request, CancellationToken ct)
    {
        var study = await db.Set<ArchiveStudy>().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("Unmatched study", id);
        if (request.CaseId is not { } caseId || caseId == Guid.Empty) throw new RuleViolationException("caseId", "Name the case to attach the study to.");
        var now = clock.GetUtcNow();
        var @case = await db.Cases.AsNoTracking().VisibleTo(db, user, now).Where(c => c.Id == caseId)
            .Select(c => new { c.Id, c.Number, c.MemberId, c.Status }).SingleOrDefaultAsync(ct)
            ?? throw new RuleViolationException("caseId", $"There is no case {caseId} among the cases you serve.");
        if (!(@case.Status == CaseStatus.OnHold || CaseLifecycle.OpenStages.Contains(@case.Status)))
            throw new ConflictException($"Case {@case.Number} is {@case.Status}: a study can only be attached to an open case.");
        var actor = new Actor(user.UserId, user.Name, user.Role);
        study.Attach(@case.Id, ArchiveMatch.Coordinator, $"attached by a coordinator to case {@case.Number}", actor, now);
        audit.Record(AuditAction.Update, "ImagingStudy", study.StudyInstanceUid, @case.MemberId, reason: $"unmatched archive study attached to case {@case.Number}");
        await db.SaveChangesAsync(ct);
        return new ArchiveStudyResult(study.Id, study.StudyInstanceUid, study.Status, @case.Id, @case.Number, study.Reason);
    }

    public async Task<ArchiveStudyResult> DismissAsync(Guid id, DismissStudyRequest request, CancellationToken ct)
    {
        var study = await db.Set<ArchiveStudy>().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("Unmatched study", id);
        study.Dismiss(request.Reason, new Actor(user.UserId, user.Name, user.Role), clock.GetUtcNow());
        audit.Record(AuditAction.Update, "ArchiveStudy", study.Id, null, reason: $"unmatched archive study dismissed: {study.Reason}");
        await db.SaveChangesAsync(ct);
        return new ArchiveStudyResult(study.Id, study.StudyInstanceUid, study.Status, null, null, study.Reason);
    }
}

public static class UnmatchedStudiesApi
{
    internal static IEndpointRouteBuilder MapUnmatchedStudies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/imaging/unmatched").WithTags("Imaging").RequireAuthorization(Policies.ImagingTriage);
        group.MapGet("", async (UnmatchedStudies queue, CancellationToken ct) => TypedResults.Ok(await queue.ListAsync(ct)))
            .WithSummary("Studies the archive received that fit no case or more than one, with their identifying tags; each listing audited.");
        group.MapPost("{id:guid}/attach", async (Guid id, AttachStudyRequest request, UnmatchedStudies queue, CancellationToken ct) =>
                TypedResults.Ok(await queue.AttachAsync(id, request, ct)))
            .WithSummary("Attaches a queued study to an open case the coordinator serves; its reviewer can then view it.");
        group.MapPost("{id:guid}/dismiss", async (Guid id, DismissStudyRequest request, UnmatchedStudies queue, CancellationToken ct) =>
                TypedResults.Ok(await queue.DismissAsync(id, request, ct)))
            .WithSummary("Takes a study out of the queue as belonging to no case, with the reason.");
        return app;
    }
}

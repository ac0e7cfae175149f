using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Cases;

/// <summary>
/// The case use cases, called in process by the API endpoints and the pages alike. Each one is a single unit of
/// work whose audit entry commits with it.
/// </summary>
public sealed class CaseHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, Records.RecordHandlers records)
{
    const string ObjectType = "Case";

    public async Task<CaseView> GetAsync(Guid id, CancellationToken ct)
    {
        var @case = await LoadVisibleAsync(id, AuditAction.Read, ct);
        audit.Record(AuditAction.Read, ObjectType, id, @case.MemberId, reason: await BreakGlassAsync(@case, ct));
        var view = await ViewAsync(@case, ct);
        await db.SaveChangesAsync(ct);
        return view;
    }

    public async Task<CasePage> ListAsync(CaseListFilter filter, CancellationToken ct)
    {
        var page = Math.Max(1, filter.Page ?? 1);
        var pageSize = Math.Clamp(filter.PageSize ?? 50, 1, 200);
        var now = clock.GetUtcNow();
        var cases = db.Cases.AsNoTracking().VisibleTo(db, user, now);
        if (filter.CaseId is { } caseId) cases = cases.Where(c => c.Id == caseId);
        if (filter.Status is { } status) cases = cases.Where(c => c.Status == status);
        if (filter.ProgramId is { } programId) cases = cases.Where(c => c.ProgramId == programId);
        var me = user.UserId;
        if (filter.Mine) cases = cases.Where(c => me != null && c.CoordinatorUserId == me);
        // Overdue as the worklist shows it: first contact not made by its due time, or the packet not complete by its due
        // date while the case is still before review (CaseSla gives the full per-case picture, on hold included). The same
        // rule as WorklistSla.Of, which decides the badges.
        var packetStages = WorklistSla.PacketStages;
        if (filter.Overdue)
            cases = cases.Where(c => (c.Status == CaseStatus.Referred && c.FirstContactDueAt != null && c.FirstContactDueAt < now)
                || (packetStages.Contains(c.Status) && c.PacketDueAt != null && c.PacketDueAt < now));

        var rows =
            from c in cases
            join m in db.Members on c.MemberId equals m.Id
            join p in db.Programs on c.ProgramId equals p.Id
            select new { c, m, p };
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim();
            rows = rows.Where(r => r.c.Number == term.ToUpper() || r.m.LastName.ToLower().StartsWith(term.ToLower()) || r.m.ExternalId == term);
        }

        var total = await rows.CountAsync(ct);
        var found = await rows
            .OrderByDescending(r => r.c.UpdatedAt)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(r => new
            {
                r.c.Id, r.c.Number, r.c.ProgramId, Program = r.p.Name, r.c.MemberId, Member = r.m.FirstName + " " + r.m.LastName, r.c.Status, r.c.Category,
                r.c.Version, r.c.CreatedAt, r.c.UpdatedAt, r.c.FirstContactDueAt, r.c.PacketDueAt, r.c.CoordinatorUserId,
            })
            .ToListAsync(ct);
        var items = found.Select(r =>
        {
            var sla = WorklistSla.Of(r.Status, r.FirstContactDueAt, r.PacketDueAt, r.CoordinatorUserId, me, now);
            return new CaseSummary(r.Id, r.Number, r.ProgramId, r.Program, r.MemberId, r.Member, r.Status, r.Category, r.Version, r.CreatedAt, r.UpdatedAt,
                sla.FirstContactDueAt, sla.FirstContactOverdue, sla.PacketDueAt, sla.PacketOverdue, sla.AssignedToMe);
        }).ToList();

        // A list shows members' names: each row returned is an access to that member's information.
        foreach (var item in items) audit.Record(AuditAction.Query, ObjectType, item.Id, item.MemberId);
        await db.SaveChangesAsync(ct);
        return new CasePage(items, page, pageSize, total);
    }

    public async Task<CaseView> CreateAsync(CreateCaseRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ProgramId is null) errors["programId"] = ["This field is required."];
        if (request.MemberId is null) errors["memberId"] = ["This field is required."];
        if (request.Category is null) errors["category"] = ["This field is required."];
        if (string.IsNullOrWhiteSpace(request.Concern)) errors["concern"] = ["Describe the clinical concern."];
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var programId = request.ProgramId!.Value;
        var served = await CaseAccess.ServedProgramIds(db, user).AnyAsync(p => p == programId, ct);
        if (!served)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, request.MemberId, AuditOutcome.Denied, "not on the program's staff", ct);
            throw new NotFoundException("Program", programId);
        }
        var program = await db.Programs.SingleAsync(p => p.Id == programId, ct);
        var member = await db.Members.SingleOrDefaultAsync(m => m.Id == request.MemberId && m.ProgramId == programId, ct)
            ?? throw new RuleViolationException("memberId", "No member with this id is enrolled in the program.");
        if (!program.Covers(request.Category!.Value))
            throw new RuleViolationException("category", $"The program does not cover {request.Category}. It covers: {string.Join(", ", program.Categories)}.");

        var now = clock.GetUtcNow();
        var channel = user.Role == Roles.Integration ? IntakeChannel.Referral : IntakeChannel.Coordinator;
        // A coordinator who opens a case (on the phone with the member) keeps it; others go to the least-loaded coordinator.
        var coordinator = user.Role == Roles.Coordinator ? user.UserId : await Intake.CoordinatorAssignment.PickAsync(db, programId, ct);
        var @case = Case.Open(programId, member.Id, request.Category.Value, channel, request.Concern!,
            request.StartAt ?? CaseStatus.Referred, user.Actor, now, coordinator, sla: program.Sla);
        db.Cases.Add(@case);
        audit.Record(AuditAction.Create, ObjectType, @case.Id, member.Id);
        await db.SaveChangesAsync(ct);
        return await ViewAsync(@case, ct);
    }

    /// <summary>
    /// Moves a case to another stage. <paramref name="ifMatchVersion"/> (from an If-Match header) and the body's
    /// version are optimistic preconditions; a concurrent change that slips between read and write loses at save.
    /// </summary>
    public async Task<CaseView> TransitionAsync(Guid id, TransitionRequest request, int? ifMatchVersion, CancellationToken ct)
    {
        if (request.To is null) throw new RequestValidationException(new() { ["to"] = ["This field is required."] });
        var @case = await LoadVisibleAsync(id, AuditAction.Update, ct);
        var reason = $"transition to {request.To}";
        try
        {
            if (ifMatchVersion is { } expected && expected != @case.Version)
                throw new PreconditionFailedException($"The case is at version {@case.Version}, not {expected}. Reload it and try again.");
            if (request.Version is { } bodyVersion && bodyVersion != @case.Version)
                throw new ConflictException($"The case is at version {@case.Version}, not {bodyVersion}: someone changed it since you read it.",
                    new Dictionary<string, object?> { ["currentVersion"] = @case.Version });

            // The packet is judged only for a move the lifecycle allows this user; anything else fails as usual below.
            var move = CaseLifecycle.Find(@case.Status, @case.HeldFrom, request.To.Value);
            // Only signing delivers an opinion: a bare move to OpinionDelivered without a signed version is refused.
            if (request.To == CaseStatus.OpinionDelivered && move is not null && move.Roles.Contains(user.Role))
                await Opinions.OpinionHandlers.RequireSignedAsync(db, @case.Id, ct);
            var overrideNote = request.To == CaseStatus.ReadyForReview && move is not null && move.Roles.Contains(user.Role)
                ? await PacketGateAsync(@case, request, ct) : null;
            @case.TransitionTo(request.To.Value, user.Actor, request.Reason, clock.GetUtcNow());
            if (overrideNote is not null) reason = $"{reason} ({overrideNote})";
            var breakGlass = await BreakGlassAsync(@case, ct);
            audit.Record(AuditAction.Update, ObjectType, @case.Id, @case.MemberId, reason: breakGlass is null ? reason : $"{breakGlass} ({reason})");
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            var outcome = e is ForbiddenException ? AuditOutcome.Denied : AuditOutcome.Failure;
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, id, @case.MemberId, outcome, $"{reason}: {e.GetType().Name}", ct);
            throw;
        }
        return await ViewAsync(@case, ct);
    }

    /// <summary>The status tracker's stages with their reached or expected dates (<see cref="CaseTracker"/>).</summary>
    public async Task<IReadOnlyList<TrackerStage>> TrackerAsync(Guid id, CancellationToken ct)
    {
        var @case = await LoadVisibleAsync(id, AuditAction.Read, ct);
        var sla = await db.Programs.AsNoTracking().Where(p => p.Id == @case.ProgramId).Select(p => p.Sla).SingleAsync(ct);
        audit.Record(AuditAction.Read, "CaseTracker", id, @case.MemberId, reason: await BreakGlassAsync(@case, ct));
        await db.SaveChangesAsync(ct);
        return CaseTracker.Of(@case, sla, clock.GetUtcNow());
    }

    public async Task<IReadOnlyList<TimelineEvent>> TimelineAsync(Guid id, CancellationToken ct)
    {
        var @case = await LoadVisibleAsync(id, AuditAction.Read, ct);
        audit.Record(AuditAction.Read, "CaseTimeline", id, @case.MemberId, reason: await BreakGlassAsync(@case, ct));
        await db.SaveChangesAsync(ct);
        return @case.Transitions
            .OrderBy(t => t.At).ThenBy(t => t.Sequence)
            .Select(t => new TimelineEvent(t.At, t.From is null ? "opened" : "transition", t.From, t.To, t.ActorName, t.ActorRole, t.Reason))
            .ToList();
    }

    /// <summary>
    /// A case goes to review with a complete packet, or on a coordinator's explicit override with a reason. Returns the
    /// override note for the audit trail, null when the packet is complete.
    /// </summary>
    async Task<string?> PacketGateAsync(Case @case, TransitionRequest request, CancellationToken ct)
    {
        var completeness = await records.CompletenessAsync(@case, ct);
        if (completeness.IsComplete) return null;
        var missing = string.Join("; ", completeness.Missing.Select(m => m.Describe()));
        if (request.Override != true)
            throw new ConflictException($"The packet is {completeness.Percent}% complete. Missing: {missing}. Send \"override\": true with a reason to go ahead anyway.",
                new Dictionary<string, object?> { ["completeness"] = completeness.Percent, ["missing"] = completeness.Missing.Select(m => m.Describe()).ToArray() });
        if (string.IsNullOrWhiteSpace(request.Reason))
            throw new RuleViolationException("reason", "An override of an incomplete packet needs a reason.");
        return $"override: packet {completeness.Percent}% complete, missing {missing}";
    }

    async Task<string?> BreakGlassAsync(Case @case, CancellationToken ct) =>
        await CaseAccess.BreakGlassReasonAsync(db, user, @case, clock.GetUtcNow(), ct) is { } reason ? Audit.AuditHandlers.BreakGlassPrefix + reason : null;

    /// <summary>Loads a case the user may see. A case outside their reach is reported as not found, and the attempt audited.</summary>
    async Task<Case> LoadVisibleAsync(Guid id, AuditAction attempted, CancellationToken ct)
    {
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).Include(c => c.Transitions).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (@case is not null) return @case;

        var existing = await db.Cases.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.MemberId }).SingleOrDefaultAsync(ct);
        if (existing is not null)
            await audit.RecordFailureAsync(attempted, ObjectType, id, existing.MemberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException(ObjectType, id);
    }

    async Task<CaseView> ViewAsync(Case @case, CancellationToken ct)
    {
        var names = await (
            from m in db.Members
            join p in db.Programs on m.ProgramId equals p.Id
            where m.Id == @case.MemberId
            select new { Member = m.FirstName + " " + m.LastName, Program = p.Name }).SingleAsync(ct);
        var stageTimes = @case.StageTimes(clock.GetUtcNow()).ToDictionary(kv => kv.Key.ToString(), kv => (long)kv.Value.TotalSeconds);
        return new CaseView(@case.Id, @case.Number, @case.ProgramId, names.Program, @case.MemberId, names.Member, @case.Status,
            @case.HeldFrom, @case.Category, @case.Channel, @case.Concern, CaseLifecycle.AllowedTargets(@case.Status, @case.HeldFrom),
            @case.Version, stageTimes, @case.CoordinatorUserId, @case.ReviewerUserId, @case.CreatedAt, @case.UpdatedAt);
    }
}

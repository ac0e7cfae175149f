using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Physicians;

public sealed record OfferRequest(Guid? PhysicianId, PanelRole? Role);

public sealed record DeclineRequest(string? Reason);

public sealed record OfferView(Guid Id, Guid CaseId, Guid PhysicianId, string PhysicianName, string? Subspecialty, PanelRole Role, ConsultMode Mode,
    int Score, OfferStatus Status, DateTimeOffset OfferedAt, DateTimeOffset ExpiresAt, string OfferedBy, Guid? ReplacesOfferId,
    DateTimeOffset? RespondedAt, string? DeclineReason, int Version);

/// <summary>What a reviewer sees of an offered case: enough to decide, not the member's identity.</summary>
public sealed record MyOfferView(Guid Id, Guid CaseId, string CaseNumber, ConditionCategory Category, string State, IReadOnlyList<string> DiagnosisCodes,
    IReadOnlyList<string> ProcedureCodes, int Questions, PanelRole Role, ConsultMode Mode, OfferStatus Status, DateTimeOffset OfferedAt,
    DateTimeOffset ExpiresAt, DateOnly OpinionDue, string? DeclineReason, int Version);

/// <summary>
/// Assignment: a coordinator offers a case to a physician (lead or panel member); the physician accepts or declines with
/// a reason; a declined or expired offer goes to the next physician matching ranks, automatically. The lead's
/// acceptance assigns the case (<see cref="Case.AssignReviewer"/>) and fixes its consult mode.
/// </summary>
public sealed class OfferHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IOptions<NetworkOptions> options,
    NetworkSnapshot network)
{
    const string ObjectType = "ReviewerOffer";

    /// <summary>Assignment checks that a coordinator cannot override; a poor fit or a language gap they may.</summary>
    static readonly HashSet<string> Blocking = ["paused", "no-account", "conflict", "no-capacity", "already-offered", "license-state", "license-expired", "license-not-yet-valid"];

    static readonly CaseStatus[] PanelStages = [CaseStatus.ReadyForReview, CaseStatus.Assigned, CaseStatus.InReview];

    public async Task<IReadOnlyList<OfferView>> ListForCaseAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, AuditAction.Read, ct);
        audit.Record(AuditAction.Read, ObjectType, null, @case.MemberId, reason: $"offers of case {@case.Number}");
        await db.SaveChangesAsync(ct);
        return await ViewsAsync(caseId, ct);
    }

    async Task<IReadOnlyList<OfferView>> ViewsAsync(Guid caseId, CancellationToken ct) =>
        (await (from o in db.Set<ReviewerOffer>().AsNoTracking()
                join p in db.Physicians on o.PhysicianId equals p.Id
                where o.CaseId == caseId
                select new { o, p.Name, p.Subspecialty }).ToListAsync(ct))
            .OrderBy(x => x.o.OfferedAt).ThenBy(x => x.o.ReplacesOfferId is not null).ThenBy(x => x.o.Id)
            .Select(x => View(x.o, x.Name, x.Subspecialty)).ToList();

    static OfferView View(ReviewerOffer o, string name, string? subspecialty) => new(o.Id, o.CaseId, o.PhysicianId, name, subspecialty, o.Role, o.Mode, o.Score,
        o.Status, o.OfferedAt, o.ExpiresAt, o.OfferedBy, o.ReplacesOfferId, o.RespondedAt, o.DeclineReason, o.Version);

    public async Task<OfferView> OfferAsync(Guid caseId, OfferRequest request, CancellationToken ct)
    {
        if (request.PhysicianId is not { } physicianId) throw new RuleViolationException("physicianId", "This field is required.");
        var role = request.Role ?? PanelRole.Lead;
        var @case = await VisibleCaseAsync(caseId, AuditAction.Create, ct);
        try
        {
            var now = clock.GetUtcNow();
            if (role == PanelRole.Lead && @case.Status != CaseStatus.ReadyForReview)
                throw new ConflictException($"A lead reviewer is offered a case that is ready for review; this case is {@case.Status}.");
            if (role == PanelRole.Panelist && !PanelStages.Contains(@case.Status))
                throw new ConflictException($"Panel members join a case from ready for review until the opinion; this case is {@case.Status}.");
            var offers = await db.Set<ReviewerOffer>().Where(o => o.CaseId == caseId).ToListAsync(ct);
            if (role == PanelRole.Lead && (offers.Any(o => o.Role == PanelRole.Lead && o.IsActive) || @case.ReviewerUserId is not null))
                throw new ConflictException("The case already has a lead reviewer or a pending lead offer.");
            var physician = await db.Physicians.AsNoTracking().SingleOrDefaultAsync(p => p.Id == physicianId, ct)
                ?? throw new RuleViolationException("physicianId", "No physician with this id is in the network.");

            var (criteria, outcome, _) = await MatchingHandlers.ComputeAsync(db, network, @case, options.Value, now, physicianId, ct);
            var mode = Mode(@case, offers, role, outcome);
            var ranked = outcome.Ranked.FirstOrDefault(r => r.PhysicianId == physicianId);
            var excluded = outcome.Excluded.FirstOrDefault(e => e.PhysicianId == physicianId);
            if (excluded is not null)
            {
                var blocking = excluded.Reasons.Where(r => Blocking.Contains(r.Code)).ToList();
                if (mode == ConsultMode.EducationalConsult) blocking.RemoveAll(r => r.Code.StartsWith("license-", StringComparison.Ordinal));
                if (blocking.Count > 0)
                    throw new RuleViolationException("physicianId", $"{physician.Name} cannot take this case: {string.Join(" ", blocking.Select(b => b.Text))}");
            }
            if (mode == ConsultMode.DirectOpinion && !physician.IsLicensedIn(criteria.State, criteria.OpinionDue))
                throw new RuleViolationException("physicianId",
                    $"{physician.Name} holds no licence in {criteria.State} valid on {criteria.OpinionDue:yyyy-MM-dd}, and this case is a direct opinion.");
            RequireLocalPhysician(@case, mode, outcome);

            var offer = ReviewerOffer.Make(caseId, physicianId, physician.UserId!.Value, role, mode, ranked?.Score ?? 0, user.Actor,
                TimeSpan.FromHours(options.Value.OfferAcceptanceHours), now);
            db.Add(offer);
            audit.Record(AuditAction.Create, ObjectType, offer.Id, @case.MemberId, reason: $"{role} offer of case {@case.Number} to {physician.Name} ({mode})");
            await db.SaveChangesAsync(ct);
            return View(offer, physician.Name, physician.Subspecialty);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, @case.MemberId, AuditOutcome.Failure, $"offer refused: {e.GetType().Name}", ct);
            if (e is DbUpdateException) throw new ConflictException("Another offer of this case was made at the same moment. Reload the case and try again.");
            throw;
        }
    }

    /// <summary>A panel follows the mode its lead was offered in; otherwise matching decides.</summary>
    static ConsultMode Mode(Case @case, List<ReviewerOffer> offers, PanelRole role, MatchOutcome outcome) =>
        role == PanelRole.Panelist && (@case.ConsultMode ?? offers.FirstOrDefault(o => o.Role == PanelRole.Lead && o.IsActive)?.Mode) is { } lead ? lead : outcome.Mode;

    static void RequireLocalPhysician(Case @case, ConsultMode mode, MatchOutcome outcome)
    {
        if ((mode == ConsultMode.EducationalConsult || outcome.LocalPhysicianRequired) && string.IsNullOrWhiteSpace(@case.PhysicianName))
            throw new RuleViolationException("localPhysician", mode == ConsultMode.EducationalConsult
                ? "This case is a physician-to-physician educational consult: record the member's local physician of record (the treating physician at intake) before offering it."
                : "The member's state requires a local physician of record: record the treating physician at intake before offering the case.");
    }

    public async Task<IReadOnlyList<MyOfferView>> MineAsync(CancellationToken ct)
    {
        var me = user.UserId;
        var since = clock.GetUtcNow().AddDays(-30);
        var offers = await db.Set<ReviewerOffer>().AsNoTracking()
            .Where(o => o.ReviewerUserId == me && (o.Status == OfferStatus.Pending || o.OfferedAt >= since)).ToListAsync(ct);
        var caseIds = offers.Select(o => o.CaseId).Distinct().ToList();
        var cases = await db.Cases.AsNoTracking().Include(c => c.Transitions).Where(c => caseIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var rows = offers.Select(o => new { o, c = cases[o.CaseId] }).ToList();
        var now = clock.GetUtcNow();
        var states = await db.Members.AsNoTracking().Where(m => rows.Select(r => r.c.MemberId).Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.State, ct);
        var list = rows.OrderBy(r => r.o.Status != OfferStatus.Pending).ThenByDescending(r => r.o.OfferedAt)
            .Select(r => new MyOfferView(r.o.Id, r.c.Id, r.c.Number, r.c.Category, r.c.StateOfResidence ?? states.GetValueOrDefault(r.c.MemberId, ""),
                r.c.DiagnosisCodes, r.c.TreatmentCodes, r.c.Questions.Count, r.o.Role, r.o.Mode, r.o.Status, r.o.OfferedAt, r.o.ExpiresAt,
                MatchingHandlers.OpinionDue(r.c, options.Value, now), r.o.DeclineReason, r.o.Version)).ToList();
        // Diagnosis and procedure codes of a case not yet accepted: each row is an access to that member's information.
        foreach (var r in rows) audit.Record(AuditAction.Query, ObjectType, r.o.Id, r.c.MemberId);
        await db.SaveChangesAsync(ct);
        return list;
    }

    public async Task<OfferView> AcceptAsync(Guid offerId, CancellationToken ct)
    {
        var (offer, @case) = await MyOfferAsync(offerId, ct);
        var now = clock.GetUtcNow();
        try
        {
            if (offer.IsDue(now))
            {
                await ExpireAsync(offer, @case, now, ct);
                throw new ConflictException($"The offer expired at {offer.ExpiresAt:yyyy-MM-dd HH:mm} UTC and was passed to another reviewer.");
            }
            offer.Accept(now);
            if (offer.Role == PanelRole.Lead)
            {
                @case.AssignReviewer(offer.ReviewerUserId, now);
                @case.SetConsultMode(offer.Mode, now);
                if (@case.Status == CaseStatus.ReadyForReview)
                {
                    @case.TransitionTo(CaseStatus.Assigned, Actor.System("reviewer offer"), $"{user.Name} accepted the offer", now);
                    audit.Record(AuditAction.Update, "Case", @case.Id, @case.MemberId, reason: "transition to Assigned (offer accepted)");
                }
            }
            audit.Record(AuditAction.Update, ObjectType, offer.Id, @case.MemberId, reason: $"accepted as {offer.Role}");
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, offerId, @case.MemberId, AuditOutcome.Failure, $"not accepted: {e.GetType().Name}", ct);
            if (e is DbUpdateException) throw new ConflictException("The case or the offer changed at the same moment. Reload your offers and try again.");
            throw;
        }
        return await OneAsync(offer, ct);
    }

    public async Task<OfferView> DeclineAsync(Guid offerId, DeclineRequest request, CancellationToken ct)
    {
        var (offer, @case) = await MyOfferAsync(offerId, ct);
        var now = clock.GetUtcNow();
        try
        {
            offer.Decline(request.Reason, now);
            audit.Record(AuditAction.Update, ObjectType, offer.Id, @case.MemberId, reason: "declined");
            await ReofferAsync(db, network, audit, @case, offer, options.Value, now, ct);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, offerId, @case.MemberId, AuditOutcome.Failure, $"not declined: {e.GetType().Name}", ct);
            if (e is DbUpdateException) throw new ConflictException("The offer changed at the same moment. Reload your offers and try again.");
            throw;
        }
        return await OneAsync(offer, ct);
    }

    async Task ExpireAsync(ReviewerOffer offer, Case @case, DateTimeOffset now, CancellationToken ct)
    {
        offer.Expire(now);
        audit.Record(AuditAction.Update, ObjectType, offer.Id, @case.MemberId, reason: "expired: not accepted within the SLA");
        await ReofferAsync(db, network, audit, @case, offer, options.Value, now, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Every pending offer past its acceptance SLA expires and the case goes to the next physician, each in its own unit
    /// of work. Safe to run on several nodes at once: a lost race on an offer's version skips it. Returns how many expired.
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.Set<ReviewerOffer>().AsNoTracking().Where(o => o.Status == OfferStatus.Pending && o.ExpiresAt <= now)
            .OrderBy(o => o.ExpiresAt).Select(o => o.Id).Take(500).ToListAsync(ct);
        var expired = 0;
        foreach (var id in due)
        {
            db.ChangeTracker.Clear();
            var offer = await db.Set<ReviewerOffer>().SingleAsync(o => o.Id == id, ct);
            if (!offer.IsDue(now)) continue;
            var @case = await db.Cases.Include(c => c.Transitions).SingleAsync(c => c.Id == offer.CaseId, ct);
            try
            {
                await ExpireAsync(offer, @case, now, ct);
                expired++;
            }
            catch (DbUpdateException)
            {
                // Another node expired it, or the reviewer answered at the same moment.
            }
        }
        db.ChangeTracker.Clear();
        return expired;
    }

    /// <summary>
    /// Offers the case, in the same role, to the best-ranked physician not offered it yet; records when there is none
    /// left. Added to the caller's unit of work.
    /// </summary>
    internal static async Task<ReviewerOffer?> ReofferAsync(ConsiliumDbContext db, NetworkSnapshot network, AuditTrail audit, Case @case, ReviewerOffer previous,
        NetworkOptions options, DateTimeOffset now, CancellationToken ct)
    {
        if (previous.Role == PanelRole.Lead ? @case.Status != CaseStatus.ReadyForReview : !PanelStages.Contains(@case.Status)) return null;
        var (_, outcome, _) = await MatchingHandlers.ComputeAsync(db, network, @case, options, now, null, ct);
        // The offer being replaced is not yet saved as declined or expired: leave its physician out explicitly.
        var next = outcome.Ranked.FirstOrDefault(r => r.PhysicianId != previous.PhysicianId);
        if (next is null || (outcome.LocalPhysicianRequired && string.IsNullOrWhiteSpace(@case.PhysicianName)))
        {
            audit.Record(AuditAction.Update, "Case", @case.Id, @case.MemberId, reason: $"no reviewer left to re-offer the {previous.Role.ToString().ToLowerInvariant()} role to");
            return null;
        }
        var userId = await db.Physicians.Where(p => p.Id == next.PhysicianId).Select(p => p.UserId!.Value).SingleAsync(ct);
        var offer = ReviewerOffer.Make(@case.Id, next.PhysicianId, userId, previous.Role, previous.Role == PanelRole.Panelist ? previous.Mode : outcome.Mode,
            next.Score, Actor.System("automatic re-offer"), TimeSpan.FromHours(options.OfferAcceptanceHours), now, previous.Id);
        db.Add(offer);
        audit.Record(AuditAction.Create, ObjectType, offer.Id, @case.MemberId, reason: $"re-offer of case {@case.Number} to {next.Name} after {previous.Status.ToString().ToLowerInvariant()} offer");
        return offer;
    }

    async Task<(ReviewerOffer, Case)> MyOfferAsync(Guid offerId, CancellationToken ct)
    {
        var offer = await db.Set<ReviewerOffer>().SingleOrDefaultAsync(o => o.Id == offerId, ct);
        if (offer is null || offer.ReviewerUserId != user.UserId)
        {
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, offerId, null, AuditOutcome.Denied, "not the reviewer's offer", ct);
            throw new NotFoundException("Offer", offerId);
        }
        var @case = await db.Cases.Include(c => c.Transitions).SingleAsync(c => c.Id == offer.CaseId, ct);
        return (offer, @case);
    }

    async Task<Case> VisibleCaseAsync(Guid caseId, AuditAction action, CancellationToken ct)
    {
        var @case = await db.Cases.Include(c => c.Transitions).VisibleTo(db, user, clock.GetUtcNow()).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is not null) return @case;
        await audit.RecordFailureAsync(action, ObjectType, caseId, null, AuditOutcome.Denied, "case not visible to the user", ct);
        throw new NotFoundException("Case", caseId);
    }

    async Task<OfferView> OneAsync(ReviewerOffer offer, CancellationToken ct)
    {
        var p = await db.Physicians.AsNoTracking().Where(x => x.Id == offer.PhysicianId).Select(x => new { x.Name, x.Subspecialty }).SingleAsync(ct);
        return View(offer, p.Name, p.Subspecialty);
    }
}

using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Physicians;

public sealed record MatchesView(Guid CaseId, string CaseNumber, string State, StatePracticeRule StateRule, DateOnly OpinionDue,
    string Language, ConsultMode Mode, string ModeReason, bool LocalPhysicianRequired, string? LocalPhysician, string? MemberNotice,
    int NetworkSize, int NotConsidered, IReadOnlyList<RankedReviewer> Ranked, IReadOnlyList<ExcludedReviewer> Excluded);

/// <summary>Loads what <see cref="ReviewerMatcher"/> needs for one case and explains its answer.</summary>
public sealed class MatchingHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IOptions<NetworkOptions> options,
    NetworkSnapshot network)
{
    public const string MemberEducationalNotice =
        "This is an educational consultation between physicians: the specialist advises your own doctor, who stays responsible " +
        "for your care and decides with you. It is not a direct medical opinion to you.";

    public async Task<MatchesView> MatchAsync(Guid caseId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var @case = await db.Cases.AsNoTracking().Include(c => c.Transitions).VisibleTo(db, user, now).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is null)
        {
            await audit.RecordFailureAsync(AuditAction.Read, "CaseMatches", caseId, null, AuditOutcome.Denied, "case not visible to the user", ct);
            throw new NotFoundException("Case", caseId);
        }
        var (criteria, outcome, size) = await ComputeAsync(db, network, @case, options.Value, now, null, ct);
        // The matching reads the case's diagnosis, procedure and state: an access to the member's information.
        audit.Record(AuditAction.Read, "CaseMatches", caseId, @case.MemberId, reason: $"{outcome.Ranked.Count} ranked, {outcome.Excluded.Count} excluded, {outcome.Mode}");
        await db.SaveChangesAsync(ct);
        return View(@case, criteria, outcome, size);
    }

    internal static MatchesView View(Case @case, MatchCriteria criteria, MatchOutcome outcome, int size) =>
        new(@case.Id, @case.Number, criteria.State, criteria.Rule, criteria.OpinionDue, criteria.Language, outcome.Mode, outcome.ModeReason,
            outcome.LocalPhysicianRequired, @case.PhysicianName, outcome.Mode == ConsultMode.EducationalConsult ? MemberEducationalNotice : null,
            size, size - outcome.Ranked.Count - outcome.Excluded.Count, outcome.Ranked, outcome.Excluded);

    /// <summary>The day the opinion is expected: the opinion SLA in business days from when the packet was ready (or from now).</summary>
    public static DateOnly OpinionDue(Case @case, NetworkOptions options, DateTimeOffset now)
    {
        var ready = @case.Transitions.Where(t => t.To == CaseStatus.ReadyForReview).Select(t => (DateTimeOffset?)t.At).Max() ?? now;
        var due = CaseSla.AddBusinessDays(ready, @case.OpinionBusinessDays ?? options.DefaultOpinionBusinessDays);
        if (due < now) due = CaseSla.AddBusinessDays(now, 1);
        return DateOnly.FromDateTime(due.UtcDateTime);
    }

    /// <summary>
    /// Matches the case against the physicians whose taxonomy entry can fit it (the rest are counted, not loaded), plus
    /// <paramref name="include"/> whatever their fit. Returns the criteria, the outcome and the network's size.
    /// </summary>
    internal static async Task<(MatchCriteria, MatchOutcome, int)> ComputeAsync(ConsiliumDbContext db, NetworkSnapshot network, Case @case, NetworkOptions options,
        DateTimeOffset now, Guid? include, CancellationToken ct)
    {
        var state = @case.StateOfResidence ?? await db.Members.Where(m => m.Id == @case.MemberId).Select(m => m.State).SingleAsync(ct);
        var criteria = new MatchCriteria(state, await StateRules.ForAsync(db, state, ct), OpinionDue(@case, options, now), @case.Category,
            @case.DiagnosisCodes, @case.TreatmentCodes, @case.PreferredLanguage ?? "en", @case.PhysicianOrganization, @case.PhysicianNpi);

        var fitting = Taxonomy.Subspecialties.Where(s => ReviewerMatcher.Fit(s.Specialty, s.Name, criteria).Item1 > 0).ToList();
        var subspecialties = fitting.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var specialties = fitting.Select(s => s.Specialty).ToHashSet(StringComparer.Ordinal);
        var all = await network.GetAsync(db, ct);
        var physicians = all.Where(p => (p.Subspecialty != null ? subspecialties.Contains(p.Subspecialty) : specialties.Contains(p.Specialty)) || p.Id == include)
            .ToList();
        var size = all.Count;

        var ids = physicians.Select(p => p.Id).ToList();
        var users = physicians.Where(p => p.UserId != null).Select(p => p.UserId!.Value).ToList();
        var weekAgo = now.AddDays(-7);
        var taken = (await db.Set<ReviewerOffer>().AsNoTracking()
                .Where(o => ids.Contains(o.PhysicianId) && (o.Status == OfferStatus.Pending || (o.Status == OfferStatus.Accepted && o.RespondedAt >= weekAgo)))
                .Select(o => o.PhysicianId).ToListAsync(ct))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var inReview = new[] { CaseStatus.Assigned, CaseStatus.InReview };
        var open = (await db.Cases.AsNoTracking().Where(c => c.ReviewerUserId != null && users.Contains(c.ReviewerUserId.Value) && inReview.Contains(c.Status))
                .Select(c => c.ReviewerUserId!.Value).ToListAsync(ct))
            .Concat(await (from o in db.Set<ReviewerOffer>().AsNoTracking()
                           join c in db.Cases on o.CaseId equals c.Id
                           where users.Contains(o.ReviewerUserId) && o.Role == PanelRole.Panelist && o.Status == OfferStatus.Accepted && inReview.Contains(c.Status)
                           select o.ReviewerUserId).ToListAsync(ct))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var turnaround = await TurnaroundAsync(db, users, now, ct);
        var earlier = (await db.Set<ReviewerOffer>().AsNoTracking().Where(o => o.CaseId == @case.Id).ToListAsync(ct))
            .ToDictionary(o => o.PhysicianId, o => o.Describe());

        var candidates = physicians.Select(p => new MatchCandidate(p.Id, p.Name, p.Npi, p.Specialty, p.Subspecialty, p.Status, p.UserId is not null,
            p.Licenses, p.Languages, p.Affiliations, p.WeeklyCapacity, taken.GetValueOrDefault(p.Id),
            p.UserId is { } u ? open.GetValueOrDefault(u) : 0, p.UserId is { } v && turnaround.TryGetValue(v, out var t) ? t : null,
            earlier.GetValueOrDefault(p.Id))).ToList();
        return (criteria, ReviewerMatcher.Rank(criteria, candidates), size);
    }

    /// <summary>Median business days from assignment to the delivered opinion, per reviewer, over opinions of the last 180 days.</summary>
    static async Task<Dictionary<Guid, double>> TurnaroundAsync(ConsiliumDbContext db, List<Guid> users, DateTimeOffset now, CancellationToken ct)
    {
        var since = now.AddDays(-180);
        var rows = await (from t in db.CaseTransitions.AsNoTracking()
                          join c in db.Cases on t.CaseId equals c.Id
                          where c.ReviewerUserId != null && users.Contains(c.ReviewerUserId.Value)
                              && (c.Status == CaseStatus.OpinionDelivered || c.Status == CaseStatus.Closed)
                              && (t.To == CaseStatus.Assigned || t.To == CaseStatus.OpinionDelivered)
                          select new { t.CaseId, Reviewer = c.ReviewerUserId!.Value, t.To, t.At }).ToListAsync(ct);
        var result = new Dictionary<Guid, double>();
        foreach (var reviewer in rows.GroupBy(r => r.Reviewer))
        {
            var days = new List<double>();
            foreach (var c in reviewer.GroupBy(r => r.CaseId))
            {
                var delivered = c.Where(r => r.To == CaseStatus.OpinionDelivered).Select(r => (DateTimeOffset?)r.At).Min();
                if (delivered is null || delivered < since) continue;
                var assigned = c.Where(r => r.To == CaseStatus.Assigned && r.At <= delivered).Select(r => (DateTimeOffset?)r.At).Max();
                if (assigned is null) continue;
                days.Add(BusinessDays(assigned.Value, delivered.Value));
            }
            if (days.Count == 0) continue;
            days.Sort();
            result[reviewer.Key] = days.Count % 2 == 1 ? days[days.Count / 2] : (days[days.Count / 2 - 1] + days[days.Count / 2]) / 2;
        }
        return result;
    }

    static double BusinessDays(DateTimeOffset from, DateTimeOffset to)
    {
        var total = 0.0;
        for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            var start = day < from.UtcDateTime ? from.UtcDateTime : day;
            var end = day.AddDays(1) > to.UtcDateTime ? to.UtcDateTime : day.AddDays(1);
            total += (end - start).TotalDays;
        }
        return Math.Round(total, 1);
    }
}

public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Hours a reviewer has to accept an offer before it goes to the next one.</summary>
    public double OfferAcceptanceHours { get; set; } = 24;

    /// <summary>Opinion SLA for cases that carry none (cases opened before programs had SLA targets).</summary>
    public int DefaultOpinionBusinessDays { get; set; } = 5;

    /// <summary>How often expired offers are re-offered and completed opinions turned into stipends; 0 turns the timer off.</summary>
    public int SweepSeconds { get; set; } = 60;
}

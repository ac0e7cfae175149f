using System.Text.Json;
using Consilium.Features.Programs;
using Consilium.Features.Triggers;
using Consilium.Infrastructure.Persistence;
using Consilium.Triggers;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Outcomes;

/// <summary>Of the opinions whose window has passed, how many were followed by a claim for the originally planned procedure.</summary>
public sealed record PlannedProcedureFigure(int Months, int? Opinions, int? ProcedureClaimed, double? Rate);

/// <summary>Claims-verified outcomes (docs/metrics.md, "Claims-verified outcomes"): aggregates only, cells under 11 suppressed.</summary>
public sealed record ClaimsOutcomeReport(
    Guid ProgramId, DateOnly? From, DateOnly? To, int MinimumCellSize, long ClaimsOnFile, DateOnly? ClaimsThrough,
    int? OpinionsWithPlannedProcedure, PlannedProcedureFigure Within6Months, PlannedProcedureFigure Within12Months,
    int FollowUpDays, int? MembersWithFullFollowUp, MatchedComparison DownstreamCost, IReadOnlyList<MetricDefinition> Methods);

/// <summary>The hospital view (docs/metrics.md, "Hospital view"): conversion to care at the host institution and reach by state.</summary>
public sealed record HospitalReport(
    Guid ProgramId, DateOnly? From, DateOnly? To, int MinimumCellSize, IReadOnlyList<string> HostNpis, string? HostState,
    int? Opinions, int? Converted, double? ConversionRate, int? PatientsWithState, IReadOnlyList<StateCount> States,
    double? ShareOutsideHostState, IReadOnlyList<MetricDefinition> Methods);

/// <summary>Patients of one state; null when fewer than 11.</summary>
public sealed record StateCount(string State, int? Patients);

public static class ClaimsFigures
{
    public const int FollowUpDays = 365;
    public const int ConversionMonths = 6;

    sealed record Opinion(Guid? CaseId, string Member, DateOnly On, string? State);
    sealed record ClaimRow(string MemberExternalId, DateOnly? ServiceFrom, string Procedures, string? BillingNpi, long ChargeCents);

    static async Task<List<Opinion>> OpinionsAsync(ConsiliumDbContext db, Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (start, end) = (from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue);
        return (await db.Set<CaseOutcome>().AsNoTracking()
                .Where(o => o.ProgramId == programId && o.OpinionOn != null && o.OpinionOn >= start && o.OpinionOn <= end && o.MemberExternalId != null)
                .Select(o => new { o.CaseId, o.MemberExternalId, o.OpinionOn, o.State }).ToListAsync(ct))
            .Select(o => new Opinion(o.CaseId, o.MemberExternalId!, o.OpinionOn!.Value, o.State)).ToList();
    }

    /// <summary>The members' claims that stand (voids left out), in chunks so a large program never loads one giant IN list.</summary>
    static async Task<ILookup<string, ClaimRow>> ClaimsAsync(ConsiliumDbContext db, Guid programId, IEnumerable<string> members, CancellationToken ct)
    {
        var rows = new List<ClaimRow>();
        foreach (var chunk in members.Distinct(StringComparer.Ordinal).Chunk(1000))
            rows.AddRange(await db.Set<StoredClaim>().AsNoTracking()
                .Where(c => c.ProgramId == programId && !c.Voided && chunk.Contains(c.MemberExternalId) && c.ServiceFrom != null)
                .Select(c => new ClaimRow(c.MemberExternalId, c.ServiceFrom, c.Procedures, c.BillingNpi, c.ChargeCents)).ToListAsync(ct));
        return rows.ToLookup(r => r.MemberExternalId, StringComparer.Ordinal);
    }

    /// <summary>
    /// The planned procedure of each case: the case's proposed-treatment codes and the procedure codes (not diagnoses) of
    /// the evidence of the trigger candidate the case was opened from. Without dots, upper case.
    /// </summary>
    static async Task<Dictionary<Guid, HashSet<string>>> PlannedAsync(ConsiliumDbContext db, Guid programId, List<Guid> caseIds, CancellationToken ct)
    {
        var planned = new Dictionary<Guid, HashSet<string>>();
        HashSet<string> Of(Guid id) => planned.TryGetValue(id, out var set) ? set : planned[id] = new HashSet<string>(StringComparer.Ordinal);
        static string Norm(string code) => code.Trim().Replace(".", "", StringComparison.Ordinal).ToUpperInvariant();
        foreach (var chunk in caseIds.Chunk(1000))
        {
            foreach (var c in await db.Cases.AsNoTracking().Where(c => chunk.Contains(c.Id)).Select(c => new { c.Id, c.TreatmentCodes }).ToListAsync(ct))
                foreach (var code in c.TreatmentCodes) Of(c.Id).Add(Norm(code));
            foreach (var t in await db.Set<TriggerCandidate>().AsNoTracking().Where(t => t.ProgramId == programId && t.CaseId != null && chunk.Contains(t.CaseId.Value))
                         .Select(t => new { t.CaseId, t.EvidenceJson }).ToListAsync(ct))
                foreach (var e in JsonSerializer.Deserialize<List<Evidence>>(t.EvidenceJson, TriggerHandlers.Json) ?? [])
                    if (e.CodeSystem != CodeSystems.Icd10Cm) Of(t.CaseId!.Value).Add(Norm(e.Code));
        }
        foreach (var empty in planned.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList()) planned.Remove(empty);
        return planned;
    }

    /// <summary>
    /// Planned procedure within 6 and 12 months: opinions in the period whose case has a planned procedure and whose window
    /// (the day after the opinion through the same day 6 or 12 months later) has passed by today; claimed when a claim that
    /// stands carries one of the planned codes with a first service date in the window. Downstream cost: the charges of the
    /// claims with a first service date in the 365 days from the index date, engaged against matched non-engaged targeted
    /// members (<see cref="MatchedGroups"/>), members whose 365 days have passed.
    /// </summary>
    public static async Task<ClaimsOutcomeReport> ComputeAsync(ConsiliumDbContext db, Guid programId, DateOnly? from, DateOnly? to, DateOnly today, CancellationToken ct)
    {
        const int k = MetricDefinitions.MinimumCellSize;
        int? Shown(int n) => n is > 0 and < k ? null : n;
        var claimsOnFile = await db.Set<StoredClaim>().LongCountAsync(c => c.ProgramId == programId && !c.Voided, ct);
        var through = await db.Set<StoredClaim>().Where(c => c.ProgramId == programId && !c.Voided).MaxAsync(c => c.ServiceFrom, ct);

        var opinions = await OpinionsAsync(db, programId, from, to, ct);
        var planned = await PlannedAsync(db, programId, opinions.Where(o => o.CaseId != null).Select(o => o.CaseId!.Value).Distinct().ToList(), ct);
        var withPlan = opinions.Where(o => o.CaseId is { } id && planned.ContainsKey(id)).ToList();
        var targeted = (await MatchedGroups.TargetedAsync(db, programId, from, to, ct)).Where(t => t.IndexDate.AddDays(FollowUpDays) <= today).ToList();
        var claims = await ClaimsAsync(db, programId, withPlan.Select(o => o.Member).Concat(targeted.Select(t => t.MemberExternalId)), ct);

        PlannedProcedureFigure Within(int months)
        {
            var due = withPlan.Where(o => o.On.AddMonths(months) <= today).ToList();
            var claimed = due.Count(o => claims[o.Member].Any(c => c.ServiceFrom > o.On && c.ServiceFrom <= o.On.AddMonths(months)
                && c.Procedures.Split('|').Any(planned[o.CaseId!.Value].Contains)));
            return new PlannedProcedureFigure(months, Shown(due.Count), due.Count < k ? null : claimed,
                due.Count < k ? null : Math.Round((double)claimed / due.Count, 4));
        }

        var cost = targeted.Select(t =>
        {
            var end = t.IndexDate.AddDays(FollowUpDays);
            var cents = claims[t.MemberExternalId].Where(c => c.ServiceFrom >= t.IndexDate && c.ServiceFrom < end).Sum(c => c.ChargeCents);
            return new MatchedGroups.Subject(t.Stratum, t.Engaged, cents / 100.0);
        }).ToList();
        return new ClaimsOutcomeReport(programId, from, to, k, claimsOnFile, through, Shown(withPlan.Count), Within(6), Within(12),
            FollowUpDays, Shown(targeted.Count), MatchedGroups.Compare(cost), MetricDefinitions.Claims);
    }

    /// <summary>
    /// Conversion: opinions in the period whose 6 months have passed, converted when a claim that stands, billed by one of
    /// the host's NPIs, has a first service date in the day after the opinion through 6 months later. States: the state of
    /// residence of the members with an opinion in the period, counted once per member.
    /// </summary>
    public static async Task<HospitalReport> HospitalAsync(ConsiliumDbContext db, CareProgram program, DateOnly? from, DateOnly? to, DateOnly today, CancellationToken ct)
    {
        const int k = MetricDefinitions.MinimumCellSize;
        int? Shown(int n) => n is > 0 and < k ? null : n;
        var opinions = await OpinionsAsync(db, program.Id, from, to, ct);
        var host = program.HostNpis.ToHashSet(StringComparer.Ordinal);
        var due = opinions.Where(o => o.On.AddMonths(ConversionMonths) <= today).ToList();
        var claims = await ClaimsAsync(db, program.Id, due.Select(o => o.Member), ct);
        var converted = due.Count(o => claims[o.Member].Any(c => c.BillingNpi is { } npi && host.Contains(npi)
            && c.ServiceFrom > o.On && c.ServiceFrom <= o.On.AddMonths(ConversionMonths)));

        var residents = opinions.GroupBy(o => o.Member, StringComparer.Ordinal).Select(g => g.OrderBy(o => o.On).Last().State)
            .Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList();
        var states = residents.GroupBy(s => s, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new StateCount(g.Key, Shown(g.Count()))).ToList();
        double? outside = program.HostState is { } home && residents.Count >= k
            ? Math.Round((double)residents.Count(s => s != home) / residents.Count, 4) : null;
        return new HospitalReport(program.Id, from, to, k, program.HostNpis, program.HostState,
            Shown(due.Count), due.Count < k ? null : converted, due.Count < k || host.Count == 0 ? null : Math.Round((double)converted / due.Count, 4),
            Shown(residents.Count), states, outside, MetricDefinitions.Hospital);
    }
}

using Consilium.Features.CareNavigation;
using Consilium.Features.Cases;
using Consilium.Features.Opinions;
using Consilium.Features.Programs;
using Consilium.Features.Triggers;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Outcomes;

/// <summary>
/// The one place the outcome metrics are computed (docs/metrics.md), for the API, the dashboard, the exports and the
/// benchmark. The counting is done by the database, the same queries on SQLite and PostgreSQL: one GROUP BY (category,
/// month) with filtered counts and sums, and histograms of the day counts from which the percentiles are read.
/// Live cases are first mapped into the same rows (<see cref="RefreshLiveAsync"/>), so imported and live cases count alike.
/// </summary>
public sealed class OutcomeCalculator(ConsiliumDbContext db, TimeProvider clock)
{
    static readonly DateOnly Earliest = new(1, 1, 1);
    static readonly DateOnly Latest = new(9999, 12, 31);

    /// <summary>
    /// The figures over [from, to] (opinion dates; request dates for the cases opened). The whole months of the period are
    /// read from the monthly roll-up (<see cref="OutcomeRollup"/>), hundreds of rows however many cases; the days of a
    /// month the period cuts are read from the case rows, and both are added up the same way, so the result is exactly
    /// that of a row-level computation. <paramref name="rowsOnly"/> reads every day from the rows (what the roll-up is
    /// checked against), as does a program whose roll-up was never built.
    /// </summary>
    public async Task<OutcomeReport> ComputeAsync(CareProgram program, DateOnly? from, DateOnly? to, CancellationToken ct, bool rowsOnly = false)
    {
        var (start, end) = (from ?? Earliest, to ?? Latest);
        var rollup = !rowsOnly && await db.Set<OutcomeRollupState>().AnyAsync(s => s.ProgramId == program.Id, ct);
        var period = rollup ? Period.Of(start, end) : new Period(null, [(start, end)]);

        var groups = new List<OutcomeMonth>();
        var days = new List<DayRow>();
        var trigger = new List<TriggerRow>();
        var opened = 0L;
        if (period.Months is var (firstMonth, lastMonth))
        {
            groups.AddRange(await db.Set<OutcomeMonth>().AsNoTracking()
                .Where(m => m.ProgramId == program.Id && m.Month >= firstMonth && m.Month <= lastMonth).ToListAsync(ct));
            var counts = await db.Set<OutcomeDayCount>().AsNoTracking()
                .Where(m => m.ProgramId == program.Id && m.Month >= firstMonth && m.Month <= lastMonth).ToListAsync(ct);
            static int? Value(int days) => days == OutcomeDayCount.None ? null : days;
            days.AddRange(counts.Where(c => c.Kind == OutcomeHistogram.OpinionDays).Select(c => new DayRow(c.Month, Value(c.Days), Value(c.Days2), c.Count)));
            trigger.AddRange(counts.Where(c => c.Kind == OutcomeHistogram.TriggerDays).Select(c => new TriggerRow(c.Month, c.Days, c.Count)));
            opened += counts.Where(c => c.Kind == OutcomeHistogram.Opened).Sum(c => c.Count);
        }
        if (period.Edges.Count > 0)
        {
            // At most two runs of days (before the first whole month, after the last); an empty second run when there is one.
            var (a1, b1) = period.Edges[0];
            var (a2, b2) = period.Edges.Count > 1 ? period.Edges[1] : (Latest, Earliest);
            var rows = db.Set<CaseOutcome>().AsNoTracking().Where(o => o.ProgramId == program.Id);
            var inEdges = rows.Where(o => o.OpinionOn != null && (o.OpinionOn >= a1 && o.OpinionOn <= b1 || o.OpinionOn >= a2 && o.OpinionOn <= b2));
            groups.AddRange(await Aggregate(inEdges, program.Id).ToListAsync(ct));
            var (d, t) = await HistogramsAsync(inEdges, ct);
            days.AddRange(d);
            trigger.AddRange(t);
            // One count per run: a plain range is an index-only scan, an OR of two ranges is not.
            foreach (var (a, b) in period.Edges) opened += await rows.LongCountAsync(o => o.RequestedOn >= a && o.RequestedOn <= b, ct);
        }
        var eligible = await db.Members.CountAsync(m => m.ProgramId == program.Id && (m.CoverageStart == null || m.CoverageStart <= end)
            && (m.CoverageEnd == null || m.CoverageEnd >= start), ct);
        var outreach = await OutreachFigures.ComputeAsync(db, program.Id, from, to, ct);
        return Build(program, from, to, groups, (int)opened, eligible, outreach, DayFiguresOf(days, trigger));
    }

    /// <summary>A period split into the whole months it covers (yyyymm, inclusive) and the runs of days outside them.</summary>
    internal sealed record Period((int First, int Last)? Months, IReadOnlyList<(DateOnly From, DateOnly To)> Edges)
    {
        public static Period Of(DateOnly start, DateOnly end)
        {
            static int Index(DateOnly d) => d.Year * 12 + d.Month - 1;
            static DateOnly FirstDay(int index) => new(index / 12, index % 12 + 1, 1);
            var first = Index(start) + (start.Day == 1 ? 0 : 1);
            var last = Index(end) - (end == DateOnly.MaxValue || end.AddDays(1).Day == 1 ? 0 : 1);
            if (first > last) return new Period(null, [(start, end)]);
            var firstDay = FirstDay(first);
            var lastDay = last == Index(DateOnly.MaxValue) ? DateOnly.MaxValue : FirstDay(last + 1).AddDays(-1);
            var edges = new List<(DateOnly, DateOnly)>();
            if (start < firstDay) edges.Add((start, firstDay.AddDays(-1)));
            if (end > lastDay) edges.Add((lastDay.AddDays(1), end));
            return new Period((OutcomeRollup.MonthOf(firstDay), OutcomeRollup.MonthOf(lastDay)), edges);
        }
    }

    const long HighCostCents = (long)(MetricDefinitions.HighCostThreshold * 100);

    /// <summary>The counts and sums per (category, opinion month) of the given rows (all with an opinion): the roll-up's definition.</summary>
    internal static IQueryable<OutcomeMonth> Aggregate(IQueryable<CaseOutcome> opinions, Guid programId) =>
        opinions.GroupBy(o => new { o.Category, o.OpinionMonth })
            .Select(g => new OutcomeMonth
            {
                ProgramId = programId,
                Category = g.Key.Category,
                Month = g.Key.OpinionMonth ?? 0,
                Cases = g.Count(),
                DxChanged = g.Count(o => o.DiagnosisAgreement == DiagnosisAgreement.Refined || o.DiagnosisAgreement == DiagnosisAgreement.Changed),
                TxChanged = g.Count(o => o.TreatmentAgreement == TreatmentAgreement.Modify || o.TreatmentAgreement == TreatmentAgreement.Change),
                AnyChanged = g.Count(o => o.DiagnosisAgreement == DiagnosisAgreement.Refined || o.DiagnosisAgreement == DiagnosisAgreement.Changed
                    || o.TreatmentAgreement == TreatmentAgreement.Modify || o.TreatmentAgreement == TreatmentAgreement.Change),
                SurgeryProposed = g.Count(o => o.SurgeryProposed),
                SurgeryAlternative = g.Count(o => o.SurgeryProposed && !o.SurgeryRecommended),
                HospitalizationProposed = g.Count(o => o.HospitalizationProposed),
                HospitalizationRecommended = g.Count(o => o.HospitalizationRecommended),
                SiteChanged = g.Count(o => o.SiteOfCareChange),
                SlaKnown = g.Count(o => o.SlaMet != null),
                SlaMet = g.Count(o => o.SlaMet == true),
                Responses = g.Count(o => o.Satisfaction != null),
                Promoters = g.Count(o => o.Satisfaction >= 9),
                Detractors = g.Count(o => o.Satisfaction <= 6),
                FollowKnown = g.Count(o => o.RecommendationFollowed != null),
                Followed = g.Count(o => o.RecommendationFollowed == true),
                Priced = g.Count(o => o.OriginalPlanCents != null && o.RecommendedPlanCents != null),
                SavingsCents = g.Sum(o => o.OriginalPlanCents != null && o.RecommendedPlanCents != null ? o.OriginalPlanCents!.Value - o.RecommendedPlanCents!.Value : 0L),
                HighCost = g.Count(o => o.OriginalPlanCents > HighCostCents && o.RecommendedPlanCents != null),
                HighCostSavingsCents = g.Sum(o => o.OriginalPlanCents > HighCostCents && o.RecommendedPlanCents != null
                    ? o.OriginalPlanCents!.Value - o.RecommendedPlanCents!.Value : 0L),
            });

    /// <summary>Cases per (opinion month, days to opinion, days to packet).</summary>
    internal sealed record DayRow(int Month, int? DaysToOpinion, int? DaysToPacket, long N);

    /// <summary>Cases with a trigger date per (opinion month, days from trigger to opinion).</summary>
    internal sealed record TriggerRow(int Month, int Days, long N);

    /// <summary>
    /// Day counts are small whole numbers, so the database returns histograms (GROUP BY the value, a hash aggregate)
    /// instead of sorting every row, and the percentiles are read off them exactly. Packet-to-opinion days are
    /// opinion days minus packet days (the same three dates), so one histogram serves three figures.
    /// </summary>
    internal static async Task<(List<DayRow> Days, List<TriggerRow> Trigger)> HistogramsAsync(IQueryable<CaseOutcome> opinions, CancellationToken ct)
    {
        var days = await opinions.GroupBy(o => new { o.OpinionMonth, o.DaysToOpinion, o.DaysToPacket })
            .Select(g => new { g.Key.OpinionMonth, g.Key.DaysToOpinion, g.Key.DaysToPacket, N = g.LongCount() }).ToListAsync(ct);
        var trigger = await opinions.Where(o => o.DaysFromTrigger != null).GroupBy(o => new { o.OpinionMonth, Days = o.DaysFromTrigger!.Value })
            .Select(g => new { g.Key.OpinionMonth, g.Key.Days, N = g.LongCount() }).ToListAsync(ct);
        return (days.Select(d => new DayRow(d.OpinionMonth ?? 0, d.DaysToOpinion, d.DaysToPacket, d.N)).ToList(),
            trigger.Select(t => new TriggerRow(t.OpinionMonth ?? 0, t.Days, t.N)).ToList());
    }

    /// <summary>The percentiles (nulls ignored), overall and the median per month, as percentile_cont would give them.</summary>
    internal sealed record DayFigures(Percentiles ToOpinion, Percentiles FromTrigger, Percentiles ToPacket, Percentiles PacketToOpinion,
        IReadOnlyDictionary<int, Percentiles> ToOpinionByMonth);

    internal sealed record Percentiles(long Count, double? Median, double? P90);

    static DayFigures DayFiguresOf(List<DayRow> days, List<TriggerRow> trigger)
    {
        static Percentiles Of(IEnumerable<(int Value, long Count)> values)
        {
            var histogram = values.GroupBy(v => v.Value).Select(g => (Value: g.Key, Count: g.Sum(v => v.Count))).OrderBy(v => v.Value).ToList();
            return new Percentiles(histogram.Sum(h => h.Count), PercentileCont(histogram, 0.5), PercentileCont(histogram, 0.9));
        }
        var toOpinion = days.Where(d => d.DaysToOpinion != null).Select(d => (d.DaysToOpinion!.Value, d.N)).ToList();
        return new DayFigures(
            Of(toOpinion),
            Of(trigger.Select(t => (t.Days, t.N))),
            Of(days.Where(d => d.DaysToPacket != null).Select(d => (d.DaysToPacket!.Value, d.N))),
            Of(days.Where(d => d.DaysToPacket != null && d.DaysToOpinion != null).Select(d => (d.DaysToOpinion!.Value - d.DaysToPacket!.Value, d.N))),
            days.Where(d => d.DaysToOpinion != null).GroupBy(d => d.Month)
                .ToDictionary(g => g.Key, g => Of(g.Select(d => (d.DaysToOpinion!.Value, d.N)))));
    }

    /// <summary>PostgreSQL's percentile_cont over a histogram sorted by value: linear interpolation between the values at p·(n−1).</summary>
    public static double? PercentileCont(IReadOnlyList<(int Value, long Count)> histogram, double p)
    {
        var n = histogram.Sum(h => h.Count);
        if (n == 0) return null;
        var position = p * (n - 1);
        var lower = (long)Math.Floor(position);
        double At(long index)
        {
            foreach (var (value, count) in histogram)
            {
                if (index < count) return value;
                index -= count;
            }
            return histogram[^1].Value;
        }
        var low = At(lower);
        return low + (At((long)Math.Ceiling(position)) - low) * (position - lower);
    }

    static OutcomeReport Build(CareProgram program, DateOnly? from, DateOnly? to, List<OutcomeMonth> groups, int opened, int eligible,
        OutreachSummary outreach, DayFigures days)
    {
        const int k = MetricDefinitions.MinimumCellSize;
        var suppressed = new List<string>();
        double? Rate(string name, long numerator, long denominator)
        {
            if (denominator == 0) return null;
            if (denominator < k) { suppressed.Add(name); return null; }
            return Math.Round((double)numerator / denominator, 4);
        }
        int? Count(string name, int n)
        {
            if (n is > 0 and < k) { suppressed.Add(name); return null; }
            return n;
        }
        double? Days(string name, long n, double? value)
        {
            if (n == 0) return null;
            if (n < k) { suppressed.Add(name); return null; }
            return value is null ? null : Math.Round(value.Value, 2);
        }
        decimal? Average(string name, int n, long cents)
        {
            if (n == 0) return null;
            if (n < k) { suppressed.Add(name); return null; }
            return Math.Round(cents / 100m / n, 2);
        }

        int Sum(Func<OutcomeMonth, int> f) => groups.Sum(f);
        var cases = Sum(g => g.Cases);
        var caseMix = Enum.GetValues<ConditionCategory>().Select(c =>
        {
            var n = groups.Where(g => g.Category == c).Sum(g => g.Cases);
            var shown = Count($"caseMix.{c}", n);
            return new CategoryShare(c, shown, shown is null || cases < k ? null : Math.Round((double)n / cases, 4));
        }).ToList();

        var hospitalizationProposed = Sum(g => g.HospitalizationProposed);
        double? hospitalizationReduction = null;
        if (hospitalizationProposed > 0 && hospitalizationProposed < k) suppressed.Add("hospitalizationReduction");
        else if (hospitalizationProposed >= k)
            hospitalizationReduction = Math.Round(1 - (double)Sum(g => g.HospitalizationRecommended) / hospitalizationProposed, 4);

        var responses = Sum(g => g.Responses);
        int? nps = null;
        if (responses is > 0 and < k) suppressed.Add("nps");
        else if (responses >= k)
            nps = (int)Math.Round(100.0 * (Sum(g => g.Promoters) - Sum(g => g.Detractors)) / responses, MidpointRounding.AwayFromZero);

        var priced = Sum(g => g.Priced);
        var savingsCents = groups.Sum(g => g.SavingsCents);
        var programCost = program.CaseFee * cases;
        var savings = new SavingsFigures(
            Count("savings.casesPriced", priced),
            priced == 0 ? null : priced < k ? Suppress(suppressed, "savings.totalSavings") : savingsCents / 100m,
            Average("savings.avgSavingsPerCase", priced, savingsCents),
            Count("savings.highCostCases", Sum(g => g.HighCost)),
            Average("savings.avgSavingsHighCost", Sum(g => g.HighCost), groups.Sum(g => g.HighCostSavingsCents)),
            Enum.GetValues<ConditionCategory>().Select(c =>
            {
                var inCategory = groups.Where(g => g.Category == c).ToList();
                var n = inCategory.Sum(g => g.Priced);
                return new CategorySavings(c, Count($"savings.avgSavingsByCategory.{c}.cases", n),
                    Average($"savings.avgSavingsByCategory.{c}", n, inCategory.Sum(g => g.SavingsCents)));
            }).ToList(),
            program.CaseFee,
            cases < k ? null : programCost,
            cases < k || priced < k || programCost == 0 ? null : Math.Round((double)(savingsCents / 100m / programCost), 2));

        var series = groups.Where(g => g.Month != 0).GroupBy(g => g.Month).OrderBy(g => g.Key).Select(m =>
        {
            var label = $"{m.Key / 100:0000}-{m.Key % 100:00}";
            var n = m.Sum(g => g.Cases);
            var median = days.ToOpinionByMonth.GetValueOrDefault(m.Key);
            return new MonthFigures(label, Count($"series.{label}", n), Rate($"series.{label}.diagnosisChangeRate", m.Sum(g => g.DxChanged), n),
                Rate($"series.{label}.treatmentChangeRate", m.Sum(g => g.TxChanged), n), Rate($"series.{label}.anyChangeRate", m.Sum(g => g.AnyChanged), n),
                median is null ? null : Days($"series.{label}.medianDaysToOpinion", median.Count, median.Median));
        }).ToList();

        return new OutcomeReport(
            program.Id, program.Name, from, to, k,
            Count("membersTargeted", outreach.MembersTargeted), Count("reached", outreach.Reached), Count("engaged", outreach.CasesOpened),
            Rate("engagementRate", outreach.CasesOpened, outreach.MembersTargeted),
            Count("eligibleMembers", eligible), Count("casesOpened", opened), Rate("utilizationRate", opened, eligible),
            Count("casesWithOpinion", cases), caseMix,
            Rate("diagnosisChangeRate", Sum(g => g.DxChanged), cases),
            Rate("treatmentChangeRate", Sum(g => g.TxChanged), cases),
            Rate("anyChangeRate", Sum(g => g.AnyChanged), cases),
            Rate("surgeryAlternativeRate", Sum(g => g.SurgeryAlternative), Sum(g => g.SurgeryProposed)),
            hospitalizationReduction,
            Rate("siteOfCareChangeRate", Sum(g => g.SiteChanged), cases),
            Days("medianDaysToOpinion", days.ToOpinion.Count, days.ToOpinion.Median),
            Days("p90DaysToOpinion", days.ToOpinion.Count, days.ToOpinion.P90),
            Days("medianDaysFromTrigger", days.FromTrigger.Count, days.FromTrigger.Median),
            Days("p90DaysFromTrigger", days.FromTrigger.Count, days.FromTrigger.P90),
            new StageTurnaround(Days("stageTurnaround.medianDaysRequestToPacket", days.ToPacket.Count, days.ToPacket.Median),
                Days("stageTurnaround.medianDaysPacketToOpinion", days.PacketToOpinion.Count, days.PacketToOpinion.Median)),
            Rate("slaCompliance", Sum(g => g.SlaMet), Sum(g => g.SlaKnown)),
            nps,
            Rate("recommendationFollowedRate", Sum(g => g.Followed), Sum(g => g.FollowKnown)),
            savings, series, suppressed.Distinct().ToList(), MetricDefinitions.All, MetricDefinitions.Assumptions(program.CaseFee));
    }

    static decimal? Suppress(List<string> suppressed, string name)
    {
        suppressed.Add(name);
        return null;
    }

    /// <summary>
    /// Maps the program's live cases into outcome rows: the first signed opinion's date, the latest signed version's coded
    /// outcome, the stage dates, the follow-ups' answers, the roster's demographics and plan costs from the cost table.
    /// Rows are added or updated only where something changed; the caller saves, and brings the roll-up of the months
    /// returned (opinion and request months, before and after) in step in the same transaction.
    /// </summary>
    public async Task<IReadOnlySet<int>> RefreshLiveAsync(CareProgram program, CancellationToken ct)
    {
        var touched = new HashSet<int>();
        var now = clock.GetUtcNow();
        var cases = await db.Cases.AsNoTracking().Include(c => c.Transitions).Where(c => c.ProgramId == program.Id).ToListAsync(ct);
        var existing = await db.Set<CaseOutcome>().Where(o => o.ProgramId == program.Id && o.Source == OutcomeSource.Live).ToDictionaryAsync(o => o.ExternalCaseId, ct);
        if (cases.Count == 0) return touched;
        var ids = cases.Select(c => c.Id).ToList();
        var opinions = (await db.Set<Opinion>().AsNoTracking().Where(o => ids.Contains(o.CaseId) && o.Status == OpinionStatus.Signed).ToListAsync(ct))
            .GroupBy(o => o.CaseId).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Number).ToList());
        var followUps = (await db.Set<OutcomeFollowUp>().AsNoTracking().Where(f => ids.Contains(f.CaseId) && f.Status == FollowUpStatus.Completed).ToListAsync(ct))
            .GroupBy(f => f.CaseId).ToDictionary(g => g.Key, g => g.OrderByDescending(f => f.DayMark).ToList());
        var triggers = (await db.Set<TriggerCandidate>().AsNoTracking().Where(t => t.ProgramId == program.Id && t.CaseId != null)
            .Select(t => new { t.CaseId, t.FoundAt }).ToListAsync(ct)).GroupBy(t => t.CaseId!.Value).ToDictionary(g => g.Key, g => g.Min(t => t.FoundAt));
        var memberIds = cases.Select(c => c.MemberId).Distinct().ToList();
        var members = await db.Members.AsNoTracking().Where(m => memberIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        var costs = await db.Set<ProgramCost>().AsNoTracking().Where(c => c.ProgramId == program.Id).ToDictionaryAsync(c => c.Key, c => c.Cost, ct);

        foreach (var c in cases)
        {
            var signed = opinions.GetValueOrDefault(c.Id);
            var first = signed?[0];
            var latest = signed?[^1];
            var transitions = c.Transitions.OrderBy(t => t.At).ThenBy(t => t.Sequence).ToList();
            var opinionAt = first?.SignedAt;
            var packetAt = transitions.LastOrDefault(t => t.To == CaseStatus.ReadyForReview && (opinionAt is null || t.At <= opinionAt))?.At;
            var follow = followUps.GetValueOrDefault(c.Id);
            var satisfaction = follow?.FirstOrDefault(f => f.Satisfaction is not null)?.Satisfaction;
            var followed = follow?.FirstOrDefault(f => f.Followed is FollowedRecommendation.Yes or FollowedRecommendation.Partly or FollowedRecommendation.No)?.Followed;
            var member = members.GetValueOrDefault(c.MemberId);
            var requested = Day(c.CreatedAt);
            DateOnly? triggeredOn = triggers.TryGetValue(c.Id, out var foundAt) ? Day(foundAt) : null;
            var content = latest?.Content;
            var facts = new OutcomeFacts(member?.ExternalId, c.MemberId, c.Category, triggeredOn is not null || c.Channel == IntakeChannel.Trigger,
                requested, triggeredOn,
                packetAt is null ? null : Day(packetAt.Value), opinionAt is null ? null : Day(opinionAt.Value),
                c.OpinionBusinessDays ?? program.Sla.BusinessDaysToOpinion,
                content is null ? Codes(c.DiagnosisCodes) : Codes(content.Diagnosis.OriginalCodes), content is null ? null : Codes(content.Diagnosis.ReviewerCodes),
                latest?.DiagnosisAgreement, latest?.TreatmentAgreement, latest?.SurgeryProposed ?? false, latest?.SurgeryRecommended ?? false,
                latest?.HospitalizationProposed ?? false, latest?.HospitalizationRecommended ?? false,
                latest?.SiteOfCare is SiteOfCare.DifferentProvider or SiteOfCare.CenterOfExcellence,
                content is null ? null : PlanCents(content.Treatment.Proposed, c.Category, costs),
                content is null ? null : PlanCents(content.Treatment.Recommended, c.Category, costs),
                satisfaction, followed is null ? null : followed == FollowedRecommendation.Yes,
                member is null ? null : CaseOutcome.AgeBandAt(member.DateOfBirth, requested), member?.Sex.ToString(),
                c.StateOfResidence is { Length: 2 } state ? state : member?.State, c.PreferredLanguage ?? member?.PreferredLanguage,
                c.PhysicianNpi, c.PhysicianOrganization is { } org && org.Length > 200 ? org[..200] : c.PhysicianOrganization);
            if (existing.TryGetValue(c.Number, out var row))
            {
                var (opinionMonth, requestedOn) = (row.OpinionMonth, row.RequestedOn);
                if (!row.Apply(facts, now)) continue;
                touched.Add(OutcomeRollup.MonthOf(requestedOn));
                if (opinionMonth is { } before) touched.Add(before);
            }
            else db.Add(CaseOutcome.Create(program.Id, OutcomeSource.Live, c.Number, c.Id, facts, now));
            touched.Add(OutcomeRollup.MonthOf(facts.RequestedOn));
            if (facts.OpinionOn is { } on) touched.Add(OutcomeRollup.MonthOf(on));
        }
        return touched;
    }

    static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    static string? Codes(IReadOnlyList<string> codes)
    {
        if (codes.Count == 0) return null;
        var joined = string.Join('|', codes);
        return joined.Length <= 200 ? joined : joined[..200];
    }

    /// <summary>A plan's cost from the table in cents, or null when the table lacks an entry the plan needs.</summary>
    public static long? PlanCents(TreatmentPlan plan, ConditionCategory category, IReadOnlyDictionary<string, decimal> costs)
    {
        var key = CostKeys.Category(category);
        decimal? core = plan.Surgery
            ? (plan.ProcedureCode is { } code && costs.TryGetValue("procedure:" + code.ToUpperInvariant(), out var p) ? p
                : costs.TryGetValue("surgery:" + key, out var s) ? s : null)
            : costs.TryGetValue("nonsurgical:" + key, out var n) ? n : null;
        if (core is null) return null;
        if (plan.Hospitalization)
        {
            if (!costs.TryGetValue("hospitalization", out var h)) return null;
            core += h;
        }
        return (long)(core.Value * 100m);
    }
}

/// <summary>The keys of a program's cost table.</summary>
public static class CostKeys
{
    public static string Category(ConditionCategory c) => c switch
    {
        ConditionCategory.RareDisease => "rare_disease",
        _ => c.ToString().ToLowerInvariant(),
    };

    /// <summary>Null when the key is well-formed, else what is wrong with it.</summary>
    public static string? Problem(string key)
    {
        if (key == "hospitalization") return null;
        var colon = key.IndexOf(':');
        if (colon < 0) return "use procedure:CODE, surgery:CATEGORY, nonsurgical:CATEGORY or hospitalization.";
        var (kind, rest) = (key[..colon], key[(colon + 1)..]);
        return kind switch
        {
            "procedure" => rest.Length is >= 3 and <= 10 && rest.All(char.IsAsciiLetterOrDigit) ? null : "a procedure code is 3 to 10 letters or digits.",
            "surgery" or "nonsurgical" => Enum.GetValues<ConditionCategory>().Any(c => Category(c) == rest) ? null
                : "the category is one of oncology, musculoskeletal, spine, cardiac, neurological, rare_disease, other.",
            _ => "use procedure:CODE, surgery:CATEGORY, nonsurgical:CATEGORY or hospitalization.",
        };
    }
}

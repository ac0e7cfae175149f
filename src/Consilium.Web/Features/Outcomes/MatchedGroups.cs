using Consilium.Features.Members;
using Consilium.Features.Triggers;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Outcomes;

/// <summary>
/// An outcome of engaged members against the matched group of targeted members who did not engage (docs/metrics.md,
/// "Matched comparison"). Means per member; the difference is engaged − comparison, with a 95% confidence interval.
/// Everything is null (and <see cref="Suppressed"/> true) when either matched group has fewer than 11 members.
/// </summary>
public sealed record MatchedComparison(
    int? EngagedMembers, int? ComparisonMembers, int? Strata, int UnmatchedEngaged,
    double? EngagedMean, double? ComparisonMean, double? Difference, double? Ci95Low, double? Ci95High, bool Suppressed);

/// <summary>One targeted member as the matched comparisons see them: the stratum they are matched in and when they were targeted.</summary>
public sealed record TargetedMember(string MemberExternalId, bool Engaged, string Stratum, DateOnly IndexDate);

public static class MatchedGroups
{
    public sealed record Subject(string Stratum, bool Engaged, double Value);

    /// <summary>
    /// The program's targeted members (candidates on the worklist or in outreach, found in the period), one entry each:
    /// engaged when a case was opened from one of their candidates. The index date is the candidate that opened the case
    /// (engaged) or the first candidate (not engaged); the stratum is that candidate's trigger and category with the
    /// member's age band at the index date and sex from the roster. Members not on the roster cannot be matched and are left out.
    /// </summary>
    public static async Task<List<TargetedMember>> TargetedAsync(ConsiliumDbContext db, Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var query = db.Set<TriggerCandidate>().AsNoTracking().Where(c => c.ProgramId == programId && c.MemberId != null
            && (c.Status == CandidateStatus.Open || c.Status == CandidateStatus.Outreach || c.CaseId != null));
        if (from is { } f) { var start = new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); query = query.Where(c => c.FoundAt >= start); }
        if (to is { } t) { var end = new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); query = query.Where(c => c.FoundAt < end); }
        var candidates = await query.Select(c => new { c.MemberExternalId, MemberId = c.MemberId!.Value, c.TriggerId, c.Category, c.FoundAt, c.CaseId }).ToListAsync(ct);
        var memberIds = candidates.Select(c => c.MemberId).Distinct().ToList();
        var members = new Dictionary<Guid, (DateOnly Birth, Sex Sex)>();
        foreach (var chunk in memberIds.Chunk(1000))
            foreach (var m in await db.Members.AsNoTracking().Where(m => chunk.Contains(m.Id)).Select(m => new { m.Id, m.DateOfBirth, m.Sex }).ToListAsync(ct))
                members[m.Id] = (m.DateOfBirth, m.Sex);
        return candidates.GroupBy(c => c.MemberExternalId).Select(g =>
        {
            var engaged = g.Any(c => c.CaseId != null);
            var index = g.Where(c => !engaged || c.CaseId != null).OrderBy(c => c.FoundAt).First();
            var on = DateOnly.FromDateTime(index.FoundAt.UtcDateTime);
            var (birth, sex) = members[index.MemberId];
            return new TargetedMember(g.Key, engaged, $"{index.TriggerId}|{index.Category}|{CaseOutcome.AgeBandAt(birth, on)}|{sex}", on);
        }).ToList();
    }

    /// <summary>
    /// Exact matching on the stratum: strata holding both engaged and non-engaged members are kept, the rest left out.
    /// The comparison mean reweights each stratum's non-engaged mean by the stratum's share of the matched engaged members
    /// (the effect on the engaged). The variance of the difference is Σ w²(s²ₑ/nₑ + s²꜀/n꜀) per stratum, with a stratum's
    /// sample variance, or the group's pooled within-stratum variance where the stratum has a single member; the interval
    /// is the difference ± 1.96 standard errors.
    /// </summary>
    public static MatchedComparison Compare(IReadOnlyCollection<Subject> subjects)
    {
        const int k = MetricDefinitions.MinimumCellSize;
        var strata = subjects.GroupBy(s => s.Stratum)
            .Select(g => (Engaged: g.Where(s => s.Engaged).Select(s => s.Value).ToList(), Others: g.Where(s => !s.Engaged).Select(s => s.Value).ToList()))
            .ToList();
        var matched = strata.Where(s => s.Engaged.Count > 0 && s.Others.Count > 0).ToList();
        var unmatched = strata.Where(s => s.Others.Count == 0).Sum(s => s.Engaged.Count);
        var nEngaged = matched.Sum(s => s.Engaged.Count);
        var nOthers = matched.Sum(s => s.Others.Count);
        if (nEngaged < k || nOthers < k)
            return new MatchedComparison(nEngaged is > 0 and < k ? null : nEngaged, nOthers is > 0 and < k ? null : nOthers, matched.Count, unmatched,
                null, null, null, null, null, nEngaged > 0 || nOthers > 0);

        static double Pooled(IEnumerable<List<double>> groups)
        {
            var (sum, df) = (0.0, 0);
            foreach (var g in groups.Where(g => g.Count > 1))
            {
                var mean = g.Average();
                sum += g.Sum(x => (x - mean) * (x - mean));
                df += g.Count - 1;
            }
            return df == 0 ? 0 : sum / df;
        }
        static double Variance(List<double> g, double pooled)
        {
            if (g.Count < 2) return pooled;
            var mean = g.Average();
            return g.Sum(x => (x - mean) * (x - mean)) / (g.Count - 1);
        }
        var pooledEngaged = Pooled(matched.Select(s => s.Engaged));
        var pooledOthers = Pooled(matched.Select(s => s.Others));
        double engagedMean = 0, othersMean = 0, variance = 0;
        foreach (var (engaged, others) in matched)
        {
            var w = (double)engaged.Count / nEngaged;
            engagedMean += w * engaged.Average();
            othersMean += w * others.Average();
            variance += w * w * (Variance(engaged, pooledEngaged) / engaged.Count + Variance(others, pooledOthers) / others.Count);
        }
        var difference = engagedMean - othersMean;
        var half = 1.96 * Math.Sqrt(variance);
        return new MatchedComparison(nEngaged, nOthers, matched.Count, unmatched, Math.Round(engagedMean, 2), Math.Round(othersMean, 2),
            Math.Round(difference, 2), Math.Round(difference - half, 2), Math.Round(difference + half, 2), false);
    }
}

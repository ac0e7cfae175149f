using System.Globalization;
using Fact = Consilium.Triggers.TriggerEngine.Fact;
using FactSource = Consilium.Triggers.TriggerEngine.FactSource;

namespace Consilium.Triggers;

/// <summary>The four trigger types over one member's facts (in date order). docs/triggers.md describes each.</summary>
sealed class MemberEvaluator(RuleSet rules, string memberId, List<Fact> facts, DateOnly asOf)
{
    static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Claims carrying the procedure; one candidate per episode. Not interceptable: it happened.</summary>
    public void Procedure(TriggerRule rule, List<Candidate> output)
    {
        var hits = facts.Where(f => f.Source == FactSource.Claim && rule.Procedures.Matches(f.Kind, f.Code)).ToList();
        foreach (var episode in Episodes(hits, rule.EpisodeDays))
        {
            var first = episode[0];
            var claims = episode.Select(f => f.SourceId).Distinct().Count();
            var sentence = $"{Capitalize(rule.Name)} billed on {D(first.Date)} ({first.Code}, claim {first.SourceId})"
                + (claims > 1 ? $"; {claims} claims through {D(episode[^1].Date)}" : "");
            output.Add(Build(rule, false, sentence, episode.Select(f => Ev(f, "procedure"))));
        }
    }

    /// <summary>
    /// A prior authorization for the procedure, or a diagnosis with a planning code within <see cref="TriggerRule.WithinDays"/>:
    /// interceptable unless a claim for the procedure falls in the episode (from 30 days before the signal to the end of the episode).
    /// </summary>
    public void Planned(TriggerRule rule, List<Candidate> output, List<ProcedureObservation> observations)
    {
        var signals = new List<(Fact Signal, Fact? Diagnosis)>();
        foreach (var f in facts)
        {
            if (f.Source == FactSource.Authorization && f.Kind != CodeKind.Diagnosis && rule.Procedures.Matches(f.Kind, f.Code))
                signals.Add((f, null));
            else if (!rule.Planning.IsEmpty && f.Source == FactSource.Claim && rule.Planning.Matches(f.Kind, f.Code))
            {
                var from = f.Date.AddDays(-rule.WithinDays);
                Fact? dx = null;
                foreach (var d in facts)
                {
                    if (d.Date > f.Date) break;
                    if (d.Date >= from && d.Kind == CodeKind.Diagnosis && rule.Diagnoses.Matches(d.Kind, d.Code)) dx = d;
                }
                if (dx is not null) signals.Add((f, dx));
            }
        }
        var performedClaims = facts.Where(f => f.Source == FactSource.Claim && f.Kind != CodeKind.Diagnosis && rule.Procedures.Matches(f.Kind, f.Code)).ToList();
        foreach (var c in performedClaims) observations.Add(new ProcedureObservation(memberId, rule.Id, c.Date, c.SourceId, c.Code));
        if (signals.Count == 0) return;

        foreach (var episode in Episodes(signals, s => s.Signal.Date, rule.EpisodeDays))
        {
            var (signal, dx) = episode[0];
            var start = signal.Date;
            var performed = performedClaims.FirstOrDefault(c => c.Date >= start.AddDays(-TriggerEngine.PerformedLookbackDays) && c.Date <= start.AddDays(rule.EpisodeDays));
            var opening = dx is { } diagnosis
                ? $"{Capitalize(rule.Diagnoses.Find(diagnosis.Kind, diagnosis.Code)?.Label ?? "diagnosis")} ({diagnosis.Code}) with {rule.Planning.Find(signal.Kind, signal.Code)?.Label ?? "planning"} ({signal.Code}) on {D(signal.Date)}"
                : $"Prior authorization requested for {rule.Name} on {D(signal.Date)} ({signal.Code})";
            var closing = performed.Code is null ? $"; no {rule.Noun} claim yet" : $"; {rule.Noun} billed on {D(performed.Date)} (claim {performed.SourceId})";
            var evidence = new List<Evidence>();
            foreach (var (s, d) in episode)
            {
                if (d is { } dd) evidence.Add(Ev(dd, "diagnosis"));
                evidence.Add(Ev(s, s.Source == FactSource.Authorization ? "procedure" : "planning"));
            }
            if (performed.Code is not null) evidence.Add(Ev(performed, "procedure"));
            output.Add(Build(rule, performed.Code is null, opening + closing, evidence));
        }
    }

    /// <summary>
    /// A new diagnosis (the member's first for the trigger's diagnosis sets, at most <see cref="TriggerRule.WithinDays"/>
    /// before) followed by a code that starts the pathway. Interceptable when the trigger names treatment codes and none
    /// has been billed yet.
    /// </summary>
    public void Pathway(TriggerRule rule, List<Candidate> output, List<ProcedureObservation> observations)
    {
        Fact? firstDx = null;
        foreach (var f in facts)
            if (f.Kind == CodeKind.Diagnosis && rule.Diagnoses.Matches(f.Kind, f.Code)) { firstDx = f; break; }
        if (firstDx is not { } dx) return;
        var treatments = rule.Treatment.IsEmpty ? [] : facts.Where(f => f.Source == FactSource.Claim && f.Kind != CodeKind.Diagnosis && rule.Treatment.Matches(f.Kind, f.Code)).ToList();
        foreach (var t in treatments) observations.Add(new ProcedureObservation(memberId, rule.Id, t.Date, t.SourceId, t.Code));

        var follows = facts.Where(f => f.Kind != CodeKind.Diagnosis && rule.FollowedBy.Matches(f.Kind, f.Code) && f.Date >= dx.Date).ToList();
        foreach (var episode in Episodes(follows, rule.EpisodeDays))
        {
            var follow = episode[0];
            // Not new: the diagnosis was known long before this follow-up.
            if (follow.Date.DayNumber - dx.Date.DayNumber > rule.WithinDays) break;
            var treated = treatments.FirstOrDefault(t => t.Date >= dx.Date && t.Date <= follow.Date.AddDays(rule.EpisodeDays));
            var label = rule.FollowedBy.Find(follow.Kind, follow.Code)?.Label ?? rule.Name;
            var sentence = $"New {rule.Diagnoses.Find(dx.Kind, dx.Code)?.Label ?? "diagnosis"} diagnosis ({dx.Code}) on {D(dx.Date)} followed by {label} ({follow.Code}) on {D(follow.Date)}";
            if (!rule.Treatment.IsEmpty)
                sentence += treated.Code is null ? $"; no {rule.Noun} claim yet" : $"; {rule.Noun} billed on {D(treated.Date)} (claim {treated.SourceId})";
            var evidence = new List<Evidence> { Ev(dx, "diagnosis") };
            evidence.AddRange(episode.Select(f => Ev(f, "follow-up")));
            if (treated.Code is not null) evidence.Add(Ev(treated, "treatment"));
            output.Add(Build(rule, !rule.Treatment.IsEmpty && treated.Code is null, sentence, evidence));
        }
    }

    /// <summary>At least <see cref="TriggerRule.MinCount"/> distinct studies (code and date) within <see cref="TriggerRule.WindowDays"/> days.</summary>
    public void Repeat(TriggerRule rule, List<Candidate> output)
    {
        var studies = new List<Fact>();
        var seen = new HashSet<(DateOnly, string)>();
        foreach (var f in facts)
            if (f.Source == FactSource.Claim && f.Kind != CodeKind.Diagnosis && rule.Procedures.Matches(f.Kind, f.Code) && seen.Add((f.Date, f.Code)))
                studies.Add(f);
        int i = 0;
        while (i < studies.Count)
        {
            var start = studies[i].Date;
            int j = i;
            while (j < studies.Count && studies[j].Date.DayNumber - start.DayNumber < rule.WindowDays) j++;
            if (j - i < rule.MinCount)
            {
                i++;
                continue;
            }
            var window = studies.GetRange(i, j - i);
            int span = window[^1].Date.DayNumber - start.DayNumber;
            var list = string.Join(", ", window.Take(5).Select(s => $"{s.Code} on {D(s.Date)}")) + (window.Count > 5 ? ", …" : "");
            var sentence = $"{window.Count} {rule.Name} {(span == 0 ? "on one day" : $"within {span + 1} days")}: {list}";
            output.Add(Build(rule, false, sentence, window.Select(f => Ev(f, "study"))));
            var episodeEnd = start.AddDays(rule.EpisodeDays);
            while (i < studies.Count && studies[i].Date <= episodeEnd) i++;
        }
    }

    Candidate Build(TriggerRule rule, bool interceptable, string sentence, IEnumerable<Evidence> evidence)
    {
        var items = evidence.Distinct().OrderBy(e => e.Date).ToList();
        var cost = rules.CostOf(rule);
        var first = items[0].Date;
        var last = items[^1].Date;
        return new Candidate
        {
            MemberId = memberId,
            TriggerId = rule.Id,
            Category = rule.Category,
            TriggerName = rule.Name,
            Interceptable = interceptable,
            Sentence = sentence,
            FirstDate = first,
            LastDate = last,
            ClaimIds = items.Where(e => e.Source == "claim").Select(e => e.Id).Distinct().ToList(),
            AuthorizationIds = items.Where(e => e.Source == "prior-auth").Select(e => e.Id).Distinct().ToList(),
            Codes = items.Select(e => e.Code).Distinct().ToList(),
            Evidence = items,
            EstimatedCost = cost,
            Currency = rules.Currency,
            Priority = Priority(interceptable, cost, rule.Weight, last, asOf),
            RulesVersion = rules.Version,
        };
    }

    /// <summary>40 for interceptable, up to 30 for cost (full at 150,000), up to 20 for the trigger's weight, up to 10 for recency.</summary>
    internal static int Priority(bool interceptable, decimal? cost, double weight, DateOnly last, DateOnly asOf)
    {
        double costPart = cost is { } c ? Math.Min(1.0, (double)c / 150_000) : 0;
        int age = asOf.DayNumber - last.DayNumber;
        double recency = age <= 30 ? 1 : age >= 365 ? 0 : 1 - (age - 30) / 335.0;
        return (int)Math.Round((interceptable ? 40 : 0) + 30 * costPart + 20 * weight + 10 * recency);
    }

    static Evidence Ev(Fact f, string role) => new(
        f.Source == FactSource.Claim ? "claim" : "prior-auth", f.SourceId, f.Code,
        f.Kind switch { CodeKind.Diagnosis => CodeSystems.Icd10Cm, CodeKind.Pcs => CodeSystems.Icd10Pcs, _ => CodeSystems.Hcpcs },
        f.Date, role);

    static IEnumerable<List<Fact>> Episodes(List<Fact> ordered, int episodeDays) => Episodes(ordered, f => f.Date, episodeDays);

    /// <summary>Groups date-ordered items: an item more than <paramref name="episodeDays"/> after the episode's first starts a new one.</summary>
    static IEnumerable<List<T>> Episodes<T>(List<T> ordered, Func<T, DateOnly> date, int episodeDays)
    {
        List<T>? current = null;
        DateOnly start = default;
        foreach (var item in ordered.OrderBy(date))
        {
            if (current is null || date(item).DayNumber - start.DayNumber > episodeDays)
            {
                if (current is not null) yield return current;
                current = [item];
                start = date(item);
            }
            else current.Add(item);
        }
        if (current is not null) yield return current;
    }

    static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}

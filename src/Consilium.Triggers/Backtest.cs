namespace Consilium.Triggers;

/// <summary>One trigger's line in a backtest.</summary>
/// <param name="Candidates">Episodes the trigger would have flagged in the period.</param>
/// <param name="Members">Distinct members among them.</param>
/// <param name="FlaggedBeforeProcedure">Episodes flagged before the procedure or treatment was billed (or that never had it): the ones outreach could have reached in time.</param>
/// <param name="WentOnToProcedure">Episodes whose procedure or treatment was billed afterwards (within the episode), or, for a trigger on the procedure itself, all of them.</param>
/// <param name="CostOfThoseEpisodes">Sum of the estimated episode cost (the rule set's cost table) of the episodes that went on to the procedure.</param>
/// <param name="MedianLeadDays">Median days from the flag to the procedure claim, over the episodes flagged before it.</param>
public sealed record BacktestTrigger(string TriggerId, string Name, string Category, string Type, int Candidates, int Members,
    int FlaggedBeforeProcedure, int WentOnToProcedure, decimal CostOfThoseEpisodes, int? MedianLeadDays);

public sealed record BacktestReport(DateOnly From, DateOnly To, string RulesName, string RulesVersion, string Currency, int Candidates,
    int MembersFlagged, int WentOnToProcedure, decimal CostOfThoseEpisodes, IReadOnlyList<BacktestTrigger> Triggers);

/// <summary>
/// What a rule set would have caught over a historical period: the episodes it flags with a first date in the period,
/// how many went on to the procedure (a claim for it within the episode, from the engine's observations), and the
/// estimated cost of those episodes. The claims read should reach past the period's end so that procedures after a
/// late flag are seen. Suppression and deduplication are off: this is the rule's reach, not a worklist.
/// </summary>
public static class Backtest
{
    public static BacktestReport Run(TriggerEngine engine, DateOnly from, DateOnly to)
    {
        if (to < from) throw new ArgumentException($"The period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd}).");
        var evaluation = engine.Evaluate(new EvaluationOptions { AsOf = to });
        var observed = evaluation.Observations.ToLookup(o => (o.MemberId, o.TriggerId));
        var rows = new List<BacktestTrigger>();
        var wentOnEpisodes = 0;
        foreach (var rule in engine.Rules.Triggers)
        {
            var flagged = evaluation.Candidates.Where(c => c.TriggerId == rule.Id && c.FirstDate >= from && c.FirstDate <= to).ToList();
            if (flagged.Count == 0) continue;
            // A procedure trigger, and a pathway without treatment codes, fire on the step itself.
            var onTheStep = rule.Type == TriggerTypes.Procedure || (rule.Type == TriggerTypes.Pathway && rule.Treatment.IsEmpty);
            int before = 0, wentOn = 0;
            decimal cost = 0;
            var leads = new List<int>();
            foreach (var c in flagged)
            {
                if (onTheStep)
                {
                    wentOn++;
                    cost += c.EstimatedCost ?? 0;
                    continue;
                }
                if (rule.Type == TriggerTypes.Repeat)
                {
                    before++;
                    continue;
                }
                var procedure = observed[(c.MemberId, c.TriggerId)]
                    .Where(o => o.Date >= c.FirstDate.AddDays(-TriggerEngine.PerformedLookbackDays) && o.Date <= c.FirstDate.AddDays(rule.EpisodeDays))
                    .OrderBy(o => o.Date).FirstOrDefault();
                if (procedure is null || procedure.Date > c.FirstDate) before++;
                if (procedure is null) continue;
                wentOn++;
                cost += c.EstimatedCost ?? 0;
                if (procedure.Date > c.FirstDate) leads.Add(procedure.Date.DayNumber - c.FirstDate.DayNumber);
            }
            leads.Sort();
            rows.Add(new BacktestTrigger(rule.Id, rule.Name, rule.Category, rule.Type, flagged.Count, flagged.Select(c => c.MemberId).Distinct().Count(),
                before, wentOn, cost, leads.Count == 0 ? null : leads[leads.Count / 2]));
            wentOnEpisodes += wentOn;
        }
        var inPeriod = evaluation.Candidates.Where(c => c.FirstDate >= from && c.FirstDate <= to).ToList();
        return new BacktestReport(from, to, engine.Rules.Name, engine.Rules.Version, engine.Rules.Currency, inPeriod.Count,
            inPeriod.Select(c => c.MemberId).Distinct().Count(), wentOnEpisodes, rows.Sum(r => r.CostOfThoseEpisodes), rows);
    }
}

using static Consilium.Triggers.Tests.Build;

namespace Consilium.Triggers.Tests;

public sealed class BacktestTests
{
    [Fact]
    public void Backtest_CountsWhatTheRulesFlaggedInThePeriod_WhoWentOnToTheProcedure_AndTheirCost()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        // P1: degenerative spine diagnosis, then discography (a planning signal), then the fusion 40 days later.
        engine.Add(Claim("P1", "C1", "2026-01-10", dx: ["M4316"], cpt: ["99213"]));
        engine.Add(Claim("P1", "C2", "2026-01-20", dx: ["M4316"], cpt: ["62290"]));
        engine.Add(Claim("P1", "C3", "2026-03-01", dx: ["M4316"], cpt: ["22630"]));
        // P2: the same signal, no fusion.
        engine.Add(Claim("P2", "C4", "2026-02-01", dx: ["M4316"], cpt: ["62290"]));
        // P3: a signal before the period.
        engine.Add(Claim("P3", "C5", "2025-06-01", dx: ["M4316"], cpt: ["62290"]));
        // K1: a knee replacement billed (the trigger is the procedure itself).
        engine.Add(Claim("K1", "C6", "2026-02-15", dx: ["M1711"], cpt: ["27447"]));

        var report = Backtest.Run(engine, Day("2026-01-01"), Day("2026-06-30"));

        var planned = Assert.Single(report.Triggers, t => t.TriggerId == "spinal-fusion-planned");
        Assert.Equal((2, 2, 2, 1, 110000m, (int?)40),
            (planned.Candidates, planned.Members, planned.FlaggedBeforeProcedure, planned.WentOnToProcedure, planned.CostOfThoseEpisodes, planned.MedianLeadDays));
        var knee = Assert.Single(report.Triggers, t => t.TriggerId == "knee-replacement");
        Assert.Equal((1, 0, 1), (knee.Candidates, knee.FlaggedBeforeProcedure, knee.WentOnToProcedure));
        var fusion = Assert.Single(report.Triggers, t => t.TriggerId == "spinal-fusion");
        Assert.Equal(1, fusion.WentOnToProcedure);
        Assert.DoesNotContain(report.Triggers, t => t.Candidates == 0);
        Assert.Equal(report.Triggers.Sum(t => t.Candidates), report.Candidates);
        Assert.Equal(3, report.MembersFlagged);
        Assert.Equal(report.Triggers.Sum(t => t.CostOfThoseEpisodes), report.CostOfThoseEpisodes);
        Assert.Throws<ArgumentException>(() => Backtest.Run(engine, Day("2026-06-30"), Day("2026-01-01")));
    }
}

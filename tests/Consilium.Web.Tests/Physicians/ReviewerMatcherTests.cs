using Consilium.Features.Cases;
using Consilium.Features.Physicians;

namespace Consilium.Tests.Physicians;

/// <summary>The ranking decision on its own: rules the database tests do not reach one by one.</summary>
public sealed class ReviewerMatcherTests
{
    static readonly DateOnly Due = new(2026, 3, 9);

    static MatchCriteria Criteria(StatePracticeRule rule = StatePracticeRule.DirectOpinion, string? npi = null) =>
        new("OH", rule, Due, ConditionCategory.Spine, ["M51.16"], ["22630"], "en", "Lakeside Spine", npi);

    static MatchCandidate Candidate(string name, StateLicense? license = null, PhysicianStatus status = PhysicianStatus.Active, bool account = true,
        string npi = "1000000004", string subspecialty = "Spine Surgery", string specialty = "Orthopaedic Surgery", int open = 0) =>
        new(Guid.NewGuid(), name, npi, specialty, subspecialty, status, account,
            license is null ? [new StateLicense("OH", "1", new DateOnly(2020, 1, 1), new DateOnly(2030, 1, 1), false)] : [license],
            ["en"], [], 3, 0, open, null, null);

    [Fact]
    public void ALicenceIssuedAfterTheDueDate_Excludes_AndOnTheDueDateItself_Counts()
    {
        var outcome = ReviewerMatcher.Rank(Criteria(),
        [
            Candidate("Dr. Future", new StateLicense("OH", "9", Due.AddDays(1), new DateOnly(2030, 1, 1), true)),
            Candidate("Dr. Last Day", new StateLicense("OH", "8", new DateOnly(2020, 1, 1), Due, false)),
        ]);

        Assert.Equal(["Dr. Last Day"], outcome.Ranked.Select(r => r.Name));
        Assert.Equal("license-not-yet-valid", outcome.Excluded.Single().Reasons.Single().Code);
    }

    [Fact]
    public void PausedWithoutAccountAndTheTreatingPhysicianHimself_AreExcludedWithEveryReason()
    {
        var outcome = ReviewerMatcher.Rank(Criteria(npi: "1000000004"),
            [Candidate("Dr. Self", status: PhysicianStatus.Paused, account: false, npi: "1000000004")]);

        Assert.Empty(outcome.Ranked);
        Assert.Equal(["paused", "no-account", "conflict"], outcome.Excluded.Single().Reasons.Select(r => r.Code));
    }

    [Fact]
    public void TheStateRule_DecidesTheModeAndWhetherALocalPhysicianIsRequired()
    {
        var direct = ReviewerMatcher.Rank(Criteria(), [Candidate("Dr. A")]);
        var withLocal = ReviewerMatcher.Rank(Criteria(StatePracticeRule.DirectWithLocalPhysician), [Candidate("Dr. A")]);
        var notAllowed = ReviewerMatcher.Rank(Criteria(StatePracticeRule.NotAllowed), [Candidate("Dr. A")]);

        Assert.Equal((ConsultMode.DirectOpinion, false), (direct.Mode, direct.LocalPhysicianRequired));
        Assert.Equal((ConsultMode.DirectOpinion, true), (withLocal.Mode, withLocal.LocalPhysicianRequired));
        Assert.Equal((ConsultMode.EducationalConsult, true), (notAllowed.Mode, notAllowed.LocalPhysicianRequired));
    }

    [Fact]
    public void AMoreSpecificTaxonomyMatch_AndAShorterQueue_RankHigher()
    {
        var outcome = ReviewerMatcher.Rank(Criteria(),
        [
            Candidate("Dr. Busy", open: 3),
            Candidate("Dr. Sports", subspecialty: "Sports Medicine"),
            Candidate("Dr. Generalist", subspecialty: null!, specialty: "Orthopaedic Surgery"),
            Candidate("Dr. Free"),
        ]);

        Assert.Equal(["Dr. Free", "Dr. Busy", "Dr. Generalist"], outcome.Ranked.Select(r => r.Name));
        Assert.Equal("no-fit", outcome.Excluded.Single(e => e.Name == "Dr. Sports").Reasons.Single().Code);
        Assert.Equal(-6, outcome.Ranked[1].Reasons.Single(r => r.Factor == "queue").Points);
    }
}

using static Consilium.Triggers.Tests.Build;

namespace Consilium.Triggers.Tests;

/// <summary>Every trigger of the default library, fired by the claims or requests it is meant for, and the interceptable logic.</summary>
public class DefaultTriggerTests
{
    [Theory]
    [InlineData("spinal-fusion", "22630", null)]
    [InlineData("spinal-fusion", "22551", null)]
    [InlineData("spinal-fusion", null, "0SG00AJ")]
    [InlineData("spinal-fusion", null, "0RG10A0")]
    [InlineData("spinal-decompression", "63047", null)]
    [InlineData("spinal-decompression", null, "0SB20ZZ")]
    [InlineData("knee-replacement", "27447", null)]
    [InlineData("knee-replacement", null, "0SRC0J9")]
    [InlineData("hip-replacement", "27130", null)]
    [InlineData("hip-replacement", null, "0SR9019")]
    [InlineData("cabg", "33533", null)]
    [InlineData("cabg", null, "021009W")]
    [InlineData("pci", "92928", null)]
    [InlineData("pci", "C9600", null)]
    [InlineData("pci", null, "0270346")]
    [InlineData("specialty-drug-start", "J9271", null)]
    [InlineData("specialty-drug-start", "J1745", null)]
    public void Procedure_ClaimWithTheCode_IsAHighVarianceCandidateThatIsNoLongerInterceptable(string trigger, string? cpt, string? pcs)
    {
        var result = Evaluate(Claim("M1", "C1", "2026-03-02", dx: ["M4316"], cpt: cpt is null ? ["99213"] : [cpt], pcs: pcs is null ? null : [pcs]));

        var candidate = Assert.Single(result.Candidates, c => c.TriggerId == trigger);
        Assert.False(candidate.Interceptable);
        Assert.Equal(RuleSet.Default.Find(trigger)!.Category, candidate.Category);
        Assert.Equal(["C1"], candidate.ClaimIds);
        Assert.Contains(cpt ?? pcs!, candidate.Codes);
        Assert.Equal(Day("2026-03-02"), candidate.FirstDate);
        Assert.StartsWith($"{char.ToUpperInvariant(candidate.TriggerName[0])}{candidate.TriggerName[1..]} billed on 2026-03-02 ({cpt ?? pcs}, claim C1)", candidate.Sentence);
        Assert.Equal(RuleSet.Default.CostOf(RuleSet.Default.Find(trigger)!), candidate.EstimatedCost);
    }

    [Fact]
    public void Planned_PriorAuthorizationWithoutProcedureClaim_IsInterceptableWithACoordinatorSentence()
    {
        var result = Evaluate(PriorAuth("M1", "T1", "2026-03-02", ["22630"], dx: ["M4316"]));

        var candidate = Assert.Single(result.Candidates);
        Assert.Equal("spinal-fusion-planned", candidate.TriggerId);
        Assert.Equal(TriggerCategories.PreIrreversible, candidate.Category);
        Assert.True(candidate.Interceptable);
        Assert.Equal("Prior authorization requested for spinal fusion on 2026-03-02 (22630); no fusion claim yet", candidate.Sentence);
        Assert.Equal(["T1"], candidate.AuthorizationIds);
        Assert.Empty(candidate.ClaimIds);
        Assert.Equal(110000m, candidate.EstimatedCost);
    }

    [Fact]
    public void Planned_ProcedureClaimAfterTheRequest_IsNoLongerInterceptableAndSaysWhen()
    {
        var result = Evaluate(
            PriorAuth("M1", "T1", "2026-03-02", ["22630"]),
            Claim("M1", "C9", "2026-03-20", dx: ["M4316"], cpt: ["22630"]));

        var planned = Assert.Single(result.Candidates, c => c.TriggerId == "spinal-fusion-planned");
        Assert.False(planned.Interceptable);
        Assert.Equal("Prior authorization requested for spinal fusion on 2026-03-02 (22630); fusion billed on 2026-03-20 (claim C9)", planned.Sentence);
        Assert.Equal(["C9"], planned.ClaimIds);
        Assert.Single(result.Candidates, c => c.TriggerId == "spinal-fusion");
        Assert.Contains(result.Observations, o => o is { TriggerId: "spinal-fusion-planned", ClaimId: "C9", MemberId: "M1" });
    }

    [Fact]
    public void Planned_ProcedureClaimLongBefore_DoesNotStopANewRequestBeingInterceptable()
    {
        var result = Evaluate(
            Claim("M1", "C1", "2024-01-10", cpt: ["27447"]),
            PriorAuth("M1", "T2", "2026-02-01", ["27447"]));

        Assert.True(Assert.Single(result.Candidates, c => c.TriggerId == "knee-replacement-planned").Interceptable);
    }

    [Fact]
    public void Planned_DeniedOrCancelledAuthorization_IsNoPlan()
    {
        var result = Evaluate(PriorAuth("M1", "T1", "2026-03-02", ["27130"], decision: "A3"), PriorAuth("M2", "T2", "2026-03-02", ["27130"], decision: "C"));

        Assert.Empty(result.Candidates);
    }

    [Theory]
    [InlineData("knee-replacement-planned", "M1711", "knee osteoarthritis")]
    [InlineData("hip-replacement-planned", "M1611", "hip osteoarthritis")]
    [InlineData("cabg-planned", "I2510", "coronary artery disease")]
    [InlineData("spinal-fusion-planned", "M4316", "degenerative spine condition")]
    public void Planned_DiagnosisWithPreProceduralExamination_IsInterceptable(string trigger, string dx, string label)
    {
        var result = Evaluate(
            Claim("M1", "C1", "2026-01-05", dx: [dx], cpt: ["99214"]),
            Claim("M1", "C2", "2026-02-10", dx: ["Z01818", dx], cpt: ["99214"]));

        var candidate = Assert.Single(result.Candidates, c => c.TriggerId == trigger);
        Assert.True(candidate.Interceptable);
        Assert.StartsWith($"{char.ToUpperInvariant(label[0])}{label[1..]} ({dx}) with pre-procedural examination (Z01818) on 2026-02-10; no ", candidate.Sentence);
    }

    [Fact]
    public void Planned_PlanningCodeWithoutTheDiagnosis_IsNotACandidate()
    {
        var result = Evaluate(Claim("M1", "C2", "2026-02-10", dx: ["Z01818", "J069"], cpt: ["99214"]));

        Assert.Empty(result.Candidates);
    }

    [Fact]
    public void Planned_SpineDiscography_WithStenosis_IsAPlannedFusion()
    {
        var result = Evaluate(Claim("M1", "C1", "2026-04-01", dx: ["M48062"], cpt: ["62290", "72295"]));

        var candidate = Assert.Single(result.Candidates);
        Assert.Equal("spinal-fusion-planned", candidate.TriggerId);
        Assert.Equal("Degenerative spine condition (M48062) with discography before spine surgery (62290) on 2026-04-01; no fusion claim yet", candidate.Sentence);
    }

    [Theory]
    [InlineData("spinal-decompression-planned", "63047")]
    [InlineData("pci-planned", "92928")]
    [InlineData("cabg-planned", "33533")]
    [InlineData("hip-replacement-planned", "27130")]
    [InlineData("specialty-drug-planned", "J9299")]
    public void Planned_PriorAuthorization_ForEachPlannedTrigger(string trigger, string code)
    {
        var result = Evaluate(PriorAuth("M7", "T7", "2026-05-01", [code]));

        var candidate = Assert.Single(result.Candidates);
        Assert.Equal(trigger, candidate.TriggerId);
        Assert.True(candidate.Interceptable);
    }

    [Fact]
    public void Pathway_NewCancerFollowedByRadiationPlanning_IsInterceptableUntilTreatment()
    {
        var before = Evaluate(
            Claim("M1", "C1", "2026-01-10", dx: ["C50911"], cpt: ["19083"]),
            Claim("M1", "C2", "2026-02-01", dx: ["C50911"], cpt: ["77263"]));
        var after = Evaluate(
            Claim("M1", "C1", "2026-01-10", dx: ["C50911"], cpt: ["19083"]),
            Claim("M1", "C2", "2026-02-01", dx: ["C50911"], cpt: ["77263"]),
            Claim("M1", "C3", "2026-02-20", dx: ["C50911"], cpt: ["77412"]));

        var open = Assert.Single(before.Candidates);
        Assert.Equal("cancer-treatment-planning", open.TriggerId);
        Assert.Equal(TriggerCategories.HighCostPathway, open.Category);
        Assert.True(open.Interceptable);
        Assert.Equal("New cancer diagnosis (C50911) on 2026-01-10 followed by radiation or infusion planning (77263) on 2026-02-01; no treatment claim yet", open.Sentence);
        var treated = Assert.Single(after.Candidates);
        Assert.False(treated.Interceptable);
        Assert.EndsWith("; treatment billed on 2026-02-20 (claim C3)", treated.Sentence);
    }

    [Fact]
    public void Pathway_NewCancerFollowedByChemotherapy_IsACandidate()
    {
        var result = Evaluate(Claim("M1", "C1", "2026-03-01", dx: ["C3490"], cpt: ["96413", "J9271"]));

        var chemo = Assert.Single(result.Candidates, c => c.TriggerId == "cancer-chemotherapy");
        Assert.False(chemo.Interceptable);
        Assert.StartsWith("New cancer diagnosis (C3490) on 2026-03-01 followed by chemotherapy (", chemo.Sentence);
        Assert.Single(result.Candidates, c => c.TriggerId == "specialty-drug-start");
    }

    [Fact]
    public void Pathway_DiagnosisKnownLongBefore_IsNotNew()
    {
        var result = Evaluate(
            Claim("M1", "C1", "2025-01-10", dx: ["C50911"], cpt: ["99214"]),
            Claim("M1", "C2", "2026-02-01", dx: ["C50911"], cpt: ["96413"]));

        Assert.DoesNotContain(result.Candidates, c => c.TriggerId == "cancer-chemotherapy");
    }

    [Fact]
    public void Pathway_TreatmentWithoutCancer_IsNotACandidate()
    {
        Assert.Empty(Evaluate(Claim("M1", "C1", "2026-02-01", dx: ["M0600"], cpt: ["96413"])).Candidates);
    }

    [Fact]
    public void Repeat_ThreeAdvancedImagingStudiesWithin90Days_IsACandidate()
    {
        var result = Evaluate(
            Claim("M1", "C1", "2026-01-02", dx: ["M5450"], cpt: ["72148"]),
            Claim("M1", "C2", "2026-01-20", dx: ["R1030"], cpt: ["74177"]),
            Claim("M1", "C3", "2026-02-11", dx: ["C3490"], cpt: ["78815"]));

        var candidate = Assert.Single(result.Candidates);
        Assert.Equal("advanced-imaging-repeat", candidate.TriggerId);
        Assert.Equal(TriggerCategories.RepeatUtilization, candidate.Category);
        Assert.False(candidate.Interceptable);
        Assert.Equal("3 advanced imaging studies within 41 days: 72148 on 2026-01-02, 74177 on 2026-01-20, 78815 on 2026-02-11", candidate.Sentence);
        Assert.Equal(["C1", "C2", "C3"], candidate.ClaimIds);
    }

    [Fact]
    public void Repeat_TwoStudies_OrThreeSpreadOverMoreThan90Days_OrOneStudyBilledTwice_IsNotACandidate()
    {
        Assert.Empty(Evaluate(Claim("M1", "C1", "2026-01-02", cpt: ["72148"]), Claim("M1", "C2", "2026-01-20", cpt: ["74177"])).Candidates);
        Assert.Empty(Evaluate(Claim("M1", "C1", "2026-01-02", cpt: ["72148"]), Claim("M1", "C2", "2026-02-20", cpt: ["74177"]),
            Claim("M1", "C3", "2026-04-05", cpt: ["70553"])).Candidates);
        // Professional and technical claims for the same study are one study.
        Assert.Empty(Evaluate(Claim("M1", "C1", "2026-01-02", cpt: ["72148"]), Claim("M1", "C1T", "2026-01-02", cpt: ["72148"]),
            Claim("M1", "C2", "2026-01-20", cpt: ["74177"])).Candidates);
    }

    [Fact]
    public void EveryDefaultTrigger_IsCoveredByATestAbove()
    {
        string[] covered =
        [
            "spinal-fusion", "spinal-decompression", "knee-replacement", "hip-replacement", "cabg", "pci", "spinal-fusion-planned",
            "spinal-decompression-planned", "knee-replacement-planned", "hip-replacement-planned", "cabg-planned", "pci-planned",
            "specialty-drug-planned", "cancer-treatment-planning", "cancer-chemotherapy", "specialty-drug-start", "advanced-imaging-repeat",
        ];

        Assert.Equal(covered.Order(), RuleSet.Default.Triggers.Select(t => t.Id).Order());
        Assert.Equal(TriggerCategories.All.Order(), RuleSet.Default.Triggers.Select(t => t.Category).Distinct().Order());
    }

    [Fact]
    public void Priority_InterceptableBeforePerformed_AndCostlierFirst()
    {
        var result = Evaluate(
            Claim("M1", "C1", "2026-05-01", cpt: ["22630"]),
            PriorAuth("M2", "T2", "2026-05-01", ["22630"]),
            PriorAuth("M3", "T3", "2026-05-01", ["92928"]));

        Assert.Equal(["M2", "M3", "M1"], result.Candidates.Select(c => c.MemberId));
        Assert.All(result.Candidates, c => Assert.InRange(c.Priority, 0, 100));
        Assert.Equal(92, result.Candidates[0].Priority); // 40 interceptable + 22 cost (110,000 / 150,000 × 30) + 20 weight + 10 recent
    }
}

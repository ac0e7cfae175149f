using Consilium.Features.Cases;

namespace Consilium.Features.Outcomes;

/// <summary>
/// A program's outcomes over a period: the same object behind the API, the dashboard and the exports. Every figure
/// drawn from fewer than <see cref="MinimumCellSize"/> cases is null and named in <see cref="Suppressed"/>.
/// </summary>
public sealed record OutcomeReport(
    Guid ProgramId,
    string ProgramName,
    DateOnly? From,
    DateOnly? To,
    int MinimumCellSize,
    int? MembersTargeted,
    int? Reached,
    int? Engaged,
    double? EngagementRate,
    int? EligibleMembers,
    int? CasesOpened,
    double? UtilizationRate,
    int? CasesWithOpinion,
    IReadOnlyList<CategoryShare> CaseMix,
    double? DiagnosisChangeRate,
    double? TreatmentChangeRate,
    double? AnyChangeRate,
    double? SurgeryAlternativeRate,
    double? HospitalizationReduction,
    double? SiteOfCareChangeRate,
    double? MedianDaysToOpinion,
    double? P90DaysToOpinion,
    double? MedianDaysFromTrigger,
    double? P90DaysFromTrigger,
    StageTurnaround StageTurnaround,
    double? SlaCompliance,
    int? Nps,
    double? RecommendationFollowedRate,
    SavingsFigures Savings,
    IReadOnlyList<MonthFigures> Series,
    IReadOnlyList<string> Suppressed,
    IReadOnlyList<MetricDefinition> Methods,
    IReadOnlyList<string> Assumptions);

public sealed record CategoryShare(ConditionCategory Category, int? Cases, double? Share);

public sealed record StageTurnaround(double? MedianDaysRequestToPacket, double? MedianDaysPacketToOpinion);

public sealed record SavingsFigures(
    int? CasesPriced,
    decimal? TotalSavings,
    decimal? AvgSavingsPerCase,
    int? HighCostCases,
    decimal? AvgSavingsHighCost,
    IReadOnlyList<CategorySavings> AvgSavingsByCategory,
    decimal CaseFee,
    decimal? ProgramCost,
    double? Roi);

public sealed record CategorySavings(ConditionCategory Category, int? Cases, decimal? AvgSavings);

/// <summary>One calendar month of opinions (by opinion date), "2023-04".</summary>
public sealed record MonthFigures(string Month, int? Cases, double? DiagnosisChangeRate, double? TreatmentChangeRate, double? AnyChangeRate,
    double? MedianDaysToOpinion);

public sealed record MetricDefinition(string Metric, string Numerator, string Denominator, string Period);

/// <summary>Engagement and completion per group of one dimension; a group below 80% of the best group's rate is flagged.</summary>
public sealed record FairAccessReport(Guid ProgramId, DateOnly? From, DateOnly? To, int MinimumCellSize, IReadOnlyList<FairAccessDimension> Dimensions,
    IReadOnlyList<MetricDefinition> Methods);

public sealed record FairAccessDimension(string Dimension, IReadOnlyList<FairAccessGroup> Groups);

public sealed record FairAccessGroup(string Group, int? MembersTargeted, double? EngagementRate, bool EngagementFlagged, int? CasesOpened,
    double? CompletionRate, bool CompletionFlagged);

public sealed record DiscordanceReport(Guid ProgramId, DateOnly? From, DateOnly? To, int MinimumCellSize, string GovernanceNote,
    IReadOnlyList<DiscordanceRow> Physicians, IReadOnlyList<DiscordanceRow> Organizations);

public sealed record DiscordanceRow(string Provider, int? Cases, double? DiagnosisChangeRate, double? TreatmentChangeRate, bool Suppressed);

public sealed record CostEntryView(string Key, decimal Cost, string? Label);

public sealed record CostEntryRequest(string? Key, decimal? Cost, string? Label);

public sealed record CostTableRequest(IReadOnlyList<CostEntryRequest?>? Entries);

/// <summary>The written definitions: docs/metrics.md says the same, and every report carries them.</summary>
public static class MetricDefinitions
{
    public const int MinimumCellSize = 11;

    /// <summary>Original plan cost above this (US dollars) makes a case high-cost.</summary>
    public const decimal HighCostThreshold = 10_000m;

    const string OpinionPeriod = "cases whose first signed opinion is dated within [from, to]";

    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        new("membersTargeted", "distinct members with a trigger candidate on the worklist or in outreach (Triggers' outreach summary)", "-", "candidates found within [from, to]"),
        new("engagementRate", "distinct targeted members a case was opened for from a candidate", "membersTargeted", "candidates found within [from, to]"),
        new("utilizationRate", "cases requested (imported and live, any stage)", "members whose coverage overlaps the period", "requested within [from, to]"),
        new("caseMix", "cases with an opinion in the category", "casesWithOpinion", OpinionPeriod),
        new("diagnosisChangeRate", "opinions whose diagnosis is refined or changed", "casesWithOpinion (undetermined included)", OpinionPeriod),
        new("treatmentChangeRate", "opinions whose treatment is modified or changed", "casesWithOpinion", OpinionPeriod),
        new("anyChangeRate", "opinions with a diagnosis change (refined/changed) or a treatment change (modify/change)", "casesWithOpinion", OpinionPeriod),
        new("surgeryAlternativeRate", "cases whose original plan included surgery and whose recommendation does not", "cases whose original plan included surgery", OpinionPeriod),
        new("hospitalizationReduction", "1 − (hospitalizations recommended", "hospitalizations originally proposed)", OpinionPeriod),
        new("siteOfCareChangeRate", "opinions recommending a different provider or a center of excellence", "casesWithOpinion", OpinionPeriod),
        new("medianDaysToOpinion / p90DaysToOpinion", "calendar days from request to first signed opinion, percentile_cont 0.5 / 0.9", "cases with both dates", OpinionPeriod),
        new("medianDaysFromTrigger / p90DaysFromTrigger", "calendar days from the trigger (candidate found) to the opinion, percentile_cont", "trigger cases", OpinionPeriod),
        new("stageTurnaround", "median calendar days request → complete packet and complete packet → opinion", "cases with both dates", OpinionPeriod),
        new("slaCompliance", "opinions signed within the program's business days after the complete packet", "cases with a packet date", OpinionPeriod),
        new("nps", "% promoters (9–10) − % detractors (0–6), latest answer per case", "cases with a satisfaction answer", OpinionPeriod),
        new("recommendationFollowedRate", "follow-ups answering Yes", "follow-ups answering Yes, Partly or No", OpinionPeriod),
        new("avgSavingsPerCase", "Σ (original plan cost − recommended plan cost)", "cases with both costs", OpinionPeriod),
        new("avgSavingsHighCost", "Σ savings of cases whose original plan cost > $10,000", "those cases", OpinionPeriod),
        new("programCost", "per-case fee × casesWithOpinion", "-", OpinionPeriod),
        new("roi", "total savings", "programCost", OpinionPeriod),
        new("fair access completionRate", "cases in the group with an opinion", "cases in the group opened", "requested within [from, to]"),
        new("four-fifths flag", "a group's rate", "the best group's rate (groups of 11 or more); flagged below 0.8", "as the rate"),
    ];

    const string TargetedPeriod = "targeted members (candidate found within [from, to]) whose 365 days after the index date have passed";

    /// <summary>The matched comparisons of absence (docs/metrics.md, "Disability and absence").</summary>
    public static readonly IReadOnlyList<MetricDefinition> Absence =
    [
        new("matched comparison", "engaged members' mean; difference = engaged − comparison, 95% CI = difference ± 1.96 SE",
            "non-engaged targeted members in the same stratum (trigger, category, age band at the index date, sex), each stratum weighted by its engaged members",
            TargetedPeriod),
        new("absence daysAway", "days away of the disability episodes starting in the 365 days after the index date (0 without one)", "members", TargetedPeriod),
        new("absence daysToReturn", "days from the start of the first such episode to the return-to-work date", "members with such an episode who returned (stillAway counts the others)", TargetedPeriod),
    ];

    const string OpinionWindow = "cases whose first signed opinion is dated within [from, to] and whose window has passed by today";

    /// <summary>Claims-verified outcomes (docs/metrics.md, "Claims-verified outcomes").</summary>
    public static readonly IReadOnlyList<MetricDefinition> Claims =
    [
        new("plannedProcedureRate (6 and 12 months)",
            "opinions followed by a claim that stands (not voided, latest replacement) carrying a planned procedure code, first service date from the day after the opinion through 6 (12) months later",
            "opinions whose case has a planned procedure (the case's proposed-treatment codes and the procedure codes of the trigger evidence it was opened from)",
            OpinionWindow),
        new("matched comparison", "engaged members' mean; difference = engaged − comparison, 95% CI = difference ± 1.96 SE",
            "non-engaged targeted members in the same stratum (trigger, category, age band at the index date, sex), each stratum weighted by its engaged members",
            TargetedPeriod),
        new("downstreamCost", "total charges (US dollars) of the claims that stand with a first service date in the 365 days from the index date (0 without one)",
            "targeted members whose 365 days have passed", TargetedPeriod),
    ];

    /// <summary>The hospital view (docs/metrics.md, "Hospital view").</summary>
    public static readonly IReadOnlyList<MetricDefinition> Hospital =
    [
        new("conversionRate", "opinions followed by a claim billed by one of the host institution's NPIs, first service date from the day after the opinion through 6 months later",
            "signed opinions whose 6 months have passed", OpinionWindow),
        new("states", "members with an opinion, by the state of residence on their latest case", "-", OpinionPeriod),
        new("shareOutsideHostState", "members with an opinion living outside the host institution's state", "members with an opinion and a known state", OpinionPeriod),
    ];

    public static IReadOnlyList<string> Assumptions(decimal caseFee) =>
    [
        "Savings are estimates: the cost of the original plan minus the cost of the recommended plan, not paid claims.",
        "Imported cases carry the plan costs stated in the history file; live cases are priced from the program's cost table " +
            "(procedure:CODE or surgery:CATEGORY for a surgical plan, nonsurgical:CATEGORY otherwise, plus hospitalization for a stay). " +
            "A case whose plans cannot be priced is left out of the savings figures, not counted as zero.",
        $"High-cost cases are those whose original plan is above {Money.Format(HighCostThreshold)}.",
        $"Program cost is the per-case fee ({Money.Format(caseFee)}) times the cases with an opinion; it leaves out the sponsor's own overhead.",
        $"Any figure drawn from fewer than {MinimumCellSize} cases or members is suppressed (shown as null) so that no member can be singled out.",
        "A case belongs to the period of its first signed opinion; an amendment changes the coded outcome, not the date.",
    ];

    public const string GovernanceNote =
        "Provider discordance describes how often second opinions differed from a treating physician's or organization's diagnosis and plan. " +
        "It reflects case mix and referral patterns as much as practice, and a second opinion is not a verdict on care. Use it to " +
        "direct education and navigation, never to rank, penalise or exclude a physician, and never share it outside the program's " +
        "clinical governance. Cells under 11 cases are suppressed.";
}

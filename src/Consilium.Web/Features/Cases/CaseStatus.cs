namespace Consilium.Features.Cases;

/// <summary>The stages of a second-opinion case. Persisted by name, never by number.</summary>
public enum CaseStatus
{
    Referred,
    Intake,
    AwaitingConsent,
    CollectingRecords,
    ReadyForReview,
    Assigned,
    InReview,
    OpinionDelivered,
    Closed,
    OnHold,
    Withdrawn,
    Ineligible,
}

public enum ConditionCategory
{
    Oncology,
    Musculoskeletal,
    Spine,
    Cardiac,
    Neurological,
    RareDisease,
    Other,
}

/// <summary>How the case reached the program.</summary>
public enum IntakeChannel
{
    Coordinator,
    Portal,
    Referral,
    Trigger,
}

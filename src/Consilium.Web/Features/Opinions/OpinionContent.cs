namespace Consilium.Features.Opinions;

/// <summary>The reviewer's verdict on the diagnosis the member arrived with. Persisted by name.</summary>
public enum DiagnosisAgreement
{
    /// <summary>The reviewer's diagnosis codes are the original ones.</summary>
    Confirmed,
    /// <summary>The same condition, stated more precisely or partly differently: at least one code or ICD-10-CM category in common.</summary>
    Refined,
    /// <summary>A different diagnosis: none of the original codes stands.</summary>
    Changed,
    /// <summary>The records do not allow a diagnosis; the opinion says what more is needed.</summary>
    CannotDetermine,
}

public enum Confidence
{
    High,
    Moderate,
    Low,
}

/// <summary>The recommended plan against the proposed one.</summary>
public enum TreatmentAgreement
{
    /// <summary>The recommended plan is the proposed plan.</summary>
    Agree,
    /// <summary>Adjusted (hospital stay, added therapy) but the same decision about surgery and the same procedure.</summary>
    Modify,
    /// <summary>A different plan: surgery or not, another procedure, or none of the same non-surgical treatments.</summary>
    Change,
}

/// <summary>What a plan does instead of (or besides) surgery.</summary>
public enum TreatmentAlternative
{
    PhysicalTherapy,
    Medication,
    WatchfulWaiting,
    DifferentProcedure,
    DifferentRadiationApproach,
    Other,
}

public enum SiteOfCare
{
    SameProvider,
    DifferentProvider,
    CenterOfExcellence,
}

/// <summary>How soon the member should act on the next steps.</summary>
public enum OpinionUrgency
{
    /// <summary>Within the next few weeks, at the member's pace.</summary>
    Routine,
    /// <summary>Within about a week.</summary>
    Soon,
    /// <summary>Now: contact the treating physician today.</summary>
    Urgent,
}

public sealed record DiagnosisSection(
    IReadOnlyList<string> OriginalCodes,
    string? OriginalText,
    IReadOnlyList<string> ReviewerCodes,
    string? ReviewerText,
    DiagnosisAgreement? Agreement,
    string? AdditionalInformationNeeded,
    Confidence? Confidence);

/// <summary>
/// A treatment plan as coded flags: surgery (and which procedure), a hospital stay, and the non-surgical treatments
/// it involves. <see cref="AlternativeDetail"/> names a different procedure, radiation approach or other treatment.
/// </summary>
public sealed record TreatmentPlan(
    bool Surgery,
    string? ProcedureCode,
    string? ProcedureText,
    bool Hospitalization,
    IReadOnlyList<TreatmentAlternative> Alternatives,
    string? AlternativeDetail,
    string? Description)
{
    public static readonly TreatmentPlan Empty = new(false, null, null, false, [], null, null);

    public bool IsEmpty => !Surgery && ProcedureCode is null && ProcedureText is null && !Hospitalization && Alternatives.Count == 0
        && AlternativeDetail is null && Description is null;
}

public sealed record TreatmentSection(TreatmentPlan Proposed, TreatmentPlan Recommended, TreatmentAgreement? Agreement);

public sealed record SiteOfCareSection(SiteOfCare? Recommendation, string? Reason);

public sealed record OptionConsidered(string Name, string Benefits, string Risks, string Rationale, bool Recommended);

public sealed record EvidenceCitation(string Citation, string? Url);

/// <summary>One of the member's questions, as it stood when the opinion was written, with the reviewer's answer.</summary>
public sealed record QuestionAnswer(string Question, string Answer);

/// <summary>
/// The structured opinion. Stored as canonical JSON on the <see cref="Opinion"/> row (hashed at signing); the coded
/// fields that outcomes are measured on are also kept as columns.
/// </summary>
public sealed record OpinionContent(
    DiagnosisSection Diagnosis,
    TreatmentSection Treatment,
    SiteOfCareSection SiteOfCare,
    IReadOnlyList<OptionConsidered> Options,
    IReadOnlyList<EvidenceCitation> Evidence,
    IReadOnlyList<QuestionAnswer> Answers,
    IReadOnlyList<string> NextSteps,
    OpinionUrgency? Urgency,
    string? SummaryForMember,
    string? ClinicalDiscussion);

// The request shapes: everything optional, so that a missing piece is reported by name (400) instead of failing to parse.

public sealed record DiagnosisInput(
    IReadOnlyList<string?>? OriginalCodes = null,
    string? OriginalText = null,
    IReadOnlyList<string?>? ReviewerCodes = null,
    string? ReviewerText = null,
    DiagnosisAgreement? Agreement = null,
    string? AdditionalInformationNeeded = null,
    Confidence? Confidence = null);

public sealed record PlanInput(
    bool? Surgery = null,
    string? ProcedureCode = null,
    string? ProcedureText = null,
    bool? Hospitalization = null,
    IReadOnlyList<TreatmentAlternative>? Alternatives = null,
    string? AlternativeDetail = null,
    string? Description = null);

public sealed record TreatmentInput(PlanInput? Proposed = null, PlanInput? Recommended = null, TreatmentAgreement? Agreement = null);

public sealed record SiteOfCareInput(SiteOfCare? Recommendation = null, string? Reason = null);

public sealed record OptionInput(string? Name = null, string? Benefits = null, string? Risks = null, string? Rationale = null, bool? Recommended = null);

public sealed record EvidenceInput(string? Citation = null, string? Url = null);

/// <summary>
/// A draft as the reviewer sends it. <see cref="Answers"/> follows the member's questions in order: answers[0]
/// answers the first question. <see cref="Version"/> is the draft's version when revising it (optional).
/// </summary>
public sealed record OpinionDraftRequest(
    int? Version = null,
    DiagnosisInput? Diagnosis = null,
    TreatmentInput? Treatment = null,
    SiteOfCareInput? SiteOfCare = null,
    IReadOnlyList<OptionInput?>? Options = null,
    IReadOnlyList<EvidenceInput?>? Evidence = null,
    IReadOnlyList<string?>? Answers = null,
    IReadOnlyList<string?>? NextSteps = null,
    OpinionUrgency? Urgency = null,
    string? SummaryForMember = null,
    string? ClinicalDiscussion = null)
{
    public static OpinionDraftRequest From(OpinionContent c, int? version) => new(
        version,
        new DiagnosisInput(c.Diagnosis.OriginalCodes.ToList<string?>(), c.Diagnosis.OriginalText, c.Diagnosis.ReviewerCodes.ToList<string?>(),
            c.Diagnosis.ReviewerText, c.Diagnosis.Agreement, c.Diagnosis.AdditionalInformationNeeded, c.Diagnosis.Confidence),
        new TreatmentInput(Plan(c.Treatment.Proposed), Plan(c.Treatment.Recommended), c.Treatment.Agreement),
        new SiteOfCareInput(c.SiteOfCare.Recommendation, c.SiteOfCare.Reason),
        c.Options.Select(o => (OptionInput?)new OptionInput(o.Name, o.Benefits, o.Risks, o.Rationale, o.Recommended)).ToList(),
        c.Evidence.Select(e => (EvidenceInput?)new EvidenceInput(e.Citation, e.Url)).ToList(),
        c.Answers.Select(a => (string?)a.Answer).ToList(),
        c.NextSteps.ToList<string?>(),
        c.Urgency, c.SummaryForMember, c.ClinicalDiscussion);

    static PlanInput Plan(TreatmentPlan p) =>
        new(p.Surgery, p.ProcedureCode, p.ProcedureText, p.Hospitalization, p.Alternatives.ToList(), p.AlternativeDetail, p.Description);
}

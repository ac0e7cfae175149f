namespace Consilium.Features.Opinions.Pages;

/// <summary>The structured opinion as the workspace's HTML form posts it; <see cref="ToRequest"/> makes the API's request of it.</summary>
public sealed class OpinionForm
{
    public int? Version { get; set; }
    public string? OriginalCodes { get; set; }
    public string? OriginalText { get; set; }
    public string? ReviewerCodes { get; set; }
    public string? ReviewerText { get; set; }
    public DiagnosisAgreement? DiagnosisAgreement { get; set; }
    public Confidence? Confidence { get; set; }
    public string? AdditionalInformationNeeded { get; set; }
    public bool PSurgery { get; set; }
    public string? PProcedureCode { get; set; }
    public string? PProcedureText { get; set; }
    public bool PHospitalization { get; set; }
    public List<TreatmentAlternative> PAlternatives { get; set; } = [];
    public string? PAlternativeDetail { get; set; }
    public string? PDescription { get; set; }
    public bool RSurgery { get; set; }
    public string? RProcedureCode { get; set; }
    public string? RProcedureText { get; set; }
    public bool RHospitalization { get; set; }
    public List<TreatmentAlternative> RAlternatives { get; set; } = [];
    public string? RAlternativeDetail { get; set; }
    public string? RDescription { get; set; }
    public TreatmentAgreement? TreatmentAgreement { get; set; }
    public SiteOfCare? Site { get; set; }
    public string? SiteReason { get; set; }
    public List<string?> OptName { get; set; } = [];
    public List<string?> OptBenefits { get; set; } = [];
    public List<string?> OptRisks { get; set; } = [];
    public List<string?> OptRationale { get; set; } = [];
    public List<int> OptRecommended { get; set; } = [];
    /// <summary>One citation per line; a link may follow a " | ".</summary>
    public string? Evidence { get; set; }
    public List<string?> Answers { get; set; } = [];
    /// <summary>One step per line.</summary>
    public string? NextSteps { get; set; }
    public OpinionUrgency? Urgency { get; set; }
    public string? SummaryForMember { get; set; }
    public string? ClinicalDiscussion { get; set; }

    public const int OptionRows = 4;

    public OpinionDraftRequest ToRequest() => new(
        Version,
        new DiagnosisInput(Split(OriginalCodes), OriginalText, Split(ReviewerCodes), ReviewerText, DiagnosisAgreement, AdditionalInformationNeeded, Confidence),
        new TreatmentInput(
            new PlanInput(PSurgery, PProcedureCode, PProcedureText, PHospitalization, PAlternatives, PAlternativeDetail, PDescription),
            new PlanInput(RSurgery, RProcedureCode, RProcedureText, RHospitalization, RAlternatives, RAlternativeDetail, RDescription),
            TreatmentAgreement),
        new SiteOfCareInput(Site, SiteReason),
        Enumerable.Range(0, OptName.Count).Select(i => (OptionInput?)new OptionInput(OptName[i], At(OptBenefits, i), At(OptRisks, i), At(OptRationale, i),
            OptRecommended.Contains(i))).ToList(),
        Lines(Evidence).Select(l => (EvidenceInput?)(l.Split(" | ", 2) is [var citation, var url] ? new EvidenceInput(citation, url) : new EvidenceInput(l, null))).ToList(),
        Answers,
        Lines(NextSteps).Select(s => (string?)s).ToList(),
        Urgency, SummaryForMember, ClinicalDiscussion);

    public static OpinionForm From(OpinionDraftRequest r)
    {
        var d = r.Diagnosis ?? new DiagnosisInput();
        var t = r.Treatment ?? new TreatmentInput();
        var p = t.Proposed ?? new PlanInput();
        var m = t.Recommended ?? new PlanInput();
        var options = (r.Options ?? []).Where(o => o is not null).Select(o => o!).ToList();
        return new OpinionForm
        {
            Version = r.Version,
            OriginalCodes = string.Join(", ", d.OriginalCodes ?? []), OriginalText = d.OriginalText,
            ReviewerCodes = string.Join(", ", d.ReviewerCodes ?? []), ReviewerText = d.ReviewerText,
            DiagnosisAgreement = d.Agreement, Confidence = d.Confidence, AdditionalInformationNeeded = d.AdditionalInformationNeeded,
            PSurgery = p.Surgery ?? false, PProcedureCode = p.ProcedureCode, PProcedureText = p.ProcedureText, PHospitalization = p.Hospitalization ?? false,
            PAlternatives = [.. p.Alternatives ?? []], PAlternativeDetail = p.AlternativeDetail, PDescription = p.Description,
            RSurgery = m.Surgery ?? false, RProcedureCode = m.ProcedureCode, RProcedureText = m.ProcedureText, RHospitalization = m.Hospitalization ?? false,
            RAlternatives = [.. m.Alternatives ?? []], RAlternativeDetail = m.AlternativeDetail, RDescription = m.Description,
            TreatmentAgreement = t.Agreement, Site = r.SiteOfCare?.Recommendation, SiteReason = r.SiteOfCare?.Reason,
            OptName = options.Select(o => o.Name).ToList(), OptBenefits = options.Select(o => o.Benefits).ToList(),
            OptRisks = options.Select(o => o.Risks).ToList(), OptRationale = options.Select(o => o.Rationale).ToList(),
            OptRecommended = options.Select((o, i) => (o, i)).Where(x => x.o.Recommended == true).Select(x => x.i).ToList(),
            Evidence = string.Join("\n", (r.Evidence ?? []).Where(e => e is not null).Select(e => e!.Url is null ? e.Citation : $"{e.Citation} | {e.Url}")),
            Answers = [.. r.Answers ?? []],
            NextSteps = string.Join("\n", r.NextSteps ?? []),
            Urgency = r.Urgency, SummaryForMember = r.SummaryForMember, ClinicalDiscussion = r.ClinicalDiscussion,
        };
    }

    static List<string?> Split(string? codes) => (codes ?? "").Split([',', ';', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => (string?)c).ToList();

    static List<string> Lines(string? text) => (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    static string? At(List<string?> list, int i) => i < list.Count ? list[i] : null;
}

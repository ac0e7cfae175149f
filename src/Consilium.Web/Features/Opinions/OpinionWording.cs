namespace Consilium.Features.Opinions;

/// <summary>
/// The words both reports and the member portal use for the coded parts of an opinion, so a member reads the same
/// sentence on the screen as in the PDF.
/// </summary>
public static class OpinionWording
{
    public static string Codes(IReadOnlyList<string> codes) => codes.Count == 0 ? "" : string.Join(", ", codes);

    static string Described(string? text, IReadOnlyList<string> codes) => (text, codes.Count) switch
    {
        (not null, > 0) => $"{text} (ICD-10-CM {Codes(codes)})",
        (not null, _) => text,
        (null, > 0) => $"ICD-10-CM {Codes(codes)}",
        _ => "not stated",
    };

    public static string OriginalDiagnosis(DiagnosisSection d) => Described(d.OriginalText, d.OriginalCodes);

    public static string ReviewerDiagnosis(DiagnosisSection d) => Described(d.ReviewerText ?? (d.Agreement == DiagnosisAgreement.Confirmed ? d.OriginalText : null), d.ReviewerCodes);

    public static string DiagnosisForMember(DiagnosisSection d) => d.Agreement switch
    {
        DiagnosisAgreement.Confirmed => $"The specialist agrees with your diagnosis: {ReviewerDiagnosis(d)}.",
        DiagnosisAgreement.Refined => $"The specialist agrees with your diagnosis in general and describes it more precisely: {ReviewerDiagnosis(d)}. Your diagnosis before the review: {OriginalDiagnosis(d)}.",
        DiagnosisAgreement.Changed => $"The specialist reached a different diagnosis: {ReviewerDiagnosis(d)}. Your diagnosis before the review: {OriginalDiagnosis(d)}.",
        DiagnosisAgreement.CannotDetermine => $"From the records available, the specialist could not determine the diagnosis. What is needed to find out: {d.AdditionalInformationNeeded}",
        _ => "",
    };

    public static string ConfidenceForMember(Confidence? c) => c switch
    {
        Confidence.High => "The specialist is highly confident in this diagnosis.",
        Confidence.Moderate => "The specialist is moderately confident in this diagnosis.",
        Confidence.Low => "The specialist's confidence in this diagnosis is low; more information could change it.",
        _ => "",
    };

    public static string Label(DiagnosisAgreement? a) => a switch
    {
        DiagnosisAgreement.Confirmed => "Confirmed",
        DiagnosisAgreement.Refined => "Refined",
        DiagnosisAgreement.Changed => "Changed",
        DiagnosisAgreement.CannotDetermine => "Cannot be determined from the records",
        _ => "—",
    };

    public static string Label(TreatmentAgreement? a) => a switch
    {
        TreatmentAgreement.Agree => "Agree with the proposed plan",
        TreatmentAgreement.Modify => "Modify the proposed plan",
        TreatmentAgreement.Change => "Change the plan",
        _ => "—",
    };

    public static string Label(TreatmentAlternative a) => a switch
    {
        TreatmentAlternative.PhysicalTherapy => "physical therapy",
        TreatmentAlternative.Medication => "medication",
        TreatmentAlternative.WatchfulWaiting => "watchful waiting",
        TreatmentAlternative.DifferentProcedure => "a different procedure",
        TreatmentAlternative.DifferentRadiationApproach => "a different radiation approach",
        _ => "other treatment",
    };

    public static string Label(SiteOfCare? s) => s switch
    {
        SiteOfCare.SameProvider => "Same provider",
        SiteOfCare.DifferentProvider => "A different provider",
        SiteOfCare.CenterOfExcellence => "A center of excellence",
        _ => "—",
    };

    public static string Label(OpinionUrgency? u) => u switch
    {
        OpinionUrgency.Routine => "Routine (within the next few weeks)",
        OpinionUrgency.Soon => "Soon (within about a week)",
        OpinionUrgency.Urgent => "Urgent (contact the treating physician now)",
        _ => "—",
    };

    public static string Procedure(TreatmentPlan p) => (p.ProcedureText, p.ProcedureCode) switch
    {
        (not null, not null) => $"{p.ProcedureText} ({p.ProcedureCode})",
        (not null, null) => p.ProcedureText,
        (null, not null) => p.ProcedureCode,
        _ => "",
    };

    public static string Alternatives(TreatmentPlan p)
    {
        if (p.Alternatives.Count == 0) return "";
        var list = string.Join(", ", p.Alternatives.Select(Label));
        return p.AlternativeDetail is null ? list : $"{list}: {p.AlternativeDetail}";
    }

    public static string TreatmentAgreementForMember(TreatmentAgreement? a) => a switch
    {
        TreatmentAgreement.Agree => "The specialist agrees with the treatment your doctor proposed.",
        TreatmentAgreement.Modify => "The specialist suggests adjusting the treatment your doctor proposed.",
        TreatmentAgreement.Change => "The specialist recommends a different treatment from the one proposed.",
        _ => "",
    };

    /// <summary>The recommended plan in sentences: surgery or not, the hospital stay, the other treatments.</summary>
    public static IReadOnlyList<string> PlanForMember(TreatmentPlan p, bool surgeryWasProposed)
    {
        var lines = new List<string>();
        if (p.Surgery) lines.Add($"Surgery is recommended: {Procedure(p)}.");
        else if (surgeryWasProposed) lines.Add("Surgery is not recommended at this time.");
        if (p.Surgery || surgeryWasProposed) lines.Add(p.Hospitalization ? "A stay in hospital is expected." : "A stay in hospital should not be needed.");
        else if (p.Hospitalization) lines.Add("A stay in hospital is expected.");
        if (p.Alternatives.Count > 0) lines.Add($"{(p.Surgery ? "Together with it" : "Instead")}: {Alternatives(p)}.");
        if (p.Description is not null) lines.Add(p.Description);
        return lines;
    }

    public static string SiteForMember(SiteOfCareSection s) => s.Recommendation switch
    {
        SiteOfCare.SameProvider => "You can continue your care with your current doctors." + (s.Reason is null ? "" : $" {s.Reason}"),
        SiteOfCare.DifferentProvider => $"The specialist suggests seeing a different provider: {s.Reason} Your care coordinator will help you find one.",
        SiteOfCare.CenterOfExcellence => $"The specialist suggests a center of excellence for this care: {s.Reason} Your care coordinator will help you find one.",
        _ => "",
    };

    public static string UrgencyForMember(OpinionUrgency? u) => u switch
    {
        OpinionUrgency.Routine => "There is no rush: take the next steps over the coming weeks.",
        OpinionUrgency.Soon => "Please take the next steps within about a week.",
        OpinionUrgency.Urgent => "Please contact your doctor now about this opinion.",
        _ => "",
    };

    public const string EducationalTitle = "Physician-to-physician educational consultation";

    public static string EducationalForMember(string state, string? physician) =>
        $"This was an educational consultation between doctors. The specialist who reviewed your records is not licensed to practice medicine in {state}, " +
        $"so the specialist advised your own doctor{(physician is null ? "" : $", {physician},")} rather than you directly. Your doctor remains responsible for your care: " +
        "please go over this report with your doctor before you make any decision.";

    public static string EducationalForPhysician(string state) =>
        $"EDUCATIONAL CONSULTATION. This is a physician-to-physician educational consultation. The reviewing physician is not licensed in {state} and has " +
        "not established a physician–patient relationship with the patient. The findings and recommendations are educational, for the treating " +
        "physician's consideration; the treating physician remains the physician of record and is responsible for all diagnostic and treatment decisions.";
}

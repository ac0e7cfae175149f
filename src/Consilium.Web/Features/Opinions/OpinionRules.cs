namespace Consilium.Features.Opinions;

/// <summary>
/// Turns a draft request into <see cref="OpinionContent"/> and decides whether it is coherent. Shape and coherence
/// are checked on every save, so an incoherent opinion cannot even be drafted ("changed" with the original code,
/// "agree" with a different plan); completeness (every required field, every question answered) is checked when
/// signing. Problems are reported under the request's field names ("diagnosis.reviewerCodes", "answers[1]").
/// docs/opinions.md states each rule.
/// </summary>
public static class OpinionRules
{
    public const int MaxTextLength = 4000;
    public const int MaxShortText = 500;
    public const int MaxCodes = 12;
    public const int MaxOptions = 10;
    public const int MaxEvidence = 30;
    public const int MaxNextSteps = 20;

    public static OpinionContent? Build(OpinionDraftRequest request, IReadOnlyList<string> questions, bool forSigning, IDictionary<string, string[]> errors)
    {
        var before = errors.Count;
        void Error(string field, string message) => errors.TryAdd(field, [message]);

        string? Text(string field, string? value, int max = MaxTextLength)
        {
            var trimmed = value?.Trim();
            if (string.IsNullOrEmpty(trimmed)) return null;
            if (trimmed.Length > max) Error(field, $"At most {max} characters.");
            return trimmed;
        }

        List<string> Codes(string field, IReadOnlyList<string?>? raw)
        {
            var codes = new List<string>();
            if (raw is { Count: > MaxCodes }) Error(field, $"At most {MaxCodes} codes.");
            for (var i = 0; i < (raw?.Count ?? 0); i++)
            {
                if (string.IsNullOrWhiteSpace(raw![i])) continue;
                if (ClinicalCodes.NormalizeIcd10Cm(raw[i]) is { } code)
                {
                    if (!codes.Contains(code)) codes.Add(code);
                }
                else Error($"{field}[{i}]", "This is not shaped like an ICD-10-CM code (a letter, a digit, a digit or letter, then up to four more after a dot, e.g. M51.16).");
            }
            return codes;
        }

        // Diagnosis.
        var d = request.Diagnosis ?? new DiagnosisInput();
        var diagnosis = new DiagnosisSection(
            Codes("diagnosis.originalCodes", d.OriginalCodes), Text("diagnosis.originalText", d.OriginalText),
            Codes("diagnosis.reviewerCodes", d.ReviewerCodes), Text("diagnosis.reviewerText", d.ReviewerText),
            d.Agreement, Text("diagnosis.additionalInformationNeeded", d.AdditionalInformationNeeded), d.Confidence);
        CheckDiagnosis(diagnosis, forSigning, Error);

        // Treatment.
        var t = request.Treatment ?? new TreatmentInput();
        var proposed = Plan("treatment.proposed", t.Proposed);
        var recommended = Plan("treatment.recommended", t.Recommended);
        var treatment = new TreatmentSection(proposed, recommended, t.Agreement);
        CheckTreatment(treatment, forSigning, Error);

        // Site of care.
        var s = request.SiteOfCare ?? new SiteOfCareInput();
        var site = new SiteOfCareSection(s.Recommendation, Text("siteOfCare.reason", s.Reason, MaxShortText * 2));
        if (site.Recommendation is SiteOfCare.DifferentProvider or SiteOfCare.CenterOfExcellence && site.Reason is null)
            Error("siteOfCare.reason", "Say why the member should go elsewhere: a different provider or a center of excellence needs a reason.");
        if (forSigning && site.Recommendation is null) Error("siteOfCare.recommendation", "Recommend where to get care: the same provider, a different provider or a center of excellence.");

        // Options considered.
        var options = new List<OptionConsidered>();
        if (request.Options is { Count: > MaxOptions }) Error("options", $"At most {MaxOptions} options.");
        for (var i = 0; i < (request.Options?.Count ?? 0); i++)
        {
            var o = request.Options![i];
            if (o is null) continue;
            var name = Text($"options[{i}].name", o.Name, MaxShortText);
            var benefits = Text($"options[{i}].benefits", o.Benefits);
            var risks = Text($"options[{i}].risks", o.Risks);
            var rationale = Text($"options[{i}].rationale", o.Rationale);
            if (name is null && benefits is null && risks is null && rationale is null) continue;
            if (name is null) Error($"options[{i}].name", "Name the option.");
            if (benefits is null) Error($"options[{i}].benefits", "Give the option's benefits.");
            if (risks is null) Error($"options[{i}].risks", "Give the option's risks.");
            if (rationale is null) Error($"options[{i}].rationale", "Give the rationale: why it is or is not recommended.");
            options.Add(new OptionConsidered(name ?? "", benefits ?? "", risks ?? "", rationale ?? "", o.Recommended ?? false));
        }
        if (forSigning && options.Count == 0 && diagnosis.Agreement != DiagnosisAgreement.CannotDetermine)
            Error("options", "List the options considered, each with benefits, risks and rationale.");

        // Evidence cited.
        var evidence = new List<EvidenceCitation>();
        if (request.Evidence is { Count: > MaxEvidence }) Error("evidence", $"At most {MaxEvidence} citations.");
        for (var i = 0; i < (request.Evidence?.Count ?? 0); i++)
        {
            var e = request.Evidence![i];
            var citation = Text($"evidence[{i}].citation", e?.Citation, 1000);
            var url = e?.Url?.Trim();
            if (string.IsNullOrEmpty(url)) url = null;
            if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || url.Length > 1000))
                Error($"evidence[{i}].url", "A link is an absolute http(s) address of at most 1000 characters.");
            if (citation is null && url is null) continue;
            if (citation is null) Error($"evidence[{i}].citation", "Cite the source (authors, title, journal, year, or guideline).");
            evidence.Add(new EvidenceCitation(citation ?? "", url));
        }

        // Answers, one per question, in the member's order.
        var answers = new List<QuestionAnswer>();
        var given = request.Answers ?? [];
        for (var i = questions.Count; i < given.Count; i++)
            if (!string.IsNullOrWhiteSpace(given[i])) Error($"answers[{i}]", $"The member asked {questions.Count} question(s); there is no question {i + 1} to answer.");
        for (var i = 0; i < questions.Count; i++)
        {
            var answer = Text($"answers[{i}]", i < given.Count ? given[i] : null);
            if (forSigning && answer is null) Error($"answers[{i}]", $"Answer the member's question {i + 1}: “{Shorten(questions[i])}”");
            answers.Add(new QuestionAnswer(questions[i], answer ?? ""));
        }

        // Next steps.
        var steps = new List<string>();
        if (request.NextSteps is { Count: > MaxNextSteps }) Error("nextSteps", $"At most {MaxNextSteps} next steps.");
        for (var i = 0; i < (request.NextSteps?.Count ?? 0); i++)
            if (Text($"nextSteps[{i}]", request.NextSteps![i], 1000) is { } step) steps.Add(step);
        if (forSigning && steps.Count == 0) Error("nextSteps", "Give the member at least one next step they can act on.");

        if (forSigning && request.Urgency is null) Error("urgency", "Say how soon the member should act: routine, soon or urgent.");
        var summary = Text("summaryForMember", request.SummaryForMember);
        if (forSigning && summary is null) Error("summaryForMember", "Write a short summary in plain language for the member.");
        var discussion = Text("clinicalDiscussion", request.ClinicalDiscussion, MaxTextLength * 2);

        return errors.Count > before
            ? null
            : new OpinionContent(diagnosis, treatment, site, options, evidence, answers, steps, request.Urgency, summary, discussion);

        TreatmentPlan Plan(string field, PlanInput? input)
        {
            if (input is null) return TreatmentPlan.Empty;
            var code = input.ProcedureCode?.Trim();
            if (string.IsNullOrEmpty(code)) code = null;
            else if (ClinicalCodes.NormalizeProcedure(code) is { } normalized) code = normalized;
            else Error($"{field}.procedureCode", "This is not shaped like a CPT (five digits, or four and F/T/U), HCPCS (a letter and four digits) or ICD-10-PCS (seven characters) code.");
            var alternatives = (input.Alternatives ?? []).Distinct().Order().ToList();
            return new TreatmentPlan(input.Surgery ?? false, code, Text($"{field}.procedureText", input.ProcedureText, MaxShortText),
                input.Hospitalization ?? false, alternatives, Text($"{field}.alternativeDetail", input.AlternativeDetail, MaxShortText * 2),
                Text($"{field}.description", input.Description));
        }
    }

    static void CheckDiagnosis(DiagnosisSection d, bool forSigning, Action<string, string> error)
    {
        var original = d.OriginalCodes.ToHashSet();
        var reviewer = d.ReviewerCodes.ToHashSet();
        switch (d.Agreement)
        {
            case DiagnosisAgreement.Confirmed:
                if (original.Count == 0) error("diagnosis.originalCodes", "A confirmed diagnosis needs the original diagnosis codes.");
                else if (reviewer.Count > 0 && !reviewer.SetEquals(original))
                    error("diagnosis.reviewerCodes", "Confirmed means the reviewer's diagnosis codes are the original ones, but they differ. Choose refined or changed, or use the original codes.");
                else if (forSigning && reviewer.Count == 0)
                    error("diagnosis.reviewerCodes", "Give the reviewer's diagnosis codes (for a confirmed diagnosis, the original ones).");
                break;
            case DiagnosisAgreement.Refined:
                if (original.Count == 0) error("diagnosis.originalCodes", "A refined diagnosis needs the original diagnosis codes it refines.");
                else if (reviewer.Count > 0 && reviewer.SetEquals(original))
                    error("diagnosis.reviewerCodes", "Refined means a more precise or partly different diagnosis, but the codes are the original ones. Choose confirmed, or give the refined codes.");
                else if (reviewer.Count > 0 && !reviewer.Overlaps(original) && !Categories(reviewer).Overlaps(Categories(original)))
                    error("diagnosis.agreement", "Refined keeps the original condition (a code or an ICD-10-CM category in common), but none of these codes is related to the original ones. Choose changed.");
                else if (forSigning && reviewer.Count == 0) error("diagnosis.reviewerCodes", "Give the refined diagnosis codes.");
                break;
            case DiagnosisAgreement.Changed:
                if (reviewer.Intersect(original).FirstOrDefault() is { } same)
                    error("diagnosis.reviewerCodes", $"Changed means the original diagnosis does not stand, but {same} is both the original and the reviewer's diagnosis. Choose refined, or remove it.");
                else if (forSigning && reviewer.Count == 0) error("diagnosis.reviewerCodes", "Give the reviewer's diagnosis codes: what the diagnosis is instead.");
                break;
            case DiagnosisAgreement.CannotDetermine:
                if (reviewer.Count > 0) error("diagnosis.reviewerCodes", "When the diagnosis cannot be determined, give no reviewer diagnosis codes.");
                if (d.Confidence is not null) error("diagnosis.confidence", "Confidence does not apply when the diagnosis cannot be determined.");
                if (forSigning && d.AdditionalInformationNeeded is null)
                    error("diagnosis.additionalInformationNeeded", "Say what additional information is needed to determine the diagnosis.");
                break;
            case null:
                if (forSigning) error("diagnosis.agreement", "Say whether the diagnosis is confirmed, refined, changed, or cannot be determined.");
                break;
        }
        if (d.Agreement is not (null or DiagnosisAgreement.CannotDetermine))
        {
            if (d.AdditionalInformationNeeded is not null)
                error("diagnosis.additionalInformationNeeded", "Only for a diagnosis that cannot be determined; put further tests under next steps.");
            if (forSigning && d.Confidence is null) error("diagnosis.confidence", "Say how confident you are: high, moderate or low.");
        }
    }

    static void CheckTreatment(TreatmentSection t, bool forSigning, Action<string, string> error)
    {
        CheckPlan("treatment.proposed", t.Proposed, proposed: true, forSigning, error);
        CheckPlan("treatment.recommended", t.Recommended, proposed: false, forSigning, error);
        if (t.Proposed.IsEmpty || t.Recommended.IsEmpty)
        {
            if (forSigning && t.Agreement is null) error("treatment.agreement", "Say whether you agree with, modify or change the proposed plan.");
            return;
        }
        var differences = Differences(t.Proposed, t.Recommended);
        var major = IsMajorChange(t.Proposed, t.Recommended);
        switch (t.Agreement)
        {
            case TreatmentAgreement.Agree when differences.Count > 0:
                error("treatment.agreement", $"Agree means the recommended plan is the proposed one, but they differ in: {string.Join(", ", differences)}. Choose modify or change.");
                break;
            case TreatmentAgreement.Modify when differences.Count == 0:
                error("treatment.agreement", "Modify means the plan is adjusted, but the recommended plan is the proposed one. Choose agree.");
                break;
            case TreatmentAgreement.Modify when major:
                error("treatment.agreement", "The recommended plan decides differently about surgery, names another procedure or shares no treatment with the proposed plan: that is a change, not a modification.");
                break;
            case TreatmentAgreement.Change when !major:
                error("treatment.agreement", differences.Count == 0
                    ? "Change means a different plan, but the recommended plan is the proposed one. Choose agree."
                    : "The recommended plan keeps the proposed decision about surgery (and the procedure) with adjustments: that is a modification, not a change.");
                break;
            case null when forSigning:
                error("treatment.agreement", "Say whether you agree with, modify or change the proposed plan.");
                break;
        }
    }

    static void CheckPlan(string field, TreatmentPlan p, bool proposed, bool forSigning, Action<string, string> error)
    {
        if (p.IsEmpty)
        {
            if (forSigning) error(field, proposed ? "Describe the plan originally proposed to the member." : "Describe the plan you recommend.");
            return;
        }
        if (p.Surgery && p.ProcedureCode is null && p.ProcedureText is null)
            error($"{field}.procedureCode", "Surgery is part of this plan: say which procedure (a code, a description, or both).");
        if (!p.Surgery && (p.ProcedureCode is not null || p.ProcedureText is not null))
            error($"{field}.surgery", "A surgical procedure is named but surgery is not part of this plan. Tick surgery, or name the procedure as a different procedure under the alternatives.");
        if (p.Alternatives.Any(a => a is TreatmentAlternative.DifferentProcedure or TreatmentAlternative.DifferentRadiationApproach or TreatmentAlternative.Other)
            && p.AlternativeDetail is null)
            error($"{field}.alternativeDetail", "Name the different procedure, radiation approach or other treatment.");
        if (!p.Surgery && p.Alternatives.Count == 0)
            error($"{field}.alternatives", proposed
                ? "Without surgery, say what the proposed plan is (physical therapy, medication, watchful waiting, a procedure, a radiation approach, other)."
                : "Surgery is not recommended: say what instead (physical therapy, medication, watchful waiting, a different procedure, a different radiation approach, other).");
    }

    /// <summary>What differs between two plans, in the words the error message uses. Descriptions are free text and not compared.</summary>
    public static List<string> Differences(TreatmentPlan a, TreatmentPlan b)
    {
        var differences = new List<string>();
        if (a.Surgery != b.Surgery) differences.Add("surgery");
        else if (a.Surgery && !SameProcedure(a, b)) differences.Add("procedure");
        if (a.Hospitalization != b.Hospitalization) differences.Add("hospitalization");
        if (!a.Alternatives.ToHashSet().SetEquals(b.Alternatives)) differences.Add("alternatives");
        return differences;
    }

    /// <summary>A change rather than a modification: the decision about surgery differs, the procedure differs, or two non-surgical plans share no treatment.</summary>
    public static bool IsMajorChange(TreatmentPlan a, TreatmentPlan b) =>
        a.Surgery != b.Surgery
        || (a.Surgery && !SameProcedure(a, b))
        || (!a.Surgery && a.Alternatives.Count > 0 && b.Alternatives.Count > 0 && !a.Alternatives.Intersect(b.Alternatives).Any());

    static bool SameProcedure(TreatmentPlan a, TreatmentPlan b) =>
        a.ProcedureCode is not null && b.ProcedureCode is not null
            ? a.ProcedureCode == b.ProcedureCode
            : string.Equals(a.ProcedureText?.Trim(), b.ProcedureText?.Trim(), StringComparison.OrdinalIgnoreCase) && a.ProcedureCode == b.ProcedureCode;

    static HashSet<string> Categories(IEnumerable<string> codes) => codes.Select(c => c[..3]).ToHashSet();

    static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "…";
}

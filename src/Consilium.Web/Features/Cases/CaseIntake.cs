namespace Consilium.Features.Cases;

public enum Urgency
{
    Routine,
    /// <summary>A decision (surgery date, treatment start) is due within days.</summary>
    Urgent,
}

/// <summary>How the member heard of the program.</summary>
public enum ReferralSource
{
    /// <summary>Outreach after a trigger rule found a claim or prior authorization.</summary>
    Trigger,
    OpenEnrollment,
    DiagnosisNotification,
    Physician,
    Self,
}

public sealed record TreatingPhysician(string Name, string? Npi, string? Organization, string? Contact);

/// <summary>
/// What intake learns besides the concern: the member's questions for the expert (in the member's order), the current
/// diagnosis and proposed treatment as codes with free text, the treating physician, urgency, language, state of
/// residence and how the member heard of the program. Health information: never logged.
/// </summary>
public sealed record CaseIntake(
    IReadOnlyList<string> Questions,
    IReadOnlyList<string> DiagnosisCodes,
    string? DiagnosisText,
    IReadOnlyList<string> TreatmentCodes,
    string? TreatmentText,
    TreatingPhysician? Physician,
    Urgency Urgency,
    string PreferredLanguage,
    string StateOfResidence,
    ReferralSource? HeardVia)
{
    public const int MaxQuestions = 20;
    public const int MaxQuestionLength = 1000;
    public const int MaxCodes = 12;
    public const int MaxTextLength = 2000;

    /// <summary>
    /// Validates raw intake values and returns the intake, or null with every problem added to <paramref name="errors"/>
    /// under the request's field names ("questions[2]", "diagnosis.codes[0]", "treatingPhysician.npi").
    /// </summary>
    public static CaseIntake? Create(
        IReadOnlyList<string?>? questions,
        IReadOnlyList<string?>? diagnosisCodes, string? diagnosisText,
        IReadOnlyList<string?>? treatmentCodes, string? treatmentText,
        string? physicianName, string? physicianNpi, string? physicianOrganization, string? physicianContact,
        Urgency? urgency, string? preferredLanguage, string? stateOfResidence, ReferralSource? heardVia,
        IDictionary<string, string[]> errors)
    {
        var before = errors.Count;
        void Error(string field, string message) => errors.TryAdd(field, [message]);
        string? Text(string field, string? value, int max)
        {
            var trimmed = value?.Trim();
            if (string.IsNullOrEmpty(trimmed)) return null;
            if (trimmed.Length > max) Error(field, $"This field is longer than {max} characters.");
            return trimmed;
        }

        var asked = new List<string>();
        if (questions is { Count: > MaxQuestions }) Error("questions", $"At most {MaxQuestions} questions.");
        for (var i = 0; i < (questions?.Count ?? 0); i++)
        {
            var q = questions![i]?.Trim();
            if (string.IsNullOrEmpty(q)) Error($"questions[{i}]", "A question cannot be empty.");
            else if (q.Length > MaxQuestionLength) Error($"questions[{i}]", $"A question is at most {MaxQuestionLength} characters.");
            else asked.Add(q);
        }

        var diagnoses = Codes("diagnosis.codes", diagnosisCodes, ClinicalCodes.NormalizeIcd10Cm,
            "is not shaped like an ICD-10-CM code (a letter, two digits or a digit and a letter, then up to four more after a dot, e.g. M51.16).");
        var treatments = Codes("proposedTreatment.codes", treatmentCodes, ClinicalCodes.NormalizeProcedure,
            "is not shaped like a CPT (five digits, or four and F/T/U), HCPCS (a letter and four digits) or ICD-10-PCS (seven characters) code.");

        TreatingPhysician? physician = null;
        var name = Text("treatingPhysician.name", physicianName, 200);
        var npi = physicianNpi?.Trim();
        var organization = Text("treatingPhysician.organization", physicianOrganization, 200);
        var contact = Text("treatingPhysician.contact", physicianContact, 200);
        if (!string.IsNullOrEmpty(npi) && !Npi.IsValid(npi))
            Error("treatingPhysician.npi", "The NPI is not valid: it has ten digits, starts with 1 or 2, and its last digit is a check digit.");
        if (name is null && (!string.IsNullOrEmpty(npi) || organization is not null || contact is not null))
            Error("treatingPhysician.name", "Name the treating physician.");
        if (name is not null) physician = new TreatingPhysician(name, string.IsNullOrEmpty(npi) ? null : npi, organization, contact);

        var diagnosis = Text("diagnosis.text", diagnosisText, MaxTextLength);
        var treatment = Text("proposedTreatment.text", treatmentText, MaxTextLength);
        var language = Text("preferredLanguage", preferredLanguage, 35) ?? "en";
        var state = UsStates.Normalize(stateOfResidence);
        if (state is null) Error("stateOfResidence", "The state of residence is a two-letter US state or territory code.");

        return errors.Count > before
            ? null
            : new CaseIntake(asked, diagnoses, diagnosis, treatments, treatment, physician, urgency ?? Urgency.Routine, language, state!, heardVia);

        List<string> Codes(string field, IReadOnlyList<string?>? raw, Func<string?, string?> normalize, string problem)
        {
            var codes = new List<string>();
            if (raw is { Count: > MaxCodes }) Error(field, $"At most {MaxCodes} codes.");
            for (var i = 0; i < (raw?.Count ?? 0); i++)
            {
                if (normalize(raw![i]) is { } code)
                {
                    if (!codes.Contains(code)) codes.Add(code);
                }
                else Error($"{field}[{i}]", $"Code {i + 1} {problem}");
            }
            return codes;
        }
    }
}

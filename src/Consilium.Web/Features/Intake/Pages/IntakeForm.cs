using Consilium.Features.Cases;
using Consilium.Features.Members;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Consilium.Features.Intake.Pages;

/// <summary>
/// The intake form's fields, shared by the phone intake page and the public request page. Lists are typed the way
/// people type them: one question per line (kept in that order), codes separated by commas or spaces.
/// </summary>
public sealed class IntakeForm
{
    public Guid? ProgramId { get; set; }
    public string? MemberId { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public Sex? Sex { get; set; }
    public string? State { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public ConditionCategory? Category { get; set; }
    public string? Concern { get; set; }
    public string? Questions { get; set; }
    public string? DiagnosisCodes { get; set; }
    public string? DiagnosisText { get; set; }
    public string? TreatmentCodes { get; set; }
    public string? TreatmentText { get; set; }
    public string? PhysicianName { get; set; }
    public string? PhysicianNpi { get; set; }
    public string? PhysicianOrganization { get; set; }
    public string? PhysicianContact { get; set; }
    public Urgency? Urgency { get; set; }
    public string? PreferredLanguage { get; set; }
    public string? StateOfResidence { get; set; }
    public ReferralSource? HeardVia { get; set; }

    public IntakeRequest ToRequest() => new(
        ProgramId,
        new IntakeMemberRequest(Blank(MemberId), DateOfBirth, Blank(FirstName), Blank(LastName), Sex, Blank(State), Blank(Email), Blank(Phone)),
        Category,
        Concern,
        Lines(Questions),
        new CodedTextRequest(Codes(DiagnosisCodes), DiagnosisText),
        new CodedTextRequest(Codes(TreatmentCodes), TreatmentText),
        new TreatingPhysicianRequest(PhysicianName, Blank(PhysicianNpi), PhysicianOrganization, PhysicianContact),
        Urgency,
        Blank(PreferredLanguage),
        Blank(StateOfResidence),
        HeardVia);

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    static List<string?> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => (string?)l).ToList();

    static List<string?> Codes(string? text) =>
        (text ?? "").Split([',', ' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(c => (string?)c).ToList();

    /// <summary>Which form field an API field name ("member.memberId", "questions[2]", "treatingPhysician.npi") belongs to.</summary>
    public static string FieldOf(string apiField)
    {
        var name = apiField.Split('[')[0];
        return name switch
        {
            "programId" => nameof(ProgramId),
            "member" or "member.memberId" => nameof(MemberId),
            "member.dateOfBirth" or "dateOfBirth" => nameof(DateOfBirth),
            "member.firstName" or "firstName" => nameof(FirstName),
            "member.lastName" or "lastName" => nameof(LastName),
            "member.sex" or "sex" => nameof(Sex),
            "member.state" or "state" => nameof(State),
            "member.email" => nameof(Email),
            "member.phone" or "phone" => nameof(Phone),
            "category" => nameof(Category),
            "concern" => nameof(Concern),
            "questions" => nameof(Questions),
            "diagnosis.codes" => nameof(DiagnosisCodes),
            "diagnosis.text" => nameof(DiagnosisText),
            "proposedTreatment.codes" => nameof(TreatmentCodes),
            "proposedTreatment.text" => nameof(TreatmentText),
            "treatingPhysician.name" => nameof(PhysicianName),
            "treatingPhysician.npi" => nameof(PhysicianNpi),
            "treatingPhysician.organization" => nameof(PhysicianOrganization),
            "treatingPhysician.contact" => nameof(PhysicianContact),
            "urgency" => nameof(Urgency),
            "preferredLanguage" => nameof(PreferredLanguage),
            "stateOfResidence" => nameof(StateOfResidence),
            "heardVia" => nameof(HeardVia),
            _ => apiField,
        };
    }
}

/// <summary>Field errors of a form page, by form field name, in the order they were found; shown beside each field and in a summary.</summary>
public sealed class FormErrors
{
    readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;
    public IEnumerable<KeyValuePair<string, string>> All => _errors;
    public string? this[string field] => _errors.GetValueOrDefault(field);

    public void Add(string field, string message) => _errors.TryAdd(field, message);

    /// <summary>Takes the handler's errors, renaming API fields to form fields with <paramref name="fieldOf"/>.</summary>
    public void Add(Exception e, Func<string, string> fieldOf)
    {
        switch (e)
        {
            case RequestValidationException v:
                foreach (var (field, messages) in v.Errors) Add(fieldOf(field), string.Join(" ", messages));
                break;
            case RuleViolationException r:
                Add(fieldOf(r.Field), r.Message);
                break;
            default:
                Add("", e.Message);
                break;
        }
    }

    /// <summary>Values the browser sent that could not be read at all (a date that is not a date, an unknown choice).</summary>
    public void AddBindingErrors(ModelStateDictionary state, string prefix)
    {
        foreach (var (key, entry) in state)
        {
            if (entry.Errors.Count == 0) continue;
            var field = key.StartsWith(prefix + ".", StringComparison.Ordinal) ? key[(prefix.Length + 1)..] : key;
            Add(field, "This value is not valid.");
        }
    }
}

/// <summary>What the shared clinical part of the intake form needs to render.</summary>
public sealed record IntakeFieldsModel(IntakeForm Form, FormErrors Errors, IReadOnlyList<ConditionCategory> Categories, bool ForMember);

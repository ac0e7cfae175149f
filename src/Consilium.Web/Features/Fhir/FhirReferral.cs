using System.Text.RegularExpressions;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Features.Members;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Consilium.Features.Fhir;

/// <summary>
/// The referral's business identifier, stored as the partner's idempotency key ("fhir:" + system + "|" + value), so a
/// resent transaction finds its case exactly as a retried POST /api/referrals does.
/// </summary>
internal static class ReferralIdentifiers
{
    public const string Prefix = "fhir:";

    public static string Key(string system, string value) => $"{Prefix}{system}|{value}";

    public static Identifier? Parse(string key)
    {
        var body = key[Prefix.Length..];
        var bar = body.LastIndexOf('|');
        return bar < 0 ? null : new Identifier(body[..bar], body[(bar + 1)..]) { Use = Identifier.IdentifierUse.Official };
    }
}

internal sealed record FhirReferralOutcome(Bundle Response, bool Replayed, Guid CaseId);

/// <summary>
/// A referral as a FHIR transaction Bundle (ServiceRequest, Patient, optional Practitioner), turned into the same
/// <see cref="IntakeRequest"/> the partner referral API takes and handed to <see cref="ReferralHandlers"/>: the same
/// eligibility check, validation, coordinator assignment and SLA clock, and the same one-case-per-key guarantee, keyed on
/// the ServiceRequest's identifier (conditional create).
/// </summary>
internal sealed partial class FhirReferralHandlers(ReferralHandlers referrals, ConsiliumDbContext db)
{
    public async Task<FhirReferralOutcome> CreateAsync(Bundle bundle, CancellationToken ct)
    {
        var (key, intake) = Read(bundle);
        ReferralHandlers.Outcome outcome;
        try
        {
            outcome = await referrals.ReferAsync(key, intake, ct);
        }
        catch (RequestValidationException e)
        {
            throw new FhirInputException(400, e.Errors.SelectMany(kv => kv.Value.Select(m => (FhirPath(kv.Key), "invalid", m))).ToList());
        }
        catch (RuleViolationException e)
        {
            throw FhirInputException.Invalid(FhirPath(e.Field), "invalid", e.Message);
        }
        catch (NotFoundException e) when (e.ObjectType == "Program")
        {
            throw FhirInputException.Unprocessable("ServiceRequest.performer", "not-found", "No program you serve has this id.");
        }

        var @case = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == outcome.Case.CaseId, ct);
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
        var status = outcome.Replayed ? "200 OK" : "201 Created";
        var response = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        foreach (var entry in bundle.Entry)
        {
            response.Entry.Add(entry.Resource switch
            {
                ServiceRequest => new Bundle.EntryComponent
                {
                    FullUrl = $"ServiceRequest/{@case.Id}",
                    Resource = FhirResources.ServiceRequest(@case, ReferralIdentifiers.Parse(key)),
                    Response = new Bundle.ResponseComponent
                    {
                        Status = status, Location = $"ServiceRequest/{@case.Id}/_history/{@case.Version}", Etag = $"W/\"{@case.Version}\"", LastModified = @case.UpdatedAt,
                    },
                },
                Patient => new Bundle.EntryComponent
                {
                    FullUrl = $"Patient/{member.Id}",
                    Resource = FhirResources.Patient(member),
                    Response = new Bundle.ResponseComponent { Status = "200 OK", Location = $"Patient/{member.Id}" },
                },
                _ => new Bundle.EntryComponent
                {
                    Response = new Bundle.ResponseComponent
                    {
                        Status = "200 OK",
                        Outcome = FhirOutcomes.Information("The practitioner is kept as the referral's treating physician (ServiceRequest.requester); Practitioner resources are not served."),
                    },
                },
            });
        }
        return new FhirReferralOutcome(response, outcome.Replayed, @case.Id);
    }

    /// <summary>
    /// The transaction's checks and its mapping to an intake, without the database: the referral's idempotency key and the
    /// <see cref="IntakeRequest"/>. Anything wrong is a <see cref="FhirInputException"/> naming the FHIR path (a 400 or
    /// 422 OperationOutcome); no other exception escapes for any parsed Bundle (fuzzed: fuzz/README.md).
    /// </summary>
    internal static (string Key, IntakeRequest Intake) Read(Bundle bundle)
    {
        if (bundle.Type != Bundle.BundleType.Transaction)
            throw FhirInputException.Invalid("Bundle.type", "value", "POST /fhir takes a Bundle of type 'transaction'.");
        var issues = new List<(string, string, string)>();
        ServiceRequest? request = null;
        Patient? patient = null;
        Practitioner? practitioner = null;
        string? requestUrl = null, patientUrl = null, practitionerUrl = null, ifNoneExist = null;
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var entry = bundle.Entry[i];
            var at = $"Bundle.entry[{i}]";
            if (entry.Request?.Method != Bundle.HTTPVerb.POST)
            {
                issues.Add(($"{at}.request.method", "not-supported", "Each entry of the referral is created: request.method POST."));
                continue;
            }
            switch (entry.Resource)
            {
                case ServiceRequest sr when request is null: (request, requestUrl, ifNoneExist) = (sr, entry.FullUrl, entry.Request.IfNoneExist); break;
                case Patient p when patient is null: (patient, patientUrl) = (p, entry.FullUrl); break;
                case Practitioner p when practitioner is null: (practitioner, practitionerUrl) = (p, entry.FullUrl); break;
                case DocumentReference:
                    throw FhirInputException.Unprocessable($"{at}.resource", "business-rule",
                        "Records are received only under the member's signed authorization, which a new referral does not have yet. Send the referral without DocumentReferences; the program requests the records once the member has signed.");
                case null: issues.Add(($"{at}.resource", "required", "The entry has no resource.")); break;
                default:
                    issues.Add(($"{at}.resource", "not-supported",
                        $"A referral transaction holds one ServiceRequest, one Patient and at most one Practitioner; {entry.Resource.TypeName} is not taken here."));
                    break;
            }
        }
        if (request is null) issues.Add(("Bundle.entry", "required", "The transaction needs a ServiceRequest entry (the referral)."));
        if (patient is null) issues.Add(("Bundle.entry", "required", "The transaction needs a Patient entry (the member)."));
        if (issues.Count > 0) throw new FhirInputException(400, issues);

        var identifier = request!.Identifier.FirstOrDefault(x => !string.IsNullOrEmpty(x.System) && !string.IsNullOrEmpty(x.Value))
            ?? throw FhirInputException.Invalid("ServiceRequest.identifier", "required",
                "The ServiceRequest needs an identifier with a system and a value: it makes the create conditional, so a resent referral never opens a second case.");
        if (identifier.System == FhirSystems.CaseNumber)
            throw FhirInputException.Invalid("ServiceRequest.identifier", "value", "Give your own identifier for the referral, not a Consilium case number.");
        var key = ReferralIdentifiers.Key(identifier.System!, identifier.Value!);
        if (key.Length > ReferralKey.MaxKeyLength || key.Any(c => c is < '!' or > '~'))
            throw FhirInputException.Invalid("ServiceRequest.identifier", "value",
                $"The identifier's system and value together are at most {ReferralKey.MaxKeyLength - ReferralIdentifiers.Prefix.Length - 1} printable characters without spaces.");
        if (ifNoneExist is not null && ifNoneExist != $"identifier={identifier.System}|{identifier.Value}")
            throw FhirInputException.Invalid("Bundle.entry.request.ifNoneExist", "not-supported",
                "The create is always conditional on the ServiceRequest's identifier: ifNoneExist may only be 'identifier=<system>|<value>' of that identifier.");
        if (request.Subject?.Reference is not { } subject || subject != patientUrl)
            throw FhirInputException.Invalid("ServiceRequest.subject", "invalid", "ServiceRequest.subject refers to the Patient entry by its fullUrl.");
        if (practitioner is not null && request.Requester?.Reference != practitionerUrl)
            throw FhirInputException.Invalid("ServiceRequest.requester", "invalid", "ServiceRequest.requester refers to the Practitioner entry by its fullUrl.");

        return (key, ToIntake(request, patient!, practitioner));
    }

    static IntakeRequest ToIntake(ServiceRequest request, Patient patient, Practitioner? practitioner)
    {
        var program = request.Performer.Select(p => p.Identifier).FirstOrDefault(i => i?.System == FhirSystems.Program)?.Value;
        if (program is null || !Guid.TryParse(program, out var programId))
            throw FhirInputException.Invalid("ServiceRequest.performer", "required",
                $"Name the program in ServiceRequest.performer: a reference with identifier system '{FhirSystems.Program}' and the program's id.");
        var categoryCode = request.Category.SelectMany(c => c.Coding).FirstOrDefault(c => c.System == FhirSystems.ConditionCategory)?.Code;
        ConditionCategory? category = null;
        if (categoryCode is not null)
            category = Enum.TryParse<ConditionCategory>(categoryCode, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(categoryCode, out _)
                ? parsed
                : throw FhirInputException.Invalid("ServiceRequest.category", "code-invalid",
                    $"The condition category is one of: {string.Join(", ", Enum.GetNames<ConditionCategory>())} (system {FhirSystems.ConditionCategory}).");

        var memberId = patient.Identifier.FirstOrDefault(i => i.System == FhirSystems.MemberId)?.Value ?? patient.Identifier.FirstOrDefault()?.Value;
        DateOnly? birth = DateOnly.TryParseExact(patient.BirthDate ?? "", "yyyy-MM-dd", out var b) ? b : null;
        if (patient.BirthDate is not null && birth is null)
            throw FhirInputException.Invalid("Patient.birthDate", "value", "Give the full date of birth (YYYY-MM-DD).");
        var name = patient.Name.FirstOrDefault();
        var notes = request.Note.Select(n => n.Text).ToList();
        var reason = request.ReasonCode.FirstOrDefault();
        var npi = practitioner?.Identifier.FirstOrDefault(i => i.System == FhirSystems.Npi)?.Value;
        var physicianName = practitioner?.Name.FirstOrDefault() is { } pn
            ? pn.Text ?? string.Join(" ", pn.Prefix.Concat(pn.Given).Append(pn.Family).Where(s => !string.IsNullOrWhiteSpace(s)))
            : null;
        var language = patient.Communication.FirstOrDefault()?.Language?.Coding.FirstOrDefault()?.Code;

        return new IntakeRequest(
            programId,
            new IntakeMemberRequest(memberId, birth, name?.Given.FirstOrDefault(), name?.Family,
                patient.Gender switch
                {
                    AdministrativeGender.Female => Sex.Female,
                    AdministrativeGender.Male => Sex.Male,
                    AdministrativeGender.Other => Sex.Other,
                    AdministrativeGender.Unknown => Sex.Unknown,
                    _ => null,
                },
                patient.Address.FirstOrDefault()?.State,
                patient.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Email)?.Value,
                patient.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Phone)?.Value),
            category,
            notes.FirstOrDefault(),
            notes.Skip(1).ToList(),
            reason is null ? null : new CodedTextRequest(reason.Coding.Where(c => c.System == FhirSystems.Icd10Cm).Select(c => (string?)c.Code).ToList(), reason.Text),
            null,
            practitioner is null ? null : new TreatingPhysicianRequest(physicianName, npi, null,
                practitioner.Telecom.FirstOrDefault()?.Value),
            request.Priority is RequestPriority.Urgent or RequestPriority.Asap or RequestPriority.Stat ? Urgency.Urgent : Urgency.Routine,
            language,
            patient.Address.FirstOrDefault()?.State);
    }

    /// <summary>The intake's field names, as the FHIR paths the partner wrote them at.</summary>
    internal static string FhirPath(string field)
    {
        if (QuestionField().Match(field) is { Success: true } q) return $"ServiceRequest.note[{int.Parse(q.Groups[1].Value) + 1}]";
        if (DiagnosisField().Match(field) is { Success: true } d) return $"ServiceRequest.reasonCode[0].coding[{d.Groups[1].Value}]";
        return field switch
        {
            "programId" => "ServiceRequest.performer",
            "category" => "ServiceRequest.category",
            "concern" => "ServiceRequest.note[0]",
            "questions" => "ServiceRequest.note",
            "diagnosis.text" => "ServiceRequest.reasonCode[0].text",
            "urgency" => "ServiceRequest.priority",
            "stateOfResidence" => "Patient.address[0].state",
            "preferredLanguage" => "Patient.communication[0].language",
            "member" or "member.memberId" => "Patient.identifier",
            "member.dateOfBirth" => "Patient.birthDate",
            "member.firstName" => "Patient.name[0].given",
            "member.lastName" => "Patient.name[0].family",
            "member.sex" => "Patient.gender",
            "member.state" => "Patient.address[0].state",
            "member.email" or "member.phone" => "Patient.telecom",
            "treatingPhysician.npi" => "Practitioner.identifier",
            "treatingPhysician.name" => "Practitioner.name",
            "treatingPhysician.contact" => "Practitioner.telecom",
            _ when field.StartsWith("treatingPhysician", StringComparison.Ordinal) => "Practitioner",
            _ => field,
        };
    }

    [GeneratedRegex(@"^questions\[(\d+)\]$")]
    private static partial Regex QuestionField();

    [GeneratedRegex(@"^diagnosis\.codes\[(\d+)\]$")]
    private static partial Regex DiagnosisField();
}

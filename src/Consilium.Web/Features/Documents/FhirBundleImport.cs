using System.Globalization;
using System.Text.Json;
using Consilium.Dicom;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Consilium.Features.Documents;

/// <summary>A timeline entry read from a bundle, before it knows its case and document.</summary>
internal sealed record ClinicalEntryDraft(ClinicalEntryKind Kind, string ResourceType, string? ResourceId, DateTimeOffset? OccurredAt,
    DateTimeOffset? EndedAt, string? CodeSystem, string? Code, string Display, string? Status, string? Value, string? Category)
{
    public ClinicalEntry ToEntry(Guid caseId, Guid documentId, DateTimeOffset now) => new(Guid.CreateVersion7(now), caseId, documentId, Kind,
        ResourceType, ResourceId, OccurredAt, EndedAt, CodeSystem, Code, Display, Status, Value, Category);
}

/// <summary>
/// Turns a FHIR R4 Bundle (Synthea-style transaction or collection) into clinical timeline entries: conditions,
/// procedures, medications, laboratory observations, diagnostic reports, imaging studies and encounters. Parsed with
/// the SDK's System.Text.Json deserializer in its recoverable mode (Synthea's output is not always strictly valid);
/// the whole bundle is held in memory, which is why bundles have their own size limit.
/// </summary>
internal static class FhirBundleImport
{
    static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Recoverable);

    static readonly HashSet<Bundle.BundleType> Accepted =
        [Bundle.BundleType.Transaction, Bundle.BundleType.Batch, Bundle.BundleType.Collection, Bundle.BundleType.Searchset, Bundle.BundleType.Document];

    public static async System.Threading.Tasks.Task<DocumentAnalysis> ReadAsync(Stream stream, long maxBytes, MemberIdentity member, CancellationToken ct)
    {
        if (stream.Length > maxBytes)
            throw DocumentRejectedException.TooLarge("fhir-too-large",
                $"FHIR bundles are imported up to {maxBytes:N0} bytes (Documents:MaxFhirBundleBytes); this one has {stream.Length:N0}. Split it, or send the records as PDFs.");
        Resource? resource;
        try
        {
            await Fhir.FhirJsonGuard.RejectEmptyPropertyNamesAsync(stream, ct, Json.MaxDepth);
            resource = await JsonSerializer.DeserializeAsync<Resource>(stream, Json, ct);
        }
        catch (Fhir.EmptyPropertyNameException e)
        {
            throw DocumentRejectedException.Invalid("fhir-invalid", "Not a readable FHIR R4 resource", "The JSON is not a FHIR R4 resource this server can read: " + e.Message);
        }
        catch (JsonException e)
        {
            throw DocumentRejectedException.Invalid("json-invalid", "Not valid JSON",
                $"The file starts like JSON but is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}). A FHIR Bundle in JSON was expected.");
        }
        catch (DeserializationFailedException e)
        {
            throw DocumentRejectedException.Invalid("fhir-invalid", "Not a readable FHIR R4 resource",
                "The JSON is not a FHIR R4 resource this server can read: " + string.Join("; ", e.Exceptions.Take(3).Select(x => x.Message)));
        }
        catch (NotSupportedException)
        {
            throw DocumentRejectedException.Invalid("fhir-invalid", "Not a FHIR resource", "The JSON has no FHIR resourceType this server knows.");
        }
        if (resource is not Bundle bundle)
            throw DocumentRejectedException.Invalid("fhir-not-bundle", "Not a FHIR Bundle",
                $"The JSON is a FHIR {resource?.TypeName ?? "value"}, not a Bundle. Send the patient's records as a Bundle (transaction or collection).");
        if (bundle.Type is not { } type || !Accepted.Contains(type))
            throw DocumentRejectedException.Invalid("fhir-bundle-type", "Bundle type not imported",
                $"Bundles of type '{bundle.TypeElement?.JsonValue ?? "none"}' are not imported; send a transaction, batch, collection, searchset or document bundle.");

        var medications = new Dictionary<string, Medication>(StringComparer.Ordinal);
        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is not Medication medication) continue;
            if (entry.FullUrl is { } url) medications[url] = medication;
            if (medication.Id is { } id) medications[$"Medication/{id}"] = medication;
        }

        var drafts = new List<ClinicalEntryDraft>();
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        Patient? patient = null;
        foreach (var entry in bundle.Entry)
        {
            var draft = entry.Resource switch
            {
                Condition c => Condition(c),
                Procedure p => Procedure(p),
                MedicationRequest m => Medication(m, m.Medication, m.AuthoredOnElement?.ToDateTimeOffsetOrNull(), null, Literal(m.StatusElement), medications),
                MedicationStatement m => Medication(m, m.Medication, Start(m.Effective), End(m.Effective), Literal(m.StatusElement), medications),
                MedicationAdministration m => Medication(m, m.Medication, Start(m.Effective), End(m.Effective), Literal(m.StatusElement), medications),
                Observation o when IsLaboratory(o) => Lab(o),
                DiagnosticReport d => Report(d),
                ImagingStudy i => Imaging(i),
                Encounter e => Encounter(e),
                _ => null,
            };
            if (draft is not null)
            {
                drafts.Add(draft);
                continue;
            }
            if (entry.Resource is Patient found && patient is null) patient = found;
            var name = entry.Resource?.TypeName ?? "(no resource)";
            if (entry.Resource is Observation) name = "Observation (not laboratory)";
            skipped[name] = skipped.GetValueOrDefault(name) + 1;
        }

        var (subjectName, subjectBirthDate, check, reason) = CheckPatient(patient, member);
        return new DocumentAnalysis
        {
            PatientCheck = check,
            PatientCheckReason = reason,
            SubjectName = subjectName,
            SubjectBirthDate = subjectBirthDate,
            Entries = drafts,
            Summary = new DocumentSummary
            {
                BundleType = bundle.TypeElement?.JsonValue?.ToString(),
                Imported = drafts.GroupBy(d => d.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count()),
                Skipped = new Dictionary<string, int>(skipped),
            },
        };
    }

    /// <summary>The bundle's patient compared with the member, using the same rules as images (DicomPatientMatcher).</summary>
    static (string? Name, string? BirthDate, PatientCheck Check, string? Reason) CheckPatient(Patient? patient, MemberIdentity member)
    {
        if (patient is null) return (null, null, PatientCheck.NotApplicable, null);
        var name = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Official) ?? patient.Name.FirstOrDefault();
        var pn = name is null ? null : $"{name.Family}^{string.Join(' ', name.Given)}";
        var birth = patient.BirthDateElement?.TryToDateTimeOffset(out var date) == true && patient.BirthDate?.Length == 10
            ? date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : null;
        var (check, reason) = PatientChecks.Combine([DicomPatientMatcher.Match(pn is null ? null : DicomPersonName.Parse(pn), birth, member.FirstName, member.LastName, member.DateOfBirth)]);
        return (pn, birth, check, reason);
    }

    static bool IsLaboratory(Observation o) => o.Category.SelectMany(c => c.Coding).Any(c => c.Code == "laboratory");

    static ClinicalEntryDraft Condition(Condition c) => Draft(ClinicalEntryKind.Condition, c, c.Code, Start(c.Onset), End(c.Abatement) ?? Start(c.Abatement),
        c.ClinicalStatus?.Coding.FirstOrDefault()?.Code, null, Categories(c.Category));

    static ClinicalEntryDraft Procedure(Procedure p) => Draft(ClinicalEntryKind.Procedure, p, p.Code, Start(p.Performed), End(p.Performed),
        Literal(p.StatusElement), null, Text(p.Category));

    static ClinicalEntryDraft Medication(Resource r, DataType? medication, DateTimeOffset? start, DateTimeOffset? end, string? status, Dictionary<string, Medication> medications)
    {
        var code = medication switch
        {
            CodeableConcept concept => concept,
            ResourceReference { Reference: { } reference } when medications.TryGetValue(reference, out var m) => m.Code,
            _ => null,
        };
        var draft = Draft(ClinicalEntryKind.Medication, r, code, start, end, status, null, null);
        return medication is ResourceReference { Display: { } display } && code is null ? draft with { Display = display } : draft;
    }

    static ClinicalEntryDraft Lab(Observation o) => Draft(ClinicalEntryKind.Lab, o, o.Code, Start(o.Effective), End(o.Effective),
        Literal(o.StatusElement), Value(o.Value) ?? (o.Component.Count > 0 ? string.Join("; ", o.Component.Select(c => $"{Text(c.Code)}: {Value(c.Value)}")) : null), "laboratory");

    static ClinicalEntryDraft Report(DiagnosticReport d) => Draft(ClinicalEntryKind.DiagnosticReport, d, d.Code, Start(d.Effective), End(d.Effective),
        Literal(d.StatusElement), d.Conclusion, Text(d.Category));

    static ClinicalEntryDraft Imaging(ImagingStudy i)
    {
        var modalities = string.Join(", ", i.Series.Select(s => s.Modality?.Code).OfType<string>().Distinct());
        var uid = i.Identifier.Select(x => x.Value).FirstOrDefault(v => v?.StartsWith("urn:oid:", StringComparison.Ordinal) == true)?["urn:oid:".Length..];
        var counts = $"{i.NumberOfSeries ?? i.Series.Count} series, {i.NumberOfInstances ?? i.Series.Sum(s => s.Instance.Count)} instances" + (uid is null ? "" : $" · study UID {uid}");
        var code = i.ProcedureCode.FirstOrDefault();
        var draft = Draft(ClinicalEntryKind.ImagingStudy, i, code, i.StartedElement?.ToDateTimeOffsetOrNull(), null, Literal(i.StatusElement), counts, modalities);
        var display = i.Description ?? Text(code) ?? (modalities.Length > 0 ? $"{modalities} imaging study" : "Imaging study");
        var bodySite = i.Series.Select(s => s.BodySite?.Display).FirstOrDefault(d => d is not null);
        return draft with { Display = bodySite is null ? display : $"{display} ({bodySite})" };
    }

    static ClinicalEntryDraft Encounter(Encounter e) => Draft(ClinicalEntryKind.Encounter, e, e.Type.FirstOrDefault(), e.Period?.StartElement?.ToDateTimeOffsetOrNull(),
        e.Period?.EndElement?.ToDateTimeOffsetOrNull(), Literal(e.StatusElement), e.ReasonCode.Count > 0 ? "Reason: " + string.Join(", ", e.ReasonCode.Select(Text).OfType<string>()) : null,
        e.Class?.Code);

    static ClinicalEntryDraft Draft(ClinicalEntryKind kind, Resource r, CodeableConcept? code, DateTimeOffset? start, DateTimeOffset? end,
        string? status, string? value, string? category)
    {
        var coding = code?.Coding.FirstOrDefault();
        return new ClinicalEntryDraft(kind, r.TypeName, r.Id, start, end, coding?.System, coding?.Code,
            Text(code) ?? $"{r.TypeName} without a code", status, value, category);
    }

    static string? Text(CodeableConcept? code) => code is null ? null : code.Text ?? code.Coding.Select(c => c.Display ?? c.Code).FirstOrDefault(t => t is not null);

    static string? Text(IEnumerable<CodeableConcept> codes) => codes.Select(Text).FirstOrDefault(t => t is not null);

    static string? Categories(IEnumerable<CodeableConcept> codes) => codes.SelectMany(c => c.Coding).Select(c => c.Code).FirstOrDefault(c => c is not null);

    static string? Literal(Element? element) => (element as PrimitiveType)?.JsonValue?.ToString();

    static string? Value(DataType? value) => value switch
    {
        null => null,
        Quantity q => $"{q.Value?.ToString(CultureInfo.InvariantCulture)} {q.Unit ?? q.Code}".Trim(),
        CodeableConcept c => Text(c),
        FhirString s => s.Value,
        FhirBoolean b => b.Value?.ToString(),
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture),
        Hl7.Fhir.Model.Range r => $"{Value(r.Low)}–{Value(r.High)}",
        Ratio r => $"{Value(r.Numerator)} / {Value(r.Denominator)}",
        PrimitiveType p => p.JsonValue?.ToString(),
        _ => null,
    };

    static DateTimeOffset? Start(DataType? value) => value switch
    {
        FhirDateTime d => d.ToDateTimeOffsetOrNull(),
        Period p => p.StartElement?.ToDateTimeOffsetOrNull(),
        Instant i => i.Value,
        _ => null,
    };

    static DateTimeOffset? End(DataType? value) => value is Period p ? p.EndElement?.ToDateTimeOffsetOrNull() : null;

    static DateTimeOffset? ToDateTimeOffsetOrNull(this FhirDateTime value) =>
        value.TryToDateTimeOffset(TimeSpan.Zero, out var at) ? at.ToUniversalTime() : null;
}

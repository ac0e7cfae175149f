using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Documents;
using Consilium.Features.Imaging;
using Consilium.Features.Members;
using Consilium.Features.Opinions;
using Consilium.Features.Records;
using Hl7.Fhir.Model;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Consilium.Features.Fhir;

/// <summary>The code systems and identifier systems the FHIR API uses. Consilium's own concepts are URNs under urn:consilium.</summary>
internal static class FhirSystems
{
    public const string CaseNumber = "urn:consilium:case-number";
    public const string MemberId = "urn:consilium:member-id";
    public const string Program = "urn:consilium:program";
    public const string CaseStage = "urn:consilium:case-stage";
    public const string ConditionCategory = "urn:consilium:condition-category";
    public const string Service = "urn:consilium:service";
    public const string RecordCategory = "urn:consilium:record-category";
    public const string RecordKind = "urn:consilium:record-kind";
    public const string DiagnosisAgreement = "urn:consilium:diagnosis-agreement";
    public const string TreatmentAgreement = "urn:consilium:treatment-agreement";
    public const string SiteOfCare = "urn:consilium:site-of-care";
    public const string Recommendation = "urn:consilium:recommendation";
    public const string Confidence = "urn:consilium:confidence";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Npi = "http://hl7.org/fhir/sid/us-npi";
    public const string Loinc = "http://loinc.org";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";
    public const string Rfc3986 = "urn:ietf:rfc:3986";
}

/// <summary>
/// Consilium's records as FHIR R4 resources. Ids are the records' own: Patient = member, ServiceRequest and Task = case,
/// DiagnosticReport and Composition = signed opinion version, DocumentReference and Binary = document, Consent = consent,
/// ImagingStudy = a DICOM study of a case, AuditEvent = audit-{sequence}.
/// </summary>
internal static class FhirResources
{
    public static Patient Patient(Member m)
    {
        var patient = new Patient
        {
            Id = m.Id.ToString(),
            Meta = new Meta { VersionId = m.Version.ToString(CultureInfo.InvariantCulture) },
            Identifier = [new Identifier(FhirSystems.MemberId, m.ExternalId) { Assigner = ProgramReference(m.ProgramId) }],
            Name = [new HumanName { Family = m.LastName, Given = [m.FirstName] }],
            Gender = m.Sex switch
            {
                Sex.Female => AdministrativeGender.Female,
                Sex.Male => AdministrativeGender.Male,
                Sex.Other => AdministrativeGender.Other,
                _ => AdministrativeGender.Unknown,
            },
            BirthDate = m.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Address = [new Address { State = m.State, Country = "US" }],
            Communication = [new Patient.CommunicationComponent { Language = new CodeableConcept("urn:ietf:bcp:47", m.PreferredLanguage) }],
        };
        if (m.Email is { Length: > 0 } email) patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Email, null, email));
        if (m.Phone is { Length: > 0 } phone) patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, phone));
        return patient;
    }

    public static ResourceReference ProgramReference(Guid programId) =>
        new() { Identifier = new Identifier(FhirSystems.Program, programId.ToString()), Display = "Consilium program" };

    public static ServiceRequest ServiceRequest(Case c, Identifier? partnerIdentifier)
    {
        var request = new ServiceRequest
        {
            Id = c.Id.ToString(),
            Meta = Meta(c.Version, c.UpdatedAt),
            Identifier = [new Identifier(FhirSystems.CaseNumber, c.Number)],
            Status = c.Status switch
            {
                CaseStatus.OnHold => RequestStatus.OnHold,
                CaseStatus.OpinionDelivered or CaseStatus.Closed => RequestStatus.Completed,
                CaseStatus.Withdrawn or CaseStatus.Ineligible => RequestStatus.Revoked,
                _ => RequestStatus.Active,
            },
            Intent = RequestIntent.Order,
            Category = [new CodeableConcept(FhirSystems.ConditionCategory, c.Category.ToString(), c.Category.ToString())],
            Code = new CodeableConcept(FhirSystems.Service, "second-opinion", "Expert medical second opinion"),
            Subject = new ResourceReference($"Patient/{c.MemberId}"),
            AuthoredOn = FhirDateTime(c.CreatedAt),
            Performer = [ProgramReference(c.ProgramId)],
            Priority = c.Urgency == Urgency.Urgent ? RequestPriority.Urgent : RequestPriority.Routine,
        };
        if (partnerIdentifier is not null) request.Identifier.Insert(0, partnerIdentifier);
        if (c.PhysicianName is { } physician)
            request.Requester = new ResourceReference
            {
                Display = physician,
                Identifier = c.PhysicianNpi is { } npi ? new Identifier(FhirSystems.Npi, npi) : null,
            };
        if (c.DiagnosisCodes.Count > 0 || c.DiagnosisText is not null)
        {
            var reason = new CodeableConcept { Text = c.DiagnosisText };
            foreach (var code in c.DiagnosisCodes) reason.Coding.Add(new Coding(FhirSystems.Icd10Cm, code));
            request.ReasonCode.Add(reason);
        }
        request.Note.Add(new Annotation { Text = c.Concern });
        foreach (var question in c.Questions) request.Note.Add(new Annotation { Text = question });
        return request;
    }

    public static FhirTask Task(Case c, Guid? opinionId)
    {
        var task = new FhirTask
        {
            Id = c.Id.ToString(),
            Meta = Meta(c.Version, c.UpdatedAt),
            Identifier = [new Identifier(FhirSystems.CaseNumber, c.Number)],
            BasedOn = [new ResourceReference($"ServiceRequest/{c.Id}")],
            Status = TaskStatusOf(c.Status),
            BusinessStatus = new CodeableConcept(FhirSystems.CaseStage, c.Status.ToString(), c.Status.ToString()),
            Intent = FhirTask.TaskIntent.Order,
            Priority = c.Urgency == Urgency.Urgent ? RequestPriority.Urgent : RequestPriority.Routine,
            Code = new CodeableConcept("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", "Fulfill the focal request"),
            Focus = new ResourceReference($"ServiceRequest/{c.Id}"),
            For = new ResourceReference($"Patient/{c.MemberId}"),
            AuthoredOn = FhirDateTime(c.CreatedAt),
            LastModified = FhirDateTime(c.UpdatedAt),
            Owner = ProgramReference(c.ProgramId),
        };
        if (opinionId is { } id)
            task.Output.Add(new FhirTask.OutputComponent
            {
                Type = new CodeableConcept(FhirSystems.Loinc, "11488-4", "Consult note"),
                Value = new ResourceReference($"DiagnosticReport/{id}"),
            });
        return task;
    }

    public static FhirTask.TaskStatus TaskStatusOf(CaseStatus status) => status switch
    {
        CaseStatus.Referred => FhirTask.TaskStatus.Requested,
        CaseStatus.Intake or CaseStatus.AwaitingConsent or CaseStatus.CollectingRecords or CaseStatus.ReadyForReview => FhirTask.TaskStatus.Accepted,
        CaseStatus.Assigned or CaseStatus.InReview => FhirTask.TaskStatus.InProgress,
        CaseStatus.OpinionDelivered or CaseStatus.Closed => FhirTask.TaskStatus.Completed,
        CaseStatus.OnHold => FhirTask.TaskStatus.OnHold,
        CaseStatus.Withdrawn => FhirTask.TaskStatus.Cancelled,
        _ => FhirTask.TaskStatus.Rejected,
    };

    public static Hl7.Fhir.Model.Consent Consent(Consents.Consent c, DateTimeOffset now)
    {
        var status = c.StatusOn(now);
        var consent = new Hl7.Fhir.Model.Consent
        {
            Id = c.Id.ToString(),
            Meta = Meta(c.Version, c.RevokedAt ?? c.SignedAt),
            Status = status == ConsentStatus.Active ? Hl7.Fhir.Model.Consent.ConsentState.Active : Hl7.Fhir.Model.Consent.ConsentState.Inactive,
            Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent"),
            Category = [new CodeableConcept(FhirSystems.Loinc, "64292-6", "Release of information consent")],
            Patient = new ResourceReference($"Patient/{c.MemberId}"),
            DateTime = FhirDateTime(c.SignedAt),
            PolicyRule = new CodeableConcept { Text = "HIPAA authorization (45 CFR 164.508)" },
            Provision = new Hl7.Fhir.Model.Consent.provisionComponent
            {
                Type = Hl7.Fhir.Model.Consent.ConsentProvisionType.Permit,
                Period = new Period { End = c.ExpiresOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
                Purpose = [new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment")],
                Class = c.Scope.Select(s => new Coding(FhirSystems.RecordCategory, s.ToString(), RecordKinds.Label(s))).ToList(),
                Data = [new Hl7.Fhir.Model.Consent.provisionDataComponent
                {
                    Meaning = Hl7.Fhir.Model.Consent.ConsentDataMeaning.Related,
                    Reference = new ResourceReference($"ServiceRequest/{c.CaseId}"),
                }],
            },
        };
        foreach (var source in c.Sources) consent.Organization.Add(new ResourceReference { Display = source });
        return consent;
    }

    public static DocumentReference DocumentReference(CaseDocument d, Guid memberId)
    {
        var attachment = new Attachment
        {
            ContentType = d.MediaType,
            Url = $"Binary/{d.Id}",
            Title = d.FileName,
            Creation = FhirDateTime(d.UploadedAt),
        };
        // Attachment.size is left out: the SDK 6.8 models it as R5's integer64 and writes it as a JSON string, which R4
        // (unsignedInt, a number) parsers, its own strict one included, refuse.
        var reference = new DocumentReference
        {
            Id = d.Id.ToString(),
            Meta = Meta(d.Version, d.PatientConfirmedAt ?? d.UploadedAt),
            Identifier = [new Identifier("urn:consilium:sha256", d.Sha256)],
            Status = DocumentReferenceStatus.Current,
            Type = d.Kind is { } kind ? new CodeableConcept(FhirSystems.RecordKind, kind.ToString(), RecordKinds.Label(kind)) : new CodeableConcept { Text = DocumentTypes.Label(d.Type) },
            Subject = new ResourceReference($"Patient/{memberId}"),
            Date = d.UploadedAt,
            Description = d.FileName,
            Content = [new DocumentReference.ContentComponent { Attachment = attachment }],
            Context = new DocumentReference.ContextComponent { Related = [new ResourceReference($"ServiceRequest/{d.CaseId}")] },
        };
        return reference;
    }

    /// <summary>A case's DICOM study: instances from every document of the case that carries that Study Instance UID.</summary>
    public static ImagingStudy ImagingStudy(Guid caseId, Guid memberId, string studyUid, IReadOnlyList<DicomInstanceRecord> instances, DateTimeOffset lastUpdated)
    {
        var first = instances[0];
        var study = new ImagingStudy
        {
            Id = StudyId(caseId, studyUid),
            Meta = new Meta { LastUpdated = lastUpdated },
            Identifier = [new Identifier(FhirSystems.Rfc3986, "urn:oid:" + studyUid)],
            Status = Hl7.Fhir.Model.ImagingStudy.ImagingStudyStatus.Available,
            Subject = new ResourceReference($"Patient/{memberId}"),
            BasedOn = [new ResourceReference($"ServiceRequest/{caseId}")],
            Description = first.StudyDescription,
            NumberOfInstances = instances.Select(i => i.SopInstanceUid).Distinct().Count(),
        };
        if (instances.Select(i => i.AccessionNumber).FirstOrDefault(a => !string.IsNullOrEmpty(a)) is { } accession)
            study.Identifier.Add(new Identifier { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN"), Value = accession });
        if (DicomDate(first.StudyDate) is { } started) study.Started = started;
        foreach (var series in instances.GroupBy(i => i.SeriesInstanceUid).OrderBy(g => g.First().SeriesNumber))
        {
            var s = series.First();
            var component = new ImagingStudy.SeriesComponent
            {
                Uid = series.Key,
                Number = s.SeriesNumber is >= 0 and var n ? n : null,
                Modality = new Coding(FhirSystems.Dicom, string.IsNullOrEmpty(s.Modality) ? "OT" : s.Modality),
                Description = s.SeriesDescription,
                NumberOfInstances = series.Select(i => i.SopInstanceUid).Distinct().Count(),
            };
            if (!string.IsNullOrEmpty(s.BodyPartExamined)) component.BodySite = new Coding { Display = s.BodyPartExamined };
            foreach (var instance in series.DistinctBy(i => i.SopInstanceUid).OrderBy(i => i.InstanceNumber))
                component.Instance.Add(new ImagingStudy.InstanceComponent
                {
                    Uid = instance.SopInstanceUid,
                    SopClass = new Coding(FhirSystems.Rfc3986, "urn:oid:" + (instance.SopClassUid ?? "1.2.840.10008.5.1.4.1.1.7")),
                    Number = instance.InstanceNumber is >= 0 and var k ? k : null,
                });
            study.Series.Add(component);
        }
        study.NumberOfSeries = study.Series.Count;
        foreach (var modality in study.Series.Select(s => s.Modality.Code).Distinct()) study.Modality.Add(new Coding(FhirSystems.Dicom, modality));
        return study;
    }

    /// <summary>
    /// A study the archive's change feed attached to a case: what the feed read of the study (its identifiers, date,
    /// description and series count); its series and instances stay in the archive, behind the reviewer's viewer.
    /// </summary>
    public static ImagingStudy ArchivedImagingStudy(Guid caseId, Guid memberId, ArchiveStudy archived)
    {
        var study = new ImagingStudy
        {
            Id = StudyId(caseId, archived.StudyInstanceUid),
            Meta = new Meta { LastUpdated = archived.ResolvedAt ?? archived.ReceivedAt },
            Identifier = [new Identifier(FhirSystems.Rfc3986, "urn:oid:" + archived.StudyInstanceUid)],
            Status = Hl7.Fhir.Model.ImagingStudy.ImagingStudyStatus.Available,
            Subject = new ResourceReference($"Patient/{memberId}"),
            BasedOn = [new ResourceReference($"ServiceRequest/{caseId}")],
            Description = archived.StudyDescription,
            NumberOfSeries = archived.SeriesCount,
        };
        if (!string.IsNullOrEmpty(archived.AccessionNumber))
            study.Identifier.Add(new Identifier { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN"), Value = archived.AccessionNumber });
        if (DicomDate(archived.StudyDate) is { } started) study.Started = started;
        return study;
    }

    /// <summary>At most 64 characters of [A-Za-z0-9-]: the case id, then a digest of the Study Instance UID (which alone can repeat across cases).</summary>
    public static string StudyId(Guid caseId, string studyUid) =>
        $"{caseId:N}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(studyUid)))[..31]}";

    public static DiagnosticReport DiagnosticReport(Case c, Opinion o)
    {
        var content = o.Content;
        var report = new DiagnosticReport
        {
            Id = o.Id.ToString(),
            Meta = Meta(o.Version, o.SignedAt ?? o.UpdatedAt),
            Identifier = [new Identifier("urn:consilium:opinion", $"{c.Number}-v{o.Number}")],
            BasedOn = [new ResourceReference($"ServiceRequest/{c.Id}")],
            Status = o.AmendsOpinionId is null ? Hl7.Fhir.Model.DiagnosticReport.DiagnosticReportStatus.Final : Hl7.Fhir.Model.DiagnosticReport.DiagnosticReportStatus.Amended,
            Category = [new CodeableConcept { Text = "Expert second opinion" }],
            Code = new CodeableConcept(FhirSystems.Loinc, "11488-4", "Consult note"),
            Subject = new ResourceReference($"Patient/{c.MemberId}"),
            Effective = new Hl7.Fhir.Model.FhirDateTime(o.SignedAt!.Value.ToUniversalTime()),
            Issued = o.SignedAt,
            Performer = [Reviewer(o)],
            ResultsInterpreter = [Reviewer(o)],
            Conclusion = content.SummaryForMember ?? content.ClinicalDiscussion,
        };
        if (o.DiagnosisAgreement is { } agreement)
            report.ConclusionCode.Add(new CodeableConcept(FhirSystems.DiagnosisAgreement, agreement.ToString(), agreement.ToString()));
        if (o.Confidence is { } confidence)
            report.ConclusionCode.Add(new CodeableConcept(FhirSystems.Confidence, confidence.ToString(), confidence.ToString()));
        if (content.Diagnosis.ReviewerCodes.Count > 0)
        {
            var diagnosis = new CodeableConcept { Text = content.Diagnosis.ReviewerText };
            foreach (var code in content.Diagnosis.ReviewerCodes) diagnosis.Coding.Add(new Coding(FhirSystems.Icd10Cm, code));
            report.ConclusionCode.Add(diagnosis);
        }
        if (o.TreatmentAgreement is { } treatment)
            report.ConclusionCode.Add(new CodeableConcept(FhirSystems.TreatmentAgreement, treatment.ToString(), treatment.ToString()));
        report.ConclusionCode.Add(new CodeableConcept(FhirSystems.Recommendation, o.SurgeryRecommended ? "surgery-recommended" : "surgery-not-recommended",
            o.SurgeryRecommended ? "Surgery recommended" : "Surgery not recommended"));
        report.ConclusionCode.Add(new CodeableConcept(FhirSystems.Recommendation, o.HospitalizationRecommended ? "hospitalization-recommended" : "hospitalization-not-recommended",
            o.HospitalizationRecommended ? "Hospitalization recommended" : "Hospitalization not recommended"));
        if (o.SiteOfCare is { } site)
            report.ConclusionCode.Add(new CodeableConcept(FhirSystems.SiteOfCare, site.ToString(), site.ToString()));
        return report;
    }

    /// <summary>The signed opinion as a document: one narrative section per part of the structured opinion.</summary>
    public static Composition Composition(Case c, Opinion o)
    {
        var content = o.Content;
        var composition = new Composition
        {
            Id = o.Id.ToString(),
            Meta = Meta(o.Version, o.SignedAt ?? o.UpdatedAt),
            Identifier = new Identifier("urn:consilium:opinion", $"{c.Number}-v{o.Number}"),
            Status = o.AmendsOpinionId is null ? CompositionStatus.Final : CompositionStatus.Amended,
            Type = new CodeableConcept(FhirSystems.Loinc, "11488-4", "Consult note"),
            Subject = new ResourceReference($"Patient/{c.MemberId}"),
            Date = FhirDateTime(o.SignedAt!.Value),
            Author = [Reviewer(o)],
            Title = o.EducationalConsult ? "Physician-to-physician educational consult" : "Expert second opinion",
            Attester = [new Hl7.Fhir.Model.Composition.AttesterComponent { Mode = Hl7.Fhir.Model.Composition.CompositionAttestationMode.Legal, Time = FhirDateTime(o.SignedAt!.Value), Party = Reviewer(o) }],
        };
        var d = content.Diagnosis;
        composition.Section.Add(Section("Diagnosis", new CodeableConcept(FhirSystems.DiagnosisAgreement, d.Agreement?.ToString() ?? "unknown"),
            $"Agreement: {d.Agreement}; confidence: {d.Confidence}.", d.ReviewerText, d.AdditionalInformationNeeded));
        var t = content.Treatment;
        composition.Section.Add(Section("Treatment", new CodeableConcept(FhirSystems.TreatmentAgreement, t.Agreement?.ToString() ?? "unknown"),
            $"Agreement with the proposed plan: {t.Agreement}. Surgery recommended: {(t.Recommended.Surgery ? "yes" : "no")}. Hospitalization recommended: {(t.Recommended.Hospitalization ? "yes" : "no")}.",
            t.Recommended.Description, t.Recommended.AlternativeDetail));
        composition.Section.Add(Section("Site of care", null, content.SiteOfCare.Recommendation?.ToString(), content.SiteOfCare.Reason));
        if (content.NextSteps.Count > 0) composition.Section.Add(Section("Next steps", null, [.. content.NextSteps]));
        if (content.Answers.Count > 0) composition.Section.Add(Section("Answers to the member's questions", null, [.. content.Answers.Select(a => $"{a.Question} — {a.Answer}")]));
        if (content.ClinicalDiscussion is { } discussion) composition.Section.Add(Section("Clinical discussion", null, discussion));
        composition.Section.Add(new Hl7.Fhir.Model.Composition.SectionComponent
        {
            Title = "Coded report",
            Text = Narrative(["The coded outcome of this opinion."]),
            Entry = [new ResourceReference($"DiagnosticReport/{o.Id}")],
        });
        return composition;
    }

    static Hl7.Fhir.Model.Composition.SectionComponent Section(string title, CodeableConcept? code, params string?[] paragraphs) =>
        new() { Title = title, Code = code, Text = Narrative(paragraphs) };

    static Narrative Narrative(IEnumerable<string?> paragraphs)
    {
        var html = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        foreach (var p in paragraphs.Where(p => !string.IsNullOrWhiteSpace(p))) html.Append("<p>").Append(SecurityElement.Escape(p)).Append("</p>");
        html.Append("</div>");
        return new Narrative { Status = Hl7.Fhir.Model.Narrative.NarrativeStatus.Generated, Div = html.ToString() };
    }

    static ResourceReference Reviewer(Opinion o) => new()
    {
        Display = o.ReviewerName,
        Identifier = o.ReviewerNpi is { } npi ? new Identifier(FhirSystems.Npi, npi) : null,
    };

    public static Meta Meta(int version, DateTimeOffset lastUpdated) =>
        new() { VersionId = version.ToString(CultureInfo.InvariantCulture), LastUpdated = lastUpdated };

    public static string FhirDateTime(DateTimeOffset at) => new Hl7.Fhir.Model.FhirDateTime(at.ToUniversalTime()).Value!;

    static string? DicomDate(string? yyyymmdd) =>
        yyyymmdd is { Length: 8 } && DateOnly.TryParseExact(yyyymmdd, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
}

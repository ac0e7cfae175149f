using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Documents;
using Consilium.Features.Identity;
using Consilium.Features.Imaging;
using Consilium.Features.Intake;
using Consilium.Features.Members;
using Consilium.Features.Opinions;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using Microsoft.EntityFrameworkCore;
using FhirTask = Hl7.Fhir.Model.Task;
using Task = System.Threading.Tasks.Task;

namespace Consilium.Features.Fhir;

/// <summary>One page of a search: the resources and how many match in all.</summary>
internal sealed record FhirPage(IReadOnlyList<Resource> Resources, int Total);

/// <summary>
/// Reads and searches behind /fhir. The same resource checks as the rest of the API, through the same rules
/// (<see cref="CaseAccess"/>, <see cref="ConsentGate"/>, signed opinions only); every resource returned is an audited
/// access in the same unit of work, and a refused read is audited as refused.
/// </summary>
internal sealed class FhirHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, ConsentGate consents, IDocumentStore store)
{
    const string Reason = "FHIR API";

    IQueryable<Case> VisibleCases() => db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow());

    // ---- Patient

    public async Task<Patient> ReadPatientAsync(string id, CancellationToken ct)
    {
        var key = ParseId(id, "Patient");
        var member = await CaseAccess.MembersVisibleTo(db, user).AsNoTracking().SingleOrDefaultAsync(m => m.Id == key, ct);
        if (member is null)
        {
            if (await db.Members.AnyAsync(m => m.Id == key, ct))
                await audit.RecordFailureAsync(AuditAction.Read, "Member", key, key, AuditOutcome.Denied, "outside the user's members (FHIR)", ct);
            throw new NotFoundException("Patient", id);
        }
        audit.Record(AuditAction.Read, "Member", key, key, reason: Reason);
        await db.SaveChangesAsync(ct);
        return FhirResources.Patient(member);
    }

    public async Task<FhirPage> SearchPatientsAsync(FhirQuery q, CancellationToken ct)
    {
        var members = CaseAccess.MembersVisibleTo(db, user).AsNoTracking();
        if (q.Single("_id") is { } id) members = members.Where(m => m.Id == ParseIdOrEmpty(id));
        if (q.Token("identifier") is { } token)
        {
            if (token.System is { Length: > 0 } system && system != FhirSystems.MemberId) members = members.Where(_ => false);
            else members = members.Where(m => m.ExternalId == token.Value);
        }
        var total = await members.CountAsync(ct);
        var page = await members.OrderBy(m => m.Id).Skip(q.Offset).Take(q.Count).ToListAsync(ct);
        foreach (var m in page) audit.Record(AuditAction.Query, "Member", m.Id, m.Id, reason: Reason);
        await db.SaveChangesAsync(ct);
        return new FhirPage(page.Select(FhirResources.Patient).ToList(), total);
    }

    // ---- ServiceRequest and Task (both are the case)

    public async Task<ServiceRequest> ReadServiceRequestAsync(string id, CancellationToken ct)
    {
        var @case = await ReadableCaseAsync(id, "ServiceRequest", ct);
        var resource = FhirResources.ServiceRequest(@case, await PartnerIdentifierAsync(@case.Id, ct));
        await db.SaveChangesAsync(ct);
        return resource;
    }

    public async Task<FhirTask> ReadTaskAsync(string id, CancellationToken ct)
    {
        var @case = await ReadableCaseAsync(id, "Task", ct);
        var resource = FhirResources.Task(@case, await LatestSignedOpinionIdAsync(@case.Id, ct));
        await db.SaveChangesAsync(ct);
        return resource;
    }

    public async Task<FhirPage> SearchServiceRequestsAsync(FhirQuery q, CancellationToken ct)
    {
        var cases = FilterCases(q, q.Single("status") is { } status ? ServiceRequestStages(status) : null);
        var (total, page) = await PageCasesAsync(cases, q, "ServiceRequest", ct);
        var resources = new List<Resource>();
        foreach (var c in page) resources.Add(FhirResources.ServiceRequest(c, await PartnerIdentifierAsync(c.Id, ct)));
        await db.SaveChangesAsync(ct);
        return new FhirPage(resources, total);
    }

    public async Task<FhirPage> SearchTasksAsync(FhirQuery q, CancellationToken ct)
    {
        var cases = FilterCases(q, q.Single("status") is { } status ? TaskStages(status) : null);
        if (q.Token("business-status") is { } stage)
        {
            if (stage.System is { Length: > 0 } s && s != FhirSystems.CaseStage || !Enum.TryParse<CaseStatus>(stage.Value, out var parsed))
                cases = cases.Where(_ => false);
            else cases = cases.Where(c => c.Status == parsed);
        }
        var (total, page) = await PageCasesAsync(cases, q, "Task", ct);
        var resources = new List<Resource>();
        foreach (var c in page) resources.Add(FhirResources.Task(c, await LatestSignedOpinionIdAsync(c.Id, ct)));
        await db.SaveChangesAsync(ct);
        return new FhirPage(resources, total);
    }

    IQueryable<Case> FilterCases(FhirQuery q, CaseStatus[]? stages)
    {
        var cases = VisibleCases();
        if (q.Single("_id") is { } id) cases = cases.Where(c => c.Id == ParseIdOrEmpty(id));
        if (q.Token("identifier") is { } token)
        {
            var (system, value) = token;
            if (system == FhirSystems.CaseNumber) cases = cases.Where(c => c.Number == value);
            else if (system is { Length: > 0 })
            {
                var key = ReferralIdentifiers.Key(system, value);
                cases = cases.Where(c => db.Set<ReferralKey>().Any(k => k.CaseId == c.Id && k.Key == key));
            }
            else
            {
                var suffix = "|" + value;
                cases = cases.Where(c => c.Number == value
                    || db.Set<ReferralKey>().Any(k => k.CaseId == c.Id && k.Key.StartsWith(ReferralIdentifiers.Prefix) && k.Key.EndsWith(suffix)));
            }
        }
        var patient = q.Reference("patient", "Patient");
        if (!patient.Given) patient = q.Reference("subject", "Patient");
        if (patient.Given) cases = cases.Where(c => c.MemberId == patient.Id);
        if (stages is not null) cases = cases.Where(c => stages.Contains(c.Status));
        var (from, to) = q.DateRange("_lastUpdated");
        if (from is { } f) cases = cases.Where(c => c.UpdatedAt >= f);
        if (to is { } t) cases = cases.Where(c => c.UpdatedAt < t);
        return cases;
    }

    async Task<(int Total, List<Case> Page)> PageCasesAsync(IQueryable<Case> cases, FhirQuery q, string type, CancellationToken ct)
    {
        var total = await cases.CountAsync(ct);
        var page = await cases.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Skip(q.Offset).Take(q.Count).ToListAsync(ct);
        foreach (var c in page) audit.Record(AuditAction.Query, "Case", c.Id, c.MemberId, reason: $"{Reason} ({type} search)");
        return (total, page);
    }

    static CaseStatus[] ServiceRequestStages(string status) => status switch
    {
        "active" => [.. CaseLifecycle.OpenStages.Where(s => s is not CaseStatus.OpinionDelivered)],
        "on-hold" => [CaseStatus.OnHold],
        "completed" => [CaseStatus.OpinionDelivered, CaseStatus.Closed],
        "revoked" => [CaseStatus.Withdrawn, CaseStatus.Ineligible],
        "draft" or "entered-in-error" or "unknown" => [],
        _ => throw FhirInputException.Invalid("status", "code-invalid", "status is a request-status code: active, on-hold, completed, revoked, draft, entered-in-error or unknown."),
    };

    static CaseStatus[] TaskStages(string status)
    {
        var all = Enum.GetValues<CaseStatus>();
        var matching = all.Where(s => FhirResources.TaskStatusOf(s).GetLiteral() == status).ToArray();
        if (matching.Length > 0) return matching;
        if (Enum.GetValues<FhirTask.TaskStatus>().Any(s => s.GetLiteral() == status)) return [];
        throw FhirInputException.Invalid("status", "code-invalid", "status is a task-status code (requested, accepted, in-progress, completed, on-hold, cancelled, rejected, …).");
    }

    async Task<Case> ReadableCaseAsync(string id, string type, CancellationToken ct)
    {
        var key = ParseId(id, type);
        var @case = await VisibleCases().SingleOrDefaultAsync(c => c.Id == key, ct);
        if (@case is null)
        {
            var memberId = await db.Cases.Where(c => c.Id == key).Select(c => (Guid?)c.MemberId).SingleOrDefaultAsync(ct);
            if (memberId is not null) await audit.RecordFailureAsync(AuditAction.Read, "Case", key, memberId, AuditOutcome.Denied, $"outside the user's cases ({Reason})", ct);
            throw new NotFoundException(type, id);
        }
        var breakGlass = await CaseAccess.BreakGlassReasonAsync(db, user, @case, clock.GetUtcNow(), ct);
        audit.Record(AuditAction.Read, "Case", @case.Id, @case.MemberId, reason: breakGlass is null ? $"{Reason} ({type})" : AuditHandlers.BreakGlassPrefix + breakGlass);
        return @case;
    }

    async Task<Identifier?> PartnerIdentifierAsync(Guid caseId, CancellationToken ct)
    {
        var key = await db.Set<ReferralKey>().AsNoTracking().Where(k => k.CaseId == caseId && k.Key.StartsWith(ReferralIdentifiers.Prefix))
            .Select(k => k.Key).FirstOrDefaultAsync(ct);
        return key is null ? null : ReferralIdentifiers.Parse(key);
    }

    Task<Guid?> LatestSignedOpinionIdAsync(Guid caseId, CancellationToken ct) =>
        db.Set<Opinion>().AsNoTracking().Where(o => o.CaseId == caseId && o.Status == OpinionStatus.Signed)
            .OrderByDescending(o => o.Number).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);

    // ---- Consent

    public async Task<Hl7.Fhir.Model.Consent> ReadConsentAsync(string id, CancellationToken ct)
    {
        var key = ParseId(id, "Consent");
        var consent = await db.Set<Consents.Consent>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == key, ct);
        if (consent is null || !await VisibleCases().AnyAsync(c => c.Id == consent.CaseId, ct))
        {
            if (consent is not null) await audit.RecordFailureAsync(AuditAction.Read, "Consent", key, consent.MemberId, AuditOutcome.Denied, $"outside the user's cases ({Reason})", ct);
            throw new NotFoundException("Consent", id);
        }
        audit.Record(AuditAction.Read, "Consent", key, consent.MemberId, reason: Reason);
        await db.SaveChangesAsync(ct);
        return FhirResources.Consent(consent, clock.GetUtcNow());
    }

    public async Task<FhirPage> SearchConsentsAsync(FhirQuery q, CancellationToken ct)
    {
        var visible = VisibleCases().Select(c => c.Id);
        var consentsQuery = db.Set<Consents.Consent>().AsNoTracking().Where(c => visible.Contains(c.CaseId));
        if (q.Single("_id") is { } id) consentsQuery = consentsQuery.Where(c => c.Id == ParseIdOrEmpty(id));
        if (q.Reference("patient", "Patient") is { Given: true, Id: var patient }) consentsQuery = consentsQuery.Where(c => c.MemberId == patient);
        var total = await consentsQuery.CountAsync(ct);
        var page = await consentsQuery.OrderBy(c => c.SignedAt).ThenBy(c => c.Id).Skip(q.Offset).Take(q.Count).ToListAsync(ct);
        foreach (var c in page) audit.Record(AuditAction.Query, "Consent", c.Id, c.MemberId, reason: Reason);
        await db.SaveChangesAsync(ct);
        var now = clock.GetUtcNow();
        return new FhirPage(page.Select(c => (Resource)FhirResources.Consent(c, now)).ToList(), total);
    }

    // ---- DocumentReference, Binary, ImagingStudy: the records, under the member's authorization

    /// <summary>Cases whose records this user may see now: visible, and the active authorization names the user's kind of recipient.</summary>
    async Task<List<Guid>> RecordCasesAsync(Guid? memberId, CancellationToken ct)
    {
        var cases = VisibleCases().Where(c => db.Set<CaseDocument>().Any(d => d.CaseId == c.Id)
            || db.Set<ArchiveStudy>().Any(s => s.CaseId == c.Id && s.Status == ArchiveStudyStatus.Attached));
        if (memberId is { } m) cases = cases.Where(c => c.MemberId == m);
        var allowed = new List<Guid>();
        foreach (var caseId in await cases.Select(c => c.Id).ToListAsync(ct))
            if (await consents.MayViewRecordsAsync(caseId, user.Role, ct)) allowed.Add(caseId);
        return allowed;
    }

    IQueryable<CaseDocument> VisibleDocuments(List<Guid> caseIds)
    {
        var documents = db.Set<CaseDocument>().AsNoTracking().Where(d => caseIds.Contains(d.CaseId));
        if (user.Role != Roles.Patient) return documents;
        // A member does not see a document that appears to be someone else's, unless they sent it themselves.
        var userId = user.UserId;
        return documents.Where(d => d.PatientCheck != PatientCheck.Mismatch || d.PatientConfirmedAt != null || d.UploadedByUserId == userId);
    }

    async Task<(CaseDocument Document, Guid MemberId)> ReadableDocumentAsync(string id, string type, AuditAction action, CancellationToken ct)
    {
        var key = ParseId(id, type);
        var document = await db.Set<CaseDocument>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == key, ct) ?? throw new NotFoundException(type, id);
        var memberId = await db.Cases.Where(c => c.Id == document.CaseId).Select(c => c.MemberId).SingleAsync(ct);
        var allowed = await RecordCasesAsync(null, ct);
        if (!allowed.Contains(document.CaseId) || !await VisibleDocuments(allowed).AnyAsync(d => d.Id == key, ct))
        {
            await audit.RecordFailureAsync(action, "Document", key, memberId, AuditOutcome.Denied,
                $"outside the user's cases, or no active authorization naming the viewer ({Reason})", ct);
            throw new NotFoundException(type, id);
        }
        return (document, memberId);
    }

    public async Task<DocumentReference> ReadDocumentReferenceAsync(string id, CancellationToken ct)
    {
        var (document, memberId) = await ReadableDocumentAsync(id, "DocumentReference", AuditAction.Read, ct);
        audit.Record(AuditAction.Read, "Document", document.Id, memberId, reason: $"{Reason} (description)");
        await db.SaveChangesAsync(ct);
        return FhirResources.DocumentReference(document, memberId);
    }

    public async Task<FhirPage> SearchDocumentReferencesAsync(FhirQuery q, CancellationToken ct)
    {
        var patient = q.Reference("patient", "Patient");
        if (!patient.Given) patient = q.Reference("subject", "Patient");
        var documents = VisibleDocuments(await RecordCasesAsync(patient.Given ? patient.Id : null, ct));
        if (q.Single("_id") is { } id) documents = documents.Where(d => d.Id == ParseIdOrEmpty(id));
        var total = await documents.CountAsync(ct);
        var page = await documents.OrderBy(d => d.UploadedAt).ThenBy(d => d.Id).Skip(q.Offset).Take(q.Count).ToListAsync(ct);
        var members = await MembersOfAsync(page.Select(d => d.CaseId), ct);
        foreach (var d in page) audit.Record(AuditAction.Query, "Document", d.Id, members[d.CaseId], reason: Reason);
        await db.SaveChangesAsync(ct);
        return new FhirPage(page.Select(d => (Resource)FhirResources.DocumentReference(d, members[d.CaseId])).ToList(), total);
    }

    /// <summary>The document's bytes. A read through the API leaves the system, so it is audited as an export, like a download.</summary>
    public async Task<(Stream Content, CaseDocument Document)> OpenBinaryAsync(string id, CancellationToken ct)
    {
        var (document, memberId) = await ReadableDocumentAsync(id, "Binary", AuditAction.Export, ct);
        audit.Record(AuditAction.Export, "Document", document.Id, memberId, reason: $"{Reason} (Binary)");
        await db.SaveChangesAsync(ct);
        return (await store.OpenReadAsync(document.BlobId, ct), document);
    }

    public async Task<ImagingStudy> ReadImagingStudyAsync(string id, CancellationToken ct)
    {
        if (id.Length != 64 || id[32] != '-' || !Guid.TryParseExact(id[..32], "N", out var caseId)) throw new NotFoundException("ImagingStudy", id);
        var studies = await StudiesAsync([caseId], ct);
        var memberId = await db.Cases.Where(c => c.Id == caseId).Select(c => (Guid?)c.MemberId).SingleOrDefaultAsync(ct);
        var allowed = memberId is null ? [] : await RecordCasesAsync(memberId, ct);
        var study = studies.FirstOrDefault(s => s.Id == id);
        if (study is null || !allowed.Contains(caseId))
        {
            if (study is not null) await audit.RecordFailureAsync(AuditAction.Read, "ImagingStudy", id, memberId, AuditOutcome.Denied, $"outside the user's cases, or no active authorization naming the viewer ({Reason})", ct);
            throw new NotFoundException("ImagingStudy", id);
        }
        audit.Record(AuditAction.Read, "ImagingStudy", id, memberId, reason: Reason);
        await db.SaveChangesAsync(ct);
        return study;
    }

    public async Task<FhirPage> SearchImagingStudiesAsync(FhirQuery q, CancellationToken ct)
    {
        var patient = q.Reference("patient", "Patient");
        if (!patient.Given) patient = q.Reference("subject", "Patient");
        var studies = await StudiesAsync(await RecordCasesAsync(patient.Given ? patient.Id : null, ct), ct);
        if (q.Single("_id") is { } id) studies = studies.Where(s => s.Id == id).ToList();
        var page = studies.Skip(q.Offset).Take(q.Count).ToList();
        foreach (var s in page) audit.Record(AuditAction.Query, "ImagingStudy", s.Id, Guid.Parse(s.Subject!.Reference!["Patient/".Length..]), reason: Reason);
        await db.SaveChangesAsync(ct);
        return new FhirPage(page, studies.Count);
    }

    async Task<List<ImagingStudy>> StudiesAsync(List<Guid> caseIds, CancellationToken ct)
    {
        var documents = await VisibleDocuments(caseIds).Where(d => d.Instances.Any()).OrderBy(d => d.UploadedAt).ToListAsync(ct);
        // Studies a facility sent straight to the archive and the change feed attached to a case (docs/imaging.md).
        var archived = await db.Set<ArchiveStudy>().AsNoTracking()
            .Where(s => s.Status == ArchiveStudyStatus.Attached && s.CaseId != null && caseIds.Contains(s.CaseId.Value))
            .OrderBy(s => s.ReceivedAt).ToListAsync(ct);
        var members = await MembersOfAsync(documents.Select(d => d.CaseId).Concat(archived.Select(s => s.CaseId!.Value)), ct);
        var studies = documents.SelectMany(d => d.Instances.Select(i => (d.CaseId, d.UploadedAt, Instance: i)))
            .GroupBy(x => (x.CaseId, x.Instance.StudyInstanceUid))
            .Select(g => FhirResources.ImagingStudy(g.Key.CaseId, members[g.Key.CaseId], g.Key.StudyInstanceUid, g.Select(x => x.Instance).ToList(), g.Max(x => x.UploadedAt)))
            .ToList();
        var known = studies.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        studies.AddRange(archived.Select(s => FhirResources.ArchivedImagingStudy(s.CaseId!.Value, members[s.CaseId.Value], s)).Where(s => known.Add(s.Id)));
        return studies;
    }

    async Task<Dictionary<Guid, Guid>> MembersOfAsync(IEnumerable<Guid> caseIds, CancellationToken ct)
    {
        var ids = caseIds.Distinct().ToList();
        return await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.MemberId, ct);
    }

    // ---- DiagnosticReport and Composition: signed opinion versions only

    async Task<(Case Case, Opinion Opinion)> ReadableOpinionAsync(string id, string type, CancellationToken ct)
    {
        var key = ParseId(id, type);
        var opinion = await db.Set<Opinion>().AsNoTracking().SingleOrDefaultAsync(o => o.Id == key && o.Status == OpinionStatus.Signed, ct)
            ?? throw new NotFoundException(type, id);
        var @case = await VisibleCases().SingleOrDefaultAsync(c => c.Id == opinion.CaseId, ct);
        if (@case is null)
        {
            var memberId = await db.Cases.Where(c => c.Id == opinion.CaseId).Select(c => c.MemberId).SingleAsync(ct);
            await audit.RecordFailureAsync(AuditAction.Read, "Opinion", key, memberId, AuditOutcome.Denied, $"outside the user's cases ({Reason})", ct);
            throw new NotFoundException(type, id);
        }
        audit.Record(AuditAction.Read, "Opinion", key, @case.MemberId, reason: $"{Reason} ({type}, version {opinion.Number})");
        await db.SaveChangesAsync(ct);
        return (@case, opinion);
    }

    public async Task<DiagnosticReport> ReadDiagnosticReportAsync(string id, CancellationToken ct)
    {
        var (@case, opinion) = await ReadableOpinionAsync(id, "DiagnosticReport", ct);
        return FhirResources.DiagnosticReport(@case, opinion);
    }

    public async Task<Composition> ReadCompositionAsync(string id, CancellationToken ct)
    {
        var (@case, opinion) = await ReadableOpinionAsync(id, "Composition", ct);
        return FhirResources.Composition(@case, opinion);
    }

    public async Task<FhirPage> SearchOpinionsAsync(FhirQuery q, bool asComposition, CancellationToken ct)
    {
        var cases = VisibleCases();
        var patient = q.Reference("patient", "Patient");
        if (!patient.Given) patient = q.Reference("subject", "Patient");
        if (patient.Given) cases = cases.Where(c => c.MemberId == patient.Id);
        if (!asComposition && q.Reference("based-on", "ServiceRequest") is { Given: true, Id: var request }) cases = cases.Where(c => c.Id == request);
        var caseIds = cases.Select(c => c.Id);
        var opinions = db.Set<Opinion>().AsNoTracking().Where(o => o.Status == OpinionStatus.Signed && caseIds.Contains(o.CaseId));
        if (q.Single("_id") is { } id) opinions = opinions.Where(o => o.Id == ParseIdOrEmpty(id));
        var total = await opinions.CountAsync(ct);
        var page = await opinions.OrderBy(o => o.SignedAt).ThenBy(o => o.Id).Skip(q.Offset).Take(q.Count).ToListAsync(ct);
        var pageCases = await db.Cases.AsNoTracking().Where(c => page.Select(o => o.CaseId).Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        foreach (var o in page) audit.Record(AuditAction.Query, "Opinion", o.Id, pageCases[o.CaseId].MemberId, reason: Reason);
        await db.SaveChangesAsync(ct);
        return new FhirPage(page.Select(o => asComposition
            ? (Resource)FhirResources.Composition(pageCases[o.CaseId], o)
            : FhirResources.DiagnosticReport(pageCases[o.CaseId], o)).ToList(), total);
    }

    // ---- AuditEvent (the policy admits auditors only)

    public async Task<AuditEvent> ReadAuditEventAsync(string id, CancellationToken ct)
    {
        if (!id.StartsWith("audit-", StringComparison.Ordinal) || !long.TryParse(id["audit-".Length..], out var sequence)) throw new NotFoundException("AuditEvent", id);
        var entry = await db.AuditEntries.AsNoTracking().Where(e => e.Sequence == sequence).Select(AuditHandlers.View).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("AuditEvent", id);
        audit.Record(AuditAction.Read, "AuditTrail", sequence, entry.PatientId, reason: Reason);
        await db.SaveChangesAsync(ct);
        return AuditEventExport.ToAuditEvent(entry);
    }

    public async Task<FhirPage> SearchAuditEventsAsync(FhirQuery q, CancellationToken ct)
    {
        var entries = db.AuditEntries.AsNoTracking();
        var patient = q.Reference("patient", "Patient");
        if (patient.Given) entries = entries.Where(e => e.PatientId == patient.Id);
        var (from, to) = q.DateRange("date");
        if (from is { } f) entries = entries.Where(e => e.At >= f);
        if (to is { } t) entries = entries.Where(e => e.At < t);
        var total = await entries.CountAsync(ct);
        var page = await entries.OrderBy(e => e.Sequence).Skip(q.Offset).Take(q.Count).Select(AuditHandlers.View).ToListAsync(ct);
        audit.Record(AuditAction.Query, "AuditTrail", null, patient.Given ? patient.Id : null, reason: $"{Reason} (AuditEvent search, {page.Count} entries)");
        await db.SaveChangesAsync(ct);
        return new FhirPage(page.Select(e => (Resource)AuditEventExport.ToAuditEvent(e)).ToList(), total);
    }

    static Guid ParseId(string id, string type) => Guid.TryParse(id, out var key) ? key : throw new NotFoundException(type, id);

    static Guid ParseIdOrEmpty(string id) => Guid.TryParse(id, out var key) ? key : Guid.Empty;
}

using Consilium.Dicom;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Documents;

public sealed record DicomInstanceView(string StudyInstanceUid, string SeriesInstanceUid, string SopInstanceUid, string? SopClassUid, string? Modality,
    string TransferSyntaxUid, string? StudyDate, string? StudyDescription, string? SeriesDescription, int? SeriesNumber, int? InstanceNumber,
    int? NumberOfFrames, string? BodyPartExamined, string? Entry);

public sealed record PatientConfirmationView(string By, DateTimeOffset At, string Reason);

/// <summary>A stored document as the upload answers it and the API describes it.</summary>
public sealed record DocumentView(Guid Id, Guid CaseId, string FileName, DocumentType Type, string MediaType, long Length, string Sha256,
    RecordKind? Kind, Guid? RecordItemId, DateTimeOffset UploadedAt, string UploadedBy, string UploadedByRole, PatientCheck PatientCheck,
    string? PatientCheckReason, PatientConfirmationView? PatientConfirmed, bool Duplicate, DocumentSummary Summary,
    IReadOnlyList<DicomInstanceView> Instances, int ClinicalEntries, int Version);

public sealed record DocumentListItem(Guid Id, string FileName, DocumentType Type, string MediaType, long Length, string Sha256, RecordKind? Kind,
    string? KindLabel, Guid? RecordItemId, DateTimeOffset UploadedAt, string UploadedBy, string UploadedByRole, PatientCheck PatientCheck,
    string? PatientCheckReason, bool PatientConfirmed, bool Suspect, int Instances, int ClinicalEntries, bool MayShowInline, int Version);

public sealed record DocumentGroupView(string Label, IReadOnlyList<DocumentType> Types, IReadOnlyList<DocumentListItem> Documents);

public sealed record SeriesView(string SeriesInstanceUid, int? Number, string? Modality, string? Description, string? BodyPartExamined,
    int InstanceCount, long FrameCount, IReadOnlyList<Guid> DocumentIds);

/// <summary>A DICOM study of the case. Patient attributes from the images are shown to staff only.</summary>
public sealed record StudyView(string StudyInstanceUid, string? StudyDate, string? Description, string? AccessionNumber, IReadOnlyList<string> Modalities,
    string? PatientName, string? PatientId, string? PatientBirthDate, PatientCheck PatientCheck, string? PatientCheckReason, bool ConflictingPatients,
    int InstanceCount, IReadOnlyList<SeriesView> Series);

/// <summary>Something a coordinator must look at before the packet goes to a reviewer.</summary>
public sealed record PacketWarning(string Code, string Message, Guid? DocumentId, string? StudyInstanceUid);

public sealed record PacketIndexView(Guid CaseId, string CaseNumber, int DocumentCount, long TotalBytes, IReadOnlyList<DocumentGroupView> Groups,
    IReadOnlyList<StudyView> Studies, IReadOnlyList<PacketWarning> Warnings);

public sealed record ClinicalEntryView(Guid Id, ClinicalEntryKind Kind, string ResourceType, string? ResourceId, DateTimeOffset? OccurredAt,
    DateTimeOffset? EndedAt, string? CodeSystem, string? Code, string Display, string? Status, string? Value, string? Category, Guid DocumentId,
    string DocumentName);

public sealed record ClinicalTimelineView(Guid CaseId, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<ClinicalEntryView> Entries);

public sealed record ClassifyDocument(RecordKind? Kind, Guid? RecordItemId, int? Version);

public sealed record ConfirmDocumentPatient(string? Reason, int? Version);

/// <summary>A record item a document can be linked to, for the records page.</summary>
public sealed record LinkableItem(Guid Id, RecordKind Kind, string Label, string Facility, RecordItemStatus Status);

/// <summary>
/// Secure intake of a case's documents (streamed to encrypted storage, typed by content, checked, deduplicated), the
/// packet index, viewing and downloading under the member's authorization, and the clinical timeline from FHIR bundles.
/// </summary>
internal sealed partial class DocumentHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, ConsentGate consents, IDocumentStore store,
    DocumentAnalyzer analyzer, IOptions<DocumentIntakeOptions> options, Imaging.ImagingOutbox imaging, ILogger<DocumentHandlers> logger)
{
    const string ObjectType = "Document";

    /// <summary>
    /// Streams <paramref name="body"/> into the store, then reads it back to decide and check its type. Returns the new
    /// document, or the one already on the case with the same SHA-256 (then <c>Created</c> is false and no blob is kept).
    /// On any failure nothing is left behind: no blob, no row; the refusal itself is audited.
    /// </summary>
    public async Task<(DocumentView View, bool Created)> UploadAsync(Guid caseId, Stream body, string? fileName, string? declaredType,
        RecordKind? kind, Guid? recordItemId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var memberId = await ReceivingCaseAsync(caseId, ObjectType, ct);
        kind = await CheckItemAsync(caseId, kind, recordItemId, ct);
        var member = await db.Members.AsNoTracking().Where(m => m.Id == memberId)
            .Select(m => new MemberIdentity(m.FirstName, m.LastName, m.DateOfBirth)).SingleAsync(ct);

        StoredBlob? blob = null;
        try
        {
            if (MultipartUpload.IsMultipart(declaredType))
                (body, fileName, declaredType) = await MultipartUpload.OpenFileAsync(body, declaredType!, ct);
            if (fileName is not null && CaseDocument.FileNameProblem(fileName) is { } problem)
                throw new DocumentRejectedException(400, "file-name", "File name is not a plain name",
                    $"The file name {problem}. Send the file's own name (for example scan.pdf), without folders: it is shown to people, never used as a path.");
            var prefix = new byte[ContentSniffer.PrefixLength];
            var read = await body.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, ct);
            if (read == 0)
                throw new DocumentRejectedException(400, "empty", "Empty upload", "The request body is empty: send the file's bytes as the body.");
            var type = ContentSniffer.Detect(prefix.AsSpan(0, read)) ?? throw Unsupported(prefix.AsSpan(0, read), fileName, declaredType);

            blob = await store.WriteAsync(new UploadBodyStream(prefix, read, body, options.Value.MaxUploadBytes), ct);
            var existing = await FindBySha256Async(caseId, blob.Sha256, ct);
            if (existing is not null) return await DuplicateAsync(existing, blob, memberId, ct);

            var analysis = await analyzer.AnalyzeAsync(blob.Id, type, member, ct);
            await WarnAboutRepeatedInstancesAsync(caseId, analysis, ct);
            var document = CaseDocument.Receive(caseId, blob.Id, blob.Sha256, blob.Length, type, fileName, kind, recordItemId, analysis, user.Actor, now);
            var entries = analysis.Entries.Select(d => d.ToEntry(caseId, document.Id, now)).ToList();
            db.Add(document);
            db.AddRange(entries);
            // The copy to the imaging archive commits with the document, and is sent (and retried) by the outbox.
            imaging.QueuePush(document);
            audit.Record(AuditAction.Create, ObjectType, document.Id, memberId,
                reason: $"{type}, {blob.Length} bytes{(document.Kind is { } k ? ", " + k : "")}{(document.IsSuspect ? ", patient mismatch" : "")}");
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same file finished uploading to the same case a moment earlier: that one is the document.
                db.ChangeTracker.Clear();
                if (await FindBySha256Async(caseId, blob.Sha256, CancellationToken.None) is not { } raced) throw;
                return await DuplicateAsync(raced, blob, memberId, ct);
            }
            if (imaging.Enabled && document.Instances.Count > 0) imaging.Notify();
            LogStored(logger, document.Id, type, blob.Length, entries.Count, document.Instances.Count);
            return (View(document, duplicate: false, entries.Count), true);
        }
        catch (Exception e) when (e is DocumentRejectedException or DocumentTooLargeException or BadHttpRequestException)
        {
            if (blob is not null) await store.DeleteAsync(blob.Id, CancellationToken.None);
            var code = e switch
            {
                DocumentRejectedException r => r.Code,
                DocumentTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => "too-large",
                _ => "bad-request-body",
            };
            LogRejected(logger, caseId, code);
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, memberId, AuditOutcome.Failure, "upload rejected: " + code, CancellationToken.None);
            // Kestrel cuts a chunked body off at the same limit before our own count does: both read the same to the client.
            if (e is DocumentTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
                throw DocumentRejectedException.TooLarge("too-large",
                    $"The upload is larger than the limit of {options.Value.MaxUploadBytes:N0} bytes (Documents:MaxUploadBytes); nothing was stored.");
            throw;
        }
        catch
        {
            if (blob is not null) await store.DeleteAsync(blob.Id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The member of a case the user may send records to now: visible to them (else 404), not closed (409), under an
    /// active authorization (403). Refusals are audited against <paramref name="objectType"/>.
    /// </summary>
    internal async Task<Guid> ReceivingCaseAsync(Guid caseId, string objectType, CancellationToken ct)
    {
        var target = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AsNoTracking().Where(c => c.Id == caseId)
            .Select(c => new { c.Id, c.MemberId, c.Status }).SingleOrDefaultAsync(ct);
        if (target is null) await DeniedAsync(AuditAction.Create, caseId, ct);
        if (CaseLifecycle.TerminalStages.Contains(target!.Status))
            throw new ConflictException($"The case is {target.Status}: it no longer receives records.");
        // The program receives records only under an active authorization, whoever sends them: the member too (every
        // authorization names the program, so an active one is enough).
        if (await consents.ActiveAsync(caseId, ct) is null)
        {
            await audit.RecordFailureAsync(AuditAction.Create, objectType, null, target.MemberId, AuditOutcome.Denied, "no active authorization naming the program", ct);
            throw new ForbiddenException("Records cannot be received for this case: it has no signed, unexpired, unrevoked authorization naming the program as a recipient.");
        }
        return target.MemberId;
    }

    /// <summary>The record kind a document will count as, after checking the item belongs to the case (400 naming the field otherwise).</summary>
    internal Task<RecordKind?> CheckKindAsync(Guid caseId, RecordKind? kind, Guid? recordItemId, CancellationToken ct) => CheckItemAsync(caseId, kind, recordItemId, ct);

    async Task<(DocumentView, bool)> DuplicateAsync(CaseDocument existing, StoredBlob blob, Guid memberId, CancellationToken ct)
    {
        await store.DeleteAsync(blob.Id, CancellationToken.None);
        audit.Record(AuditAction.Read, ObjectType, existing.Id, memberId, reason: "same file uploaded again");
        await db.SaveChangesAsync(ct);
        var entries = await db.Set<ClinicalEntry>().CountAsync(e => e.DocumentId == existing.Id, ct);
        return (View(existing, duplicate: true, entries), false);
    }

    Task<CaseDocument?> FindBySha256Async(Guid caseId, string sha256, CancellationToken ct) =>
        db.Set<CaseDocument>().AsNoTracking().SingleOrDefaultAsync(d => d.CaseId == caseId && d.Sha256 == sha256, ct);

    async Task WarnAboutRepeatedInstancesAsync(Guid caseId, DocumentAnalysis analysis, CancellationToken ct)
    {
        if (analysis.Instances.Count == 0) return;
        var uids = analysis.Instances.Select(i => i.SopInstanceUid).ToList();
        var repeated = await db.Set<CaseDocument>().Where(d => d.CaseId == caseId).SelectMany(d => d.Instances)
            .Where(i => uids.Contains(i.SopInstanceUid)).Select(i => i.SopInstanceUid).Distinct().CountAsync(ct);
        if (repeated > 0)
            analysis.Summary.Warnings.Add($"{repeated} of these DICOM instances are already on the case in another document (same SOP Instance UID, different file).");
    }

    /// <summary>A file named or sent as DICOM whose bytes are not gets the DICOM reader's reason; anything else is just unsupported.</summary>
    internal static DocumentRejectedException Unsupported(ReadOnlySpan<byte> head, string? fileName, string? declaredType)
    {
        var claimsDicom = declaredType?.StartsWith("application/dicom", StringComparison.OrdinalIgnoreCase) == true
            || fileName?.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) == true || fileName?.EndsWith(".dicom", StringComparison.OrdinalIgnoreCase) == true;
        if (!claimsDicom) return DocumentRejectedException.Unsupported(ContentSniffer.Describe(head));
        try
        {
            DicomFile.ReadHeader(new MemoryStream(head.ToArray()));
            return DocumentRejectedException.Unsupported(ContentSniffer.Describe(head));
        }
        catch (DicomFormatException e)
        {
            return DocumentRejectedException.Invalid("dicom-not-dicom", "Not a DICOM file",
                $"The file is named or sent as DICOM, but it is not a DICOM Part 10 file: {e.Message}. It looks like {ContentSniffer.Describe(head)}.");
        }
    }

    async Task<RecordKind?> CheckItemAsync(Guid caseId, RecordKind? kind, Guid? recordItemId, CancellationToken ct)
    {
        if (recordItemId is not { } itemId) return kind;
        var requests = await db.Set<RecordRequest>().AsNoTracking().Where(r => r.CaseId == caseId).ToListAsync(ct);
        var item = requests.SelectMany(r => r.Items).SingleOrDefault(i => i.Id == itemId)
            ?? throw new RuleViolationException("recordItemId", "This record item is not one of the case's requests.");
        if (kind is { } k && k != item.Kind)
            throw new RuleViolationException("kind", $"The record item asks for {RecordKinds.Label(item.Kind)}, not {RecordKinds.Label(k)}.");
        return item.Kind;
    }

    /// <summary>The case's packet: documents grouped by type, DICOM studies and series, and what needs a coordinator's look.</summary>
    public async Task<PacketIndexView> IndexAsync(Guid caseId, CancellationToken ct)
    {
        // Staff see the packet only under an active authorization naming them (it shows names, studies, file names); the member always sees their own.
        var @case = await ReadableCaseAsync(caseId, "CaseDocuments", requireConsent: user.Role != Roles.Patient, ct);
        var documents = await VisibleDocuments(caseId).OrderBy(d => d.UploadedAt).ToListAsync(ct);
        var counts = await db.Set<ClinicalEntry>().Where(e => e.CaseId == caseId).GroupBy(e => e.DocumentId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var member = await db.Members.AsNoTracking().Where(m => m.Id == @case.MemberId)
            .Select(m => new MemberIdentity(m.FirstName, m.LastName, m.DateOfBirth)).SingleAsync(ct);
        audit.Record(AuditAction.Read, "CaseDocuments", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return BuildIndex(@case.Id, @case.Number, documents, counts, member, staff: user.Role != Roles.Patient);
    }

    static PacketIndexView BuildIndex(Guid caseId, string number, List<CaseDocument> documents, Dictionary<Guid, int> entryCounts, MemberIdentity member, bool staff)
    {
        var groups = documents.GroupBy(d => DocumentTypes.Label(d.Type))
            .OrderBy(g => g.Min(d => d.Type))
            .Select(g => new DocumentGroupView(g.Key, g.Select(d => d.Type).Distinct().Order().ToList(),
                g.Select(d => ListItem(d, entryCounts.GetValueOrDefault(d.Id))).ToList()))
            .ToList();

        var index = new DicomStudyIndex();
        var warnings = new List<PacketWarning>();
        var repeated = 0;
        foreach (var document in documents)
        {
            foreach (var instance in document.Instances)
            {
                if (index.Add(Header(instance), document.Id.ToString()) == DicomIndexResult.Duplicate) repeated++;
            }
        }
        var studies = index.Studies.Select(s =>
        {
            var match = DicomPatientMatcher.Match(s.PatientName, s.PatientBirthDate, member.FirstName, member.LastName, member.DateOfBirth);
            var (check, reason) = PatientChecks.Combine([match]);
            return new StudyView(s.StudyInstanceUid, s.StudyDate, s.StudyDescription, s.AccessionNumber, s.Modalities,
                staff ? s.PatientName?.Raw : null, staff ? s.PatientId : null, staff ? s.PatientBirthDate : null, check, reason, s.HasConflictingPatients,
                s.InstanceCount, s.Series.Select(r => new SeriesView(r.SeriesInstanceUid, r.SeriesNumber, r.Modality, r.SeriesDescription, r.BodyPartExamined,
                    r.InstanceCount, r.FrameCount, r.Instances.Select(i => Guid.Parse(i.Source!)).Distinct().ToList())).ToList());
        }).ToList();

        if (staff)
        {
            foreach (var document in documents.Where(d => d.IsSuspect))
                warnings.Add(new PacketWarning("patient-mismatch",
                    $"“{document.FileName}” may be another patient's: its {(document.Type == DocumentType.FhirBundle ? "bundle's patient" : "images")} {document.PatientCheckReason}. " +
                    "It does not count toward completeness until a coordinator confirms it is the member's.", document.Id, null));
            foreach (var study in studies.Where(s => s.ConflictingPatients))
                warnings.Add(new PacketWarning("study-conflicting-patients",
                    $"Study {study.Description ?? study.StudyInstanceUid} holds images naming different patients.", null, study.StudyInstanceUid));
            if (repeated > 0)
                warnings.Add(new PacketWarning("instances-repeated", $"{repeated} DICOM instances appear in more than one document.", null, null));
        }
        return new PacketIndexView(caseId, number, documents.Count, documents.Sum(d => d.Length), groups, studies, warnings);
    }

    static DicomHeader Header(DicomInstanceRecord i) => new()
    {
        TransferSyntaxUid = i.TransferSyntaxUid, StudyInstanceUid = i.StudyInstanceUid, SeriesInstanceUid = i.SeriesInstanceUid,
        SopInstanceUid = i.SopInstanceUid, SopClassUid = i.SopClassUid, Modality = i.Modality, StudyDate = i.StudyDate,
        StudyDescription = i.StudyDescription, SeriesDescription = i.SeriesDescription, BodyPartExamined = i.BodyPartExamined,
        AccessionNumber = i.AccessionNumber, SeriesNumber = i.SeriesNumber, InstanceNumber = i.InstanceNumber, NumberOfFrames = i.NumberOfFrames,
        PatientName = i.PatientName is null ? null : DicomPersonName.Parse(i.PatientName), PatientId = i.PatientId, PatientBirthDate = i.PatientBirthDate,
    };

    public async Task<DocumentView> GetAsync(Guid documentId, CancellationToken ct)
    {
        var (document, memberId) = await ReadableDocumentAsync(documentId, AuditAction.Read, ct);
        var entries = await db.Set<ClinicalEntry>().CountAsync(e => e.DocumentId == documentId, ct);
        audit.Record(AuditAction.Read, ObjectType, documentId, memberId, reason: "description");
        await db.SaveChangesAsync(ct);
        return View(document, duplicate: false, entries);
    }

    /// <summary>
    /// The document's bytes, decrypted and authenticated as they are read. Showing it in the browser is audited as a
    /// read; a download (or a type that cannot be shown) as an export, since the copy leaves the system.
    /// </summary>
    public async Task<(Stream Content, string MediaType, string FileName, bool Inline)> OpenContentAsync(Guid documentId, bool download, CancellationToken ct)
    {
        var inline = !download;
        var (document, memberId) = await ReadableDocumentAsync(documentId, inline ? AuditAction.Read : AuditAction.Export, ct);
        inline &= DocumentTypes.MayShowInline(document.Type);
        audit.Record(inline ? AuditAction.Read : AuditAction.Export, ObjectType, documentId, memberId, reason: inline ? "viewed" : "downloaded");
        await db.SaveChangesAsync(ct);
        return (await store.OpenReadAsync(document.BlobId, ct), document.MediaType, document.FileName, inline);
    }

    public async Task<DocumentView> ClassifyAsync(Guid documentId, ClassifyDocument request, CancellationToken ct)
    {
        var (document, memberId) = await ManagedDocumentAsync(documentId, request.Version, ct);
        var kind = await CheckItemAsync(document.CaseId, request.Kind, request.RecordItemId, ct);
        document.Classify(kind, request.RecordItemId);
        audit.Record(AuditAction.Update, ObjectType, documentId, memberId, reason: $"classified as {kind?.ToString() ?? "unclassified"}");
        await db.SaveChangesAsync(ct);
        return View(document, false, await db.Set<ClinicalEntry>().CountAsync(e => e.DocumentId == documentId, ct));
    }

    public async Task<DocumentView> ConfirmPatientAsync(Guid documentId, ConfirmDocumentPatient request, CancellationToken ct)
    {
        var (document, memberId) = await ManagedDocumentAsync(documentId, request.Version, ct);
        document.ConfirmPatient($"{user.Name} ({user.Role})", request.Reason, clock.GetUtcNow());
        audit.Record(AuditAction.Update, ObjectType, documentId, memberId, reason: "patient confirmed despite mismatch: " + document.PatientConfirmationReason);
        await db.SaveChangesAsync(ct);
        return View(document, false, await db.Set<ClinicalEntry>().CountAsync(e => e.DocumentId == documentId, ct));
    }

    /// <summary>The case's clinical history from imported FHIR bundles, newest first (undated last).</summary>
    public async Task<ClinicalTimelineView> TimelineAsync(Guid caseId, ClinicalEntryKind? kind, CancellationToken ct)
    {
        var @case = await ReadableCaseAsync(caseId, "ClinicalTimeline", requireConsent: true, ct);
        var documents = await VisibleDocuments(caseId).Where(d => d.Type == DocumentType.FhirBundle)
            .Select(d => new { d.Id, d.FileName }).ToDictionaryAsync(d => d.Id, d => d.FileName, ct);
        var ids = documents.Keys.ToList();
        var entries = await db.Set<ClinicalEntry>().AsNoTracking().Where(e => e.CaseId == caseId && ids.Contains(e.DocumentId)).ToListAsync(ct);
        audit.Record(AuditAction.Read, "ClinicalTimeline", caseId, @case.MemberId, reason: kind?.ToString());
        await db.SaveChangesAsync(ct);
        var counts = entries.GroupBy(e => e.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count());
        var shown = entries.Where(e => kind is null || e.Kind == kind)
            .OrderBy(e => e.OccurredAt is null).ThenByDescending(e => e.OccurredAt).ThenBy(e => e.Kind).ThenBy(e => e.Display, StringComparer.Ordinal)
            .Select(e => new ClinicalEntryView(e.Id, e.Kind, e.ResourceType, e.ResourceId, e.OccurredAt, e.EndedAt, e.CodeSystem, e.Code, e.Display,
                e.Status, e.Value, e.Category, e.DocumentId, documents[e.DocumentId]))
            .ToList();
        return new ClinicalTimelineView(caseId, counts, shown);
    }

    /// <summary>Record items of the case's requests, for linking a document to what it answers. No audit: the caller's page read is audited.</summary>
    public async Task<IReadOnlyList<LinkableItem>> LinkableItemsAsync(Guid caseId, CancellationToken ct)
    {
        var requests = await db.Set<RecordRequest>().AsNoTracking().Where(r => r.CaseId == caseId).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return requests.SelectMany(r => r.Items.Select(i => new LinkableItem(i.Id, i.Kind, RecordKinds.Label(i.Kind), r.Facility, i.Status))).ToList();
    }

    /// <summary>
    /// Documents the user may see on a case they can see. A member does not see a document that appears to be someone
    /// else's unless they uploaded it themselves: showing it would disclose another patient's records.
    /// </summary>
    IQueryable<CaseDocument> VisibleDocuments(Guid caseId)
    {
        var documents = db.Set<CaseDocument>().AsNoTracking().Where(d => d.CaseId == caseId);
        if (user.Role != Roles.Patient) return documents;
        var userId = user.UserId;
        return documents.Where(d => d.PatientCheck != PatientCheck.Mismatch || d.PatientConfirmedAt != null || d.UploadedByUserId == userId);
    }

    async Task<Case> ReadableCaseAsync(Guid caseId, string objectType, bool requireConsent, CancellationToken ct)
    {
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AsNoTracking().SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is null) await DeniedAsync(AuditAction.Read, caseId, ct);
        if (requireConsent && !await consents.MayViewRecordsAsync(caseId, user.Role, ct))
        {
            await audit.RecordFailureAsync(AuditAction.Read, objectType, caseId, @case!.MemberId, AuditOutcome.Denied, "no active authorization naming the viewer", ct);
            throw new ForbiddenException("The member's authorization does not (or no longer) allow you to see these records.");
        }
        return @case!;
    }

    async Task<(CaseDocument Document, Guid MemberId)> ReadableDocumentAsync(Guid documentId, AuditAction action, CancellationToken ct)
    {
        var document = await db.Set<CaseDocument>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId, ct)
            ?? throw new NotFoundException(ObjectType, documentId);
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AsNoTracking().Where(c => c.Id == document.CaseId)
            .Select(c => new { c.MemberId }).SingleOrDefaultAsync(ct);
        var hidden = user.Role == Roles.Patient && document.IsSuspect && document.UploadedByUserId != user.UserId;
        if (@case is null || hidden)
        {
            var memberId = await db.Cases.Where(c => c.Id == document.CaseId).Select(c => c.MemberId).SingleAsync(ct);
            await audit.RecordFailureAsync(action, ObjectType, documentId, memberId, AuditOutcome.Denied,
                hidden ? "document appears to be another patient's" : "outside the user's cases", ct);
            throw new NotFoundException(ObjectType, documentId);
        }
        if (!await consents.MayViewRecordsAsync(document.CaseId, user.Role, ct))
        {
            await audit.RecordFailureAsync(action, ObjectType, documentId, @case.MemberId, AuditOutcome.Denied, "no active authorization naming the viewer", ct);
            throw new ForbiddenException("The member's authorization does not (or no longer) allow you to see this document.");
        }
        return (document, @case.MemberId);
    }

    async Task<(CaseDocument Document, Guid MemberId)> ManagedDocumentAsync(Guid documentId, int? version, CancellationToken ct)
    {
        var document = await db.Set<CaseDocument>().SingleOrDefaultAsync(d => d.Id == documentId, ct) ?? throw new NotFoundException(ObjectType, documentId);
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AsNoTracking().Where(c => c.Id == document.CaseId)
            .Select(c => new { c.MemberId }).SingleOrDefaultAsync(ct);
        if (@case is null)
        {
            var memberId = await db.Cases.Where(c => c.Id == document.CaseId).Select(c => c.MemberId).SingleAsync(ct);
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, documentId, memberId, AuditOutcome.Denied, "outside the user's cases", ct);
            throw new NotFoundException(ObjectType, documentId);
        }
        if (version is { } v && v != document.Version)
            throw new ConflictException("The document was changed by someone else since it was read. Reload it and try again.");
        return (document, @case.MemberId);
    }

    async Task DeniedAsync(AuditAction action, Guid caseId, CancellationToken ct)
    {
        var existing = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.MemberId }).SingleOrDefaultAsync(ct);
        if (existing is not null)
            await audit.RecordFailureAsync(action, "CaseDocuments", caseId, existing.MemberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException("Case", caseId);
    }

    static DocumentListItem ListItem(CaseDocument d, int entries) => new(d.Id, d.FileName, d.Type, d.MediaType, d.Length, d.Sha256, d.Kind,
        d.Kind is { } k ? RecordKinds.Label(k) : null, d.RecordItemId, d.UploadedAt, d.UploadedBy, d.UploadedByRole, d.PatientCheck, d.PatientCheckReason,
        d.PatientConfirmedAt is not null, d.IsSuspect, d.Instances.Count, entries, DocumentTypes.MayShowInline(d.Type), d.Version);

    static DocumentView View(CaseDocument d, bool duplicate, int entries) => new(d.Id, d.CaseId, d.FileName, d.Type, d.MediaType, d.Length, d.Sha256,
        d.Kind, d.RecordItemId, d.UploadedAt, d.UploadedBy, d.UploadedByRole, d.PatientCheck, d.PatientCheckReason,
        d.PatientConfirmedAt is { } at ? new PatientConfirmationView(d.PatientConfirmedBy ?? "", at, d.PatientConfirmationReason ?? "") : null,
        duplicate, d.Summary,
        d.Instances.Select(i => new DicomInstanceView(i.StudyInstanceUid, i.SeriesInstanceUid, i.SopInstanceUid, i.SopClassUid, i.Modality,
            i.TransferSyntaxUid, i.StudyDate, i.StudyDescription, i.SeriesDescription, i.SeriesNumber, i.InstanceNumber, i.NumberOfFrames,
            i.BodyPartExamined, i.Entry)).ToList(),
        entries, d.Version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} stored: {Type}, {Length} bytes, {Entries} timeline entries, {Instances} DICOM instances")]
    static partial void LogStored(ILogger logger, Guid documentId, DocumentType type, long length, int entries, int instances);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload to case {CaseId} rejected: {Code}")]
    static partial void LogRejected(ILogger logger, Guid caseId, string code);
}

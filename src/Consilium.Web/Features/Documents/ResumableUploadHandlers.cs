using System.Buffers.Text;
using System.Text;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Documents;

/// <summary>What a HEAD or PATCH answers about an upload.</summary>
internal sealed record UploadState(Guid Id, long Offset, long Length, DateTimeOffset ExpiresAt, string? Metadata, Guid? DocumentId);

/// <summary>
/// The server side of tus 1.0.0 (core, creation, termination, expiration) for a case's records; docs/uploads.md.
/// Who may create an upload, and what happens to the finished file, is exactly the ordinary upload's
/// (<see cref="DocumentHandlers.UploadAsync"/>); an upload belongs to the user who created it and is 404 to anyone else.
/// </summary>
internal sealed partial class ResumableUploadHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IDocumentStore store, DocumentHandlers documents,
    IOptions<DocumentIntakeOptions> options, ILogger<ResumableUploadHandlers> logger)
{
    internal const string ObjectType = "Upload";

    DocumentIntakeOptions Options => options.Value;

    public async Task<UploadState> CreateAsync(Guid caseId, long? length, string? metadata, CancellationToken ct)
    {
        if (length is null)
            throw Rejected(400, "upload-length", "Upload-Length missing",
                "Send the file's size in bytes in the Upload-Length header; uploads of unknown length (Upload-Defer-Length) are not supported.");
        if (length <= 0)
            throw Rejected(400, "empty", "Empty upload", "Upload-Length is 0: there is nothing to upload.");
        if (length > Options.MaxUploadBytes)
            throw DocumentRejectedException.TooLarge("too-large",
                $"Upload-Length {length:N0} is larger than the limit of {Options.MaxUploadBytes:N0} bytes (Documents:MaxUploadBytes); nothing was created.");
        var meta = ParseMetadata(metadata);
        var fileName = meta.GetValueOrDefault("filename") ?? meta.GetValueOrDefault("name");
        if (fileName is not null && CaseDocument.FileNameProblem(fileName) is { } problem)
            throw Rejected(400, "file-name", "File name is not a plain name",
                $"The file name in Upload-Metadata (filename) {problem}. Send the file's own name (for example scan.pdf), without folders.");
        var fileType = meta.GetValueOrDefault("filetype") ?? meta.GetValueOrDefault("type");
        if (fileType is { Length: > 100 }) fileType = null;
        RecordKind? kind = null;
        if (meta.GetValueOrDefault("kind") is { Length: > 0 } k)
            kind = Enum.TryParse<RecordKind>(k, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
                ? parsed : throw new RuleViolationException("Upload-Metadata.kind", $"'{k}' is not a record kind.");
        Guid? itemId = null;
        if (meta.GetValueOrDefault("recordItemId") is { Length: > 0 } item)
            itemId = Guid.TryParse(item, out var id) ? id : throw new RuleViolationException("Upload-Metadata.recordItemId", "Not a record item id.");

        var memberId = await documents.ReceivingCaseAsync(caseId, ObjectType, ct);
        kind = await documents.CheckKindAsync(caseId, kind, itemId, ct);
        var upload = ResumableUpload.Create(caseId, memberId, user.UserId ?? throw new ForbiddenException("Uploads need a signed-in user."),
            length.Value, CaseDocument.Clip(fileName, CaseDocument.MaxFileNameLength), fileType, kind, itemId, clock.GetUtcNow(),
            Options.ResumableExpiry);
        db.Add(upload);
        audit.Record(AuditAction.Create, ObjectType, upload.Id, memberId, reason: $"resumable upload of {length} bytes");
        await db.SaveChangesAsync(ct);
        LogCreated(logger, upload.Id, caseId, length.Value);
        return State(upload);
    }

    public async Task<UploadState> HeadAsync(Guid caseId, Guid uploadId, CancellationToken ct)
    {
        var upload = await OwnUploadAsync(caseId, uploadId, AuditAction.Read, ct);
        GoneIfUnusable(upload);
        audit.Record(AuditAction.Read, ObjectType, upload.Id, upload.MemberId, reason: $"offset {upload.Offset} of {upload.Length}");
        await db.SaveChangesAsync(ct);
        return State(upload);
    }

    public async Task TerminateAsync(Guid caseId, Guid uploadId, CancellationToken ct)
    {
        var upload = await OwnUploadAsync(caseId, uploadId, AuditAction.Delete, ct);
        var blobs = await db.Set<UploadSegment>().Where(s => s.UploadId == upload.Id).Select(s => s.BlobId).ToListAsync(ct);
        audit.Record(AuditAction.Delete, ObjectType, upload.Id, upload.MemberId, reason: $"terminated at {upload.Offset} of {upload.Length} bytes");
        db.Remove(await db.Set<ResumableUpload>().SingleAsync(u => u.Id == upload.Id, ct));
        await db.SaveChangesAsync(ct); // the segments' rows go with it (cascade)
        foreach (var blob in blobs) await store.DeleteAsync(blob, CancellationToken.None);
    }

    /// <summary>
    /// Appends the body at <paramref name="offset"/>. A body cut short keeps what arrived. When the last byte is in, the
    /// whole file goes through <see cref="DocumentHandlers.UploadAsync"/>, once; its refusal is this request's answer.
    /// </summary>
    public async Task<UploadState> AppendAsync(Guid caseId, Guid uploadId, long offset, long? contentLength, Stream body, CancellationToken requestAborted)
    {
        // A client that goes away must not take the bytes it did send with it, nor leave a finished file unprocessed:
        // the request's cancellation (which fires when the connection drops) is not passed on.
        _ = requestAborted;
        var ct = CancellationToken.None;
        var upload = await OwnUploadAsync(caseId, uploadId, AuditAction.Update, ct);
        if (upload.Status == ResumableUploadStatus.Completed && offset == upload.Length) return State(upload);
        GoneIfUnusable(upload);
        if (upload.Status == ResumableUploadStatus.Completing) throw Locked();
        if (offset != upload.Offset) throw OffsetMismatch(offset, upload.Offset);
        if (contentLength is { } declared && declared > upload.Length - upload.Offset)
            throw DocumentRejectedException.TooLarge("beyond-length",
                $"The PATCH carries {declared:N0} bytes but only {upload.Length - upload.Offset:N0} remain of the {upload.Length:N0} declared in Upload-Length.");

        var token = Guid.NewGuid();
        if (!await TryLockAsync(upload.Id, offset, token, ct))
        {
            var now = await db.Set<ResumableUpload>().AsNoTracking().Where(u => u.Id == upload.Id).Select(u => (long?)u.Offset).SingleOrDefaultAsync(ct);
            if (now is null) throw new NotFoundException(ObjectType, uploadId);
            throw now != offset ? OffsetMismatch(offset, now.Value) : Locked();
        }

        var remaining = upload.Length - offset;
        StoredBlob? blob = null;
        var stream = new PatchBodyStream(body, remaining, clock, Options.ResumableLockLease / 4, () => RenewAsync(upload.Id, token));
        if (remaining > 0)
        {
            var segments = await db.Set<UploadSegment>().CountAsync(s => s.UploadId == upload.Id, ct);
            if (segments >= Options.MaxResumableSegments)
            {
                await UnlockAsync(upload.Id, token);
                throw Rejected(409, "too-many-pieces",
                    "Upload sent in too many pieces", $"This upload already has {segments:N0} pieces, the most one upload may have (Documents:MaxResumableSegments); send the rest in one request.");
            }
            try
            {
                // Not the request's token: a client that goes away must not take the bytes it did send with it.
                blob = await store.WriteAsync(stream, CancellationToken.None);
            }
            catch
            {
                await UnlockAsync(upload.Id, token);
                throw;
            }
        }
        if (stream.Overflow)
        {
            await store.DeleteAsync(blob!.Id, CancellationToken.None);
            await UnlockAsync(upload.Id, token);
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, upload.Id, upload.MemberId, AuditOutcome.Failure, "PATCH beyond Upload-Length", CancellationToken.None);
            throw DocumentRejectedException.TooLarge("beyond-length",
                $"The PATCH carries more than the {remaining:N0} bytes that remain of the {upload.Length:N0} declared in Upload-Length; nothing of it was kept.");
        }

        var received = blob?.Length ?? 0;
        var newOffset = offset + received;
        var complete = newOffset == upload.Length;
        var at = clock.GetUtcNow();
        await using (var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            if (received > 0) db.Add(new UploadSegment(upload.Id, offset, received, blob!.Id));
            audit.Record(AuditAction.Update, ObjectType, upload.Id, upload.MemberId,
                reason: $"received bytes {offset}-{newOffset} of {upload.Length}{(stream.Cut ? ", connection cut" : "")}");
            var moved = await db.Set<ResumableUpload>().Where(u => u.Id == upload.Id && u.LockToken == token)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Offset, newOffset).SetProperty(x => x.UpdatedAt, at)
                    .SetProperty(x => x.ExpiresAt, at + Options.ResumableExpiry)
                    .SetProperty(x => x.Status, complete ? ResumableUploadStatus.Completing : ResumableUploadStatus.Receiving)
                    .SetProperty(x => x.LockToken, complete ? token : null), CancellationToken.None);
            if (moved == 0)
            {
                // The lock lapsed and someone else moved on, or the upload was terminated or swept meanwhile.
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                if (blob is not null) await store.DeleteAsync(blob.Id, CancellationToken.None);
                throw Rejected(409, "upload-moved-on", "Upload changed meanwhile",
                    "The upload was changed, ended or expired while these bytes arrived; nothing of them was kept. Ask for its offset (HEAD) and continue from there.");
            }
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        LogAppended(logger, upload.Id, offset, newOffset, stream.Cut);

        var state = State(upload) with { Offset = newOffset, ExpiresAt = at + Options.ResumableExpiry };
        if (!complete)
        {
            if (offset == 0 && received > 0) await RefuseUnsupportedEarlyAsync(upload, blob!, received);
            return state;
        }
        var documentId = await CompleteAsync(upload, token, ct);
        return state with { DocumentId = documentId };
    }

    /// <summary>
    /// Hands the assembled file to the ordinary upload, under this PATCH's lock so no other request can. Its refusal
    /// ends the upload (bytes deleted) and is the answer; an unexpected fault leaves the bytes and releases the lock, so
    /// a PATCH at the final offset with an empty body runs this again.
    /// </summary>
    async Task<Guid> CompleteAsync(ResumableUpload upload, Guid token, CancellationToken ct)
    {
        var blobs = await db.Set<UploadSegment>().AsNoTracking().Where(s => s.UploadId == upload.Id).OrderBy(s => s.Start).Select(s => s.BlobId).ToListAsync(ct);
        var declaredType = upload.FileType is { } t && !MultipartUpload.IsMultipart(t) ? t : null;
        try
        {
            DocumentView view;
            await using (var whole = new SegmentsReadStream(store, blobs))
                (view, _) = await documents.UploadAsync(upload.CaseId, whole, upload.FileName, declaredType, upload.Kind, upload.RecordItemId, ct);
            await FinishAsync(upload.Id, token, ResumableUploadStatus.Completed, view.Id, null, blobs);
            LogCompleted(logger, upload.Id, view.Id);
            return view.Id;
        }
        catch (Exception e) when (e is DomainException or DocumentRejectedException or DocumentTooLargeException)
        {
            var code = e is DocumentRejectedException r ? r.Code : e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal).ToLowerInvariant();
            await FinishAsync(upload.Id, token, ResumableUploadStatus.Rejected, null, code, blobs);
            throw;
        }
        catch
        {
            await db.Set<ResumableUpload>().Where(u => u.Id == upload.Id && u.LockToken == token)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, ResumableUploadStatus.Receiving).SetProperty(x => x.LockToken, (Guid?)null), CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The first bytes decide the type as in an ordinary upload: a file Consilium cannot take is refused after its
    /// first piece, not after gigabytes. (Everything else is checked once the file is whole.)
    /// </summary>
    async Task RefuseUnsupportedEarlyAsync(ResumableUpload upload, StoredBlob first, long received)
    {
        if (received < ContentSniffer.PrefixLength) return;
        var head = new byte[ContentSniffer.PrefixLength];
        await using (var stream = await store.OpenReadAsync(first.Id, CancellationToken.None))
            await stream.ReadExactlyAsync(head, CancellationToken.None);
        if (ContentSniffer.Detect(head) is not null) return;
        var refusal = DocumentHandlers.Unsupported(head, upload.FileName, upload.FileType);
        await FinishAsync(upload.Id, null, ResumableUploadStatus.Rejected, null, refusal.Code, [first.Id]);
        await audit.RecordFailureAsync(AuditAction.Create, "Document", null, upload.MemberId, AuditOutcome.Failure, "upload rejected: " + refusal.Code, CancellationToken.None);
        throw refusal;
    }

    async Task FinishAsync(Guid uploadId, Guid? token, ResumableUploadStatus status, Guid? documentId, string? code, IReadOnlyList<string> blobs)
    {
        var at = clock.GetUtcNow();
        await db.Set<UploadSegment>().Where(s => s.UploadId == uploadId).ExecuteDeleteAsync(CancellationToken.None);
        await db.Set<ResumableUpload>().Where(u => u.Id == uploadId && (token == null || u.LockToken == token))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, status).SetProperty(x => x.DocumentId, documentId).SetProperty(x => x.RejectionCode, code)
                .SetProperty(x => x.LockToken, (Guid?)null).SetProperty(x => x.UpdatedAt, at).SetProperty(x => x.ExpiresAt, at + Options.ResumableExpiry),
                CancellationToken.None);
        foreach (var blob in blobs) await store.DeleteAsync(blob, CancellationToken.None);
    }

    /// <summary>The lock is free, or its holder has not been heard of for a lease (a crashed node); the offset is still the one the client saw.</summary>
    async Task<bool> TryLockAsync(Guid uploadId, long offset, Guid token, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var stale = now - Options.ResumableLockLease;
        return await db.Set<ResumableUpload>()
            .Where(u => u.Id == uploadId && u.Offset == offset && u.Status == ResumableUploadStatus.Receiving && u.ExpiresAt > now
                        && (u.LockToken == null || u.LockedAt < stale))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockToken, token).SetProperty(x => x.LockedAt, now), ct) == 1;
    }

    Task RenewAsync(Guid uploadId, Guid token)
    {
        var now = clock.GetUtcNow();
        return db.Set<ResumableUpload>().Where(u => u.Id == uploadId && u.LockToken == token)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockedAt, now), CancellationToken.None);
    }

    Task UnlockAsync(Guid uploadId, Guid token) =>
        db.Set<ResumableUpload>().Where(u => u.Id == uploadId && u.LockToken == token)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockToken, (Guid?)null), CancellationToken.None);

    /// <summary>The upload, if it is the user's own on a case they may still see; anything else is a 404, audited.</summary>
    async Task<ResumableUpload> OwnUploadAsync(Guid caseId, Guid uploadId, AuditAction action, CancellationToken ct)
    {
        var upload = await db.Set<ResumableUpload>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == uploadId && u.CaseId == caseId, ct);
        if (upload is null) throw new NotFoundException(ObjectType, uploadId);
        var visible = upload.CreatedByUserId == user.UserId
                      && await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AnyAsync(c => c.Id == caseId, ct);
        if (!visible)
        {
            await audit.RecordFailureAsync(action, ObjectType, uploadId, upload.MemberId, AuditOutcome.Denied, "not the user's upload", ct);
            throw new NotFoundException(ObjectType, uploadId);
        }
        return upload;
    }

    void GoneIfUnusable(ResumableUpload upload)
    {
        if (upload.Status == ResumableUploadStatus.Rejected)
            throw Rejected(410, "upload-rejected", "Upload refused", $"This upload was refused ({upload.RejectionCode}) and its bytes deleted. Start a new upload.");
        if (upload.Status != ResumableUploadStatus.Completed && upload.HasExpired(clock.GetUtcNow()))
            throw Rejected(410, "upload-expired", "Upload expired", "This upload was not continued in time and has expired; its bytes are deleted. Start a new upload.");
    }

    static UploadState State(ResumableUpload u) => new(u.Id,
        u.Status == ResumableUploadStatus.Completed ? u.Length : u.Offset, u.Length, u.ExpiresAt, Metadata(u), u.DocumentId);

    /// <summary>The metadata as the client sent it (tus: HEAD repeats it); only the keys the server keeps.</summary>
    static string? Metadata(ResumableUpload u)
    {
        var pairs = new List<string>();
        if (u.FileName is { } name) pairs.Add("filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name)));
        if (u.FileType is { } type) pairs.Add("filetype " + Convert.ToBase64String(Encoding.UTF8.GetBytes(type)));
        if (u.Kind is { } kind) pairs.Add("kind " + Convert.ToBase64String(Encoding.UTF8.GetBytes(kind.ToString())));
        if (u.RecordItemId is { } item) pairs.Add("recordItemId " + Convert.ToBase64String(Encoding.UTF8.GetBytes(item.ToString())));
        return pairs.Count == 0 ? null : string.Join(',', pairs);
    }

    /// <summary>tus Upload-Metadata: comma-separated pairs of an ASCII key and a base64 value (the value may be absent).</summary>
    internal static Dictionary<string, string> ParseMetadata(string? header)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header)) return result;
        foreach (var pair in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2 || parts[0].Any(c => c > 127 || char.IsControl(c)))
                throw new RuleViolationException("Upload-Metadata", "Upload-Metadata is a comma-separated list of 'key base64value' pairs.");
            if (!result.TryAdd(parts[0], "")) throw new RuleViolationException("Upload-Metadata", $"The key '{parts[0]}' appears twice.");
            if (parts.Length == 1) continue;
            if (!Base64.IsValid(parts[1]))
                throw new RuleViolationException("Upload-Metadata", $"The value of '{parts[0]}' is not base64.");
            try
            {
                result[parts[0]] = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(parts[1]));
            }
            catch (DecoderFallbackException)
            {
                throw new RuleViolationException("Upload-Metadata", $"The value of '{parts[0]}' is not UTF-8 text.");
            }
        }
        return result;
    }

    static DocumentRejectedException OffsetMismatch(long sent, long actual) => Rejected(409, "offset-mismatch", "Upload-Offset does not match",
        $"Upload-Offset is {sent} but the server holds {actual} bytes of this upload. Ask for the offset (HEAD) and continue from there.");

    static DocumentRejectedException Locked() => Rejected(423, "upload-busy", "Upload busy",
        "Another request is adding to this upload right now. Wait for it to finish, ask for the offset (HEAD) and continue from there.");

    static DocumentRejectedException Rejected(int status, string code, string title, string detail) => new(status, code, title, detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumable upload {UploadId} created on case {CaseId}: {Length} bytes")]
    static partial void LogCreated(ILogger logger, Guid uploadId, Guid caseId, long length);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resumable upload {UploadId}: bytes {From}-{To} kept (connection cut: {Cut})")]
    static partial void LogAppended(ILogger logger, Guid uploadId, long from, long to, bool cut);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumable upload {UploadId} completed as document {DocumentId}")]
    static partial void LogCompleted(ILogger logger, Guid uploadId, Guid documentId);
}

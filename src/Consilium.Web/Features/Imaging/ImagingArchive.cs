using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Consilium.Features.Audit;
using Consilium.Features.Documents;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Outbox;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Imaging;

/// <summary>
/// The DICOMweb archive (Orthanc with its DICOMweb plugin) that case studies are copied to. Off unless
/// <see cref="OrthancUrl"/> is set. The archive listens on loopback or a private network only: Consilium is the only
/// client, with its own account.
/// </summary>
public sealed class ImagingOptions
{
    public const string Section = "Imaging";

    /// <summary>Orthanc's HTTP address, e.g. http://127.0.0.1:8042. Empty: no archive, nothing is pushed.</summary>
    public string? OrthancUrl { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>The DICOMweb plugin's root on the Orthanc server.</summary>
    public string DicomWebRoot { get; set; } = "/dicom-web/";

    public bool Enabled => !string.IsNullOrWhiteSpace(OrthancUrl);

    internal static bool Validate(ImagingOptions o) =>
        !o.Enabled || Uri.TryCreate(o.OrthancUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && o.DicomWebRoot.StartsWith('/');
}

public static class ImagingSetup
{
    public static IServiceCollection AddImaging(this IServiceCollection services)
    {
        services.AddOptions<ImagingOptions>().BindConfiguration(ImagingOptions.Section)
            .Validate(ImagingOptions.Validate, "Imaging:OrthancUrl must be an absolute http(s) address and Imaging:DicomWebRoot start with '/'.")
            .ValidateOnStart();
        services.AddHttpClient<OrthancClient>();
        services.AddScoped<ImagingOutbox>();
        services.AddScoped<IOutboxHandler, StowOutboxHandler>();
        services.AddScoped<ImagingViewer>();
        services.AddArchiveFeed();
        return services;
    }

    public static IEndpointRouteBuilder MapImaging(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cases/{id:guid}/studies/{studyUid}/metadata", async (Guid id, string studyUid, ImagingViewer viewer, CancellationToken ct) =>
        {
            var (body, mediaType) = await viewer.MetadataAsync(id, studyUid, ct);
            return TypedResults.Stream(body, mediaType);
        }).RequireAuthorization(Policies.ImagingView).WithTags("Imaging")
            .WithSummary("The study's DICOMweb metadata from the imaging archive, for the case's reviewer; every view audited.");
        app.MapGet("/api/cases/{id:guid}/studies/{studyUid}/series/{seriesUid}/instances/{instanceUid}/rendered",
            async (Guid id, string studyUid, string seriesUid, string instanceUid, HttpRequest request, ImagingViewer viewer, CancellationToken ct) =>
            {
                var (body, mediaType) = await viewer.RenderedAsync(id, studyUid, seriesUid, instanceUid, request.Headers.Accept.ToString(), ct);
                return TypedResults.Stream(body, mediaType);
            }).RequireAuthorization(Policies.ImagingView).WithTags("Imaging")
            .WithSummary("An instance rendered as JPEG (or PNG when the client asks for image/png), for the case's reviewer; every view audited.");
        // The frame number is parsed by the handler (not a route constraint), so a malformed one is a 400 naming it.
        app.MapGet("/api/cases/{id:guid}/studies/{studyUid}/series/{seriesUid}/instances/{instanceUid}/frames/{frame}",
            async (Guid id, string studyUid, string seriesUid, string instanceUid, string frame, ImagingViewer viewer, CancellationToken ct) =>
            {
                var (body, mediaType) = await viewer.FrameAsync(id, studyUid, seriesUid, instanceUid, frame, ct);
                return TypedResults.Stream(body, mediaType);
            }).RequireAuthorization(Policies.ImagingView).WithTags("Imaging")
            .WithSummary("One frame's pixel data (WADO-RS, multipart/related), for the case's reviewer; every view audited.");
        app.MapUnmatchedStudies();
        return app;
    }
}

/// <summary>Queues a stored document's DICOM instances for the archive, in the unit of work that stores the document.</summary>
public sealed class ImagingOutbox(IOptions<ImagingOptions> options, OutboxWriter outbox)
{
    public bool Enabled => options.Value.Enabled;

    /// <summary>After the save that committed a push: send it now rather than at the next poll.</summary>
    public void Notify() => outbox.Notify();

    internal void QueuePush(CaseDocument document)
    {
        if (!Enabled || document.Instances.Count == 0) return;
        outbox.Add(StowOutboxHandler.KindName, JsonSerializer.Serialize(new StowPayload(document.Id)),
            $"DICOMweb STOW-RS of document {document.Id} ({document.Instances.Count} instances)");
    }
}

internal sealed record StowPayload(Guid DocumentId);

/// <summary>Orthanc's REST and DICOMweb APIs, with the archive account's credentials.</summary>
public sealed class OrthancClient
{
    readonly HttpClient _http;
    readonly ImagingOptions _options;

    public OrthancClient(HttpClient http, IOptions<ImagingOptions> options)
    {
        _http = http;
        _options = options.Value;
        if (_options.Enabled) _http.BaseAddress = new Uri(_options.OrthancUrl!.TrimEnd('/') + "/");
        if (_options.Username is { Length: > 0 } user)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_options.Password}")));
        _http.Timeout = TimeSpan.FromMinutes(10);
    }

    /// <summary>
    /// STOW-RS: one multipart/related request of application/dicom parts, streamed from the instances' sources (never
    /// buffered whole). Throws when the archive does not take every instance, so the outbox tries again later.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<Func<CancellationToken, Task<Stream>>> instances, CancellationToken ct)
    {
        var content = new MultipartContent("related", "consilium-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var open in instances)
        {
            var part = new StreamContent(await open(ct));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.DicomWebRoot.TrimStart('/') + "studies") { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new ArchiveException($"STOW-RS answered {(int)response.StatusCode}");
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        // 00081198 FailedSOPSequence: any failed instance makes the push fail as a whole (storing again is idempotent).
        if (json.RootElement.TryGetProperty("00081198", out var failed) && failed.TryGetProperty("Value", out var items) && items.GetArrayLength() > 0)
            throw new ArchiveException($"STOW-RS refused {items.GetArrayLength()} instance(s)");
    }

    /// <summary>WADO-RS metadata of a study (what a DICOMweb viewer loads first), as a stream of application/dicom+json.</summary>
    public async Task<Stream> OpenMetadataAsync(string studyInstanceUid, CancellationToken ct)
    {
        var response = await _http.GetAsync($"{_options.DicomWebRoot.TrimStart('/')}studies/{Uri.EscapeDataString(studyInstanceUid)}/metadata",
            HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            response.Dispose();
            throw new NotFoundException("Study in the imaging archive", studyInstanceUid);
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new ArchiveException($"WADO-RS answered {(int)response.StatusCode}");
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }

    /// <summary>QIDO-RS: whether the archive holds the study.</summary>
    public async Task<bool> HasStudyAsync(string studyInstanceUid, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"{_options.DicomWebRoot.TrimStart('/')}studies?StudyInstanceUID={Uri.EscapeDataString(studyInstanceUid)}", ct);
        if (!response.IsSuccessStatusCode) throw new ArchiveException($"QIDO-RS answered {(int)response.StatusCode}");
        var body = await response.Content.ReadAsStringAsync(ct);
        return body.Length > 0 && JsonDocument.Parse(body).RootElement.GetArrayLength() > 0;
    }

    /// <summary>
    /// Orthanc's change feed (<c>GET /changes?since=&amp;limit=</c>): what happened in the archive after sequence
    /// <paramref name="since"/>, oldest first, whatever the source (STOW-RS, DICOM C-STORE, REST upload).
    /// </summary>
    public async Task<ArchiveChanges> ReadChangesAsync(long since, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(since);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        using var response = await _http.GetAsync($"changes?since={since}&limit={limit}", ct);
        if (!response.IsSuccessStatusCode) throw new ArchiveException($"the change feed answered {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        var root = json.RootElement;
        var changes = root.GetProperty("Changes").EnumerateArray()
            .Select(c => new ArchiveChange(c.GetProperty("Seq").GetInt64(), c.GetProperty("ChangeType").GetString()!,
                c.GetProperty("ResourceType").GetString()!, c.GetProperty("ID").GetString()!))
            .ToList();
        return new ArchiveChanges(changes, root.GetProperty("Last").GetInt64(), root.GetProperty("Done").GetBoolean());
    }

    /// <summary>The sequence number of the archive's latest change (<c>GET /changes?last</c>): where a new reader starts.</summary>
    public async Task<long> ReadLastSequenceAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("changes?last", ct);
        if (!response.IsSuccessStatusCode) throw new ArchiveException($"the change feed answered {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        return json.RootElement.GetProperty("Last").GetInt64();
    }

    /// <summary>The identifying tags of a study held by the archive, by Orthanc's own id (as the change feed names it).</summary>
    public async Task<ArchivedStudy?> ReadStudyAsync(string orthancStudyId, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"studies/{Uri.EscapeDataString(orthancStudyId)}", ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw new ArchiveException($"the study lookup answered {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        var study = json.RootElement.GetProperty("MainDicomTags");
        var patient = json.RootElement.GetProperty("PatientMainDicomTags");
        static string? Tag(JsonElement tags, string name) =>
            tags.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 } text ? text : null;
        return new ArchivedStudy(orthancStudyId, Tag(study, "StudyInstanceUID") ?? "", Tag(study, "AccessionNumber"),
            Tag(patient, "PatientID"), Tag(patient, "PatientName"), Tag(patient, "PatientBirthDate"), Tag(patient, "PatientSex"),
            Tag(study, "StudyDate"), Tag(study, "StudyDescription"),
            json.RootElement.TryGetProperty("Series", out var series) ? series.GetArrayLength() : 0);
    }

    /// <summary>
    /// WADO-RS of one instance: <c>rendered</c> (a JPEG or PNG a browser shows) or <c>frames/{n}</c> (the pixel data,
    /// multipart/related). The archive checks that the instance belongs to that series and study (404 otherwise).
    /// </summary>
    public async Task<(Stream Body, string MediaType)> OpenInstanceAsync(string studyUid, string seriesUid, string instanceUid, string resource, string? accept, CancellationToken ct)
    {
        var path = $"{_options.DicomWebRoot.TrimStart('/')}studies/{Uri.EscapeDataString(studyUid)}/series/{Uri.EscapeDataString(seriesUid)}/instances/{Uri.EscapeDataString(instanceUid)}/{resource}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.BadRequest)
        {
            response.Dispose();
            throw new NotFoundException("Instance of the study in the imaging archive", instanceUid);
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new ArchiveException($"WADO-RS {resource.Split('/')[0]} answered {(int)response.StatusCode}");
        }
        return (await response.Content.ReadAsStreamAsync(ct), response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream");
    }
}

/// <summary>A page of the archive's change feed; <see cref="Last"/> is where to continue from.</summary>
public sealed record ArchiveChanges(IReadOnlyList<ArchiveChange> Changes, long Last, bool Done);

/// <summary>One change: <c>ChangeType</c> is e.g. <c>NewInstance</c> or <c>StableStudy</c> (no new instance for <c>StableAge</c> seconds).</summary>
public sealed record ArchiveChange(long Seq, string ChangeType, string ResourceType, string Id);

/// <summary>A study's identifying tags as the archive indexed them (DICOM formats: PN with carets, DA as yyyymmdd).</summary>
public sealed record ArchivedStudy(string OrthancId, string StudyInstanceUid, string? AccessionNumber, string? PatientId, string? PatientName, string? BirthDate,
    string? Sex = null, string? StudyDate = null, string? StudyDescription = null, int SeriesCount = 0);

/// <summary>The archive refused or failed; the message says how, with no health information in it.</summary>
public sealed class ArchiveException(string message) : Exception(message);

/// <summary>
/// Pushes one document's DICOM instances to the archive (the outbox retries it with back-off when the archive is down or
/// refuses). A plain DICOM file goes as it is; an imaging CD (ZIP) goes instance by instance, the entries the DICOM
/// index found. The push is audited as a disclosure to the archive.
/// </summary>
internal sealed class StowOutboxHandler(ConsiliumDbContext db, IDocumentStore store, OrthancClient archive, AuditTrail audit, CurrentActor actor) : IOutboxHandler
{
    public const string KindName = "imaging.stow";

    public string Kind => KindName;

    public async Task HandleAsync(string payload, CancellationToken ct)
    {
        if (!actor.IsAuthenticated) actor.Use(Actor.System("imaging archive"), "outbox");
        var documentId = JsonSerializer.Deserialize<StowPayload>(payload)!.DocumentId;
        var document = await db.Set<CaseDocument>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId, ct);
        if (document is null) return; // removed since: nothing to push
        var memberId = await db.Cases.Where(c => c.Id == document.CaseId).Select(c => c.MemberId).SingleAsync(ct);

        if (document.Type == DocumentType.Dicom)
        {
            await archive.StoreAsync([c => store.OpenReadAsync(document.BlobId, c)], ct);
        }
        else
        {
            // A ZIP needs seeking; the decrypted blob streams forward only, so it goes through a temporary file.
            var temp = Path.GetTempFileName();
            try
            {
                await using (var source = await store.OpenReadAsync(document.BlobId, ct))
                await using (var target = File.Create(temp)) await source.CopyToAsync(target, ct);
                using var zip = ZipFile.OpenRead(temp);
                var entries = document.Instances.Where(i => i.Entry is not null).Select(i => zip.GetEntry(i.Entry!)).OfType<ZipArchiveEntry>().ToList();
                await archive.StoreAsync(entries.Select(e => (Func<CancellationToken, Task<Stream>>)(_ => Task.FromResult(e.Open()))).ToList(), ct);
            }
            finally
            {
                File.Delete(temp);
            }
        }
        audit.Record(AuditAction.Export, "Document", document.Id, memberId, reason: $"pushed to the imaging archive (DICOMweb STOW-RS, {document.Instances.Count} instances)");
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>
/// Viewing a case's study in the archive through Consilium: only the case's reviewer (the lead or an accepted panel
/// member), only a study of that case (a document's instances, or a study the change feed or a coordinator attached),
/// only under an authorization naming the reviewing physician; each view audited, a refusal audited as refused. The
/// archive itself is never exposed; Consilium proxies the DICOMweb answer.
/// </summary>
internal sealed class ImagingViewer(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, Consents.ConsentGate consents,
    IOptions<ImagingOptions> options, OrthancClient archive)
{
    const string ObjectType = "ImagingStudy";

    public async Task<(Stream Body, string MediaType)> MetadataAsync(Guid caseId, string studyUid, CancellationToken ct)
    {
        await AuthorizeAsync(caseId, studyUid, "viewed through the imaging archive (DICOMweb metadata)", ct);
        return (await archive.OpenMetadataAsync(studyUid, ct), "application/dicom+json");
    }

    public async Task<(Stream Body, string MediaType)> RenderedAsync(Guid caseId, string studyUid, string seriesUid, string instanceUid, string? accept, CancellationToken ct)
    {
        RequireUid(seriesUid, "Series");
        RequireUid(instanceUid, "Instance");
        await AuthorizeAsync(caseId, studyUid, $"viewed through the imaging archive (rendered instance {instanceUid})", ct);
        var format = accept?.Contains("image/png", StringComparison.OrdinalIgnoreCase) == true ? "image/png" : "image/jpeg";
        return await archive.OpenInstanceAsync(studyUid, seriesUid, instanceUid, "rendered", format, ct);
    }

    public async Task<(Stream Body, string MediaType)> FrameAsync(Guid caseId, string studyUid, string seriesUid, string instanceUid, string frameNumber, CancellationToken ct)
    {
        if (!int.TryParse(frameNumber, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var frame) || frame < 1)
            throw new RuleViolationException("frame", "A frame number is a whole number from 1.");
        RequireUid(seriesUid, "Series");
        RequireUid(instanceUid, "Instance");
        await AuthorizeAsync(caseId, studyUid, $"viewed through the imaging archive (frame {frame} of instance {instanceUid})", ct);
        return await archive.OpenInstanceAsync(studyUid, seriesUid, instanceUid, $"frames/{frame}", null, ct);
    }

    /// <summary>The study's series and instances for the viewer page, from the archive's metadata; the view is audited.</summary>
    public async Task<StudyViewerView> StudyAsync(Guid caseId, string studyUid, CancellationToken ct)
    {
        var caseNumber = await AuthorizeAsync(caseId, studyUid, "viewed through the imaging archive (viewer)", ct);
        await using var stream = await archive.OpenMetadataAsync(studyUid, ct);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        static string? Tag(JsonElement instance, string tag) =>
            instance.TryGetProperty(tag, out var e) && e.TryGetProperty("Value", out var v) && v.GetArrayLength() > 0
                ? v[0].ValueKind == JsonValueKind.Number ? v[0].GetRawText() : v[0].ValueKind == JsonValueKind.String ? v[0].GetString() : null
                : null;
        var instances = json.RootElement.EnumerateArray().Select(i => new
        {
            Series = Tag(i, "0020000E") ?? "", Sop = Tag(i, "00080018") ?? "", SeriesNumber = Tag(i, "00200011"), Number = Tag(i, "00200013"),
            Modality = Tag(i, "00080060"), Description = Tag(i, "0008103E"), Frames = int.TryParse(Tag(i, "00280008"), out var f) ? f : 1,
            Study = Tag(i, "00081030"),
        }).Where(i => i.Series.Length > 0 && i.Sop.Length > 0).ToList();
        static int Number(string? n) => int.TryParse(n, out var v) ? v : int.MaxValue;
        var series = instances.GroupBy(i => i.Series)
            .OrderBy(g => Number(g.First().SeriesNumber)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ViewerSeries(g.Key, g.First().SeriesNumber, g.First().Modality, g.First().Description,
                g.OrderBy(i => Number(i.Number)).ThenBy(i => i.Sop, StringComparer.Ordinal).Select(i => new ViewerInstance(i.Sop, i.Number, i.Frames)).ToList()))
            .ToList();
        return new StudyViewerView(caseId, caseNumber, studyUid, instances.Select(i => i.Study).FirstOrDefault(d => d is not null), series);
    }

    /// <summary>Checks the reviewer, the study and the authorization; records the view in the same unit of work. Returns the case number.</summary>
    async Task<string> AuthorizeAsync(Guid caseId, string studyUid, string reason, CancellationToken ct)
    {
        RequireUid(studyUid, "Study");
        var @case = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.Id, c.Number, c.MemberId, c.ReviewerUserId }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        var reviews = @case.ReviewerUserId == user.UserId
            || await db.Set<Physicians.ReviewerOffer>().AnyAsync(o => o.CaseId == caseId && o.ReviewerUserId == user.UserId && o.Status == Physicians.OfferStatus.Accepted, ct);
        if (!reviews)
        {
            await audit.RecordFailureAsync(AuditAction.Read, ObjectType, studyUid, @case.MemberId, AuditOutcome.Denied, "viewer: not the case's reviewer", ct);
            throw new NotFoundException("Case", caseId);
        }
        if (!await StudyOfCaseAsync(db, caseId, studyUid, ct)) throw new NotFoundException("Study of the case", studyUid);
        if (!await consents.MayViewRecordsAsync(caseId, user.Role, ct))
        {
            await audit.RecordFailureAsync(AuditAction.Read, ObjectType, studyUid, @case.MemberId, AuditOutcome.Denied, "viewer: no active authorization naming the reviewing physician", ct);
            throw new ForbiddenException("The member's authorization does not (or no longer) allow you to see these records.");
        }
        if (!options.Value.Enabled) throw new ConflictException("No imaging archive is configured (Imaging:OrthancUrl).");
        audit.Record(AuditAction.Read, ObjectType, studyUid, @case.MemberId, reason: reason);
        await db.SaveChangesAsync(ct);
        return @case.Number;
    }

    public bool ArchiveEnabled => options.Value.Enabled;

    /// <summary>Studies the change feed or a coordinator attached to the case (the caller has checked the reviewer).</summary>
    public async Task<IReadOnlyList<(string StudyInstanceUid, string? Description, string? StudyDate)>> AttachedStudiesAsync(Guid caseId, CancellationToken ct) =>
        (await db.Set<ArchiveStudy>().AsNoTracking().Where(s => s.CaseId == caseId && s.Status == ArchiveStudyStatus.Attached)
            .OrderBy(s => s.ReceivedAt).Select(s => new { s.StudyInstanceUid, s.StudyDescription, s.StudyDate }).ToListAsync(ct))
        .Select(s => (s.StudyInstanceUid, s.StudyDescription, s.StudyDate)).ToList();

    /// <summary>A study is the case's when a document of the case carries it, or the archive's change feed (or a coordinator) attached it.</summary>
    internal static async Task<bool> StudyOfCaseAsync(ConsiliumDbContext db, Guid caseId, string studyUid, CancellationToken ct) =>
        await db.Set<CaseDocument>().Where(d => d.CaseId == caseId).SelectMany(d => d.Instances).AnyAsync(i => i.StudyInstanceUid == studyUid, ct)
        || await db.Set<ArchiveStudy>().AnyAsync(s => s.CaseId == caseId && s.StudyInstanceUid == studyUid && s.Status == ArchiveStudyStatus.Attached, ct);

    /// <summary>DICOM UIDs are digits and dots, at most 64 characters; anything else names no study.</summary>
    static void RequireUid(string uid, string what)
    {
        if (uid.Length is 0 or > 64 || uid.Any(c => c is not (>= '0' and <= '9' or '.'))) throw new NotFoundException($"{what} of the case", uid);
    }
}

public sealed record StudyViewerView(Guid CaseId, string CaseNumber, string StudyInstanceUid, string? Description, IReadOnlyList<ViewerSeries> Series);

public sealed record ViewerSeries(string SeriesInstanceUid, string? Number, string? Modality, string? Description, IReadOnlyList<ViewerInstance> Instances);

public sealed record ViewerInstance(string SopInstanceUid, string? Number, int Frames);

using System.Net;
using Consilium.Features.Audit;
using Consilium.Features.Imaging;
using Consilium.Infrastructure.Outbox;
using Consilium.Tests.Documents;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Imaging;

/// <summary>
/// Case studies copied to a real Orthanc with its DICOMweb plugin (started by ./test on loopback, with authentication):
/// STOW-RS through the outbox, and a push the archive refused is retried and then lands.
/// One archive-connected node per database is shared by the tests of the class (<see cref="ArchiveFixture"/>); only the
/// node with the wrong archive password is started by its test.
/// </summary>
public sealed partial class ImagingArchiveTests(ImagingArchiveTests.ArchiveFixture fixture) : IClassFixture<ImagingArchiveTests.ArchiveFixture>
{
    public const string UrlVariable = "CONSILIUM_TEST_ORTHANC_URL";
    static readonly string? Url = Environment.GetEnvironmentVariable(UrlVariable);
    static readonly string? User = Environment.GetEnvironmentVariable("CONSILIUM_TEST_ORTHANC_USER");
    static readonly string? Password = Environment.GetEnvironmentVariable("CONSILIUM_TEST_ORTHANC_PASSWORD");

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task DicomUpload_IsPushedByStowRs_AndARefusedPushIsRetriedUntilItLands(DatabaseKind db)
    {
        if (Url is null) Assert.Skip($"No Orthanc to test against: {UrlVariable} is not set (./test starts one).");
        if (DocumentTestData.SharedRoot is null) Assert.Skip(DocumentTestData.SkipMessage);

        // The shared node has the right credentials. A second node on its database has the wrong archive password; its
        // clock is a day ahead, so the push it records is not yet due for the shared node: only the refused node tries it.
        var good = await fixture.AppAsync(db);
        await using var refused = await TestApp.StartOnAsync(good, a => Archive(a, "not-the-password"));
        refused.Clock.SetUtcNow(good.Clock.GetUtcNow().AddDays(1));
        var c = await DocumentCase.ArrangeAsync(refused);
        var file = DocumentTestData.ValidDicom().First(f => f.StartsWith("dicom/ct/", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(DocumentTestData.PathOf(file));
        if (!Dcmtk.Installed) Assert.Skip("DCMTK (dcmdump) is not installed; ./test installs it.");
        var studyUid = Dcmtk.Value(DocumentTestData.PathOf(file), "0020,000d")!;
        // The archive is shared by the runs on both databases: start from an archive without this study.
        await RemoveStudyAsync(studyUid);
        using (var coordinator = refused.ClientFor(c.Coordinator))
            Assert.Equal(HttpStatusCode.Created, (await coordinator.UploadAsync(c.CaseId, bytes, "study.dcm")).StatusCode);
        var documentId = await refused.WithDbAsync(d => d.Set<Features.Documents.CaseDocument>().Where(x => x.CaseId == c.CaseId).Select(x => x.Id).SingleAsync());
        var failed = await WaitForAsync(refused, q => q.Where(m => m.Payload.Contains(documentId.ToString())), m => m.Attempts >= 1 && m.Status == OutboxStatus.Pending && m.LastError != null);
        Assert.Equal(nameof(ArchiveException), failed.LastError);

        // The node with the right credentials takes it once the retry is due, and the study is in the archive.
        good.Clock.SetUtcNow(refused.Clock.GetUtcNow().AddHours(1));
        good.Services.GetRequiredService<OutboxSignal>().Notify();
        var sent = await WaitForAsync(good, q => q.Where(m => m.Id == failed.Id), m => m.Status == OutboxStatus.Sent);
        Assert.Equal(2, sent.Attempts);

        await using var scope = good.Services.CreateAsyncScope();
        var archive = scope.ServiceProvider.GetRequiredService<OrthancClient>();
        Assert.True(await archive.HasStudyAsync(studyUid, CancellationToken.None));
        Assert.True(await good.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.ObjectId == documentId.ToString() && e.Action == AuditAction.Export
            && e.Reason!.StartsWith("pushed to the imaging archive"))));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Viewer_OpensTheStudyForTheAssignedReviewerOnly_AndEveryViewIsAudited(DatabaseKind db)
    {
        if (Url is null) Assert.Skip($"No Orthanc to test against: {UrlVariable} is not set (./test starts one).");
        if (DocumentTestData.SharedRoot is null) Assert.Skip(DocumentTestData.SkipMessage);
        if (!Dcmtk.Installed) Assert.Skip("DCMTK (dcmdump) is not installed; ./test installs it.");
        var app = await fixture.AppAsync(db);
        var c = await Opinions.OpinionTestData.ArrangeAsync(app);
        var file = DocumentTestData.PathOf(DocumentTestData.ValidDicom().First(f => f.StartsWith("dicom/mr/", StringComparison.Ordinal)));
        var studyUid = Dcmtk.Value(file, "0020,000d")!;
        await RemoveStudyAsync(studyUid);
        using (var coordinator = app.ClientFor(c.Coordinator))
            Assert.Equal(HttpStatusCode.Created, (await coordinator.UploadAsync(c.CaseId, File.ReadAllBytes(file), "mr.dcm")).StatusCode);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var archive = scope.ServiceProvider.GetRequiredService<OrthancClient>();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!await archive.HasStudyAsync(studyUid, CancellationToken.None))
            {
                Assert.True(DateTime.UtcNow < deadline, "the study never reached the archive");
                await Task.Delay(100);
            }
        }
        var url = $"/api/cases/{c.CaseId}/studies/{studyUid}/metadata";

        using var reviewer = app.ClientFor(c.Reviewer);
        var viewed = await reviewer.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, viewed.StatusCode);
        Assert.Equal("application/dicom+json", viewed.Content.Headers.ContentType?.MediaType);
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(await viewed.Content.ReadAsStringAsync())!.AsArray();
        Assert.All(metadata, instance => Assert.Equal(studyUid, (string?)instance!["0020000D"]!["Value"]![0]));

        var other = await app.CreateUserAsync(Features.Identity.Roles.Reviewer);
        using var otherClient = app.ClientFor(other);
        Assert.Equal(HttpStatusCode.NotFound, (await otherClient.GetAsync(url)).StatusCode);
        using var coordinatorClient = app.ClientFor(c.Coordinator);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinatorClient.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync($"/api/cases/{c.CaseId}/studies/1.2.3.4/metadata")).StatusCode);

        // The images themselves, through the same check: rendered (JPEG, or PNG on request) and a frame's pixel data.
        var (seriesUid, instanceUid) = (Dcmtk.Value(file, "0020,000e")!, Dcmtk.Value(file, "0008,0018")!);
        var instance = $"/api/cases/{c.CaseId}/studies/{studyUid}/series/{seriesUid}/instances/{instanceUid}";
        var jpeg = await reviewer.GetAsync(instance + "/rendered");
        Assert.Equal(HttpStatusCode.OK, jpeg.StatusCode);
        Assert.Equal("image/jpeg", jpeg.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, (await jpeg.Content.ReadAsByteArrayAsync())[..3]);
        using (var request = new HttpRequestMessage(HttpMethod.Get, instance + "/rendered") { Headers = { { "Accept", "image/png" } } })
        {
            var png = await reviewer.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, (await png.Content.ReadAsByteArrayAsync())[..8]);
        }
        var frame = await reviewer.GetAsync(instance + "/frames/1");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("multipart/related", frame.Content.Headers.ContentType?.MediaType);
        Assert.True((await frame.Content.ReadAsByteArrayAsync()).Length > 1000);
        Assert.Contains("frame", (await (await reviewer.GetAsync(instance + "/frames/0")).JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(HttpStatusCode.NotFound, (await otherClient.GetAsync(instance + "/rendered")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinatorClient.GetAsync(instance + "/rendered")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync($"/api/cases/{c.CaseId}/studies/{studyUid}/series/{seriesUid}/instances/1.2.3/rendered")).StatusCode);

        // The viewer page: the study's series, one image at a time through the proxy above.
        var viewer = await reviewer.GetAsync($"/cases/{c.CaseId}/studies/{studyUid}/viewer");
        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);
        Assert.Contains($"src=\"{instance}/rendered\"", await viewer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await otherClient.GetAsync($"/cases/{c.CaseId}/studies/{studyUid}/viewer")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinatorClient.GetAsync($"/cases/{c.CaseId}/studies/{studyUid}/viewer")).StatusCode);

        var trail = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.ObjectType == "ImagingStudy" && e.ObjectId == studyUid)
            .Select(e => new { e.UserId, e.Outcome, e.Reason }).ToListAsync());
        Assert.Contains(trail, e => e.UserId == c.Reviewer.Id && e.Outcome == AuditOutcome.Success && e.Reason!.Contains("DICOMweb metadata"));
        Assert.Contains(trail, e => e.UserId == c.Reviewer.Id && e.Outcome == AuditOutcome.Success && e.Reason == $"viewed through the imaging archive (rendered instance {instanceUid})");
        Assert.Contains(trail, e => e.UserId == c.Reviewer.Id && e.Outcome == AuditOutcome.Success && e.Reason!.Contains("frame 1"));
        Assert.Contains(trail, e => e.UserId == c.Reviewer.Id && e.Outcome == AuditOutcome.Success && e.Reason!.EndsWith("(viewer)"));
        Assert.Equal(3, trail.Count(e => e.UserId == other.Id && e.Outcome == AuditOutcome.Denied));
    }

    [Fact]
    public async Task StudyStoredByDicomCStore_AppearsInTheChangeFeedAsStable_WithItsIdentifyingTags()
    {
        if (Url is null) Assert.Skip($"No Orthanc to test against: {UrlVariable} is not set (./test starts one).");
        if (DocumentTestData.SharedRoot is null) Assert.Skip(DocumentTestData.SkipMessage);
        if (!Dcmtk.Installed) Assert.Skip("DCMTK is not installed; ./test installs it.");
        var port = Environment.GetEnvironmentVariable("CONSILIUM_TEST_ORTHANC_DICOM_PORT");
        if (port is null) Assert.Skip("CONSILIUM_TEST_ORTHANC_DICOM_PORT is not set (./test sets it).");
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        var file = DocumentTestData.PathOf(DocumentTestData.ValidDicom().First(f => f.StartsWith("dicom/dx/", StringComparison.Ordinal)));
        var studyUid = Dcmtk.Value(file, "0020,000d")!;
        await RemoveStudyAsync(studyUid);
        await using var scope = app.Services.CreateAsyncScope();
        var archive = scope.ServiceProvider.GetRequiredService<OrthancClient>();
        // Read the feed to its end first: the changes after that point are this test's.
        long since = 0;
        for (var page = await archive.ReadChangesAsync(since, 1000, CancellationToken.None); ; page = await archive.ReadChangesAsync(since, 1000, CancellationToken.None))
        {
            since = page.Last;
            if (page.Done) break;
        }

        Dcmtk.Run("storescu", null, "-aet", "FACILITY", "-aec", Environment.GetEnvironmentVariable("CONSILIUM_TEST_ORTHANC_AET") ?? "ORTHANC",
            "127.0.0.1", port, file);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        ArchivedStudy? found = null;
        while (found is null)
        {
            var page = await archive.ReadChangesAsync(since, 100, CancellationToken.None);
            foreach (var change in page.Changes.Where(c => c.ChangeType == "StableStudy"))
            {
                var study = await archive.ReadStudyAsync(change.Id, CancellationToken.None);
                if (study?.StudyInstanceUid == studyUid) found = study;
            }
            Assert.All(page.Changes, c => Assert.True(c.Seq > since));
            since = page.Last;
            if (found is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the stored study never became stable in the change feed");
                await Task.Delay(200);
            }
        }
        Assert.Equal(Dcmtk.Value(file, "0008,0050"), found.AccessionNumber);
        Assert.Equal(Dcmtk.Value(file, "0010,0020"), found.PatientId);
        Assert.Equal(Dcmtk.Value(file, "0010,0010"), found.PatientName);
        Assert.Equal(Dcmtk.Value(file, "0010,0030"), found.BirthDate);
        Assert.Null(await archive.ReadStudyAsync("00000000-00000000-00000000-00000000-00000000", CancellationToken.None));
    }

    /// <summary>One running node per database kind, connected to the test archive with the right credentials.</summary>
    public sealed class ArchiveFixture : IAsyncDisposable
    {
        readonly Dictionary<DatabaseKind, Lazy<Task<TestApp>>> _apps = Enum.GetValues<DatabaseKind>()
            .ToDictionary(k => k, k => new Lazy<Task<TestApp>>(() => TestApp.StartAsync(k, a => Archive(a, Password))));

        public Task<TestApp> AppAsync(DatabaseKind kind) => _apps[kind].Value;

        public async ValueTask DisposeAsync()
        {
            foreach (var app in _apps.Values.Where(a => a.IsValueCreated))
                if (app.Value.IsCompletedSuccessfully) await (await app.Value).DisposeAsync();
        }
    }

    internal static void Archive(TestApp app, string? password) => app
        .With("Imaging:OrthancUrl", Url).With("Imaging:Username", User).With("Imaging:Password", password)
        .With("Outbox:PollInterval", "00:00:00.200").With("Outbox:RetryDelay", "00:00:30")
        // The change-feed reader is driven by the tests, pass by pass (ArchiveFeed.PollOnceAsync), not by the timer.
        .With("Imaging:Feed:PollInterval", "00:00:00");

    /// <summary>Deletes the study from the archive through Orthanc's REST API (lookup by UID, then DELETE).</summary>
    static async Task RemoveStudyAsync(string studyUid)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url!.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}")));
        var found = System.Text.Json.Nodes.JsonNode.Parse(await (await http.PostAsync("tools/lookup", new StringContent(studyUid))).Content.ReadAsStringAsync())!.AsArray();
        foreach (var item in found.Where(i => (string?)i!["Type"] == "Study"))
            (await http.DeleteAsync($"studies/{(string?)item!["ID"]}")).EnsureSuccessStatusCode();
        Assert.Equal("[]", System.Text.Json.Nodes.JsonNode.Parse(await (await http.PostAsync("tools/lookup", new StringContent(studyUid))).Content.ReadAsStringAsync())!.ToJsonString());
    }

    /// <summary>Polls the outbox row (the worker runs on its own thread) until it matches, for at most 30 seconds.</summary>
    static async Task<OutboxMessage> WaitForAsync(TestApp app, Func<IQueryable<OutboxMessage>, IQueryable<OutboxMessage>> find, Func<OutboxMessage, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var message = await app.WithDbAsync(d => find(d.Set<OutboxMessage>().AsNoTracking().Where(m => m.Kind == "imaging.stow")).SingleOrDefaultAsync());
            if (message is not null && done(message)) return message;
            if (DateTime.UtcNow > deadline) Assert.Fail($"the push did not get there: {message?.Status} after {message?.Attempts} attempts, {message?.LastError}");
            await Task.Delay(100);
        }
    }
}

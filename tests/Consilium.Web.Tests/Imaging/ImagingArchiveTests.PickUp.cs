using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Imaging;
using Consilium.Features.Members;
using Consilium.Tests.Documents;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Imaging;

/// <summary>
/// Studies a facility sends straight to the archive by DICOM C-STORE (DCMTK's storescu against the real Orthanc), picked
/// up from the change feed by <see cref="ArchiveFeed"/>: by case number in the accession number, by patient, or queued for
/// a coordinator; then the coordinator's queue over HTTP, and the reviewer viewing a picked-up study through Consilium.
/// </summary>
public sealed partial class ImagingArchiveTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task CStoreStudies_AreAttachedByCaseNumberOrByPatient_AndTheRestWaitForACoordinator(DatabaseKind db)
    {
        if (Url is null) Assert.Skip($"No Orthanc to test against: {UrlVariable} is not set (./test starts one).");
        if (DocumentTestData.SharedRoot is null) Assert.Skip(DocumentTestData.SkipMessage);
        if (!Dcmtk.Installed) Assert.Skip(Dcmtk.Missing);
        var port = Environment.GetEnvironmentVariable("CONSILIUM_TEST_ORTHANC_DICOM_PORT");
        if (port is null) Assert.Skip("CONSILIUM_TEST_ORTHANC_DICOM_PORT is not set (./test sets it).");
        var app = await fixture.AppAsync(db);

        // A case at Assigned whose number the facility was given; a member with a case collecting records; two cases
        // collecting records whose members share a name and birth date; a closed case.
        var byNumber = await Opinions.OpinionTestData.ArrangeAsync(app);
        var number = await app.WithDbAsync(d => d.Cases.Where(c => c.Id == byNumber.CaseId).Select(c => c.Number).SingleAsync());
        var family = "Pickup" + Letters();
        var one = await SeedCaseAsync(app, byNumber.ProgramId, "Amara", family + "one", new DateOnly(1961, 2, 3), Sex.Female, CaseStatus.CollectingRecords);
        var twinA = await SeedCaseAsync(app, byNumber.ProgramId, "Tomas", family + "twin", new DateOnly(1955, 7, 8), Sex.Male, CaseStatus.CollectingRecords);
        var twinB = await SeedCaseAsync(app, byNumber.ProgramId, "Tomas", family + "twin", new DateOnly(1955, 7, 8), Sex.Male, CaseStatus.CollectingRecords);
        var closed = await SeedCaseAsync(app, byNumber.ProgramId, "Ines", family + "closed", new DateOnly(1949, 1, 1), Sex.Female, CaseStatus.Closed);

        // This database's first pass starts at the archive's end (what it held before is not picked up); later passes go on from there.
        var first = await PassAsync(app);
        Assert.Equal((FeedPassOutcome.Done, 0, 0), (first.Outcome, first.Attached, first.Queued));
        Assert.NotEqual(ArchiveFeedCursor.NotStarted, await CursorAsync(app));

        using var temp = new TempDirectory();
        var source = DocumentTestData.PathOf(DocumentTestData.ValidDicom().First(f => f.StartsWith("dicom/dx/", StringComparison.Ordinal)));
        var accession = temp.Study(source, "accession", number.Replace("-", "").ToLowerInvariant(), "NOBODY^ATALL", "19000101", "O");
        var patient = temp.Study(source, "patient", "RIS" + Letters(), $"{family}ONE^AMARA", "19610203", "F");
        var ambiguous = temp.Study(source, "ambiguous", "RIS" + Letters(), $"{family}TWIN^TOMAS", "19550708", "M");
        var unknown = temp.Study(source, "unknown", "RIS" + Letters(), $"{family}NOONE^NOBODY", "19800101", "F");
        var sent = new[] { accession, patient, ambiguous, unknown };
        Dcmtk.Run("storescu", null, ["-aet", "FACILITY", "-aec", Environment.GetEnvironmentVariable("CONSILIUM_TEST_ORTHANC_AET") ?? "ORTHANC",
            "127.0.0.1", port, .. sent.Select(s => s.Path)]);

        // Each pass reads the feed from the stored cursor; the studies become stable StableAge (2 s) after their last instance.
        var uids = sent.Select(s => s.StudyUid).ToList();
        var rows = await PassUntilAsync(app, async () =>
        {
            var found = await app.WithDbAsync(d => d.Set<ArchiveStudy>().AsNoTracking().Where(s => uids.Contains(s.StudyInstanceUid)).ToListAsync());
            return found.Count == uids.Count ? found.ToDictionary(s => s.StudyInstanceUid) : null;
        });

        Assert.Equal((ArchiveStudyStatus.Attached, byNumber.CaseId, ArchiveMatch.Accession), (rows[accession.StudyUid].Status, rows[accession.StudyUid].CaseId, rows[accession.StudyUid].MatchedBy));
        Assert.Equal((ArchiveStudyStatus.Attached, one.CaseId, ArchiveMatch.Patient), (rows[patient.StudyUid].Status, rows[patient.StudyUid].CaseId, rows[patient.StudyUid].MatchedBy));
        Assert.Equal(ArchiveStudyStatus.Unmatched, rows[ambiguous.StudyUid].Status);
        Assert.Contains(twinA.Number, rows[ambiguous.StudyUid].Reason);
        Assert.Contains(twinB.Number, rows[ambiguous.StudyUid].Reason);
        Assert.Equal(ArchiveStudyStatus.Unmatched, rows[unknown.StudyUid].Status);
        Assert.StartsWith("no case collecting records", rows[unknown.StudyUid].Reason);
        Assert.DoesNotContain(family.ToUpperInvariant(), string.Concat(rows.Values.Select(r => r.Reason.ToUpperInvariant())));
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.ObjectType == "ImagingStudy" && e.ObjectId == patient.StudyUid
            && e.Action == AuditAction.Create && e.PatientId == one.MemberId)));
        // The attached study counts as the case's imaging files.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var kinds = await scope.ServiceProvider.GetRequiredService<Features.Records.RecordHandlers>().ReceivedKindsAsync(one.CaseId, CancellationToken.None);
            Assert.Contains(Features.Records.RecordKind.ImagingFiles, kinds);
        }

        // Idempotent: the feed replayed from before these studies attaches and queues nothing more.
        var cursor = await CursorAsync(app);
        Assert.True(cursor >= rows.Values.Max(r => r.FeedSequence));
        await app.WithDbAsync(d => d.Set<ArchiveFeedCursor>().ExecuteUpdateAsync(u => u.SetProperty(c => c.Sequence, rows.Values.Min(r => r.FeedSequence) - 1)));
        var replay = await PassAsync(app);
        Assert.Equal((FeedPassOutcome.Done, 0, 0), (replay.Outcome, replay.Attached, replay.Queued));
        Assert.True(replay.Sequence >= cursor);
        Assert.Equal(4, await app.WithDbAsync(d => d.Set<ArchiveStudy>().CountAsync(s => uids.Contains(s.StudyInstanceUid))));

        // One node at a time: while another node's lease runs, a pass does nothing; once it has run out, this node takes over.
        await app.WithDbAsync(d => d.Set<ArchiveFeedCursor>().ExecuteUpdateAsync(u => u
            .SetProperty(c => c.LockedBy, "other-node").SetProperty(c => c.LockedUntil, app.Clock.GetUtcNow().AddMinutes(1))));
        Assert.Equal(FeedPassOutcome.Busy, (await PassAsync(app)).Outcome);
        await app.WithDbAsync(d => d.Set<ArchiveFeedCursor>().ExecuteUpdateAsync(u => u.SetProperty(c => c.LockedUntil, app.Clock.GetUtcNow().AddSeconds(-1))));
        Assert.Equal(FeedPassOutcome.Done, (await PassAsync(app)).Outcome);
        Assert.Null(await app.WithDbAsync(d => d.Set<ArchiveFeedCursor>().Select(c => c.LockedBy).SingleAsync()));

        // The reviewer of the case named by the accession number sees the picked-up study through Consilium.
        using (var reviewer = app.ClientFor(byNumber.Reviewer))
        {
            var rendered = await reviewer.GetAsync($"/api/cases/{byNumber.CaseId}/studies/{accession.StudyUid}/series/{accession.SeriesUid}/instances/{accession.InstanceUid}/rendered");
            Assert.Equal(HttpStatusCode.OK, rendered.StatusCode);
            Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, (await rendered.Content.ReadAsByteArrayAsync())[..3]);
            var review = await reviewer.GetStringAsync($"/cases/{byNumber.CaseId}/review");
            Assert.Contains($"/cases/{byNumber.CaseId}/studies/{accession.StudyUid}/viewer", review);
            // The FHIR API lists it as one of the case's ImagingStudy resources, with the accession number it came with.
            var bundle = (await (await reviewer.GetAsync("/fhir/ImagingStudy")).JsonAsync(HttpStatusCode.OK))!;
            var study = bundle["entry"]!.AsArray().Select(e => e!["resource"]!)
                .Single(r => r["identifier"]!.AsArray().Any(i => (string?)i!["value"] == "urn:oid:" + accession.StudyUid));
            Assert.Equal($"ServiceRequest/{byNumber.CaseId}", (string?)study["basedOn"]![0]!["reference"]);
            Assert.Contains(study["identifier"]!.AsArray(), i => (string?)i!["value"] == number.Replace("-", "").ToLowerInvariant());
        }

        // The coordinators' queue: the identifying tags, audited; other roles refused.
        using var coordinator = app.ClientFor(byNumber.Coordinator);
        var queue = (await (await coordinator.GetAsync("/api/imaging/unmatched")).JsonAsync(HttpStatusCode.OK)).AsArray();
        var queued = queue.Single(s => (string?)s!["studyInstanceUid"] == ambiguous.StudyUid)!;
        Assert.Equal($"{family}TWIN^TOMAS".ToUpperInvariant(), ((string?)queued["patientName"])?.ToUpperInvariant());
        Assert.Equal("19550708", (string?)queued["patientBirthDate"]);
        Assert.Equal("M", (string?)queued["patientSex"]);
        var queuedId = (string)queued["id"]!;
        var unknownId = (string)queue.Single(s => (string?)s!["studyInstanceUid"] == unknown.StudyUid)!["id"]!;
        Assert.DoesNotContain(queue, s => (string?)s!["studyInstanceUid"] == accession.StudyUid);
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.ObjectType == "ArchiveStudy" && e.ObjectId == queuedId
            && e.Action == AuditAction.Query && e.UserId == byNumber.Coordinator.Id)));
        using (var reviewer = app.ClientFor(byNumber.Reviewer))
            Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/imaging/unmatched")).StatusCode);

        // Refusals name the problem and change nothing.
        var attach = $"/api/imaging/unmatched/{queuedId}/attach";
        Assert.Contains("caseId", (await (await coordinator.PostJsonAsync(attach, new { })).JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Contains("caseId", (await (await coordinator.PostJsonAsync(attach, new { caseId = Guid.NewGuid() })).JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
        var refused = await (await coordinator.PostJsonAsync(attach, new { caseId = closed.CaseId })).JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains(closed.Number, (string?)refused["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.PostJsonAsync($"/api/imaging/unmatched/{Guid.NewGuid()}/attach", new { caseId = twinA.CaseId })).StatusCode);
        Assert.Equal(ArchiveStudyStatus.Unmatched, await StatusAsync(app, ambiguous.StudyUid));

        // The coordinator attaches the ambiguous study to the right twin; a second decision on it is refused.
        var attached = await (await coordinator.PostJsonAsync(attach, new { caseId = twinA.CaseId })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(twinA.Number, (string?)attached["caseNumber"]);
        var row = await app.WithDbAsync(d => d.Set<ArchiveStudy>().AsNoTracking().SingleAsync(s => s.StudyInstanceUid == ambiguous.StudyUid));
        Assert.Equal((ArchiveStudyStatus.Attached, twinA.CaseId, ArchiveMatch.Coordinator, byNumber.Coordinator.Id), (row.Status, row.CaseId, row.MatchedBy, row.ResolvedByUserId));
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.ObjectType == "ImagingStudy" && e.ObjectId == ambiguous.StudyUid
            && e.Action == AuditAction.Update && e.PatientId == twinA.MemberId && e.UserId == byNumber.Coordinator.Id)));
        Assert.Equal(HttpStatusCode.Conflict, (await coordinator.PostJsonAsync($"/api/imaging/unmatched/{queuedId}/dismiss", new { reason = "duplicate" })).StatusCode);

        // The study nobody fits is dismissed, with a reason.
        var dismiss = $"/api/imaging/unmatched/{unknownId}/dismiss";
        Assert.Contains("reason", (await (await coordinator.PostJsonAsync(dismiss, new { reason = " " })).JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
        await (await coordinator.PostJsonAsync(dismiss, new { reason = "Not one of our members: sent to the wrong archive" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(ArchiveStudyStatus.Dismissed, await StatusAsync(app, unknown.StudyUid));
        var after = (await (await coordinator.GetAsync("/api/imaging/unmatched")).JsonAsync(HttpStatusCode.OK)).AsArray();
        Assert.DoesNotContain(after, s => (string?)s!["studyInstanceUid"] is { } uid && (uid == unknown.StudyUid || uid == ambiguous.StudyUid));
    }

    sealed record SeededCase(Guid CaseId, string Number, Guid MemberId);

    static async Task<SeededCase> SeedCaseAsync(TestApp app, Guid programId, string given, string familyName, DateOnly born, Sex sex, CaseStatus stage)
    {
        var memberId = await app.WithDbAsync(async d =>
        {
            var member = Member.Enroll(programId, "M" + Guid.NewGuid().ToString("N")[..10], given, familyName, born, sex, "OH", null, null, "en", app.Clock.GetUtcNow());
            d.Members.Add(member);
            await d.SaveChangesAsync();
            return member.Id;
        });
        var caseId = await app.SeedCaseAsync(new Scenario(Guid.Empty, programId, memberId), stage);
        var number = await app.WithDbAsync(d => d.Cases.Where(c => c.Id == caseId).Select(c => c.Number).SingleAsync());
        return new SeededCase(caseId, number, memberId);
    }

    static Task<FeedPass> PassAsync(TestApp app) => WithFeedAsync(app, f => f.PollOnceAsync(CancellationToken.None));

    static async Task<T> WithFeedAsync<T>(TestApp app, Func<ArchiveFeed, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ArchiveFeed>());
    }

    /// <summary>Runs feed passes until <paramref name="done"/> answers, for at most 30 seconds.</summary>
    static async Task<T> PassUntilAsync<T>(TestApp app, Func<Task<T?>> done) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.Equal(FeedPassOutcome.Done, (await PassAsync(app)).Outcome);
            if (await done() is { } result) return result;
            Assert.True(DateTime.UtcNow < deadline, "the studies sent by C-STORE were not picked up from the change feed within 30 s");
            await Task.Delay(250);
        }
    }

    static Task<long> CursorAsync(TestApp app) => app.WithDbAsync(d => d.Set<ArchiveFeedCursor>().Select(c => c.Sequence).SingleAsync());

    static Task<ArchiveStudyStatus> StatusAsync(TestApp app, string studyUid) =>
        app.WithDbAsync(d => d.Set<ArchiveStudy>().Where(s => s.StudyInstanceUid == studyUid).Select(s => s.Status).SingleAsync());

    static string Letters() => new(Guid.NewGuid().ToString("N").Select(c => (char)('a' + c % 26)).Take(8).ToArray());

    sealed record SentStudy(string Path, string StudyUid, string SeriesUid, string InstanceUid);

    /// <summary>A directory of rewritten copies of a DICOM file (new study, series and instance UIDs; the facility's tags).</summary>
    sealed class TempDirectory : IDisposable
    {
        readonly string _path = Directory.CreateTempSubdirectory("consilium-cstore-").FullName;

        public SentStudy Study(string source, string name, string accession, string patientName, string birthDate, string sex)
        {
            var path = System.IO.Path.Combine(_path, name + ".dcm");
            File.Copy(source, path);
            Dcmtk.Run("dcmodify", null, "-nb", "-gst", "-gse", "-gin", "-i", $"(0008,0050)={accession}", "-i", $"(0010,0010)={patientName}",
                "-i", $"(0010,0030)={birthDate}", "-i", $"(0010,0040)={sex}", "-i", "(0010,0020)=FAC-" + name, path);
            return new SentStudy(path, Dcmtk.Value(path, "0020,000d")!, Dcmtk.Value(path, "0020,000e")!, Dcmtk.Value(path, "0008,0018")!);
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}

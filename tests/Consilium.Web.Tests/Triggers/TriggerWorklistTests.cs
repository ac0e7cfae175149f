using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Triggers;
using Consilium.Infrastructure.Storage;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Consilium.Triggers;
using Consilium.X12.Generation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Triggers;

/// <summary>
/// The trigger engine inside the platform: a claims file uploaded through the API is scanned by the background runner,
/// its candidates land on the worklist (members with an open case or not on the roster suppressed, a file sent twice
/// adding nothing), outreach opens a case at Referred linked to the candidate, outcomes feed the engagement rate.
/// </summary>
public sealed class TriggerWorklistTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task UploadedClaims_AreScannedInTheBackground_AndOutreachOpensAReferredCase(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var program = scenario.ProgramId;
        var (path, manifest) = Generate(seed: 5);
        var planted = manifest.Planted.Select(p => p.MemberId).Distinct().Order(StringComparer.Ordinal).ToList();
        // Everyone planted is on the roster except the first; the second already has an open case.
        foreach (var member in planted.Skip(1)) await app.EnrollAsync(program, member);
        await app.WithDbAsync(async d =>
        {
            var second = await d.Members.SingleAsync(m => m.ProgramId == program && m.ExternalId == planted[1]);
            d.Cases.Add(Case.Open(program, second.Id, ConditionCategory.Other, IntakeChannel.Coordinator, "Already in the program", CaseStatus.Intake,
                new Actor(null, "test", Roles.Coordinator), app.Clock.GetUtcNow()));
            await d.SaveChangesAsync();
        });
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program]);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var adminClient = app.ClientFor(admin);
        using var client = app.ClientFor(coordinator);

        var job = await UploadAndWaitAsync(adminClient, program, path);

        Assert.Equal("Succeeded", (string?)job["status"]);
        Assert.Equal(manifest.Claims, (long)job["claims"]!);
        Assert.Equal(planted.Count - 2, (int)job["candidates"]!);
        Assert.Equal(2, (int)job["suppressed"]!);
        var worklist = (await (await client.GetAsync($"/api/programs/{program}/trigger-candidates")).JsonAsync(HttpStatusCode.OK)).AsArray();
        Assert.Equal(planted.Skip(2).ToList(), worklist.Select(c => (string)c!["memberId"]!).Order(StringComparer.Ordinal).ToList());
        Assert.All(worklist, c => Assert.NotEmpty(c!["evidence"]!.AsArray()));
        Assert.All(worklist, c => Assert.Equal("Test Member", (string?)c!["memberName"]));
        var suppressed = (await (await client.GetAsync($"/api/programs/{program}/trigger-candidates?status=Suppressed")).JsonAsync(HttpStatusCode.OK)).AsArray();
        Assert.Equal(new Dictionary<string, string> { [planted[0]] = "not on the roster", [planted[1]] = "open case" },
            suppressed.ToDictionary(c => (string)c!["memberId"]!, c => (string)c!["suppressionReason"]!));

        // The same file again: every candidate was already found.
        var again = await UploadAndWaitAsync(adminClient, program, path);
        Assert.Equal((0, planted.Count), ((int)again["candidates"]!, (int)again["duplicates"]!));

        var candidate = worklist[0]!;
        var id = (string)candidate["id"]!;
        var started = await (await client.PostJsonAsync($"/api/trigger-candidates/{id}/outreach", new { })).JsonAsync(HttpStatusCode.OK);
        var caseId = Guid.Parse((string)started["caseId"]!);
        var opened = await app.WithDbAsync(d => d.Cases.SingleAsync(c => c.Id == caseId));
        Assert.Equal((CaseStatus.Referred, IntakeChannel.Trigger, (string)candidate["sentence"]!, coordinator.Id),
            (opened.Status, opened.Channel, opened.Concern, opened.CoordinatorUserId));
        Assert.Equal("Outreach", (string?)started["status"]);
        var twice = await (await client.PostJsonAsync($"/api/trigger-candidates/{id}/outreach", new { })).JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains("Outreach", (string?)twice["detail"]);

        var badOutcome = await (await client.PostJsonAsync($"/api/trigger-candidates/{id}/outcome", new { })).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["outcome"], badOutcome.ErrorFields());
        await (await client.PostJsonAsync($"/api/trigger-candidates/{id}/outcome", new { outcome = "Reached" })).JsonAsync(HttpStatusCode.OK);
        var summary = await (await client.GetAsync($"/api/programs/{program}/outreach-summary")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((planted.Count - 2, 1, 1), ((int)summary["membersTargeted"]!, (int)summary["casesOpened"]!, (int)summary["reached"]!));
        Assert.Equal(Math.Round(1.0 / (planted.Count - 2), 4), (double)summary["engagementRate"]!);

        var dismissed = await (await client.PostJsonAsync($"/api/trigger-candidates/{worklist[1]!["id"]}/dismiss", new { reason = " " })).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["reason"], dismissed.ErrorFields());

        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(a => a.ObjectType == "TriggerCandidate" && a.Action == AuditAction.Query
            && a.UserId == coordinator.Id)), "reading the worklist is audited");
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(a => a.ObjectType == "Case" && a.ObjectId == caseId.ToString()
            && a.Action == AuditAction.Create)), "the case opened by outreach is audited");
        File.Delete(path);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task MalformedFile_FailsItsScanWithTheLocation_AndLenientSkipsTheTransaction(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var (path, manifest) = Generate(seed: 9);
        foreach (var member in manifest.Planted.Select(p => p.MemberId).Distinct()) await app.EnrollAsync(scenario.ProgramId, member);
        var text = await File.ReadAllTextAsync(path);
        var at = text.IndexOf("SV1*HC:", text.Length / 2, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, text[..at] + "SV1*HC:99213*1O0" + text[text.IndexOf("*UN*", at, StringComparison.Ordinal)..]);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [scenario.ProgramId]);
        using var client = app.ClientFor(admin);

        var strict = await UploadAndWaitAsync(client, scenario.ProgramId, path);
        Assert.Equal("Failed", (string?)strict["status"]);
        Assert.Contains("segment", (string?)strict["errors"]);
        Assert.Contains("byte", (string?)strict["errors"]);
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<TriggerCandidate>().CountAsync(c => c.ProgramId == scenario.ProgramId)));

        var lenient = await UploadAndWaitAsync(client, scenario.ProgramId, path, lenient: true);
        Assert.Equal("Succeeded", (string?)lenient["status"]);
        Assert.True((int)lenient["skipped"]! >= 1);
        Assert.Contains("segment", (string?)lenient["errors"]);
        File.Delete(path);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ProgramRules_AreVersioned_AndABadFileIsRefusedNamingThePlace(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [scenario.ProgramId]);
        using var client = app.ClientFor(admin);
        var url = $"/api/programs/{scenario.ProgramId}/trigger-rules";

        var shipped = await (await client.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.True((bool)shipped["isDefault"]!);
        var bad = await (await client.PutAsync(url, new StringContent("""{"schema":"consilium-triggers/1","name":"x"}"""))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["rules"], bad.ErrorFields());
        Assert.Contains("version: required", (string)bad["errors"]!["rules"]![0]!);

        var own = JsonNode.Parse(RuleSet.DefaultJson)!;
        own["version"] = "2026.12.1-local";
        var first = await (await client.PutAsync(url, new StringContent(own.ToJsonString()))).JsonAsync(HttpStatusCode.OK);
        var second = await (await client.PutAsync(url, new StringContent(own.ToJsonString()))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((1, 2, "2026.12.1-local", false), ((int)first["version"]!, (int)second["version"]!, (string?)second["rulesVersion"], (bool)second["isDefault"]!));

        var stranger = await app.CreateUserAsync(Roles.ProgramAdmin);
        using var other = app.ClientFor(stranger);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/programs/{scenario.ProgramId}/trigger-candidates")).StatusCode);
    }

    /// <summary>A scan whose node died (running, heartbeat long ago) is taken up again by another node and finishes once.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task AScanAbandonedByADeadNode_IsTakenUpAgain(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var (path, manifest) = Generate(seed: 13);
        Guid jobId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
            await using var file = File.OpenRead(path);
            var blob = await store.WriteAsync(file, CancellationToken.None);
            var job = ScanJob.Submit(scenario.ProgramId, "abandoned.x12", blob.Id, blob.Sha256, blob.Length, false, "test", app.Clock.GetUtcNow());
            jobId = job.Id;
            var d = scope.ServiceProvider.GetRequiredService<Consilium.Infrastructure.Persistence.ConsiliumDbContext>();
            d.Add(job);
            await d.SaveChangesAsync();
            var longAgo = app.Clock.GetUtcNow().AddMinutes(-30);
            await d.Set<ScanJob>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, ScanJobStatus.Running).SetProperty(j => j.Node, "dead-node").SetProperty(j => j.Heartbeat, longAgo)
                .SetProperty(j => j.Attempts, 1));
        }
        app.Services.GetRequiredService<ScanSignal>().Notify();

        var finished = await WaitAsync(app, jobId);

        Assert.Equal((ScanJobStatus.Succeeded, 2, manifest.Claims), (finished.Status, finished.Attempts, finished.Claims));
        Assert.NotEqual("dead-node", finished.Node);
        File.Delete(path);
    }

    /// <summary>The /triggers page: the worklist, and its forms for outreach, outcomes and dismissal.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task WorklistPage_ShowsTheCandidates_AndItsFormsStartOutreachRecordOutcomesAndDismiss(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var program = scenario.ProgramId;
        var (path, manifest) = Generate(seed: 23);
        foreach (var member in manifest.Planted.Select(p => p.MemberId).Distinct()) await app.EnrollAsync(program, member);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program]);
        using (var api = app.ClientFor(admin)) Assert.Equal("Succeeded", (string?)(await UploadAndWaitAsync(api, program, path))["status"]);
        var open = await app.WithDbAsync(d => d.Set<TriggerCandidate>().AsNoTracking().Where(c => c.ProgramId == program).OrderByDescending(c => c.Priority).ToListAsync());
        using var client = app.BrowserLikeClient(admin);
        var page = $"/triggers?program={program}";

        var html = await (await client.GetAsync(page)).Content.ReadAsStringAsync();
        Assert.All(open, c => Assert.Contains(System.Net.WebUtility.HtmlEncode(c.Sentence), html));

        async Task<(HttpStatusCode Status, string Html)> PostAsync(string handler, params (string Name, string Value)[] fields)
        {
            var form = await (await client.GetAsync(page)).Content.ReadAsStringAsync();
            var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            using var content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("program", program.ToString()),
                .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
            var response = await client.PostAsync($"/triggers?handler={handler}", content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var outreach = await PostAsync("Outreach", ("candidate", open[0].Id.ToString()));
        Assert.Equal(HttpStatusCode.OK, outreach.Status);
        Assert.Contains("Outreach started", outreach.Html);
        var again = await PostAsync("Outreach", ("candidate", open[0].Id.ToString()));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("Outreach can start only from the worklist", again.Html);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Outcome", ("candidate", open[0].Id.ToString()), ("outcome", "NoAnswer"))).Status);
        var noReason = await PostAsync("Dismiss", ("candidate", open[1].Id.ToString()), ("reason", ""));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Dismiss", ("candidate", open[1].Id.ToString()), ("reason", "Already seen by a specialist"))).Status);

        var after = await app.WithDbAsync(d => d.Set<TriggerCandidate>().AsNoTracking().Where(c => c.Id == open[0].Id || c.Id == open[1].Id).ToDictionaryAsync(c => c.Id));
        Assert.Equal((CandidateStatus.Outreach, OutreachOutcome.NoAnswer), (after[open[0].Id].Status, after[open[0].Id].Outcome));
        Assert.NotNull(after[open[0].Id].CaseId);
        Assert.Equal((CandidateStatus.Dismissed, "Already seen by a specialist"), (after[open[1].Id].Status, after[open[1].Id].SuppressionReason));
        File.Delete(path);
    }

    [Fact]
    public async Task AFileDroppedIntoTheWatchedFolder_IsTakenStoredAndScanned()
    {
        var inbox = Directory.CreateTempSubdirectory("consilium-inbox-").FullName;
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, a => a
            .With("Triggers:WatchDirectory", inbox).With("Triggers:WatchSettle", "00:00:00").With("Triggers:PollInterval", "00:00:00.200"));
        var scenario = await app.SeedScenarioAsync();
        var (path, manifest) = Generate(seed: 17);
        var folder = Directory.CreateDirectory(Path.Combine(inbox, scenario.ProgramId.ToString())).FullName;
        var stranger = Directory.CreateDirectory(Path.Combine(inbox, Guid.NewGuid().ToString())).FullName;
        File.Copy(path, Path.Combine(stranger, "lost.x12"));
        File.Move(path, Path.Combine(folder, "nightly.x12"));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        ScanJob? job = null;
        while (DateTime.UtcNow < deadline)
        {
            job = await app.WithDbAsync(d => d.Set<ScanJob>().AsNoTracking().SingleOrDefaultAsync(j => j.ProgramId == scenario.ProgramId));
            if (job?.Status is ScanJobStatus.Succeeded or ScanJobStatus.Failed) break;
            await Task.Delay(100);
        }

        Assert.NotNull(job);
        Assert.Equal((ScanJobStatus.Succeeded, "nightly.x12", manifest.Claims, "watched folder"), (job.Status, job.FileName, job.Claims, job.SubmittedBy));
        Assert.Empty(Directory.EnumerateFiles(folder));
        Assert.Equal([".unknown-program-lost.x12"], Directory.EnumerateFiles(stranger).Select(Path.GetFileName));
        Directory.Delete(inbox, recursive: true);
    }

    static (string Path, GeneratedClaimsManifest Manifest) Generate(int seed)
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-claims-{Guid.NewGuid():N}.x12");
        var manifest = ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions
        {
            TargetBytes = 400_000, Seed = seed, PlantedClaimCount = 8, ClaimsPerTransaction = 50, MemberPool = 2_000,
        });
        return (path, manifest);
    }

    static async Task<JsonNode> UploadAndWaitAsync(HttpClient client, Guid program, string path, bool lenient = false)
    {
        using var content = new StreamContent(File.OpenRead(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/edi-x12");
        var response = await client.PostAsync($"/api/programs/{program}/claims-files?fileName=../../etc/{Path.GetFileName(path)}&lenient={lenient}", content);
        var job = await response.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(Path.GetFileName(path), (string?)job["fileName"]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var now = await (await client.GetAsync($"/api/scan-jobs/{job["id"]}")).JsonAsync(HttpStatusCode.OK);
            if ((string?)now["status"] is "Succeeded" or "Failed") return now;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The scan did not finish: {now.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    static async Task<ScanJob> WaitAsync(TestApp app, Guid jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await app.WithDbAsync(d => d.Set<ScanJob>().AsNoTracking().SingleAsync(j => j.Id == jobId));
            if (job.Status is ScanJobStatus.Succeeded or ScanJobStatus.Failed) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The scan is still {job.Status}.");
            await Task.Delay(100);
        }
    }
}

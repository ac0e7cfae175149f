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

    /// <summary>
    /// A backtest in the platform reads the program's scanned files (a file sent twice once) with the rules in force or a
    /// draft from the body, and reports what the command's backtest reports over the same file; bad periods and drafts are
    /// refused naming the field, coordinators may not run it, and each run is audited.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Backtest_ReadsTheProgramsScannedFiles_WithTheRulesInForceOrADraft(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var program = scenario.ProgramId;
        var (path, manifest) = Generate(seed: 29);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program]);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var client = app.ClientFor(admin);
        var url = $"/api/programs/{program}/trigger-rules/backtest";
        var always = new { from = "2000-01-01", to = "2100-12-31" };

        var empty = await (await client.PostJsonAsync(url, always)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((0, 0L, 0), ((int)empty["files"]!, (long)empty["claims"]!, (int)empty["report"]!["candidates"]!));

        Assert.Equal("Succeeded", (string?)(await UploadAndWaitAsync(client, program, path))["status"]);
        Assert.Equal("Succeeded", (string?)(await UploadAndWaitAsync(client, program, path))["status"]);
        var engine = new TriggerEngine(RuleSet.Default);
        ClaimsScanner.Scan(engine, [new ScanInput(path, "claims.x12")]);
        var expected = Backtest.Run(engine, new DateOnly(2000, 1, 1), new DateOnly(2100, 12, 31));

        var all = await (await client.PostJsonAsync(url, always)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((1, manifest.Claims, false, 0), ((int)all["files"]!, (long)all["claims"]!, (bool)all["draft"]!, (int)all["ruleSetVersion"]!));
        var report = all["report"]!;
        Assert.Equal(manifest.Planted.Select(p => p.MemberId).Distinct().Count(), (int)report["membersFlagged"]!);
        Assert.Equal((expected.Candidates, expected.MembersFlagged, expected.WentOnToProcedure, expected.CostOfThoseEpisodes),
            ((int)report["candidates"]!, (int)report["membersFlagged"]!, (int)report["wentOnToProcedure"]!, (decimal)report["costOfThoseEpisodes"]!));
        Assert.Equal(expected.Triggers.Select(t => (t.TriggerId, t.Candidates, t.WentOnToProcedure)),
            report["triggers"]!.AsArray().Select(t => ((string)t!["triggerId"]!, (int)t["candidates"]!, (int)t["wentOnToProcedure"]!)));

        // A draft keeping only the first trigger that fired: only it is reported, and nothing is saved.
        var kept = expected.Triggers[0].TriggerId;
        var draft = JsonNode.Parse(RuleSet.DefaultJson)!;
        draft["triggers"] = new JsonArray([.. draft["triggers"]!.AsArray().Where(t => (string)t!["id"]! == kept).Select(t => t!.DeepClone())]);
        var one = await (await client.PostJsonAsync(url, new { always.from, always.to, rules = draft })).JsonAsync(HttpStatusCode.OK);
        Assert.True((bool)one["draft"]!);
        Assert.Null(one["ruleSetVersion"]);
        Assert.Equal([kept], one["report"]!["triggers"]!.AsArray().Select(t => (string)t!["triggerId"]!));
        Assert.Equal(expected.Triggers[0].Candidates, (int)one["report"]!["candidates"]!);
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<ProgramRuleSet>().CountAsync(r => r.ProgramId == program)));

        var before = await (await client.PostJsonAsync(url, new { from = "1990-01-01", to = "1990-12-31" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((1, 0), ((int)before["files"]!, (int)before["report"]!["candidates"]!));

        var backwards = await (await client.PostJsonAsync(url, new { from = "2026-06-30", to = "2026-01-01" })).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["to"], backwards.ErrorFields());
        Assert.Equal(["from"], (await (await client.PostJsonAsync(url, new { to = "2026-01-01" })).JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
        var badDraft = await (await client.PostJsonAsync(url, new { always.from, always.to, rules = new { schema = "consilium-triggers/1", name = "x" } }))
            .JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["rules"], badDraft.ErrorFields());
        Assert.Contains("version: required", (string)badDraft["errors"]!["rules"]![0]!);
        Assert.Equal(["from"], (await (await client.PostJsonAsync(url, new { from = "2026-13-01", always.to })).JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
        using (var staff = app.ClientFor(coordinator)) Assert.Equal(HttpStatusCode.Forbidden, (await staff.PostJsonAsync(url, always)).StatusCode);
        using (var other = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin))) Assert.Equal(HttpStatusCode.NotFound, (await other.PostJsonAsync(url, always)).StatusCode);

        var audited = await app.WithDbAsync(d => d.AuditEntries.Where(a => a.ObjectType == "ProgramRuleSet" && a.Action == AuditAction.Query && a.UserId == admin.Id)
            .Select(a => a.Reason!).ToListAsync());
        Assert.Equal(4, audited.Count);
        Assert.Contains(audited, r => r.Contains("of a draft", StringComparison.Ordinal) && r.Contains($"{manifest.Claims} claims", StringComparison.Ordinal));
        File.Delete(path);
    }

    /// <summary>Above Triggers:BacktestMaxBytes the platform refuses the backtest and points to the command.</summary>
    [Fact]
    public async Task Backtest_OverMoreBytesThanTheLimit_IsRefusedPointingToTheCommand()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, a => a.With("Triggers:BacktestMaxBytes", "100000"));
        var scenario = await app.SeedScenarioAsync();
        var (path, _) = Generate(seed: 31);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [scenario.ProgramId]);
        using var client = app.ClientFor(admin);
        Assert.Equal("Succeeded", (string?)(await UploadAndWaitAsync(client, scenario.ProgramId, path))["status"]);

        var refused = await (await client.PostJsonAsync($"/api/programs/{scenario.ProgramId}/trigger-rules/backtest", new { from = "2000-01-01", to = "2100-12-31" }))
            .JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["files"], refused.ErrorFields());
        Assert.Contains("./consilium backtest", (string)refused["errors"]!["files"]![0]!);
        File.Delete(path);
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

        var backtest = await PostAsync("Backtest", ("from", "2000-01-01"), ("to", "2100-12-31"), ("draft", ""));
        Assert.Equal(HttpStatusCode.OK, backtest.Status);
        Assert.Contains("Rules in force (version 0)", backtest.Html);
        Assert.Contains($"{manifest.Planted.Select(p => p.MemberId).Distinct().Count()} members flagged", backtest.Html);
        var notJson = await PostAsync("Backtest", ("from", "2000-01-01"), ("to", "2100-12-31"), ("draft", "{\"triggers\": ["));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Contains("The draft rules are not JSON", notJson.Html);
        Assert.Contains("{&quot;triggers&quot;: [", notJson.Html);

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

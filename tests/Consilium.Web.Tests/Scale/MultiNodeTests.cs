using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Opinions;
using Consilium.Features.Triggers;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Scale;

/// <summary>Two real server processes on one PostgreSQL behind nginx: state, jobs and timers are shared, never per node.</summary>
[Collection(TwoNodeCollection.Name)]
public sealed partial class MultiNodeTests(TwoNodes nodes)
{
    [Fact]
    public async Task ACaseCreatedOnNodeA_IsAdvancedOnNodeB_AndASignInOnOneNodeHoldsOnTheOther()
    {
        nodes.SkipIfUnavailable();
        await nodes.StartAsync(nodes.A);
        using var a = TwoNodes.Client(nodes.A.Url, nodes.CoordinatorToken);
        using var b = TwoNodes.Client(nodes.B.Url, nodes.CoordinatorToken);

        var member = await (await a.PostJsonAsync("/api/members", new
        {
            programId = nodes.ProgramId, externalId = "NODE-" + Guid.NewGuid().ToString("N")[..8], firstName = "Ada", lastName = "Nodes",
            dateOfBirth = "1971-03-04", sex = "Female", state = "OH",
        })).JsonAsync(HttpStatusCode.Created);
        var created = await (await a.PostJsonAsync("/api/cases", new { programId = nodes.ProgramId, memberId = (string)member["id"]!, category = "Spine", concern = "Fusion proposed at L4-L5" }))
            .JsonAsync(HttpStatusCode.Created);
        var id = (string)created["id"]!;

        var seenOnB = await (await b.GetAsync($"/api/cases/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Referred", (string)seenOnB["status"]!);
        var moved = await (await b.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake", version = (int)seenOnB["version"]! })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Intake", (string)moved["status"]!);
        // Node A holds no copy of its own: the version it handed out is stale everywhere.
        var stale = await a.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "AwaitingConsent", version = (int)created["version"]! });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var onA = await (await a.GetAsync($"/api/cases/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Intake", (string)onA["status"]!);
        Assert.Equal((int)moved["version"]!, (int)onA["version"]!);

        // A cookie issued by node A (data-protection keys live in the database) signs in on node B, antiforgery too.
        var cookies = new CookieContainer();
        using var browserA = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(nodes.A.Url) };
        using var browserB = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(nodes.B.Url) };
        var form = await browserA.GetStringAsync("/signin");
        var signedIn = await browserB.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "coordinator@demo.consilium.test", ["password"] = nodes.Password, ["__RequestVerificationToken"] = Antiforgery().Match(form).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var casePage = await browserA.GetAsync($"/cases/{id}");
        Assert.Equal(HttpStatusCode.OK, casePage.StatusCode);
        Assert.Contains((string)created["number"]!, await casePage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AScanStartedOnNodeA_FinishesOnNodeBAfterNodeAIsKilled_WithExactlyTheCandidatesOfAnUninterruptedRun()
    {
        nodes.SkipIfUnavailable();
        await nodes.StartAsync(nodes.A);
        var claims = Path.Combine(nodes.Home, $"claims-{Guid.NewGuid():N}.x12");
        var generated = await nodes.CliAsync("gen-claims", "--bytes", "48M", "--seed", "11", "--kind", "Mixed", "--out", claims);
        Assert.True(generated.ExitCode == 0, generated.Output);
        var expectedFile = Path.Combine(nodes.Home, "expected.jsonl");
        var uninterrupted = await nodes.CliAsync("scan", "--out", expectedFile, claims);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Output);
        var expected = File.ReadAllLines(expectedFile).Select(l => JsonNode.Parse(l)!)
            .Select(l => $"{(string)l["memberId"]!}|{(string)l["triggerId"]!}|{(string)l["firstDate"]!}").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);

        Guid jobId;
        ScanJobStatus atKill;
        // Node B is frozen while node A claims the job, so it is node A that starts it.
        await HelperPrograms.SignalAsync(nodes.B.Pid, "STOP");
        try
        {
            using var admin = TwoNodes.Client(nodes.A.Url, nodes.AdminToken);
            await using (var file = File.OpenRead(claims))
            {
                var body = new StreamContent(file);
                body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                var accepted = await (await admin.PostAsync($"/api/programs/{nodes.ProgramId}/claims-files?fileName=claims.x12", body)).JsonAsync(HttpStatusCode.Accepted);
                jobId = Guid.Parse((string)accepted["id"]!);
            }
            var marker = $"/{nodes.A.Pid}/";
            await WaitUntilAsync(async () =>
            {
                await using var db = nodes.NewContext();
                var job = await db.Set<ScanJob>().AsNoTracking().SingleAsync(j => j.Id == jobId);
                return job.Status == ScanJobStatus.Running && job.Node!.Contains(marker, StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(30), "node A to start the scan", pollMs: 10);
            await nodes.A.Process.KillHardAsync();
            await using var check = nodes.NewContext();
            atKill = (await check.Set<ScanJob>().AsNoTracking().SingleAsync(j => j.Id == jobId)).Status;
        }
        finally
        {
            await HelperPrograms.SignalAsync(nodes.B.Pid, "CONT");
        }
        Assert.Equal(ScanJobStatus.Running, atKill);

        // Through nginx: node A is gone, the proxy sends everything to node B, which takes the job over once it is stale.
        using var viaProxy = TwoNodes.Client(nodes.Proxy.Url, nodes.AdminToken);
        JsonNode? finished = null;
        await WaitUntilAsync(async () =>
        {
            finished = await (await viaProxy.GetAsync($"/api/scan-jobs/{jobId}")).JsonAsync(HttpStatusCode.OK);
            return (string)finished["status"]! is "Succeeded" or "Failed";
        }, TimeSpan.FromSeconds(90), "the scan to finish on node B");
        Assert.Equal("Succeeded", (string)finished!["status"]!);

        await using (var db = nodes.NewContext())
        {
            var job = await db.Set<ScanJob>().AsNoTracking().SingleAsync(j => j.Id == jobId);
            Assert.Equal(2, job.Attempts);
            Assert.Contains($"/{nodes.B.Pid}/", job.Node);
            var found = await db.Set<TriggerCandidate>().AsNoTracking().Where(c => c.ScanJobId == jobId)
                .Select(c => new { c.MemberExternalId, c.TriggerId, c.FirstDate }).ToListAsync();
            var actual = found.Select(c => $"{c.MemberExternalId}|{c.TriggerId}|{c.FirstDate:yyyy-MM-dd}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
        }

        // The same file again finds nothing new: every candidate is recognised as already found, none is written twice.
        await nodes.StartAsync(nodes.A);
        await using (var again = File.OpenRead(claims))
        {
            var accepted = await (await viaProxy.PostAsync($"/api/programs/{nodes.ProgramId}/claims-files?fileName=again.x12", new StreamContent(again))).JsonAsync(HttpStatusCode.Accepted);
            var againId = (string)accepted["id"]!;
            JsonNode? rerun = null;
            await WaitUntilAsync(async () =>
            {
                rerun = await (await viaProxy.GetAsync($"/api/scan-jobs/{againId}")).JsonAsync(HttpStatusCode.OK);
                return (string)rerun["status"]! is "Succeeded" or "Failed";
            }, TimeSpan.FromSeconds(90), "the second scan to finish");
            Assert.Equal("Succeeded", (string)rerun!["status"]!);
            Assert.Equal(0, (int)rerun["candidates"]!);
            Assert.Equal(expected.Count, (int)rerun["duplicates"]!);
        }
    }

    [Fact]
    public async Task AnOverdueOpinion_IsEscalatedExactlyOnce_ThoughBothNodesRunTheCheckEverySecond()
    {
        nodes.SkipIfUnavailable();
        await nodes.StartAsync(nodes.A);
        // The demo's cases waiting for an opinion reached ReadyForReview weeks ago: they are overdue from the start.
        List<(Guid Id, string Number)> waiting;
        await using (var db = nodes.NewContext())
            waiting = (await db.Cases.AsNoTracking().Where(c => OpinionClock.Waiting.Contains(c.Status)).Select(c => new { c.Id, c.Number }).ToListAsync())
                .Select(c => (c.Id, c.Number)).ToList();
        Assert.NotEmpty(waiting);
        var ids = waiting.Select(w => w.Id).ToList();
        await WaitUntilAsync(async () =>
        {
            await using var db = nodes.NewContext();
            return await db.Set<OpinionSlaEscalation>().Where(e => ids.Contains(e.CaseId)).Select(e => e.CaseId).Distinct().CountAsync() == ids.Count;
        }, TimeSpan.FromSeconds(60), "every waiting case to be escalated");
        // Both nodes keep checking every second; a second escalation or a second email would show after a few more rounds.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var pickup = Path.Combine(nodes.DataDirectory, "outbox");
        await WaitUntilAsync(() => Task.FromResult(Directory.Exists(pickup) &&
            waiting.All(w => Directory.EnumerateFiles(pickup, "*.eml").Any(f => File.ReadAllText(f).Contains($"Opinion overdue: case {w.Number}", StringComparison.Ordinal)))),
            TimeSpan.FromSeconds(30), "the escalation emails to leave the outbox");

        await using (var db = nodes.NewContext())
        {
            var escalations = await db.Set<OpinionSlaEscalation>().AsNoTracking().Where(e => ids.Contains(e.CaseId)).ToListAsync();
            Assert.All(escalations.GroupBy(e => e.CaseId), g => Assert.Single(g));
            var audited = await db.AuditEntries.AsNoTracking().Where(e => e.ObjectType == "OpinionSlaEscalation").GroupBy(e => e.ObjectId).Select(g => g.Count()).ToListAsync();
            Assert.Equal(ids.Count, audited.Count);
            Assert.All(audited, n => Assert.Equal(1, n));
            foreach (var (id, number) in waiting)
            {
                var notified = escalations.Single(e => e.CaseId == id).Notified;
                Assert.True(notified > 0, "the program admin is emailed");
                var emails = Directory.EnumerateFiles(pickup, "*.eml").Count(f => File.ReadAllText(f).Contains($"Opinion overdue: case {number}", StringComparison.Ordinal));
                Assert.Equal(notified, emails);
            }
        }
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, int pollMs = 100)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (await condition()) return;
            await Task.Delay(pollMs);
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex Antiforgery();
}

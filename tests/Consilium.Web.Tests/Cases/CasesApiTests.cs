using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Cases;

public sealed class CasesApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Create_AsCoordinator_ReturnsTheCaseWithItsLifecycle(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        using var client = app.ClientFor(coordinator);

        var response = await client.PostJsonAsync("/api/cases", new { programId = scenario.ProgramId, memberId = scenario.MemberId, category = "Spine", concern = "Fusion proposed at L4-L5" });

        var body = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/cases/{body["id"]}", response.Headers.Location?.ToString());
        Assert.Equal("Referred", (string?)body["status"]);
        Assert.Equal(1, (int?)body["version"]);
        Assert.Equal(["Intake", "OnHold", "Withdrawn", "Ineligible"], body["allowedTransitions"]!.AsArray().Select(n => (string?)n));
        Assert.NotNull(body["stageTimes"]!["Referred"]);
        Assert.Equal(coordinator.Id.ToString(), (string?)body["coordinatorUserId"]);
        Assert.Equal("Coordinator", (string?)body["channel"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transition_Legal_MovesTheCaseAndRecordsWhoWhenWhy(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        var id = await app.SeedCaseAsync(scenario);
        using var client = app.ClientFor(coordinator);
        app.Clock.Advance(TimeSpan.FromHours(3));

        var body = await (await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake", reason = "Called the member" })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Intake", (string?)body["status"]);
        Assert.Equal(2, (int?)body["version"]);
        Assert.Equal(3 * 3600, (long?)body["stageTimes"]!["Referred"]);
        var timeline = (await (await client.GetAsync($"/api/cases/{id}/timeline")).JsonAsync(HttpStatusCode.OK)).AsArray();
        var last = timeline[^1]!;
        Assert.Equal(("Referred", "Intake", coordinator.Email, "coordinator", "Called the member"),
            ((string?)last["from"], (string?)last["to"], (string?)last["actor"], (string?)last["actorRole"], (string?)last["reason"]));
        Assert.Equal(app.Clock.GetUtcNow(), (DateTimeOffset?)last["at"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transition_Illegal_Is409ListingTheAllowedOnesAndChangesNothing(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        var id = await app.SeedCaseAsync(scenario, CaseStatus.Intake);
        using var client = app.ClientFor(coordinator);

        var problem = await (await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Closed" })).JsonAsync(HttpStatusCode.Conflict);

        Assert.Equal(["AwaitingConsent", "OnHold", "Withdrawn", "Ineligible"], problem["allowedTransitions"]!.AsArray().Select(n => (string?)n));
        Assert.Contains("cannot move from Intake to Closed", (string?)problem["detail"]);
        var (status, transitions) = await app.WithDbAsync(async d =>
            (await d.Cases.Where(c => c.Id == id).Select(c => c.Status).SingleAsync(), await d.CaseTransitions.CountAsync(t => t.CaseId == id)));
        Assert.Equal((CaseStatus.Intake, 2), (status, transitions));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transition_StaleVersion_Is409AndStaleIfMatchIs412(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        var id = await app.SeedCaseAsync(scenario);
        using var client = app.ClientFor(coordinator);

        var stale = await (await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake", version = 7 })).JsonAsync(HttpStatusCode.Conflict);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{id}/transitions") { Content = JsonContent(new { to = "Intake" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"5\"");
        var precondition = await client.SendAsync(request);

        Assert.Equal(1, (int?)stale["currentVersion"]);
        Assert.Equal(HttpStatusCode.PreconditionFailed, precondition.StatusCode);
        var get = await client.GetAsync($"/api/cases/{id}");
        Assert.Equal("\"1\"", get.Headers.ETag?.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transition_ConcurrentRequestsOnOneCase_ExactlyOneWins(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        var id = await app.SeedCaseAsync(scenario, CaseStatus.Intake);
        var clients = Enumerable.Range(0, 8).Select(_ => app.ClientFor(coordinator)).ToList();
        using var start = new ManualResetEventSlim();

        var attempts = clients.Select((c, i) => Task.Run(async () =>
        {
            start.Wait();
            // Every client read version 2; half try one legal move, half another. Whatever the interleaving, one lands.
            return await c.PostJsonAsync($"/api/cases/{id}/transitions",
                i % 2 == 0 ? new { to = "AwaitingConsent", reason = (string?)null, version = 2 } : new { to = "OnHold", reason = (string?)"paused", version = 2 });
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(attempts);

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var (version, transitions, updates, failures) = await app.WithDbAsync(async d => (
            await d.Cases.Where(c => c.Id == id).Select(c => c.Version).SingleAsync(),
            await d.CaseTransitions.CountAsync(t => t.CaseId == id),
            await d.AuditEntries.CountAsync(a => a.ObjectId == id.ToString() && a.Action == AuditAction.Update && a.Outcome == AuditOutcome.Success),
            await d.AuditEntries.CountAsync(a => a.ObjectId == id.ToString() && a.Action == AuditAction.Update && a.Outcome == AuditOutcome.Failure)));
        Assert.Equal(3, version);
        Assert.Equal(3, transitions);
        // The losers' audit entries rolled back with their writes; each loss is recorded once as a failure instead.
        Assert.Equal(1, updates);
        Assert.Equal(clients.Count - 1, failures);
        foreach (var c in clients) c.Dispose();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Get_CaseOfAnotherProgram_Is404AndTheAttemptIsAudited(DatabaseKind db)
    {
        var (app, scenario, _) = await ArrangeAsync(db);
        var id = await app.SeedCaseAsync(scenario);
        var other = await app.SeedScenarioAsync();
        var outsider = await app.CreateUserAsync(Roles.Coordinator, [other.ProgramId]);
        using var client = app.ClientFor(outsider);

        var response = await client.GetAsync($"/api/cases/{id}");
        var transition = await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, transition.StatusCode);
        var denied = await app.WithDbAsync(d => d.AuditEntries.Where(a => a.UserId == outsider.Id && a.Outcome == AuditOutcome.Denied)
            .Select(a => new { a.Action, a.PatientId }).ToListAsync());
        Assert.Equal([AuditAction.Read, AuditAction.Update], denied.Select(d => d.Action).Order());
        Assert.All(denied, d => Assert.Equal(scenario.MemberId, d.PatientId));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Patient_SeesOnlyTheirOwnCasesAndMayWithdraw(DatabaseKind db)
    {
        var (app, scenario, _) = await ArrangeAsync(db);
        var own = await app.SeedCaseAsync(scenario, CaseStatus.CollectingRecords);
        var other = await app.SeedScenarioAsync();
        var foreign = await app.SeedCaseAsync(other);
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId);
        using var client = app.ClientFor(patient);

        var list = await (await client.GetAsync("/api/cases")).JsonAsync(HttpStatusCode.OK);
        var foreignGet = await client.GetAsync($"/api/cases/{foreign}");
        var advance = await client.PostJsonAsync($"/api/cases/{own}/transitions", new { to = "ReadyForReview" });
        var withdraw = await client.PostJsonAsync($"/api/cases/{own}/transitions", new { to = "Withdrawn", reason = "I decided to stay with my surgeon" });

        Assert.Equal([own.ToString()], list["items"]!.AsArray().Select(i => (string?)i!["id"]));
        Assert.Equal(HttpStatusCode.NotFound, foreignGet.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, advance.StatusCode);
        Assert.Equal("Withdrawn", (string?)(await withdraw.JsonAsync(HttpStatusCode.OK))["status"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ReadsAndWrites_AreAuditedWithUserRolePatientAndSource(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        using var client = app.ClientFor(coordinator);

        var created = await (await client.PostJsonAsync("/api/cases", new { programId = scenario.ProgramId, memberId = scenario.MemberId, category = "Cardiac", concern = "CABG proposed" })).JsonAsync(HttpStatusCode.Created);
        var id = (string)created["id"]!;
        await client.GetAsync($"/api/cases/{id}");
        await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake" });
        await client.GetAsync("/api/cases");
        await client.GetAsync($"/api/members/{scenario.MemberId}");

        var entries = await app.WithDbAsync(d => d.AuditEntries.Where(a => a.UserId == coordinator.Id && a.Outcome == AuditOutcome.Success)
            .OrderBy(a => a.Id).ToListAsync());
        Assert.Equal([AuditAction.Create, AuditAction.Read, AuditAction.Update, AuditAction.Query, AuditAction.Read],
            entries.Where(e => e.ObjectType is "Case" or "Member").Select(e => e.Action));
        Assert.All(entries.Where(e => e.ObjectType is "Case" or "Member"), e =>
        {
            Assert.Equal(scenario.MemberId, e.PatientId);
            Assert.Equal(Roles.Coordinator, e.Role);
            Assert.Equal(coordinator.Email, e.UserName);
            Assert.False(string.IsNullOrEmpty(e.Source));
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transition_IllegalMove_LeavesNoSuccessEntryOnlyAFailure(DatabaseKind db)
    {
        var (app, scenario, coordinator) = await ArrangeAsync(db);
        var id = await app.SeedCaseAsync(scenario);
        using var client = app.ClientFor(coordinator);

        await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "InReview" });

        var entries = await app.WithDbAsync(d => d.AuditEntries.Where(a => a.ObjectId == id.ToString() && a.Action == AuditAction.Update).ToListAsync());
        var entry = Assert.Single(entries);
        Assert.Equal(AuditOutcome.Failure, entry.Outcome);
        Assert.Contains("IllegalTransition", entry.Reason);
    }

    static System.Net.Http.Json.JsonContent JsonContent(object body) => System.Net.Http.Json.JsonContent.Create(body);

    async Task<(TestApp App, Scenario Scenario, TestUser Coordinator)> ArrangeAsync(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        return (app, scenario, coordinator);
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Security;

/// <summary>Rate limits, body limits, headers, escaping, break-glass, tokens and the audit report's exports.</summary>
public sealed class HardeningTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async System.Threading.Tasks.Task SignIn_IsRateLimitedPerClient()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, a => a.With("RateLimits:SignInPerMinute", "3"));
        using var browser = MfaTests.CookieClient(app);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await MfaTests.PostFormAsync(browser, "/signin", new() { ["email"] = "nobody@example.test", ["password"] = "guess-" + i })).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/signin")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task OversizedBody_Is413AndNothingIsWritten(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var client = app.ClientFor(coordinator);
        var before = await app.WithDbAsync(d => d.Cases.CountAsync());

        var body = $$"""{"programId": "{{scenario.ProgramId}}", "memberId": "{{scenario.MemberId}}", "category": "Spine", "concern": "{{new string('x', 1_200_000)}}"}""";
        var response = await client.PostAsync("/api/cases", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, await app.WithDbAsync(d => d.Cases.CountAsync()));
    }

    [Fact]
    public async System.Threading.Tasks.Task Responses_CarrySecurityHeaders_AndErrorsNoInternals()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        using var client = app.AnonymousClient();

        var page = await client.GetAsync("/signin");
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();

        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)));
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("__RequestVerificationToken", html);
        var post = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "a@b.c", ["password"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task Reviewer_SeesOnlyCasesAssignedToThem_AndResponsesAreNeverCached(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var reviewer = await app.CreateUserAsync(Roles.Reviewer);
        var assigned = await app.SeedCaseAsync(scenario, Consilium.Features.Cases.CaseStatus.InReview, reviewer.Id);
        var other = await app.SeedCaseAsync(scenario, Consilium.Features.Cases.CaseStatus.InReview, Guid.NewGuid());
        using var client = app.ClientFor(reviewer);

        var list = await client.GetAsync("/api/cases");
        var body = await list.JsonAsync(HttpStatusCode.OK);

        Assert.Equal([assigned.ToString()], body["items"]!.AsArray().Select(i => (string?)i!["id"]));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/cases/{other}")).StatusCode);
        Assert.Equal("no-store", list.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/api/cases/{assigned}/transitions", new { to = "CollectingRecords", reason = "Need the MRI" })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task SponsorAnalyst_NeverReceivesAMembersIdentifierOrName(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        await app.SeedCaseAsync(scenario, Consilium.Features.Cases.CaseStatus.InReview);
        var analyst = await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: scenario.SponsorId);
        using var client = app.ClientFor(analyst);
        var responses = new List<string>();

        foreach (var path in new[] { "/api/programs", $"/api/programs/{scenario.ProgramId}", "/api/sponsors", "/api/cases", $"/api/members/{scenario.MemberId}", "/api/members", "/programs" })
        {
            var response = await client.GetAsync(path);
            responses.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.All(responses, r =>
        {
            Assert.DoesNotContain(scenario.MemberId.ToString(), r);
            Assert.DoesNotContain("Quintero-Test", r);
        });
        Assert.StartsWith("200", responses[0]);
        Assert.StartsWith("403", responses[3]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task ScriptAndSqlPayloads_AreStoredAsTextAndRenderedEscaped(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var client = app.ClientFor(coordinator);
        const string script = "<script>alert('x')</script>";
        const string sql = "Robert'); DROP TABLE \"Cases\";--";

        var member = await (await client.PostJsonAsync("/api/members", new { programId = scenario.ProgramId, externalId = "XSS-1", firstName = script, lastName = sql, dateOfBirth = "1980-02-02", sex = "Male", state = "OH" })).JsonAsync(HttpStatusCode.Created);
        var created = await (await client.PostJsonAsync("/api/cases", new { programId = scenario.ProgramId, memberId = (string)member["id"]!, category = "Spine", concern = script + sql })).JsonAsync(HttpStatusCode.Created);
        var search = await client.GetAsync("/api/cases?q=" + Uri.EscapeDataString(sql));
        var html = await client.GetStringAsync($"/cases/{created["id"]}");

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.DoesNotContain(script, html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.True(await app.WithDbAsync(d => d.Cases.AnyAsync()));
        Assert.Equal(script + sql, (string?)(await (await client.GetAsync($"/api/cases/{created["id"]}")).JsonAsync(HttpStatusCode.OK))["concern"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task BreakGlass_OpensATimeBoxedWindowThatIsMarkedAndNotified(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var id = await app.SeedCaseAsync(scenario);
        var outsider = await app.CreateUserAsync(Roles.Coordinator, [(await app.SeedScenarioAsync()).ProgramId]);
        var auditor = await app.CreateUserAsync(Roles.Auditor);
        using var client = app.ClientFor(outsider);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/cases/{id}")).StatusCode);
        var noReason = await (await client.PostJsonAsync($"/api/cases/{id}/break-glass", new { reason = "urgent" })).JsonAsync(HttpStatusCode.BadRequest);
        var grant = await (await client.PostJsonAsync($"/api/cases/{id}/break-glass", new { reason = "Member in the ER asking about their pending spine surgery", minutes = 30 })).JsonAsync(HttpStatusCode.Created);
        var read = await client.GetAsync($"/api/cases/{id}");
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        var expired = await client.GetAsync($"/api/cases/{id}");

        Assert.Equal(["reason"], noReason.ErrorFields());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        using var auditorClient = app.ClientFor(auditor);
        var marked = await (await auditorClient.GetAsync($"/api/audit?breakGlass=true&objectId={id}")).JsonAsync(HttpStatusCode.OK);
        var actions = marked["items"]!.AsArray().Select(e => (string?)e!["action"]).ToList();
        Assert.Equal(["PermissionChange", "Read"], actions);
        Assert.All(marked["items"]!.AsArray(), e => Assert.True((bool)e!["breakGlass"]!));
        var notice = await app.WithDbAsync(d => d.Set<Consilium.Features.Security.Notification>().Where(n => n.Link!.Contains(id.ToString())).ToListAsync());
        Assert.Single(notice);
        Assert.Contains(outsider.Email, notice[0].Subject);
        Assert.Equal((string?)grant["caseId"], id.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task AccessTokens_CanBeListedRevokedAndExpire(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var user = await app.CreateUserAsync(Roles.ProgramAdmin);
        using var client = app.ClientFor(user);

        var created = await (await client.PostJsonAsync("/api/tokens", new { name = "nightly export", expiresInDays = 1 })).JsonAsync(HttpStatusCode.Created);
        var secret = (string)created["secret"]!;
        var list = await (await client.GetAsync("/api/tokens")).JsonAsync(HttpStatusCode.OK);
        using var second = app.AnonymousClient();
        second.DefaultRequestHeaders.Authorization = new("Bearer", secret);
        var works = await second.GetAsync("/api/programs");
        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var expired = await second.GetAsync("/api/programs");
        var another = await (await client.PostJsonAsync("/api/tokens", new { name = "short" })).JsonAsync(HttpStatusCode.Created);
        var revoke = await client.DeleteAsync($"/api/tokens/{another["token"]!["id"]}");
        second.DefaultRequestHeaders.Authorization = new("Bearer", (string)another["secret"]!);
        var revoked = await second.GetAsync("/api/programs");

        Assert.StartsWith("csl_", secret);
        Assert.Contains(list.AsArray(), t => (string?)t!["name"] == "nightly export" && !((string)t["prefix"]!).Contains(secret[10..]));
        Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        var stored = await app.WithDbAsync(d => d.AccessTokens.Select(t => t.Hash).ToListAsync());
        Assert.DoesNotContain(secret, stored);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async System.Threading.Tasks.Task AuditReport_FiltersSortsAndExportsCsvAndFhir(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var id = await app.SeedCaseAsync(scenario);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var auditor = await app.CreateUserAsync(Roles.Auditor);
        using (var c = app.ClientFor(coordinator))
        {
            await c.GetAsync($"/api/cases/{id}");
            await c.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake" });
            await c.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Closed" });
        }
        using var client = app.ClientFor(auditor);

        var byPatient = await (await client.GetAsync($"/api/audit?patientId={scenario.MemberId}&sort=Action&desc=true")).JsonAsync(HttpStatusCode.OK);
        var csv = await client.GetStringAsync($"/api/audit/export.csv?patientId={scenario.MemberId}&userId={coordinator.Id}");
        var fhirJson = await client.GetStringAsync($"/api/audit/export.fhir.json?patientId={scenario.MemberId}&userId={coordinator.Id}");
        var exports = await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.UserId == auditor.Id && e.Action == AuditAction.Export));

        var actions = byPatient["items"]!.AsArray().Select(e => (string)e!["action"]!).ToList();
        Assert.Equal(["Update", "Update", "Read"], actions);
        Assert.Equal(3, (int)byPatient["total"]!);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,time_utc,user_id,user,role,action", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.Contains(",Failure,") && l.Contains("IllegalTransition"));
        var bundle = new FhirJsonDeserializer().Deserialize<Bundle>(fhirJson);
        Assert.Equal(3, bundle.Entry.Count);
        var events = bundle.Entry.Select(e => Assert.IsType<AuditEvent>(e.Resource)).ToList();
        Assert.All(events, e => Assert.Contains(e.Entity, en => en.What?.Reference == $"Patient/{scenario.MemberId}"));
        Assert.Contains(events, e => e.Outcome == AuditEvent.AuditEventOutcome.N8);
        Assert.Equal(2, exports);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Intake;

/// <summary>The partner referral API: a case at Referred, the member's questions in order, and one case per Idempotency-Key.</summary>
public sealed class ReferralApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Referral_OpensACaseAtReferredWithTheIntakeAndTheQuestionsInOrder(DatabaseKind db)
    {
        var (app, program, client, busy, idle) = await ArrangeAsync(db);

        var response = await SendAsync(client, Guid.NewGuid().ToString(),
            IntakeTestData.Referral(program, "E1001", "1971-04-12", "Is surgery needed now?", "What if I wait?", "Are there non-surgical options?"));
        var body = await response.JsonAsync(HttpStatusCode.Created);

        Assert.Equal($"/api/cases/{body["caseId"]}", response.Headers.Location?.ToString());
        Assert.Equal(("Referred", "Referral", "Spine"), ((string?)body["status"], (string?)body["channel"], (string?)body["category"]));
        Assert.Equal(["Is surgery needed now?", "What if I wait?", "Are there non-surgical options?"], Strings(body["questions"]));
        Assert.Equal(["M51.16"], Strings(body["diagnosis"]!["codes"]));
        Assert.Equal(["22612", "0SG00A0"], Strings(body["proposedTreatment"]!["codes"]));
        Assert.Equal(("Dr. Ada Quinn", "1234567893", "Lakeside Spine"),
            ((string?)body["treatingPhysician"]!["name"], (string?)body["treatingPhysician"]!["npi"], (string?)body["treatingPhysician"]!["organization"]));
        Assert.Equal(("Urgent", "es", "OH", "Physician"),
            ((string?)body["urgency"], (string?)body["preferredLanguage"], (string?)body["stateOfResidence"], (string?)body["heardVia"]));
        // The coordinator with fewer open cases gets it, and the first-contact clock runs from now.
        Assert.Equal(idle.ToString(), (string?)body["coordinatorUserId"]);
        Assert.NotEqual(busy.ToString(), (string?)body["coordinatorUserId"]);
        Assert.Equal(app.Clock.GetUtcNow().AddDays(2), (DateTimeOffset?)body["sla"]!["firstContact"]!["dueAt"]);

        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [program]);
        var read = await (await app.ClientFor(coordinator).GetAsync($"/api/cases/{body["caseId"]}/intake")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(Strings(body["questions"]), Strings(read["questions"]));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SameKey_ReturnsTheSameCase_AndADifferentReferralUnderItIsRefused(DatabaseKind db)
    {
        var (app, program, client, _, _) = await ArrangeAsync(db);
        var key = Guid.NewGuid().ToString();
        var referral = IntakeTestData.Referral(program, "E1001", "1971-04-12", "Is surgery needed now?");

        var first = await (await SendAsync(client, key, referral)).JsonAsync(HttpStatusCode.Created);
        var retry = await SendAsync(client, key, referral);
        var retried = await retry.JsonAsync(HttpStatusCode.OK);
        var other = await (await SendAsync(client, key, IntakeTestData.Referral(program, "E1001", "1971-04-12", "A different question"))).JsonAsync(HttpStatusCode.Conflict);

        Assert.Equal((string?)first["caseId"], (string?)retried["caseId"]);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((string?)first["caseId"], (string?)other["caseId"]);
        Assert.Equal(1, await CasesOfAsync(app, program));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ConcurrentIdenticalReferrals_OpenExactlyOneCase(DatabaseKind db)
    {
        var (app, program, client, _, _) = await ArrangeAsync(db);
        var key = Guid.NewGuid().ToString();
        var referral = IntakeTestData.Referral(program, "E1001", "1971-04-12", "Is surgery needed now?", "What if I wait?");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => SendAsync(client, key, referral)));
        var bodies = await Task.WhenAll(responses.Select(async r => ((int)r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync()))));

        Assert.All(bodies, b => Assert.True(b.Item1 is 200 or 201, $"{b.Item1}: {b.Item2}"));
        Assert.Single(bodies, b => b.Item1 == 201);
        Assert.Single(bodies.Select(b => (string?)b.Item2!["caseId"]).Distinct());
        Assert.Equal(1, await CasesOfAsync(app, program));
        Assert.Equal(1, await app.WithDbAsync(d => d.Set<ReferralKey>().CountAsync(k => k.Key == key)));
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string>> BadReferrals() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new (string Case, string Field)[]
        {
            ("no key", "Idempotency-Key"),
            ("npi check digit", "treatingPhysician.npi"),
            ("icd-10-cm shape", "diagnosis.codes[0]"),
            ("procedure shape", "proposedTreatment.codes[1]"),
            ("empty question", "questions[1]"),
            ("coverage ended", "member.memberId"),
            ("unknown member", "member.memberId"),
            ("wrong birth date", "member.memberId"),
            ("state", "stateOfResidence"),
            ("category not covered", "category"),
            ("unknown urgency", "urgency"),
        }
        select new TheoryDataRow<DatabaseKind, string, string>(db, row.Case, row.Field);

    [Theory]
    [MemberData(nameof(BadReferrals))]
    public async Task BadReferral_Is400NamingTheFieldAndWritesNothing(DatabaseKind db, string problem, string field)
    {
        var (app, program, client, _, _) = await ArrangeAsync(db, covers: [ConditionCategory.Spine]);
        var body = JsonSerializer.SerializeToNode(IntakeTestData.Referral(program, "E1001", "1971-04-12", "First?", "Second?"), Json)!.AsObject();
        switch (problem)
        {
            case "npi check digit": body["treatingPhysician"]!["npi"] = "1234567890"; break;
            case "icd-10-cm shape": body["diagnosis"]!["codes"] = new JsonArray("5116M"); break;
            case "procedure shape": body["proposedTreatment"]!["codes"] = new JsonArray("22612", "2261"); break;
            case "empty question": body["questions"] = new JsonArray("First?", " "); break;
            case "coverage ended": body["member"] = new JsonObject { ["memberId"] = "E4004", ["dateOfBirth"] = "1966-11-23" }; break;
            case "unknown member": body["member"] = new JsonObject { ["memberId"] = "E9999", ["dateOfBirth"] = "1971-04-12" }; break;
            case "wrong birth date": body["member"] = new JsonObject { ["memberId"] = "E1001", ["dateOfBirth"] = "1971-04-13" }; break;
            case "state": body["stateOfResidence"] = "ZZ"; break;
            case "category not covered": body["category"] = "Cardiac"; break;
            case "unknown urgency": body["urgency"] = "Emergency"; break;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/referrals") { Content = JsonContent.Create(body) };
        if (problem != "no key") request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var answer = await (await client.SendAsync(request)).JsonAsync(HttpStatusCode.BadRequest);

        Assert.True(answer.ErrorFields().Contains(field), $"{problem}: expected an error on '{field}' but got {answer.ToJsonString()}");
        Assert.Equal(0, await CasesOfAsync(app, program));
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<ReferralKey>().CountAsync(k => d.Cases.Any(c => c.Id == k.CaseId && c.ProgramId == program))));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Referral_ToAProgramThePartnerDoesNotServe_Is404(DatabaseKind db)
    {
        var (app, _, client, _, _) = await ArrangeAsync(db);
        var other = await app.CreateProgramAsync();
        await app.ImportRosterAsync(other.ProgramId, "roster-initial.csv");

        var response = await SendAsync(client, Guid.NewGuid().ToString(), IntakeTestData.Referral(other.ProgramId, "E1001", "1971-04-12"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await CasesOfAsync(app, other.ProgramId));
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    static Task<HttpResponseMessage> SendAsync(HttpClient client, string key, object referral)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/referrals") { Content = JsonContent.Create(referral, options: Json) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    static IReadOnlyList<string?> Strings(JsonNode? array) => array!.AsArray().Select(n => (string?)n).ToList();

    /// <summary>Cases of the program's roster members (ids E…): the ones referrals open, not the coordinators' existing workload.</summary>
    static Task<int> CasesOfAsync(TestApp app, Guid program) =>
        app.WithDbAsync(d => d.Cases.CountAsync(c => c.ProgramId == program && d.Members.Any(m => m.Id == c.MemberId && m.ExternalId.StartsWith("E"))));

    /// <summary>A sponsor-paid program with the roster fixture, two coordinators (one busier) and a partner account serving it.</summary>
    async Task<(TestApp App, Guid Program, HttpClient Client, Guid Busy, Guid Idle)> ArrangeAsync(DatabaseKind db, ConditionCategory[]? covers = null)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        if (covers is not null)
        {
            await app.WithDbAsync(async d =>
            {
                var p = await d.Programs.Include(x => x.CoSponsors).SingleAsync(x => x.Id == program);
                p.Update(new Features.Programs.ProgramSettings(p.Name, p.SponsorId, p.Funding, p.SelfPayPrice, covers, p.CaseFee, p.Sla, p.GovernanceText));
                await d.SaveChangesAsync();
            });
        }
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var busy = await app.CreateUserAsync(Roles.Coordinator, [program]);
        var idle = await app.CreateUserAsync(Roles.Coordinator, [program]);
        var someone = await app.EnrollAsync(program, "X-" + Guid.NewGuid().ToString("N")[..6]);
        await app.OpenCaseAsync(program, someone, busy.Id);
        await app.OpenCaseAsync(program, someone, busy.Id, CaseStatus.Closed);
        await app.OpenCaseAsync(program, someone, idle.Id, CaseStatus.Closed);
        var partner = await app.CreateUserAsync(Roles.Integration, [program]);
        return (app, program, app.ClientFor(partner), busy.Id, idle.Id);
    }
}

using System.Net;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Cases;

/// <summary>Malformed or invalid requests get a 400 naming the field, and nothing is written.</summary>
public sealed class BadInputTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string, string>> CreateCaseBodies() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new (string Name, string Json, string Field)[]
        {
            ("truncated JSON", """{"concern": "knee", """, "body"),
            ("not JSON at all", "programId=1", "body"),
            ("wrong type", """{"programId": 5, "memberId": "@member", "category": "Spine", "concern": "c"}""", "programId"),
            ("boolean for a string", """{"programId": "@program", "memberId": "@member", "category": "Spine", "concern": true}""", "concern"),
            ("unknown category", """{"programId": "@program", "memberId": "@member", "category": "Dermatology", "concern": "c"}""", "category"),
            ("number for an enum", """{"programId": "@program", "memberId": "@member", "category": 2, "concern": "c"}""", "category"),
            ("unknown field", """{"programId": "@program", "memberId": "@member", "category": "Spine", "concern": "c", "priority": "high"}""", "priority"),
            ("missing concern", """{"programId": "@program", "memberId": "@member", "category": "Spine"}""", "concern"),
            ("concern too long", """{"programId": "@program", "memberId": "@member", "category": "Spine", "concern": "@long"}""", "concern"),
            ("member of another program", """{"programId": "@program", "memberId": "@foreign", "category": "Spine", "concern": "c"}""", "memberId"),
            ("later start stage", """{"programId": "@program", "memberId": "@member", "category": "Spine", "concern": "c", "startAt": "InReview"}""", "status"),
        }
        select new TheoryDataRow<DatabaseKind, string, string, string>(db, row.Name, row.Json, row.Field);

    [Theory]
    [MemberData(nameof(CreateCaseBodies))]
    public async Task CreateCase_BadBody_Is400NamingTheFieldAndWritesNothing(DatabaseKind db, string name, string json, string field)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var foreign = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var client = app.ClientFor(coordinator);
        json = json.Replace("@program", scenario.ProgramId.ToString()).Replace("@member", scenario.MemberId.ToString())
            .Replace("@foreign", foreign.MemberId.ToString()).Replace("@long", new string('x', 4001));
        var before = await CountsAsync(app);

        var response = await client.PostRawAsync("/api/cases", json);

        var problem = await response.JsonAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.ErrorFields().Contains(field), $"{name}: expected an error on '{field}' but got {problem.ToJsonString()}");
        Assert.Equal(before, await CountsAsync(app));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task CreateCase_EmptyBody_ListsEveryMissingField(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator);
        using var client = app.ClientFor(coordinator);

        var problem = await (await client.PostRawAsync("/api/cases", "{}")).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["category", "concern", "memberId", "programId"], problem.ErrorFields().Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transition_UnknownStatusName_Is400ListingTheStages(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var id = await app.SeedCaseAsync(scenario);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var client = app.ClientFor(coordinator);

        var unknown = await (await client.PostRawAsync($"/api/cases/{id}/transitions", """{"to": "Approved"}""")).JsonAsync(HttpStatusCode.BadRequest);
        var missing = await (await client.PostRawAsync($"/api/cases/{id}/transitions", """{"reason": "x"}""")).JsonAsync(HttpStatusCode.BadRequest);
        var badVersion = await (await client.PostRawAsync($"/api/cases/{id}/transitions", """{"to": "Intake", "version": "one"}""")).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Contains("AwaitingConsent", (string?)unknown["errors"]!["to"]![0]);
        Assert.Equal(["to"], missing.ErrorFields());
        Assert.Equal(["version"], badVersion.ErrorFields());
        Assert.Equal(1, await app.WithDbAsync(d => d.Cases.Where(c => c.Id == id).Select(c => c.Version).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Requests_WrongContentTypeOrMethodOrQuery_AreTheirOwn4xx(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator);
        using var client = app.ClientFor(coordinator);

        var contentType = await client.PostRawAsync("/api/cases", "{}", "text/plain");
        var method = await client.DeleteAsync("/api/cases");
        var query = await (await client.GetAsync("/api/cases?status=Pending")).JsonAsync(HttpStatusCode.BadRequest);
        var badId = await client.GetAsync("/api/cases/not-a-guid");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, contentType.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal(["status"], query.ErrorFields());
        Assert.Equal(HttpStatusCode.NotFound, badId.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task CreateMember_InvalidFields_AreNamedAndNothingIsWritten(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var client = app.ClientFor(coordinator);
        var before = await CountsAsync(app);

        var badState = await (await client.PostJsonAsync("/api/members", new { programId = scenario.ProgramId, externalId = "X1", firstName = "A", lastName = "B", dateOfBirth = "1980-01-01", sex = "Female", state = "ZZ" })).JsonAsync(HttpStatusCode.BadRequest);
        var futureBirth = await (await client.PostJsonAsync("/api/members", new { programId = scenario.ProgramId, externalId = "X2", firstName = "A", lastName = "B", dateOfBirth = "2999-01-01", sex = "Female", state = "OH" })).JsonAsync(HttpStatusCode.BadRequest);
        var badDate = await (await client.PostRawAsync("/api/members", $$"""{"programId": "{{scenario.ProgramId}}", "dateOfBirth": "01/02/1980"}""")).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["state"], badState.ErrorFields());
        Assert.Equal(["dateOfBirth"], futureBirth.ErrorFields());
        Assert.Equal(["dateOfBirth"], badDate.ErrorFields());
        Assert.Equal(before, await CountsAsync(app));
    }

    static Task<(int Cases, int Transitions, int Members)> CountsAsync(TestApp app) =>
        app.WithDbAsync(async d => (await d.Cases.CountAsync(), await d.CaseTransitions.CountAsync(), await d.Members.CountAsync()));
}

using System.Net;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Audit;

/// <summary>Health information never reaches the logs: a member with sentinel values is created, searched, read and changed, failures included.</summary>
public sealed class LogSentinelTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Logs_NeverContainAMembersNameBirthDateOrConcern(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var client = app.ClientFor(coordinator);
        const string first = "Sentinelia", last = "Xyloquist", birth = "1961-07-23", concern = "Glioblastoma-sentinel-concern";

        var member = await (await client.PostJsonAsync("/api/members", new { programId = scenario.ProgramId, externalId = "SENT-1", firstName = first, lastName = last, dateOfBirth = birth, sex = "Female", state = "OH" })).JsonAsync(HttpStatusCode.Created);
        var created = await (await client.PostJsonAsync("/api/cases", new { programId = scenario.ProgramId, memberId = (string)member["id"]!, category = "Neurological", concern })).JsonAsync(HttpStatusCode.Created);
        var id = (string)created["id"]!;
        await client.GetAsync($"/api/members?q={last}");
        await client.GetAsync($"/api/cases?q={last}");
        await client.GetAsync($"/api/cases/{id}");
        await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Closed", reason = concern });
        await client.PostRawAsync("/api/members", $$"""{"programId": "{{scenario.ProgramId}}", "firstName": "{{first}}", "lastName": 42}""");
        await client.PostJsonAsync("/api/members", new { programId = scenario.ProgramId, externalId = "SENT-1", firstName = first, lastName = last, dateOfBirth = birth, sex = "Female", state = "OH" });

        Assert.NotEmpty(app.Logs.Lines);
        foreach (var sentinel in new[] { first, last, birth, "07/23/1961", concern })
            Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(sentinel, StringComparison.OrdinalIgnoreCase));
    }
}

using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Intake;

/// <summary>Coordinator assignment by open workload, reassignment, and the first-contact SLA on the worklist. Moves its app's clock.</summary>
public sealed class AssignmentAndSlaTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task NewCases_GoToTheCoordinatorWithTheFewestOpenCases_AndCanBeReassigned(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var first = await app.CreateUserAsync(Roles.Coordinator, [program]);
        var second = await app.CreateUserAsync(Roles.Coordinator, [program]);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program]);
        var someone = await app.EnrollAsync(program, "X-" + Guid.NewGuid().ToString("N")[..6]);
        // The first coordinator has two open cases; the second one open and two finished ones, which do not count.
        await app.OpenCaseAsync(program, someone, first.Id);
        await app.OpenCaseAsync(program, someone, first.Id, CaseStatus.Intake);
        await app.OpenCaseAsync(program, someone, second.Id);
        await app.OpenCaseAsync(program, someone, second.Id, CaseStatus.Closed);
        await app.OpenCaseAsync(program, someone, second.Id, CaseStatus.Closed);
        using var partner = app.ClientFor(await app.CreateUserAsync(Roles.Integration, [program]));

        var a = await ReferAsync(partner, program, "E1001", "1971-04-12");
        var b = await ReferAsync(partner, program, "E2002", "1958-01-03");
        var c = await ReferAsync(partner, program, "E1001-02", "2012-09-30");

        Assert.Equal(second.Id.ToString(), (string?)a["coordinatorUserId"]);
        // Now two each: the longer-serving coordinator takes the tie, then the other.
        Assert.Equal(first.Id.ToString(), (string?)b["coordinatorUserId"]);
        Assert.Equal(second.Id.ToString(), (string?)c["coordinatorUserId"]);

        using var nurse = app.ClientFor(second);
        var moved = await (await nurse.PostJsonAsync($"/api/cases/{a["caseId"]}/coordinator", new { coordinatorUserId = first.Id, version = (int)a["version"]! }))
            .JsonAsync(HttpStatusCode.OK);
        var notACoordinator = await (await nurse.PostJsonAsync($"/api/cases/{a["caseId"]}/coordinator", new { coordinatorUserId = admin.Id }))
            .JsonAsync(HttpStatusCode.BadRequest);
        var stale = await nurse.PostJsonAsync($"/api/cases/{a["caseId"]}/coordinator", new { coordinatorUserId = second.Id, version = (int)a["version"]! });

        Assert.Equal((first.Id.ToString(), "Test coordinator"), ((string?)moved["coordinatorUserId"], (string?)moved["coordinatorName"]));
        Assert.Equal(["coordinatorUserId"], notACoordinator.ErrorFields());
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(first.Id, await app.WithDbAsync(d => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .SingleAsync(d.Cases.Where(x => x.Id == Guid.Parse((string)a["caseId"]!)).Select(x => x.CoordinatorUserId))));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ACasePastItsFirstContactTarget_ShowsAsOverdueOnTheWorklistUntilTheMemberIsReached(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync(sla: new SlaTargets(1, 7, 5))).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var nurse = await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var partner = app.ClientFor(await app.CreateUserAsync(Roles.Integration, [program]));
        using var worklist = app.ClientFor(nurse);
        var referral = await ReferAsync(partner, program, "E1001", "1971-04-12");
        var id = (string)referral["caseId"]!;

        var onTime = await RowAsync(worklist, program, id);
        var overdueOnTime = await IdsAsync(worklist, $"/api/cases?programId={program}&overdue=true");
        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var late = await RowAsync(worklist, program, id);
        var overdueLate = await IdsAsync(worklist, $"/api/cases?programId={program}&overdue=true");
        var overduePage = await (await worklist.GetAsync($"/cases?program={program}&overdue=true&mine=true")).Content.ReadAsStringAsync();
        using var otherNurse = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [program]));
        var notTheirs = await IdsAsync(otherNurse, $"/api/cases?programId={program}&mine=true");
        var page = await (await worklist.GetAsync($"/cases?q={referral["number"]}")).Content.ReadAsStringAsync();
        var intake = await (await worklist.GetAsync($"/api/cases/{id}/intake")).JsonAsync(HttpStatusCode.OK);
        await (await worklist.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake" })).JsonAsync(HttpStatusCode.OK);
        var reached = await RowAsync(worklist, program, id);

        Assert.False((bool)onTime["firstContactOverdue"]!);
        Assert.True((bool)late["firstContactOverdue"]!);
        Assert.Contains("data-testid=\"overdue\"", page);
        Assert.True((bool)intake["sla"]!["firstContact"]!["overdue"]!);
        Assert.False((bool)reached["firstContactOverdue"]!);
        Assert.DoesNotContain(id, overdueOnTime);
        Assert.Contains(id, overdueLate);
        Assert.True((bool)late["assignedToMe"]!);
        Assert.Contains((string)referral["number"]!, overduePage);
        Assert.DoesNotContain(id, notTheirs);

        // Contacted, but the packet is not complete by its due date (7 days): overdue again, for the packet.
        Assert.DoesNotContain(id, await IdsAsync(worklist, $"/api/cases?programId={program}&overdue=true"));
        app.Clock.Advance(TimeSpan.FromDays(7));
        var packetLate = await RowAsync(worklist, program, id);
        Assert.True((bool)packetLate["packetOverdue"]!);
        Assert.Contains(id, await IdsAsync(worklist, $"/api/cases?programId={program}&overdue=true&mine=true"));
        Assert.Contains("data-testid=\"packet-overdue\"", await (await worklist.GetAsync($"/cases?q={referral["number"]}")).Content.ReadAsStringAsync());
    }

    static async Task<List<string>> IdsAsync(HttpClient client, string url) =>
        (await (await client.GetAsync(url)).JsonAsync(HttpStatusCode.OK))["items"]!.AsArray().Select(i => (string)i!["id"]!).ToList();

    static async Task<System.Text.Json.Nodes.JsonNode> RowAsync(HttpClient client, Guid program, string id)
    {
        var list = await (await client.GetAsync($"/api/cases?programId={program}")).JsonAsync(HttpStatusCode.OK);
        return list["items"]!.AsArray().Single(i => (string?)i!["id"] == id)!;
    }

    static async Task<System.Text.Json.Nodes.JsonNode> ReferAsync(HttpClient client, Guid program, string memberId, string birth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/referrals")
        {
            Content = System.Net.Http.Json.JsonContent.Create(IntakeTestData.Referral(program, memberId, birth, "Is surgery needed?")),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await (await client.SendAsync(request)).JsonAsync(HttpStatusCode.Created);
    }
}

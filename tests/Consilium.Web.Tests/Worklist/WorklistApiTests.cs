using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Worklist;

public sealed class WorklistApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Events_ChangeSavedOnOneNode_ReachesAStreamHeldByTheOtherNode(DatabaseKind db)
    {
        var nodeA = await fixture.AppAsync(db);
        await using var nodeB = await TestApp.StartOnAsync(nodeA, app => app.With("Worklist:PollInterval", "00:00:00.200"));
        var scenario = await nodeA.SeedScenarioAsync();
        var coordinator = await nodeA.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var id = await SeedPastFirstContactAsync(nodeA, scenario);
        await using var stream = await EventStream.OpenAsync(nodeB.ClientFor(coordinator));

        using var onA = nodeA.ClientFor(coordinator);
        (await onA.PostJsonAsync($"/api/cases/{id}/coordinator", new { coordinatorUserId = coordinator.Id })).EnsureSuccessStatusCode();
        (await onA.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake" })).EnsureSuccessStatusCode();

        var (eventId, taken) = await stream.NextCaseEventAsync(Wait);
        Assert.True(long.Parse(eventId) > 0);
        Assert.Equal(id.ToString(), (string?)taken["id"]);
        Assert.Equal(("Referred", 2, scenario.ProgramId.ToString()), ((string?)taken["status"], (int?)taken["version"], (string?)taken["program"]));
        // The row's SLA cell comes rendered as the page renders it, for this user, now: overdue and now theirs.
        Assert.Equal((true, true), ((bool)taken["overdue"]!, (bool)taken["mine"]!));
        Assert.Contains("First contact overdue", (string?)taken["sla"]);
        Assert.Contains("data-testid=\"mine\"", (string?)taken["sla"]);

        var (_, moved) = await stream.NextCaseEventAsync(Wait);
        Assert.Equal(("Intake", "Intake", 3), ((string?)moved["status"], (string?)moved["stage"], (int?)moved["version"]));
        // Past Referred, first contact is no longer chased; the packet is not due yet.
        Assert.Equal((false, true), ((bool)moved["overdue"]!, (bool)moved["mine"]!));
        Assert.DoesNotContain("overdue", (string?)moved["sla"]);
        // When the row's badges next change by time alone: the packet's due date (the page asks for the row again then).
        var packetDue = await nodeA.WithDbAsync(d => d.Cases.Where(c => c.Id == id).Select(c => c.PacketDueAt).SingleAsync());
        var packetDueText = packetDue!.Value.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((packetDueText, packetDueText), ((string?)taken["slaNext"], (string?)moved["slaNext"]));
        // Nothing about the member travels on the stream: the case id, program, stage, version and SLA badges only.
        Assert.Equal(["id", "mine", "overdue", "program", "sla", "slaNext", "stage", "status", "version"], moved.Select(kv => kv.Key).Order());
    }

    /// <summary>A referred case opened three days ago under the default targets: its first contact (two days) is overdue, its packet (seven) is not.</summary>
    static Task<Guid> SeedPastFirstContactAsync(TestApp app, Scenario scenario) => app.WithDbAsync(async d =>
    {
        var @case = Case.Open(scenario.ProgramId, scenario.MemberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Lumbar fusion proposed",
            CaseStatus.Referred, new Actor(null, "test", Roles.Coordinator), app.Clock.GetUtcNow().AddDays(-3), sla: SlaTargets.Default);
        d.Cases.Add(@case);
        await d.SaveChangesAsync();
        return @case.Id;
    });

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Events_CarryOnlyCasesOfTheProgramsTheUserServes_AndReplayFromLastEventId(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var mine = await app.SeedScenarioAsync();
        var other = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [mine.ProgramId]);
        var otherCoordinator = await app.CreateUserAsync(Roles.Coordinator, [other.ProgramId]);
        var theirs = await app.SeedCaseAsync(other);
        var ours = await app.SeedCaseAsync(mine);
        await using var stream = await EventStream.OpenAsync(app.ClientFor(coordinator));

        using var theirClient = app.ClientFor(otherCoordinator);
        (await theirClient.PostJsonAsync($"/api/cases/{theirs}/transitions", new { to = "Intake" })).EnsureSuccessStatusCode();
        using var client = app.ClientFor(coordinator);
        (await client.PostJsonAsync($"/api/cases/{ours}/transitions", new { to = "Intake" })).EnsureSuccessStatusCode();

        // The other program's change was committed first, yet the first event this coordinator sees is their own case's.
        var (eventId, data) = await stream.NextCaseEventAsync(Wait);
        Assert.Equal(ours.ToString(), (string?)data["id"]);

        // A browser reconnecting with the id of the last event it saw before gets what it missed first, from the table.
        await using var reconnected = await EventStream.OpenAsync(client, lastEventId: (long.Parse(eventId) - 1).ToString());
        var (replayedId, replayed) = await reconnected.NextCaseEventAsync(Wait);
        Assert.Equal((eventId, ours.ToString(), 2), (replayedId, (string?)replayed["id"], (int?)replayed["version"]));
    }

    [Fact]
    public async Task Events_RefuseEveryoneButCoordinatorsAndProgramAdmins_AndAMalformedLastEventId()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        var scenario = await app.SeedScenarioAsync();
        foreach (var role in new[] { Roles.Patient, Roles.Reviewer, Roles.SponsorAnalyst, Roles.Auditor })
        {
            using var client = app.ClientFor(await app.CreateUserAsync(role, [scenario.ProgramId], memberId: role == Roles.Patient ? scenario.MemberId : null));
            using var response = await client.GetAsync("/api/worklist/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role}: {(int)response.StatusCode}");
        }

        using var coordinator = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/worklist/events");
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var bad = await coordinator.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(["Last-Event-ID"], (await bad.JsonAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Bulk_MixedResult_EachCaseDecidedAndAuditedAlone_TheRefusedOnesUnchanged(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var referredA = await app.SeedCaseAsync(scenario);
        var referredB = await app.SeedCaseAsync(scenario);
        var collecting = await app.SeedCaseAsync(scenario, CaseStatus.CollectingRecords);
        var unknown = Guid.NewGuid();
        using var client = app.ClientFor(coordinator);

        var body = await (await client.PostJsonAsync("/api/worklist/bulk",
            new { action = "Transition", caseIds = new[] { referredA, collecting, unknown, referredB }, to = "Intake" })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal((2, 2), ((int?)body["succeeded"], (int?)body["refused"]));
        var results = body["results"]!.AsArray().ToDictionary(r => Guid.Parse((string)r!["caseId"]!), r => r!);
        Assert.True((bool)results[referredA]["succeeded"]! && (bool)results[referredB]["succeeded"]!);
        Assert.Equal(("Intake", 2), ((string?)results[referredA]["stage"], (int?)results[referredA]["version"]));
        Assert.Equal(409, (int?)results[collecting]["status"]);
        Assert.Contains("CollectingRecords", (string?)results[collecting]["error"]);
        Assert.Equal(404, (int?)results[unknown]["status"]);

        var (stillCollecting, auditOutcomes) = await app.WithDbAsync(async d =>
        {
            var c = await d.Cases.AsNoTracking().SingleAsync(x => x.Id == collecting);
            var ids = new[] { referredA, referredB, collecting }.Select(g => g.ToString()).ToList();
            var audits = await d.AuditEntries.AsNoTracking().Where(a => a.UserId == coordinator.Id && a.Action == AuditAction.Update && ids.Contains(a.ObjectId!)).ToListAsync();
            return ((c.Status, c.Version), audits.ToDictionary(a => Guid.Parse(a.ObjectId!), a => a.Outcome));
        });
        Assert.Equal((CaseStatus.CollectingRecords, 4), stillCollecting);
        Assert.Equal(AuditOutcome.Success, auditOutcomes[referredA]);
        Assert.Equal(AuditOutcome.Success, auditOutcomes[referredB]);
        Assert.Equal(AuditOutcome.Failure, auditOutcomes[collecting]);
    }

    [Fact]
    public async Task Bulk_AssignToMe_TakesTheCases_AndAssigningToANonCoordinatorIsRefusedPerCase()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        var scenario = await app.SeedScenarioAsync();
        var me = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [scenario.ProgramId]);
        var first = await app.SeedCaseAsync(scenario);
        var second = await app.SeedCaseAsync(scenario, CaseStatus.Intake);
        using var client = app.ClientFor(me);

        var taken = await (await client.PostJsonAsync("/api/worklist/bulk", new { action = "AssignToMe", caseIds = new[] { first, second } })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int?)taken["succeeded"]);
        var owners = await app.WithDbAsync(d => d.Cases.AsNoTracking().Where(c => c.Id == first || c.Id == second).Select(c => c.CoordinatorUserId).ToListAsync());
        Assert.All(owners, o => Assert.Equal(me.Id, o));

        var refused = await (await client.PostJsonAsync("/api/worklist/bulk", new { action = "AssignCoordinator", caseIds = new[] { first }, coordinatorUserId = admin.Id }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal((0, 1), ((int?)refused["succeeded"], (int?)refused["refused"]));
        Assert.Equal(400, (int?)refused["results"]![0]!["status"]);
        Assert.Contains("coordinatorUserId", (string?)refused["results"]![0]!["error"]);

        var invalid = await (await client.PostJsonAsync("/api/worklist/bulk", new { action = "Transition", caseIds = Array.Empty<Guid>() })).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["caseIds", "to"], invalid.ErrorFields().Order());
        using var reviewer = app.ClientFor(await app.CreateUserAsync(Roles.Reviewer, [scenario.ProgramId]));
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostJsonAsync("/api/worklist/bulk", new { action = "AssignToMe", caseIds = new[] { first } })).StatusCode);
    }
}

/// <summary>A client of the worklist's server-sent events, reading the stream line by line as a browser would.</summary>
sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
{
    public static async Task<EventStream> OpenAsync(HttpClient client, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/worklist/events");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next "case" event's id and data; fails if none comes within <paramref name="timeout"/>.</summary>
    public async Task<(string Id, JsonObject Data)> NextCaseEventAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? id = null, type = null, data = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("The stream ended.");
            if (line.Length == 0)
            {
                if (type == "case") return (id!, JsonNode.Parse(data!)!.AsObject());
                (id, type, data) = (null, null, null);
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var value = line[(colon + 1)..].TrimStart(' ');
            switch (line[..colon])
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data = value; break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

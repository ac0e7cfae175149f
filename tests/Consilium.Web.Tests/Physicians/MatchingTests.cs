using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Cases;
using Consilium.Features.Physicians;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Physicians;

/// <summary>
/// GET /api/cases/{id}/matches and the assignment checks, each test on a fresh platform so the network holds only its
/// own physicians.
/// </summary>
public sealed class MatchingTests
{
    static readonly DateOnly Far = new(2028, 6, 30);

    static Dictionary<string, JsonNode> ByName(JsonNode list) => list.AsArray().ToDictionary(n => (string)n!["name"]!, n => n!);

    static string[] Codes(JsonNode excluded) => excluded["reasons"]!.AsArray().Select(r => (string)r!["code"]!).ToArray();

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Matches_RankTheFitAndNameWhyEachOtherIsExcluded(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var best = await app.PhysicianAsync("Dr. Ana Best", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far), ("PA", Far)], ["en", "es"]);
        var second = await app.PhysicianAsync("Dr. Ben Second", "Neurological Surgery", "Spine Neurosurgery", [("OH", Far)], ["es", "en"], capacity: 2);
        await app.OccupyAsync(second);
        await app.PhysicianAsync("Dr. Cy Expired", "Orthopaedic Surgery", "Spine Surgery", [("OH", NetworkTestData.Due.AddDays(-1))], ["es"]);
        await app.PhysicianAsync("Dr. Di Elsewhere", "Orthopaedic Surgery", "Spine Surgery", [("PA", Far), ("NY", Far)], ["es"]);
        await app.PhysicianAsync("Dr. Ed Conflict", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], ["es"], ["The Riverside Orthopedics, Inc."]);
        var full = await app.PhysicianAsync("Dr. Flo Full", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], ["es"], capacity: 1);
        await app.OccupyAsync(full);
        await app.PhysicianAsync("Dr. Gus English", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], ["en"]);
        await app.PhysicianAsync("Dr. Hal Knees", "Orthopaedic Surgery", "Adult Reconstruction", [("OH", Far)], ["es"]);
        var @case = await app.CaseAsync("OH", language: "es");
        using var coordinator = await app.CoordinatorAsync(@case);

        var body = await (await coordinator.GetAsync($"/api/cases/{@case.Id}/matches")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("DirectOpinion", (string?)body["mode"]);
        Assert.Equal("2026-03-09", (string?)body["opinionDue"]);
        Assert.Equal(["Dr. Ana Best", "Dr. Ben Second"], body["ranked"]!.AsArray().Select(r => (string)r!["name"]!));
        var top = body["ranked"]![0]!;
        var factors = top["reasons"]!.AsArray().ToDictionary(r => (string)r!["factor"]!, r => (int)r!["points"]!);
        Assert.Equal(factors.Values.Sum(), (int)top["score"]!);
        Assert.True(factors["diagnosis"] > 0 && factors["procedure"] > 0 && factors["capacity"] == 15 && factors["language"] > 0, top.ToJsonString());
        Assert.Contains("M51.16", top["reasons"]!.AsArray().Single(r => (string)r!["factor"]! == "diagnosis")!["text"]!.ToString());
        Assert.Contains("1 of 2 weekly places free", body["ranked"]![1]!["reasons"]!.ToJsonString());

        var excluded = ByName(body["excluded"]!);
        Assert.Equal(["license-expired"], Codes(excluded["Dr. Cy Expired"]));
        Assert.Contains("expires 2026-03-08, before the opinion is due on 2026-03-09", excluded["Dr. Cy Expired"].ToJsonString());
        Assert.Equal(["license-state"], Codes(excluded["Dr. Di Elsewhere"]));
        Assert.Contains("licensed in NY, PA", excluded["Dr. Di Elsewhere"].ToJsonString());
        Assert.Equal(["conflict"], Codes(excluded["Dr. Ed Conflict"]));
        Assert.Equal(["no-capacity"], Codes(excluded["Dr. Flo Full"]));
        Assert.Equal(["language"], Codes(excluded["Dr. Gus English"]));
        Assert.Contains("Spanish", excluded["Dr. Gus English"].ToJsonString());
        Assert.False(excluded.ContainsKey("Dr. Hal Knees"));
        Assert.Equal(1, (int)body["notConsidered"]!);
        _ = best;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Offer_RefusesWhatTheAssignmentChecksForbid_AndNamesWhy(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var good = await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        var expired = await app.SpineSurgeonAsync("Dr. Cy Expired", ("OH", NetworkTestData.Due.AddDays(-1)));
        var conflict = await app.PhysicianAsync("Dr. Ed Conflict", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], affiliations: ["Riverside Orthopedics"]);
        var full = await app.PhysicianAsync("Dr. Flo Full", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], capacity: 1);
        await app.OccupyAsync(full);
        var @case = await app.CaseAsync("OH");
        using var coordinator = await app.CoordinatorAsync(@case);
        var url = $"/api/cases/{@case.Id}/offers";

        var refusals = new List<JsonNode>();
        foreach (var p in new[] { expired, conflict, full })
            refusals.Add(await (await coordinator.PostJsonAsync(url, new { physicianId = p.Id })).JsonAsync(HttpStatusCode.BadRequest));
        var missing = await (await coordinator.PostJsonAsync(url, new { })).JsonAsync(HttpStatusCode.BadRequest);
        var offered = await (await coordinator.PostJsonAsync(url, new { physicianId = good.Id })).JsonAsync(HttpStatusCode.Created);
        var secondLead = await (await coordinator.PostJsonAsync(url, new { physicianId = expired.Id })).JsonAsync(HttpStatusCode.Conflict);

        Assert.All(refusals, r => Assert.Equal(["physicianId"], r.ErrorFields()));
        Assert.Contains("expires 2026-03-08", refusals[0]["errors"]!["physicianId"]![0]!.ToString());
        Assert.Contains("Riverside Orthopedics", refusals[1]["errors"]!["physicianId"]![0]!.ToString());
        Assert.Contains("No capacity left", refusals[2]["errors"]!["physicianId"]![0]!.ToString());
        Assert.Equal(["physicianId"], missing.ErrorFields());
        Assert.Equal(("Pending", "DirectOpinion", "Lead"), ((string?)offered["status"], (string?)offered["mode"], (string?)offered["role"]));
        Assert.Contains("lead", (string?)secondLead["detail"]);
        var offers = await app.WithDbAsync(d => d.Set<ReviewerOffer>().CountAsync(o => o.CaseId == @case.Id));
        Assert.Equal(1, offers);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task NoLicensedReviewer_MakesAnEducationalConsultThatNeedsTheLocalPhysician(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var ohio = await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        var withoutLocal = await app.CaseAsync("WY", treatingName: null, treatingOrganization: null);
        var withLocal = await app.CaseAsync("WY");
        using var coordinator = await app.CoordinatorAsync(withoutLocal);
        using var coordinator2 = await app.CoordinatorAsync(withLocal);

        var matches = await (await coordinator.GetAsync($"/api/cases/{withoutLocal.Id}/matches")).JsonAsync(HttpStatusCode.OK);
        var refused = await (await coordinator.PostJsonAsync($"/api/cases/{withoutLocal.Id}/offers", new { physicianId = ohio.Id })).JsonAsync(HttpStatusCode.BadRequest);
        var offer = await (await coordinator2.PostJsonAsync($"/api/cases/{withLocal.Id}/offers", new { physicianId = ohio.Id })).JsonAsync(HttpStatusCode.Created);
        using var reviewer = app.ClientFor(ohio.Reviewer!);
        var accepted = await (await reviewer.PostJsonAsync($"/api/offers/{offer["id"]}/accept", new { })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("EducationalConsult", (string?)matches["mode"]);
        Assert.True((bool)matches["localPhysicianRequired"]!);
        Assert.Contains("educational", (string?)matches["memberNotice"]);
        Assert.Contains("No eligible reviewer holds a licence in WY", (string?)matches["modeReason"]);
        Assert.Equal(["Dr. Ana Best"], matches["ranked"]!.AsArray().Select(r => (string)r!["name"]!));
        Assert.False((bool)matches["ranked"]![0]!["licensedInState"]!);
        Assert.Equal(["localPhysician"], refused.ErrorFields());
        Assert.Equal(("EducationalConsult", "Accepted"), ((string?)offer["mode"], (string?)accepted["status"]));
        var assigned = await app.WithDbAsync(d => d.Cases.SingleAsync(c => c.Id == withLocal.Id));
        Assert.Equal((CaseStatus.Assigned, ConsultMode.EducationalConsult, ohio.Reviewer!.Id), (assigned.Status, assigned.ConsultMode!.Value, assigned.ReviewerUserId!.Value));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task AStateThatAllowsNoDirectOpinion_MakesEveryCaseThereEducational(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        var @case = await app.CaseAsync("OH");
        using var coordinator = await app.CoordinatorAsync(@case);
        using var admin = app.ClientFor(await app.CreateUserAsync(Features.Identity.Roles.ProgramAdmin));

        var before = await (await coordinator.GetAsync($"/api/cases/{@case.Id}/matches")).JsonAsync(HttpStatusCode.OK);
        var bad = await (await admin.PutAsync("/api/network/state-rules/OH", System.Net.Http.Json.JsonContent.Create(new { rule = "Sometimes" }))).JsonAsync(HttpStatusCode.BadRequest);
        var badState = await (await admin.PutAsync("/api/network/state-rules/XX", System.Net.Http.Json.JsonContent.Create(new { rule = "NotAllowed" }))).JsonAsync(HttpStatusCode.BadRequest);
        await (await admin.PutAsync("/api/network/state-rules/OH", System.Net.Http.Json.JsonContent.Create(new { rule = "NotAllowed", note = "Counsel, 2026-02" }))).JsonAsync(HttpStatusCode.OK);
        var after = await (await coordinator.GetAsync($"/api/cases/{@case.Id}/matches")).JsonAsync(HttpStatusCode.OK);
        var rules = await (await admin.GetAsync("/api/network/state-rules")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("DirectOpinion", (string?)before["mode"]);
        Assert.Equal(["rule"], bad.ErrorFields());
        Assert.Equal(["state"], badState.ErrorFields());
        Assert.Equal(("EducationalConsult", "NotAllowed"), ((string?)after["mode"], (string?)after["stateRule"]));
        var ohio = rules.AsArray().Single(r => (string)r!["state"]! == "OH")!;
        Assert.Equal(("NotAllowed", false), ((string?)ohio["rule"], (bool)ohio["isDefault"]!));
        Assert.Equal(56, rules.AsArray().Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Matches_OfACaseOutsideTheCoordinatorsPrograms_IsNotFoundAndAudited(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var @case = await app.CaseAsync("OH");
        using var stranger = app.ClientFor(await app.CreateUserAsync(Features.Identity.Roles.Coordinator));

        var response = await stranger.GetAsync($"/api/cases/{@case.Id}/matches");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var denied = await app.WithDbAsync(d => d.AuditEntries.CountAsync(a => a.ObjectType == "CaseMatches" && a.ObjectId == @case.Id.ToString()
            && a.Outcome == Features.Audit.AuditOutcome.Denied));
        Assert.Equal(1, denied);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Matches_FollowEveryChangeToTheNetwork_ReadingOnlyWhatChanged(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var ana = await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        await app.SpineSurgeonAsync("Dr. Ben Second", ("OH", Far));
        var @case = await app.CaseAsync("OH");
        using var coordinator = await app.CoordinatorAsync(@case);
        var network = app.Services.GetRequiredService<NetworkSnapshot>();
        async Task<JsonNode> MatchAsync() => await (await coordinator.GetAsync($"/api/cases/{@case.Id}/matches")).JsonAsync(HttpStatusCode.OK);
        string[] Ranked(JsonNode body) => body["ranked"]!.AsArray().Select(r => (string)r!["name"]!).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["Dr. Ana Best", "Dr. Ben Second"], Ranked(await MatchAsync()));
        var read = network.PhysiciansRead;
        Assert.Equal(["Dr. Ana Best", "Dr. Ben Second"], Ranked(await MatchAsync()));
        Assert.Equal(read, network.PhysiciansRead);

        // A licence changed behind this node's back (another node, or a script through the domain): seen on the next match.
        await app.WithDbAsync(async d =>
        {
            var p = await d.Physicians.SingleAsync(x => x.Id == ana.Id);
            p.License("OH", "OH-LAPSED", NetworkTestData.Due.AddDays(-1), new DateOnly(2015, 1, 1));
            await d.SaveChangesAsync();
        });
        var body = await MatchAsync();
        Assert.Equal(["Dr. Ben Second"], Ranked(body));
        Assert.Equal(["license-expired"], Codes(ByName(body["excluded"]!)["Dr. Ana Best"]));
        Assert.Equal(read + 1, network.PhysiciansRead);

        // A physician added, and one paused: both seen.
        await app.SpineSurgeonAsync("Dr. Cy New", ("OH", Far));
        await app.WithDbAsync(async d =>
        {
            var p = await d.Physicians.SingleAsync(x => x.Name == "Dr. Ben Second");
            p.SetStatus(PhysicianStatus.Paused, app.Clock.GetUtcNow());
            await d.SaveChangesAsync();
        });
        body = await MatchAsync();
        Assert.Equal(["Dr. Cy New"], Ranked(body));
        Assert.Equal(["paused"], Codes(ByName(body["excluded"]!)["Dr. Ben Second"]));
        Assert.Equal(read + 3, network.PhysiciansRead);
    }
}

using System.Globalization;
using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Physicians;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Physicians;

/// <summary>Offers: decline with a reason and re-offer, automatic re-offer after the acceptance SLA, panels, stipends.</summary>
public sealed class OfferTests
{
    static readonly DateOnly Far = new(2028, 6, 30);

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ADeclinedOffer_NeedsAReason_AndGoesToTheNextRankedReviewer(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var first = await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        var next = await app.PhysicianAsync("Dr. Ben Second", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], capacity: 2);
        await app.OccupyAsync(next);
        var @case = await app.CaseAsync("OH");
        using var coordinator = await app.CoordinatorAsync(@case);
        var offer = await (await coordinator.PostJsonAsync($"/api/cases/{@case.Id}/offers", new { physicianId = first.Id })).JsonAsync(HttpStatusCode.Created);
        using var ana = app.ClientFor(first.Reviewer!);
        using var ben = app.ClientFor(next.Reviewer!);

        var stranger = await ben.PostJsonAsync($"/api/offers/{offer["id"]}/decline", new { reason = "not mine" });
        var noReason = await (await ana.PostJsonAsync($"/api/offers/{offer["id"]}/decline", new { reason = " " })).JsonAsync(HttpStatusCode.BadRequest);
        var declined = await (await ana.PostJsonAsync($"/api/offers/{offer["id"]}/decline", new { reason = "On leave until April" })).JsonAsync(HttpStatusCode.OK);
        var again = await ana.PostJsonAsync($"/api/offers/{offer["id"]}/accept", new { });
        var bens = await (await ben.GetAsync("/api/offers/mine")).JsonAsync(HttpStatusCode.OK);
        var offers = await (await coordinator.GetAsync($"/api/cases/{@case.Id}/offers")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal(["reason"], noReason.ErrorFields());
        Assert.Equal(("Declined", "On leave until April"), ((string?)declined["status"], (string?)declined["declineReason"]));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var reoffer = bens.AsArray().Single(o => (string)o!["caseId"]! == @case.Id.ToString())!;
        Assert.Equal(("Pending", "Lead", "OH"), ((string?)reoffer["status"], (string?)reoffer["role"], (string?)reoffer["state"]));
        Assert.Equal(["M51.16"], reoffer["diagnosisCodes"]!.AsArray().Select(c => (string)c!));
        Assert.Equal([("Dr. Ana Best", "Declined"), ("Dr. Ben Second", "Pending")],
            offers.AsArray().Select(o => ((string)o!["physicianName"]!, (string)o["status"]!)));
        Assert.Equal((string?)offer["id"], (string?)offers[1]!["replacesOfferId"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task AnOfferNotAcceptedWithinItsSla_IsReofferedAutomatically(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var first = await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        var next = await app.PhysicianAsync("Dr. Ben Second", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], capacity: 2);
        await app.OccupyAsync(next);
        var @case = await app.CaseAsync("OH");
        using var coordinator = await app.CoordinatorAsync(@case);
        var offer = await (await coordinator.PostJsonAsync($"/api/cases/{@case.Id}/offers", new { physicianId = first.Id })).JsonAsync(HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromHours(23));
        var early = await NetworkSweeperAccess.SweepAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var due = await NetworkSweeperAccess.SweepAsync(app);
        var repeat = await NetworkSweeperAccess.SweepAsync(app);
        using var ana = app.ClientFor(first.Reviewer!);
        var late = await ana.PostJsonAsync($"/api/offers/{offer["id"]}/accept", new { });

        Assert.Equal((0, 1, 0), (early, due, repeat));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var offers = await app.WithDbAsync(d => d.Set<ReviewerOffer>().Where(o => o.CaseId == @case.Id).OrderBy(o => o.OfferedAt).ToListAsync());
        Assert.Equal([(first.Id, OfferStatus.Expired), (next.Id, OfferStatus.Pending)], offers.Select(o => (o.PhysicianId, o.Status)));
        Assert.Equal(offers[0].Id, offers[1].ReplacesOfferId);
        Assert.Equal(app.Clock.GetUtcNow().AddHours(24), offers[1].ExpiresAt);
        Assert.Equal("automatic re-offer", offers[1].OfferedBy);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task APanelCase_HasOneLeadAuthorAndPanelMembersWhoSeeTheCase(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var lead = await app.SpineSurgeonAsync("Dr. Ana Lead", ("OH", Far));
        var neuro = await app.PhysicianAsync("Dr. Ben Neuro", "Neurological Surgery", "Spine Neurosurgery", [("OH", Far)]);
        var ortho = await app.SpineSurgeonAsync("Dr. Cy Ortho", ("OH", Far));
        var outsider = await app.SpineSurgeonAsync("Dr. Di Outside", ("OH", Far));
        var @case = await app.CaseAsync("OH");
        using var coordinator = await app.CoordinatorAsync(@case);
        var url = $"/api/cases/{@case.Id}/offers";

        var leadOffer = await (await coordinator.PostJsonAsync(url, new { physicianId = lead.Id, role = "Lead" })).JsonAsync(HttpStatusCode.Created);
        var p1 = await (await coordinator.PostJsonAsync(url, new { physicianId = neuro.Id, role = "Panelist" })).JsonAsync(HttpStatusCode.Created);
        var p2 = await (await coordinator.PostJsonAsync(url, new { physicianId = ortho.Id, role = "Panelist" })).JsonAsync(HttpStatusCode.Created);
        var secondLead = await coordinator.PostJsonAsync(url, new { physicianId = outsider.Id, role = "Lead" });
        foreach (var (who, offer) in new[] { (lead, leadOffer), (neuro, p1), (ortho, p2) })
        {
            using var client = app.ClientFor(who.Reviewer!);
            await (await client.PostJsonAsync($"/api/offers/{offer["id"]}/accept", new { })).JsonAsync(HttpStatusCode.OK);
        }
        var seen = new List<HttpStatusCode>();
        foreach (var who in new[] { lead, neuro, ortho, outsider })
        {
            using var client = app.ClientFor(who.Reviewer!);
            seen.Add((await client.GetAsync($"/api/cases/{@case.Id}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Conflict, secondLead.StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound], seen);
        var assigned = await app.WithDbAsync(d => d.Cases.SingleAsync(c => c.Id == @case.Id));
        Assert.Equal((CaseStatus.Assigned, lead.Reviewer!.Id, ConsultMode.DirectOpinion), (assigned.Status, assigned.ReviewerUserId!.Value, assigned.ConsultMode!.Value));
        var roles = await app.WithDbAsync(d => d.Set<ReviewerOffer>().Where(o => o.CaseId == @case.Id && o.Status == OfferStatus.Accepted)
            .Select(o => o.Role).ToListAsync());
        Assert.Equal(1, roles.Count(r => r == PanelRole.Lead));
        Assert.Equal(2, roles.Count(r => r == PanelRole.Panelist));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task StipendStatements_SumPerPhysicianAndInTotal(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var ana = await app.PhysicianAsync("Dr. Ana Best", "Orthopaedic Surgery", "Spine Surgery", [("OH", Far)], capacity: 10, stipend: 512.50m);
        var ben = await app.PhysicianAsync("Dr. Ben Panel", "Neurological Surgery", "Spine Neurosurgery", [("OH", Far)], capacity: 10, stipend: 250.25m);
        // Three opinions in March (Ana leads all, Ben sits on the panel of one), one in April.
        var march = new[] { 3, 12, 31 };
        var cases = new List<Guid>();
        foreach (var day in march.Append(32))
        {
            var @case = await app.CaseAsync("OH");
            cases.Add(@case.Id);
            await app.WithDbAsync(async d =>
            {
                var c = await d.Cases.Include(x => x.Transitions).SingleAsync(x => x.Id == @case.Id);
                var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddDays(day - 1);
                var actor = new Actor(null, "test", Roles.Coordinator);
                c.AssignReviewer(ana.Reviewer!.Id, at);
                foreach (var s in new[] { CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered }) c.TransitionTo(s, actor, null, at);
                if (day == 12)
                {
                    var panel = ReviewerOffer.Make(c.Id, ben.Id, ben.Reviewer!.Id, PanelRole.Panelist, ConsultMode.DirectOpinion, 0, actor, TimeSpan.FromDays(1), at);
                    panel.Accept(at);
                    d.Add(panel);
                }
                await d.SaveChangesAsync();
            });
        }
        using var admin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin));

        var statement = await (await admin.GetAsync("/api/stipends/statement?month=2026-03")).JsonAsync(HttpStatusCode.OK);
        var again = await (await admin.GetAsync("/api/stipends/statement?month=2026-03")).JsonAsync(HttpStatusCode.OK);
        var csv = await (await admin.GetAsync("/api/stipends/statement.csv?month=2026-03")).Content.ReadAsStringAsync();
        var bensCsv = await (await admin.GetAsync($"/api/stipends/statement.csv?month=2026-03&physicianId={ben.Id}")).Content.ReadAsStringAsync();
        var april = await (await admin.GetAsync("/api/stipends/statement?month=2026-04")).JsonAsync(HttpStatusCode.OK);
        var badMonth = await (await admin.GetAsync("/api/stipends/statement?month=March")).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(1787.75m, (decimal)statement["total"]!);
        Assert.Equal(4, (int)statement["opinions"]!);
        Assert.Equal([("Dr. Ana Best", 3, 1537.50m), ("Dr. Ben Panel", 1, 250.25m)],
            statement["physicians"]!.AsArray().Select(p => ((string)p!["physicianName"]!, (int)p["opinions"]!, (decimal)p["amount"]!)));
        Assert.Equal((decimal)statement["total"]!, (decimal)again["total"]!);
        Assert.Equal(5, await app.WithDbAsync(d => d.Set<Stipend>().CountAsync()));
        Assert.Equal(512.50m, (decimal)april["total"]!);
        Assert.Equal(["month"], badMonth.ErrorFields());

        var rows = csv.Trim().Split('\n').Skip(1).Select(l => l.Split(',')).ToList();
        decimal Amount(string[] row) => decimal.Parse(row[6], CultureInfo.InvariantCulture);
        var lines = rows.Where(r => r[8] == "stipend").ToList();
        var subtotals = rows.Where(r => r[8].StartsWith("subtotal", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, lines.Count);
        foreach (var sub in subtotals) Assert.Equal(lines.Where(l => l[1] == sub[1]).Sum(Amount), Amount(sub));
        Assert.Equal("total (4 opinions)", rows[^1][8]);
        Assert.Equal(lines.Sum(Amount), Amount(rows[^1]));
        Assert.Equal(1787.75m, Amount(rows[^1]));
        Assert.Equal(["2026-03,,,,,,250.25,,total (1 opinions)"], bensCsv.Trim().Split('\n')[^1..]);
        _ = cases;
    }
}

static class NetworkSweeperAccess
{
    /// <summary>One pass of the sweeper, as the background timer runs it; returns how many offers expired.</summary>
    public static async Task<int> SweepAsync(TestApp app) => (await NetworkSweeper.SweepOnceAsync(app.Services, CancellationToken.None)).Expired;
}

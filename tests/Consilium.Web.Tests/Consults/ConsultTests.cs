using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Consults;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Opinions;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Consults;

/// <summary>Video consults: availability in the reviewer's zone, booking in the member's, links and confirmations.</summary>
public sealed class ConsultTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Member_BooksInTheirOwnTimeZone_AndBothGetTheTimeOnTheirOwnClockWithTheMeetingLink(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app, CaseStatus.InReview);
        using var reviewer = app.ClientFor(c.Reviewer);
        using var patient = app.ClientFor(c.Patient);

        // London is still on GMT on 17 March 2026; Los Angeles moved to daylight time on 8 March; New York too.
        var published = (await (await reviewer.PostJsonAsync("/api/consults/availability",
            new { timeZone = "Europe/London", date = "2026-03-17", from = "14:00", to = "15:00", slotMinutes = 30 })).JsonAsync(HttpStatusCode.Created)).AsArray();
        Assert.Equal(["2026-03-17T14:00:00+00:00", "2026-03-17T14:30:00+00:00"], published.Select(s => (string?)s!["startsAt"]));

        var inLosAngeles = await (await patient.GetAsync($"/api/cases/{c.CaseId}/consult?timeZone=America/Los_Angeles")).JsonAsync(HttpStatusCode.OK);
        var byState = await (await patient.GetAsync($"/api/cases/{c.CaseId}/consult")).JsonAsync(HttpStatusCode.OK);
        Assert.True((bool)inLosAngeles["mayBook"]!);
        Assert.Equal(["2026-03-17T07:00:00-07:00", "2026-03-17T07:30:00-07:00"], inLosAngeles["available"]!.AsArray().Select(s => (string?)s!["localStart"]));
        Assert.Equal("America/New_York", (string?)byState["timeZone"]);
        Assert.Equal("2026-03-17T10:00:00-04:00", (string?)byState["available"]![0]!["localStart"]);

        var slotId = (string)published[0]!["id"]!;
        var booking = await (await patient.PostJsonAsync($"/api/cases/{c.CaseId}/consult", new { slotId, timeZone = "America/Los_Angeles" })).JsonAsync(HttpStatusCode.Created);
        var url = (string)booking["meetingUrl"]!;
        Assert.Matches("^https://meet\\.consilium\\.localhost/consilium-[0-9a-f]{32}$", url);
        Assert.Equal("Booked", (string?)booking["status"]);

        var toMember = await OpinionTestData.PickedUpAsync(app, m => m.To.Mailboxes.Any(x => x.Address == c.MemberEmail) && m.Subject == "Your video consult is booked");
        Assert.Contains("Tuesday, March 17, 2026 at 07:00 (America/Los_Angeles, UTC-07:00)", toMember.TextBody);
        Assert.Contains(url, toMember.TextBody);
        var toReviewer = await OpinionTestData.PickedUpAsync(app, m => m.To.Mailboxes.Any(x => x.Address == c.Reviewer.Email) && (m.Subject ?? "").StartsWith("Video consult booked"));
        Assert.Contains("Tuesday, March 17, 2026 at 14:00 (Europe/London, UTC+00:00)", toReviewer.TextBody);

        // One booking per case; a taken slot cannot be taken again.
        var again = await patient.PostJsonAsync($"/api/cases/{c.CaseId}/consult", new { slotId = (string)published[1]!["id"]!, timeZone = "America/Los_Angeles" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var other = await OpinionTestData.ArrangeAsync(app, CaseStatus.InReview);
        using var otherPatient = app.ClientFor(other.Patient);
        var foreign = await (await otherPatient.PostJsonAsync($"/api/cases/{other.CaseId}/consult", new { slotId = (string)published[1]!["id"]!, timeZone = "UTC" })).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["slotId"], foreign.ErrorFields());
        var early = await reviewer.PostJsonAsync($"/api/consults/{slotId}/notes", new { notes = "Discussed therapy" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.PatientId == c.MemberId && e.ObjectType == "ConsultSlot" && e.Reason!.StartsWith("video consult booked"))));
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string>> BadAvailability() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new[] { ("dst-gap", "from"), ("unknown-zone", "timeZone"), ("windows-zone", "timeZone"), ("end-before-start", "to"), ("overlap", "from"), ("too-short", "slotMinutes") }
        select new TheoryDataRow<DatabaseKind, string, string>(db, row.Item1, row.Item2);

    [Theory]
    [MemberData(nameof(BadAvailability))]
    public async Task PublishAvailability_Invalid_Is400NamingTheField(DatabaseKind db, string kind, string field)
    {
        var app = await fixture.AppAsync(db);
        var reviewer = await app.CreateUserAsync(Features.Identity.Roles.Reviewer);
        using var client = app.ClientFor(reviewer);
        await (await client.PostJsonAsync("/api/consults/availability", new { timeZone = "America/Chicago", date = "2026-03-24", from = "09:00", to = "10:00" })).JsonAsync(HttpStatusCode.Created);
        object body = kind switch
        {
            // 02:30 on 8 March 2026 never happens in New York: the clocks jump from 02:00 to 03:00.
            "dst-gap" => new { timeZone = "America/New_York", date = "2026-03-08", from = "02:30", to = "03:30" },
            "unknown-zone" => new { timeZone = "Mars/Olympus_Mons", date = "2026-03-25", from = "09:00", to = "10:00" },
            "windows-zone" => new { timeZone = "Central Standard Time", date = "2026-03-25", from = "09:00", to = "10:00" },
            "end-before-start" => new { timeZone = "America/Chicago", date = "2026-03-25", from = "10:00", to = "09:00" },
            "overlap" => new { timeZone = "America/Denver", date = "2026-03-24", from = "08:00", to = "09:00" },
            _ => new { timeZone = "America/Chicago", date = "2026-03-25", from = "09:00", to = "10:00", slotMinutes = 5 },
        };

        var problem = await (await client.PostJsonAsync("/api/consults/availability", body)).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.ErrorFields());
        Assert.Equal(2, await app.WithDbAsync(d => d.Set<ConsultSlot>().CountAsync(s => s.ReviewerUserId == reviewer.Id)));
    }
}

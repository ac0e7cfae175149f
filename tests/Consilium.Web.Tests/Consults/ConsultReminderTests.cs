using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Consults;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Opinions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Consults;

/// <summary>Reminders on a controllable clock, and the consult notes attached to the case afterwards.</summary>
public sealed class ConsultReminderTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Reminder_GoesOutOnceADayBefore_InEachPersonsZone_AndNotesAreForStaffOnly(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app, CaseStatus.InReview);
        using var reviewer = app.ClientFor(c.Reviewer);
        using var patient = app.ClientFor(c.Patient);
        using var coordinator = app.ClientFor(c.Coordinator);
        var slot = (await (await reviewer.PostJsonAsync("/api/consults/availability",
            new { timeZone = "Europe/Berlin", date = "2026-04-21", from = "15:00", to = "15:45", slotMinutes = 45 })).JsonAsync(HttpStatusCode.Created))[0]!;
        var id = Guid.Parse((string)slot["id"]!);
        var startsAt = DateTimeOffset.Parse((string)slot["startsAt"]!);
        Assert.Equal(new DateTimeOffset(2026, 4, 21, 13, 0, 0, TimeSpan.Zero), startsAt);
        await (await patient.PostJsonAsync($"/api/cases/{c.CaseId}/consult", new { slotId = id, timeZone = "Asia/Kolkata" })).JsonAsync(HttpStatusCode.Created);
        var monitor = app.Services.GetRequiredService<ConsultReminderMonitor>();

        app.Clock.SetUtcNow(startsAt.AddHours(-25));
        await monitor.RunOnceAsync(CancellationToken.None);
        Assert.Null(await app.WithDbAsync(d => d.Set<ConsultSlot>().Where(s => s.Id == id).Select(s => s.ReminderSentAt).SingleAsync()));

        app.Clock.SetUtcNow(startsAt.AddHours(-23));
        await monitor.RunOnceAsync(CancellationToken.None);
        await monitor.RunOnceAsync(CancellationToken.None);

        Assert.Equal(startsAt.AddHours(-23), await app.WithDbAsync(d => d.Set<ConsultSlot>().Where(s => s.Id == id).Select(s => s.ReminderSentAt).SingleAsync()));
        var reminder = await OpinionTestData.PickedUpAsync(app, m => m.To.Mailboxes.Any(x => x.Address == c.MemberEmail) && m.Subject == "Reminder: your video consult");
        Assert.Contains("Tuesday, April 21, 2026 at 18:30 (Asia/Kolkata, UTC+05:30)", reminder.TextBody);
        await OpinionTestData.PickedUpAsync(app, m => m.To.Mailboxes.Any(x => x.Address == c.Reviewer.Email) && (m.Subject ?? "").StartsWith("Reminder") && (m.TextBody ?? "").Contains("15:00 (Europe/Berlin, UTC+02:00)"));
        await Task.Delay(500);
        Assert.Single(OpinionTestData.PickedUp(app), m => m.To.Mailboxes.Any(x => x.Address == c.MemberEmail) && (m.Subject ?? "").StartsWith("Reminder"));

        app.Clock.SetUtcNow(startsAt.AddMinutes(50));
        var notes = await (await reviewer.PostJsonAsync($"/api/consults/{id}/notes", new { notes = "Discussed therapy first; member agrees to try twelve weeks." })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)notes["status"]);
        var staffView = await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/consult")).JsonAsync(HttpStatusCode.OK);
        var memberView = await (await patient.GetAsync($"/api/cases/{c.CaseId}/consult")).JsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("Discussed therapy first", (string?)staffView["bookings"]![0]!["notes"]);
        Assert.Null(memberView["bookings"]![0]!["notes"]);
    }
}

using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Infrastructure.Outbox;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Opinions;

/// <summary>The opinion clock on a controllable time: business days from the complete packet, overdue flags, one escalation.</summary>
public sealed class OpinionSlaTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task OpinionClock_CountsBusinessDays_FlagsOverdue_AndEscalatesToTheProgramAdminOnce(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var now = app.Clock.GetUtcNow();
        var monday = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(7 + ((int)DayOfWeek.Monday - (int)now.UtcDateTime.DayOfWeek + 7) % 7).AddHours(9);
        app.Clock.SetUtcNow(monday);
        var c = await OpinionTestData.ArrangeAsync(app);
        var strict = await OpinionTestData.ArrangeAsync(app, opinionBusinessDays: 3);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [c.ProgramId]);
        var monitor = app.Services.GetRequiredService<OpinionSlaMonitor>();
        using var coordinator = app.ClientFor(c.Coordinator);
        using var strictCoordinator = app.ClientFor(strict.Coordinator);

        // Friday: four business days in, not due until Monday (five business days, not five calendar days).
        app.Clock.SetUtcNow(monday.AddDays(4));
        var row = (await (await coordinator.GetAsync("/api/opinions/sla")).JsonAsync(HttpStatusCode.OK)).AsArray().Single(r => (string?)r!["caseId"] == c.CaseId.ToString())!;
        Assert.Equal(monday.AddDays(7), DateTimeOffset.Parse((string)row["dueAt"]!));
        Assert.Equal(4, (int?)row["businessDaysElapsed"]);
        Assert.False((bool)row["overdue"]!);
        var strictRow = (await (await strictCoordinator.GetAsync("/api/opinions/sla")).JsonAsync(HttpStatusCode.OK)).AsArray().Single(r => (string?)r!["caseId"] == strict.CaseId.ToString())!;
        Assert.Equal(monday.AddDays(3), DateTimeOffset.Parse((string)strictRow["dueAt"]!));
        Assert.True((bool)strictRow["overdue"]!);

        app.Clock.SetUtcNow(monday.AddDays(7).AddMinutes(-1));
        await monitor.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<OpinionSlaEscalation>().CountAsync(e => e.CaseId == c.CaseId)));

        app.Clock.SetUtcNow(monday.AddDays(7).AddHours(1));
        await monitor.RunOnceAsync(CancellationToken.None);
        await monitor.RunOnceAsync(CancellationToken.None);

        var escalations = await app.WithDbAsync(d => d.Set<OpinionSlaEscalation>().Where(e => e.CaseId == c.CaseId).ToListAsync());
        Assert.Equal(monday.AddDays(7), Assert.Single(escalations).DueAt);
        Assert.Equal(1, escalations[0].Notified);
        var number = await app.WithDbAsync(d => d.Cases.Where(x => x.Id == c.CaseId).Select(x => x.Number).SingleAsync());
        var summaries = await app.WithDbAsync(d => d.Set<OutboxMessage>().Where(m => m.Summary.Contains(number)).Select(m => m.Summary).ToListAsync());
        Assert.Equal([$"to {admin.Email}: Opinion overdue: case {number}"], summaries);
        var overdue = (await (await coordinator.GetAsync("/api/opinions/sla")).JsonAsync(HttpStatusCode.OK)).AsArray().Single(r => (string?)r!["caseId"] == c.CaseId.ToString())!;
        Assert.True((bool)overdue["overdue"]!);
        Assert.NotNull(overdue["escalatedAt"]);
        Assert.Equal(5, (int?)overdue["businessDaysElapsed"]);

        // Signing stops the clock: the case leaves the list.
        await OpinionTestData.SignAsync(app, c);
        var after = (await (await coordinator.GetAsync("/api/opinions/sla")).JsonAsync(HttpStatusCode.OK)).AsArray();
        Assert.DoesNotContain(after, r => (string?)r!["caseId"] == c.CaseId.ToString());
    }
}

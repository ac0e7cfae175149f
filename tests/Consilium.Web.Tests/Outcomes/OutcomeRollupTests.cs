using System.Text.Json;
using Consilium.Features.Identity;
using Consilium.Features.Outcomes;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Outcomes;

/// <summary>
/// The monthly roll-up gives exactly what the row-level computation gives: for all time, whole months, and periods that
/// cut months (whose cut days are read from the rows), after a first import, after a second import into the same months,
/// and for a program whose roll-up was never built.
/// </summary>
public sealed class OutcomeRollupTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    /// <summary>Cases over Jan–Jul 2025 with outcomes and day counts varying by index, so every figure differs by period.</summary>
    static IEnumerable<HistoryLine> Cases(int from, int count) => Enumerable.Range(from, count).Select(i =>
    {
        var requested = new DateOnly(2025, 1, 2).AddDays(i * 7 % 190);
        var packet = requested.AddDays(2 + i % 6);
        var opinion = packet.AddDays(1 + i * 3 % 11);
        var original = (i % 4) switch { 0 => 30_000m, 1 => 8_000m, 2 => 12_500m, _ => 4_000m };
        return new HistoryLine($"R-{i:D4}", $"M{i % 50:D4}", (i % 5) switch { 0 => "oncology", 1 => "spine", 2 => "cardiac", 3 => "musculoskeletal", _ => "other" },
            requested, packet, opinion,
            (i % 7) switch { 0 or 1 => "refined", 2 => "changed", 3 => "undetermined", _ => "confirmed" },
            (i % 3) switch { 0 => "change", 1 => "modify", _ => "agree" },
            SurgeryProposed: i % 2 == 0, SurgeryRecommended: i % 2 == 0 && i % 3 == 2, HospitalizationProposed: i % 4 < 2, HospitalizationRecommended: i % 4 == 0,
            SiteChange: i % 9 == 4, original, i % 3 == 0 ? original / 4 : original,
            Satisfaction: (i % 5) switch { 0 => 10, 1 => 8, 2 => 3, 3 => 9, _ => null },
            Triggered: i % 3 == 1 ? requested.AddDays(-(i % 13)) : null);
    });

    static readonly (string? From, string? To)[] Periods =
    [
        (null, null),
        ("2025-02-01", "2025-04-30"),   // whole months only
        ("2025-02-10", "2025-05-20"),   // cuts a month at both ends
        ("2025-03-01", "2025-06-14"),   // whole at the start, cut at the end
        ("2025-01-20", "2025-03-31"),   // cut at the start, whole at the end
        ("2025-03-05", "2025-03-25"),   // inside one month
        ("2025-04-15", null),
        (null, "2025-04-15"),
        ("2024-12-31", "2025-01-01"),   // across a year end
    ];

    static async Task AssertRollupMatchesRowsAsync(TestApp app, Guid programId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("test"), "test");
        var db = scope.ServiceProvider.GetRequiredService<Consilium.Infrastructure.Persistence.ConsiliumDbContext>();
        var calculator = scope.ServiceProvider.GetRequiredService<OutcomeCalculator>();
        var program = await db.Programs.AsNoTracking().SingleAsync(p => p.Id == programId);
        foreach (var (from, to) in Periods)
        {
            DateOnly? f = from is null ? null : DateOnly.Parse(from), t = to is null ? null : DateOnly.Parse(to);
            var fromRollup = JsonSerializer.Serialize(await calculator.ComputeAsync(program, f, t, CancellationToken.None));
            var fromRows = JsonSerializer.Serialize(await calculator.ComputeAsync(program, f, t, CancellationToken.None, rowsOnly: true));
            Assert.True(fromRows == fromRollup, $"{from}..{to}: the roll-up gives\n{fromRollup}\nthe rows give\n{fromRows}");
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Rollup_AgreesWithTheRowLevelComputation_ForWholeAndCutMonths(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (_, programId, _) = await OutcomeTestData.ProgramAsync(app, caseFee: 800m, members: 50);
        await OutcomeTestData.ImportAsync(app, programId, OutcomeTestData.Csv(Cases(0, 400)));

        // The import built the roll-up: a few dozen rows stand for the 400 cases.
        var (monthRows, cases) = await app.WithDbAsync(async db => (
            await db.Set<OutcomeMonth>().CountAsync(m => m.ProgramId == programId),
            await db.Set<OutcomeMonth>().Where(m => m.ProgramId == programId).SumAsync(m => m.Cases)));
        Assert.Equal(400, cases);
        Assert.InRange(monthRows, 7, 60);
        await AssertRollupMatchesRowsAsync(app, programId);

        // A second file adding cases to months already rolled up (fewer than seven months touched: recomputed month by month).
        var second = Cases(400, 60).Where(c => c.Opinion.Month is 3 or 4 && c.Requested.Month is 3 or 4).ToList();
        Assert.NotEmpty(second);
        await OutcomeTestData.ImportAsync(app, programId, OutcomeTestData.Csv(second));
        Assert.Equal(400 + second.Count, await app.WithDbAsync(db => db.Set<OutcomeMonth>().Where(m => m.ProgramId == programId).SumAsync(m => m.Cases)));
        await AssertRollupMatchesRowsAsync(app, programId);

        // Rows from before the roll-up existed: the computation reads rows until the next refresh builds it whole.
        await app.WithDbAsync(async db =>
        {
            await db.Set<OutcomeRollupState>().Where(s => s.ProgramId == programId).ExecuteDeleteAsync();
            await db.Set<OutcomeMonth>().Where(s => s.ProgramId == programId).ExecuteDeleteAsync();
            await db.Set<OutcomeDayCount>().Where(s => s.ProgramId == programId).ExecuteDeleteAsync();
        });
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [programId]);
        using var client = app.ClientFor(admin);
        var report = await (await client.GetAsync($"/api/programs/{programId}/outcomes?from=2025-02-10&to=2025-05-20")).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.True((int)report["casesWithOpinion"]! > 100);
        Assert.True(await app.WithDbAsync(db => db.Set<OutcomeRollupState>().AnyAsync(s => s.ProgramId == programId)));
        await AssertRollupMatchesRowsAsync(app, programId);
    }
}

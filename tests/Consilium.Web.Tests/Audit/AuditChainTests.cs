using System.Net;
using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Consilium.Tests.Audit;

/// <summary>
/// The tamper-evident trail: appends from concurrent requests form one unbroken chain; the application cannot change
/// it; and someone who changes it directly in the database (triggers switched off) is caught at the exact entry.
/// </summary>
public sealed class AuditChainTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ConcurrentRequests_AppendOneUnbrokenChain(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var (client, ids) = await SeedActivityAsync(app, cases: 3);

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => client.GetAsync($"/api/cases/{ids[i % ids.Count]}")));

        var (result, count) = await VerifyAsync(app);
        Assert.True(result.IsIntact, result.FirstProblem?.Description);
        Assert.Equal(count, result.EntriesChecked);
        Assert.Equal(count, result.LastSequence);
        var sequences = await app.WithDbAsync(d => d.AuditEntries.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task TheApplicationsOwnConnection_CannotUpdateOrDeleteEntries(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        await SeedActivityAsync(app, cases: 1);

        var update = await Record.ExceptionAsync(() => app.WithDbAsync(d => d.AuditEntries.Where(e => e.Sequence == 1).ExecuteUpdateAsync(u => u.SetProperty(e => e.Reason, "edited"))));
        var delete = await Record.ExceptionAsync(() => app.WithDbAsync(d => d.AuditEntries.Where(e => e.Sequence == 1).ExecuteDeleteAsync()));

        Assert.Contains("append-only", update?.Message + update?.InnerException?.Message);
        Assert.Contains("append-only", delete?.Message + delete?.InnerException?.Message);
        Assert.True((await VerifyAsync(app)).Result.IsIntact);
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string>> Tampering() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from kind in new[] { "changed", "deleted", "reordered", "tail-cut", "tail-cut-and-head" }
        select new TheoryDataRow<DatabaseKind, string>(db, kind);

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Verify_AfterDirectTampering_NamesTheEntry(DatabaseKind db, string kind)
    {
        await using var app = await TestApp.StartAsync(db);
        await SeedActivityAsync(app, cases: 6);
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<AuditAnchoring>().AnchorAsync(CancellationToken.None);
        var (before, total) = await VerifyAsync(app);
        Assert.True(before.IsIntact, before.FirstProblem?.Description);
        Assert.True(total > 10);

        var statements = kind switch
        {
            "changed" => ["UPDATE \"AuditEntries\" SET \"Reason\" = 'nothing to see' WHERE \"Sequence\" = 5"],
            "deleted" => ["DELETE FROM \"AuditEntries\" WHERE \"Sequence\" = 5"],
            "reordered" => new[]
            {
                "UPDATE \"AuditEntries\" SET \"Sequence\" = -1 WHERE \"Sequence\" = 5",
                "UPDATE \"AuditEntries\" SET \"Sequence\" = 5 WHERE \"Sequence\" = 6",
                "UPDATE \"AuditEntries\" SET \"Sequence\" = 6 WHERE \"Sequence\" = -1",
            },
            "tail-cut" => [$"DELETE FROM \"AuditEntries\" WHERE \"Sequence\" > {total - 3}"],
            _ => new[]
            {
                $"DELETE FROM \"AuditEntries\" WHERE \"Sequence\" > {total - 3}",
                $"UPDATE \"AuditChainHead\" SET \"Sequence\" = {total - 3}, \"Hash\" = (SELECT \"Hash\" FROM \"AuditEntries\" WHERE \"Sequence\" = {total - 3})",
            },
        };
        await TamperAsync(app.Database, statements);

        var (after, _) = await VerifyAsync(app);

        var problem = Assert.IsType<AuditProblem>(after.FirstProblem);
        var (expectedKind, expectedSequence) = kind switch
        {
            "changed" => (AuditProblemKind.Altered, 5L),
            "deleted" => (AuditProblemKind.Removed, 5L),
            "reordered" => (AuditProblemKind.Reordered, 5L),
            _ => (AuditProblemKind.Truncated, total - 2),
        };
        Assert.Equal((expectedKind, expectedSequence), (problem.Kind, problem.Sequence));
        Assert.Contains(expectedSequence.ToString(), problem.Description);
    }

    [Fact]
    public async Task AuditVerifyCommand_PassesThenFailsNamingTheEntry()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Postgres);
        await SeedActivityAsync(app, cases: 2);
        var home = Path.GetTempPath();

        var intact = await ConsiliumProcess.RunAsync(home, null, "audit", "verify", "--db", app.Database.ConnectionString);
        await TamperAsync(app.Database, ["UPDATE \"AuditEntries\" SET \"UserName\" = 'someone-else' WHERE \"Sequence\" = 3"]);
        var broken = await ConsiliumProcess.RunAsync(home, null, "audit", "verify", "--db", app.Database.ConnectionString);

        Assert.True(intact.ExitCode == 0, intact.Output);
        Assert.Contains("audit trail intact", intact.Output);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("BROKEN at sequence 3 (Altered)", broken.Output);
    }

    static async Task<(AuditVerification Result, long Count)> VerifyAsync(TestApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None);
        var count = await scope.ServiceProvider.GetRequiredService<Consilium.Infrastructure.Persistence.ConsiliumDbContext>().AuditEntries.LongCountAsync();
        return (result, count);
    }

    /// <summary>What an attacker with database access does: switch the append-only triggers off and edit rows.</summary>
    static async Task TamperAsync(TestDatabase database, IEnumerable<string> statements)
    {
        if (database.Kind == DatabaseKind.Postgres)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using (var off = new NpgsqlCommand("SET session_replication_role = replica", connection)) await off.ExecuteNonQueryAsync();
            foreach (var sql in statements)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
            return;
        }
        await using var sqlite = new SqliteConnection(database.ConnectionString);
        await sqlite.OpenAsync();
        foreach (var sql in new[] { "DROP TRIGGER \"AuditEntries_no_update\"", "DROP TRIGGER \"AuditEntries_no_delete\"" }.Concat(statements))
        {
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    static async Task<(HttpClient Client, List<Guid> Cases)> SeedActivityAsync(TestApp app, int cases)
    {
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var client = app.ClientFor(coordinator);
        var ids = new List<Guid>();
        for (var i = 0; i < cases; i++)
        {
            var id = await app.SeedCaseAsync(scenario);
            ids.Add(id);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/cases/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "Intake" })).StatusCode);
        }
        return (client, ids);
    }
}

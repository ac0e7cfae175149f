using Microsoft.EntityFrameworkCore;

namespace Consilium.Infrastructure.Persistence;

/// <summary>
/// Brings the database to the code's schema. The embedded SQLite mode migrates on start (a pilot has no release
/// process); PostgreSQL is migrated only by the explicit <c>./consilium migrate</c>, and a server started against an
/// unmigrated database refuses to run.
/// </summary>
public static partial class DatabaseStartup
{
    public static async Task MigrateAsync(ConsiliumDbContext db, DatabaseSettings settings, ILogger logger, CancellationToken ct)
    {
        if (settings.IsEmbedded) EnsureSqliteDirectory(settings);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        if (settings.IsEmbedded)
        {
            // Write-ahead logging lets readers proceed while one writer commits; the setting persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        LogMigrated(logger, pending.Count, settings.Provider.ToString());
    }

    public static async Task EnsureReadyAsync(ConsiliumDbContext db, DatabaseSettings settings, ILogger logger, CancellationToken ct)
    {
        if (settings.IsEmbedded)
        {
            await MigrateAsync(db, settings, logger, ct);
            return;
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
            throw new InvalidOperationException(
                $"The PostgreSQL database ({settings.Describe()}) is missing {pending.Count} migration(s), starting with {pending[0]}. " +
                "Apply them with `./consilium migrate --db \"...\"` as a release step; the server never migrates PostgreSQL by itself.");
    }

    static void EnsureSqliteDirectory(DatabaseSettings settings)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready: {Count} migration(s) applied on {Provider}")]
    static partial void LogMigrated(ILogger logger, int count, string provider);
}

/// <summary>Runs before the server accepts requests: migrates (embedded) or checks (PostgreSQL), then seeds the demo.</summary>
internal sealed partial class DatabaseInitializer(IServiceProvider services, DatabaseSettings settings, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>();
        await DatabaseStartup.EnsureReadyAsync(db, settings, logger, cancellationToken);
        var demo = scope.ServiceProvider.GetRequiredService<Features.Demo.DemoSeeder>();
        if (demo.SeedOnStart) await demo.SeedAndAnnounceAsync(Console.Out, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

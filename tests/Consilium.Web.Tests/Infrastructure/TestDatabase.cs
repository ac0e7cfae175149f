using Consilium.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Consilium.Tests.Infrastructure;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh, migrated database for one test or fixture, on either provider. Migrations run once per provider per test
/// run into a template; each database is a copy of it (a file copy for SQLite, CREATE DATABASE … TEMPLATE for
/// PostgreSQL), so tests start clean and fast.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "CONSILIUM_TEST_POSTGRES";

    static readonly SemaphoreSlim TemplateLock = new(1, 1);
    static string? _sqliteTemplate;
    static string? _postgresTemplate;

    TestDatabase(DatabaseKind kind, string connectionString, Func<ValueTask> dispose)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _dispose = dispose;
    }

    readonly Func<ValueTask> _dispose;

    public DatabaseKind Kind { get; }
    public string ConnectionString { get; }

    public DatabaseSettings Settings => new(Kind == DatabaseKind.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, ConnectionString);

    public static IEnumerable<TheoryDataRow<DatabaseKind>> Both => [new(DatabaseKind.Sqlite), new(DatabaseKind.Postgres)];

    public ConsiliumDbContext NewContext()
    {
        var options = new DbContextOptionsBuilder<ConsiliumDbContext>();
        Settings.Apply(options);
        return new ConsiliumDbContext(options.Options);
    }

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind) => kind switch
    {
        DatabaseKind.Sqlite => await CreateSqliteAsync(),
        _ => await CreatePostgresAsync(),
    };

    /// <summary>The admin connection to the throwaway server ./test starts. Without it the PostgreSQL half cannot run.</summary>
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set. Run the suite with ./test, which starts a throwaway PostgreSQL and sets it, " +
                "or point it at a server you own, e.g. Host=127.0.0.1;Port=5432;Username=postgres.");

    static async Task<TestDatabase> CreateSqliteAsync()
    {
        var template = await TemplateAsync(DatabaseKind.Sqlite);
        var path = Path.Combine(Path.GetTempPath(), "consilium-tests", $"{Guid.NewGuid():N}.db");
        File.Copy(template, path);
        return new TestDatabase(DatabaseKind.Sqlite, $"Data Source={path}", () =>
        {
            TryDelete(path);
            return ValueTask.CompletedTask;
        });
    }

    static async Task<TestDatabase> CreatePostgresAsync()
    {
        var template = await TemplateAsync(DatabaseKind.Postgres);
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name };
        return new TestDatabase(DatabaseKind.Postgres, builder.ConnectionString, async () =>
        {
            // Databases are left for the throwaway server to discard: dropping would wait on pooled connections.
            await Task.CompletedTask;
        });
    }

    static async Task<string> TemplateAsync(DatabaseKind kind)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (kind == DatabaseKind.Sqlite)
            {
                if (_sqliteTemplate is not null) return _sqliteTemplate;
                var directory = Path.Combine(Path.GetTempPath(), "consilium-tests");
                Directory.CreateDirectory(directory);
                var path = Path.Combine(directory, $"template-{Guid.NewGuid():N}.db");
                await MigrateAsync(new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={path};Pooling=False"));
                SqliteConnection.ClearAllPools();
                return _sqliteTemplate = path;
            }

            if (_postgresTemplate is not null) return _postgresTemplate;
            var name = "template_" + Guid.NewGuid().ToString("N");
            await using (var admin = new NpgsqlConnection(PostgresAdmin))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            var builder = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name, Pooling = false };
            await MigrateAsync(new DatabaseSettings(DatabaseProvider.Postgres, builder.ConnectionString));
            return _postgresTemplate = name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    static async Task MigrateAsync(DatabaseSettings settings)
    {
        var options = new DbContextOptionsBuilder<ConsiliumDbContext>();
        settings.Apply(options);
        await using var db = new ConsiliumDbContext(options.Options);
        await DatabaseStartup.MigrateAsync(db, settings, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
    }

    static void TryDelete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    public ValueTask DisposeAsync() => _dispose();
}

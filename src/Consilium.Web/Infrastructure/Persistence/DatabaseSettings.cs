using Microsoft.EntityFrameworkCore;

namespace Consilium.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Which database the platform runs on. PostgreSQL when <c>ConnectionStrings:Postgres</c> is set; otherwise the
/// embedded SQLite file under the data directory (the pilot mode, which also migrates and seeds on start).
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string SqliteMigrationsAssembly = "Consilium.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Consilium.Migrations.Postgres";

    public bool IsEmbedded => Provider == DatabaseProvider.Sqlite;

    public static DatabaseSettings FromConfiguration(IConfiguration configuration, string dataDirectory)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(postgres)) return new(DatabaseProvider.Postgres, postgres);
        var sqlite = configuration.GetConnectionString("Sqlite");
        if (!string.IsNullOrWhiteSpace(sqlite)) return new(DatabaseProvider.Sqlite, sqlite);
        return new(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dataDirectory, "consilium.db")}");
    }

    public void Apply(DbContextOptionsBuilder options)
    {
        switch (Provider)
        {
            case DatabaseProvider.Postgres:
                options.UseNpgsql(ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            default:
                options.UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly));
                break;
        }
    }

    /// <summary>The connection string with any password removed, for messages and logs.</summary>
    public string Describe() => Provider switch
    {
        DatabaseProvider.Postgres => string.Join(';', ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase))),
        _ => ConnectionString,
    };
}

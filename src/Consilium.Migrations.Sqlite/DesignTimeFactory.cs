using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Consilium.Migrations.Sqlite;

/// <summary>
/// Lets `dotnet ef migrations add` build the context for this provider without starting the platform:
/// dotnet ef migrations add NAME --project src/Consilium.Migrations.Sqlite
/// </summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ConsiliumDbContext>
{
    public ConsiliumDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ConsiliumDbContext>();
        new DatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db").Apply(options);
        return new ConsiliumDbContext(options.Options);
    }
}

using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Consilium.Migrations.Postgres;

/// <summary>
/// Lets `dotnet ef migrations add` build the context for this provider without starting the platform:
/// dotnet ef migrations add NAME --project src/Consilium.Migrations.Postgres
/// </summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ConsiliumDbContext>
{
    public ConsiliumDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ConsiliumDbContext>();
        new DatabaseSettings(DatabaseProvider.Postgres, "Host=127.0.0.1;Database=consilium_design;Username=postgres").Apply(options);
        return new ConsiliumDbContext(options.Options);
    }
}

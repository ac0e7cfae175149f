using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Physicians;
using Consilium.Features.Programs;
using Consilium.Features.Sponsors;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Consilium.Infrastructure.Persistence;

/// <summary>
/// The one DbContext. Entity configuration lives with each feature (IEntityTypeConfiguration per aggregate);
/// what differs between SQLite and PostgreSQL is handled here and only here.
/// </summary>
public sealed class ConsiliumDbContext(DbContextOptions<ConsiliumDbContext> options)
    : IdentityDbContext<AppUser, AppRole, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Sponsor> Sponsors => Set<Sponsor>();
    public DbSet<CareProgram> Programs => Set<CareProgram>();
    public DbSet<ProgramStaff> ProgramStaff => Set<ProgramStaff>();
    public DbSet<Member> Members => Set<Member>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseTransition> CaseTransitions => Set<CaseTransition>();
    public DbSet<Physician> Physicians => Set<Physician>();
    public DbSet<PersonalAccessToken> AccessTokens => Set<PersonalAccessToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ConsiliumDbContext).Assembly);
        builder.Entity<AppUser>().ToTable("Users");
        builder.Entity<AppRole>().ToTable("Roles");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserRole<Guid>>().ToTable("UserRoles");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<Guid>>().ToTable("UserClaims");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<Guid>>().ToTable("UserLogins");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<Guid>>().ToTable("UserTokens");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityRoleClaim<Guid>>().ToTable("RoleClaims");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        // Enums are stored by name so the data reads the same in any tool and survives reordering of members.
        foreach (var type in typeof(ConsiliumDbContext).Assembly.GetTypes()
                     .Where(t => t.IsEnum && t.Namespace?.StartsWith("Consilium.Features", StringComparison.Ordinal) == true))
        {
            conventions.Properties(type).HaveConversion(typeof(string)).HaveMaxLength(40);
        }

        if (IsSqlite)
        {
            // SQLite has no native DateTimeOffset or decimal: it cannot order or aggregate them as text.
            // Instants are stored as UTC ticks and money as integer ten-thousandths, both exact and orderable.
            conventions.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            conventions.Properties<decimal>().HaveConversion<FixedPointConverter>();
        }
    }

    sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));

    sealed class FixedPointConverter() : ValueConverter<decimal, long>(
        v => (long)decimal.Round(v * 10_000m, MidpointRounding.ToEven),
        v => v / 10_000m);
}

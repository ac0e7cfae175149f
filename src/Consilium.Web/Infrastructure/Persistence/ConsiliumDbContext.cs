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
    public DbSet<AuditChainHead> AuditChainHead => Set<AuditChainHead>();
    public DbSet<AuditAnchor> AuditAnchors => Set<AuditAnchor>();
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

    /// <summary>
    /// Saves as usual, but when the unit of work appends audit entries it also seals them into the hash chain: inside
    /// the same transaction it locks the chain head, numbers and hashes the new entries, and moves the head. The lock
    /// serialises appends, so the chain never forks however many requests write at once.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Features.Worklist.CaseChange.Capture(this);
        var pending = PendingAuditEntries();
        if (pending.Count == 0) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);

        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            // Read under the lock and untracked: a head tracked from an earlier save in this context would be stale.
            var head = (await LockChainHead().AsNoTracking().ToListAsync(cancellationToken)).Single();
            var (sequence, hash) = Seal(pending, head);
            await AuditChainHead.Where(h => h.Id == head.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(h => h.Sequence, sequence).SetProperty(h => h.Hash, hash), cancellationToken);
            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
            return written;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        Features.Worklist.CaseChange.Capture(this);
        var pending = PendingAuditEntries();
        if (pending.Count == 0) return base.SaveChanges(acceptAllChangesOnSuccess);

        using var own = Database.CurrentTransaction is null ? Database.BeginTransaction() : null;
        var head = LockChainHead().AsNoTracking().ToList().Single();
        var (sequence, hash) = Seal(pending, head);
        AuditChainHead.Where(h => h.Id == head.Id).ExecuteUpdate(u => u.SetProperty(h => h.Sequence, sequence).SetProperty(h => h.Hash, hash));
        var written = base.SaveChanges(acceptAllChangesOnSuccess);
        own?.Commit();
        return written;
    }

    List<AuditEntry> PendingAuditEntries() =>
        ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();

    /// <summary>
    /// PostgreSQL: a row lock held to commit. SQLite: EF's transactions begin IMMEDIATE, so the writer already holds
    /// the database's one write lock when it reads the head.
    /// </summary>
    IQueryable<AuditChainHead> LockChainHead() => IsSqlite
        ? AuditChainHead.Where(h => h.Id == Features.Audit.AuditChainHead.SingletonId)
        : AuditChainHead.FromSqlRaw("SELECT * FROM \"AuditChainHead\" WHERE \"Id\" = 1 FOR UPDATE");

    static (long Sequence, string Hash) Seal(List<AuditEntry> pending, AuditChainHead head)
    {
        var (sequence, hash) = (head.Sequence, head.Hash);
        foreach (var entry in pending)
        {
            entry.Seal(++sequence, hash);
            hash = entry.Hash;
        }
        return (sequence, hash);
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

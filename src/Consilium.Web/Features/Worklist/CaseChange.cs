using Consilium.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Worklist;

/// <summary>
/// One committed change of a case, as the live worklist sees it: which case, its program (to filter who is told), its
/// stage and version. Never anything about the member. Written in the same transaction as the change itself, so every
/// node can follow the table (docs/adr/0009-live-worklist-change-table.md).
/// </summary>
public sealed class CaseChange
{
    CaseChange() { }

    internal CaseChange(Guid caseId, Guid programId, CaseStatus status, int version, DateTimeOffset at) =>
        (CaseId, ProgramId, Status, Version, At) = (caseId, programId, status, version, at);

    /// <summary>Database-assigned and increasing; the event id of the stream (Last-Event-ID on reconnect).</summary>
    public long Sequence { get; private set; }

    public Guid CaseId { get; private set; }
    public Guid ProgramId { get; private set; }
    public CaseStatus Status { get; private set; }
    public int Version { get; private set; }
    public DateTimeOffset At { get; private set; }

    /// <summary>
    /// Adds a change row for every case the unit of work creates or changes. Every change of a case goes through its
    /// methods, which bump <see cref="Case.Version"/>; so a case whose version moved is a case that changed.
    /// </summary>
    internal static void Capture(DbContext db)
    {
        var changed = db.ChangeTracker.Entries<Case>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(c => c.Version).IsModified))
            .Select(e => e.Entity).ToList();
        foreach (var c in changed) db.Add(new CaseChange(c.Id, c.ProgramId, c.Status, c.Version, c.UpdatedAt));
    }
}

internal sealed class CaseChangeConfiguration : IEntityTypeConfiguration<CaseChange>
{
    public void Configure(EntityTypeBuilder<CaseChange> builder)
    {
        builder.ToTable("CaseChanges");
        builder.HasKey(c => c.Sequence);
        builder.Property(c => c.Sequence).ValueGeneratedOnAdd();
        builder.HasIndex(c => c.At);
    }
}

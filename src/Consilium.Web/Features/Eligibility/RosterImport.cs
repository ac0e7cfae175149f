using Consilium.Features.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Eligibility;

public enum RosterFormat
{
    Csv,
    /// <summary>X12 834 benefit enrollment and maintenance (005010X220A1).</summary>
    X12834,
}

/// <summary>One roster file applied to a program: which file (by SHA-256), by whom, and what it changed.</summary>
public sealed class RosterImport
{
    RosterImport() { FileName = ""; Sha256 = ""; ImportedBy = ""; }

    public RosterImport(Guid programId, string fileName, RosterFormat format, string sha256, string importedBy, DateTimeOffset at, RosterCounts counts)
    {
        Id = Guid.CreateVersion7(at);
        ProgramId = programId;
        FileName = fileName.Length <= 260 ? fileName : fileName[..260];
        Format = format;
        Sha256 = sha256;
        ImportedBy = importedBy.Length <= 256 ? importedBy : importedBy[..256];
        ImportedAt = at;
        (Records, Added, Changed, Terminated, Unchanged, Skipped) =
            (counts.Records, counts.Added, counts.Changed, counts.Terminated, counts.Unchanged, counts.Skipped);
    }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    public string FileName { get; private set; }
    public RosterFormat Format { get; private set; }
    public string Sha256 { get; private set; }
    public string ImportedBy { get; private set; }
    public DateTimeOffset ImportedAt { get; private set; }
    public int Records { get; private set; }
    public int Added { get; private set; }
    public int Changed { get; private set; }
    public int Terminated { get; private set; }
    public int Unchanged { get; private set; }

    /// <summary>Terminations of members the program never had: nothing to end.</summary>
    public int Skipped { get; private set; }
}

public sealed record RosterCounts(int Records, int Added, int Changed, int Terminated, int Unchanged, int Skipped);

internal sealed class RosterImportConfiguration : IEntityTypeConfiguration<RosterImport>
{
    public void Configure(EntityTypeBuilder<RosterImport> builder)
    {
        builder.ToTable("RosterImports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.FileName).HasMaxLength(260);
        builder.Property(r => r.Sha256).HasMaxLength(64);
        builder.Property(r => r.ImportedBy).HasMaxLength(256);
        builder.HasIndex(r => new { r.ProgramId, r.ImportedAt });
        builder.HasOne<CareProgram>().WithMany().HasForeignKey(r => r.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

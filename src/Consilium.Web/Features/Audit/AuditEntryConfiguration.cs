using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditEntries");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedOnAdd();
        builder.Property(a => a.UserName).HasMaxLength(256);
        builder.Property(a => a.Role).HasMaxLength(40);
        builder.Property(a => a.ObjectType).HasMaxLength(64);
        builder.Property(a => a.ObjectId).HasMaxLength(64);
        builder.Property(a => a.Source).HasMaxLength(64);
        builder.Property(a => a.Reason).HasMaxLength(1000);
        builder.HasIndex(a => a.At);
        builder.HasIndex(a => new { a.PatientId, a.At });
        builder.HasIndex(a => new { a.UserId, a.At });
        builder.HasIndex(a => a.Sequence).IsUnique();
        builder.Property(a => a.PrevHash).HasMaxLength(64);
        builder.Property(a => a.Hash).HasMaxLength(64);
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.ToTable("AuditChainHead");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Hash).HasMaxLength(64);
        builder.HasData(new { Id = AuditChainHead.SingletonId, Sequence = 0L, Hash = AuditChain.Genesis });
    }
}

internal sealed class AuditAnchorConfiguration : IEntityTypeConfiguration<AuditAnchor>
{
    public void Configure(EntityTypeBuilder<AuditAnchor> builder)
    {
        builder.ToTable("AuditAnchors");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedOnAdd();
        builder.Property(a => a.Hash).HasMaxLength(64);
        builder.HasIndex(a => a.Sequence);
    }
}

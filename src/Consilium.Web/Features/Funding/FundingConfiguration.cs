using Consilium.Features.Cases;
using Consilium.Features.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Funding;

internal sealed class GrantFundConfiguration : IEntityTypeConfiguration<GrantFund>
{
    public void Configure(EntityTypeBuilder<GrantFund> builder)
    {
        // The last line of defence: whatever the application does, the database never stores a negative balance.
        builder.ToTable("GrantFunds", t => t.HasCheckConstraint("CK_GrantFunds_Balance", "\"Balance\" >= 0"));
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Name).HasMaxLength(200);
        builder.Property(f => f.Version).IsConcurrencyToken();
        builder.HasIndex(f => f.ProgramId).IsUnique();
        builder.HasOne<CareProgram>().WithMany().HasForeignKey(f => f.ProgramId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class GrantAwardConfiguration : IEntityTypeConfiguration<GrantAward>
{
    public void Configure(EntityTypeBuilder<GrantAward> builder)
    {
        builder.ToTable("GrantAwards", t => t.HasCheckConstraint("CK_GrantAwards_Refunded", "\"Refunded\" >= 0 AND \"Refunded\" <= \"Amount\""));
        builder.HasKey(a => a.Id);
        builder.Property(a => a.AwardedBy).HasMaxLength(256);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.HasIndex(a => a.FundId);
        builder.HasIndex(a => a.CaseId);
        builder.HasOne<GrantFund>().WithMany().HasForeignKey(a => a.FundId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Case>().WithMany().HasForeignKey(a => a.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(a => a.Remaining);
    }
}

internal sealed class GrantFundEntryConfiguration : IEntityTypeConfiguration<GrantFundEntry>
{
    public void Configure(EntityTypeBuilder<GrantFundEntry> builder)
    {
        builder.ToTable("GrantFundEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.Note).HasMaxLength(500);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.HasIndex(e => new { e.FundId, e.Id });
        builder.HasOne<GrantFund>().WithMany().HasForeignKey(e => e.FundId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("Payments");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Reference).HasMaxLength(100);
        builder.Property(p => p.Provider).HasMaxLength(40);
        builder.Property(p => p.ProviderReference).HasMaxLength(200);
        builder.Property(p => p.RecordedBy).HasMaxLength(256);
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.CaseId);
        builder.HasIndex(p => p.Status);
        builder.HasOne<Case>().WithMany().HasForeignKey(p => p.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

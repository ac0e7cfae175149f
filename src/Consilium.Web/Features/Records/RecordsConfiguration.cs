using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Records;

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<Consent>
{
    public void Configure(EntityTypeBuilder<Consent> builder)
    {
        builder.ToTable("Consents");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Purpose).HasMaxLength(500);
        builder.Property(c => c.SignedName).HasMaxLength(200);
        builder.Property(c => c.SignedFromIp).HasMaxLength(64);
        builder.Property(c => c.PdfBlobId).HasMaxLength(64);
        builder.Property(c => c.PdfSha256).HasMaxLength(64);
        builder.Property(c => c.RevokedBy).HasMaxLength(300);
        builder.Property(c => c.RevocationReason).HasMaxLength(500);
        builder.Property(c => c.Recipients).HasConversion<int>();
        builder.Property(c => c.Version).IsConcurrencyToken();
        builder.PrimitiveCollection(c => c.Scope).HasField("_scope").UsePropertyAccessMode(PropertyAccessMode.Field).ElementType(e => e.HasConversion<string>());
        builder.PrimitiveCollection(c => c.Sources).HasField("_sources").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.HasIndex(c => new { c.CaseId, c.SignedAt });
        builder.HasOne<Case>().WithMany().HasForeignKey(c => c.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RecordRequestConfiguration : IEntityTypeConfiguration<RecordRequest>
{
    public void Configure(EntityTypeBuilder<RecordRequest> builder)
    {
        builder.ToTable("RecordRequests");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Facility).HasMaxLength(200);
        builder.Property(r => r.FacilityPhone).HasMaxLength(40);
        builder.Property(r => r.FacilityFax).HasMaxLength(40);
        builder.Property(r => r.FacilityEmail).HasMaxLength(254);
        builder.Property(r => r.FacilityAddress).HasMaxLength(500);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => r.CaseId);
        builder.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Consent>().WithMany().HasForeignKey(r => r.ConsentId).OnDelete(DeleteBehavior.Restrict);
        builder.OwnsMany(r => r.Items, item =>
        {
            item.ToTable("RecordItems");
            item.WithOwner().HasForeignKey("RequestId");
            item.HasKey(i => i.Id);
            item.Property(i => i.Id).ValueGeneratedNever();
            item.Property(i => i.Note).HasMaxLength(1000);
            item.Ignore(i => i.IsOpen);
        });
        builder.Navigation(r => r.Items).HasField("_items").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.OwnsMany(r => r.FollowUps, f =>
        {
            f.ToTable("RecordFollowUps");
            f.WithOwner().HasForeignKey("RequestId");
            f.HasKey(x => x.Id);
            f.Property(x => x.Id).ValueGeneratedNever();
            f.Property(x => x.Note).HasMaxLength(1000);
            f.Property(x => x.By).HasMaxLength(256);
        });
        builder.Navigation(r => r.FollowUps).HasField("_followUps").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

using System.Text.Json;
using Consilium.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Documents;

internal sealed class CaseDocumentConfiguration : IEntityTypeConfiguration<CaseDocument>
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<CaseDocument> builder)
    {
        builder.ToTable("Documents");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.BlobId).HasMaxLength(32);
        builder.Property(d => d.Sha256).HasMaxLength(64);
        builder.Property(d => d.MediaType).HasMaxLength(100);
        builder.Property(d => d.FileName).HasMaxLength(CaseDocument.MaxFileNameLength);
        builder.Property(d => d.UploadedBy).HasMaxLength(256);
        builder.Property(d => d.UploadedByRole).HasMaxLength(40);
        builder.Property(d => d.PatientCheckReason).HasMaxLength(500);
        builder.Property(d => d.SubjectName).HasMaxLength(200);
        builder.Property(d => d.SubjectBirthDate).HasMaxLength(16);
        builder.Property(d => d.PatientConfirmedBy).HasMaxLength(256);
        builder.Property(d => d.PatientConfirmationReason).HasMaxLength(500);
        builder.Property(d => d.Version).IsConcurrencyToken();
        builder.Property(d => d.Summary).HasConversion(
                s => JsonSerializer.Serialize(s, Json),
                s => JsonSerializer.Deserialize<DocumentSummary>(s, Json) ?? new DocumentSummary(),
                new ValueComparer<DocumentSummary>((a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
                    s => JsonSerializer.Serialize(s, Json).GetHashCode(StringComparison.Ordinal),
                    s => JsonSerializer.Deserialize<DocumentSummary>(JsonSerializer.Serialize(s, Json), Json)!));
        builder.Ignore(d => d.IsSuspect);
        // One document per content per case: the same file uploaded twice is recognised, and a race loses here.
        builder.HasIndex(d => new { d.CaseId, d.Sha256 }).IsUnique();
        builder.HasIndex(d => d.BlobId).IsUnique();
        builder.HasOne<Case>().WithMany().HasForeignKey(d => d.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.OwnsMany(d => d.Instances, instance =>
        {
            instance.ToTable("DocumentDicomInstances");
            instance.WithOwner().HasForeignKey("DocumentId");
            instance.HasKey(i => i.Id);
            instance.Property(i => i.Id).ValueGeneratedNever();
            instance.Property(i => i.Entry).HasMaxLength(260);
            instance.Property(i => i.StudyInstanceUid).HasMaxLength(64);
            instance.Property(i => i.SeriesInstanceUid).HasMaxLength(64);
            instance.Property(i => i.SopInstanceUid).HasMaxLength(64);
            instance.Property(i => i.SopClassUid).HasMaxLength(64);
            instance.Property(i => i.TransferSyntaxUid).HasMaxLength(64);
            instance.Property(i => i.Modality).HasMaxLength(16);
            instance.Property(i => i.StudyDate).HasMaxLength(16);
            instance.Property(i => i.StudyDescription).HasMaxLength(200);
            instance.Property(i => i.SeriesDescription).HasMaxLength(200);
            instance.Property(i => i.BodyPartExamined).HasMaxLength(64);
            instance.Property(i => i.AccessionNumber).HasMaxLength(64);
            instance.Property(i => i.PatientName).HasMaxLength(200);
            instance.Property(i => i.PatientId).HasMaxLength(64);
            instance.Property(i => i.PatientBirthDate).HasMaxLength(16);
            instance.HasIndex(i => i.SopInstanceUid);
        });
        builder.Navigation(d => d.Instances).HasField("_instances").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ClinicalEntryConfiguration : IEntityTypeConfiguration<ClinicalEntry>
{
    public void Configure(EntityTypeBuilder<ClinicalEntry> builder)
    {
        builder.ToTable("ClinicalEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.ResourceType).HasMaxLength(40);
        builder.Property(e => e.ResourceId).HasMaxLength(200);
        builder.Property(e => e.CodeSystem).HasMaxLength(200);
        builder.Property(e => e.Code).HasMaxLength(100);
        builder.Property(e => e.Display).HasMaxLength(500);
        builder.Property(e => e.Status).HasMaxLength(40);
        builder.Property(e => e.Value).HasMaxLength(500);
        builder.Property(e => e.Category).HasMaxLength(100);
        builder.HasIndex(e => new { e.CaseId, e.OccurredAt });
        builder.HasIndex(e => e.DocumentId);
        builder.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<CaseDocument>().WithMany().HasForeignKey(e => e.DocumentId).OnDelete(DeleteBehavior.Restrict);
    }
}

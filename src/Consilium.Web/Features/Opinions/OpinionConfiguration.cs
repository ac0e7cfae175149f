using Consilium.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Opinions;

internal sealed class OpinionConfiguration : IEntityTypeConfiguration<Opinion>
{
    public void Configure(EntityTypeBuilder<Opinion> builder)
    {
        // Signed rows are also protected by triggers (migration OpinionsConsultsNavigation): UPDATE and DELETE refused.
        builder.ToTable("Opinions");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.ContentJson).HasMaxLength(200_000);
        builder.Property(o => o.ContentSha256).HasMaxLength(64);
        builder.Property(o => o.AmendmentReason).HasMaxLength(1000);
        builder.Property(o => o.ReviewerName).HasMaxLength(200);
        builder.Property(o => o.ReviewerNpi).HasMaxLength(10);
        builder.Property(o => o.ReviewerSpecialty).HasMaxLength(200);
        builder.Property(o => o.Version).IsConcurrencyToken();
        builder.Ignore(o => o.Content);
        builder.Ignore(o => o.IsSigned);
        builder.Ignore(o => o.IsIntact);
        builder.HasOne<Case>().WithMany().HasForeignKey(o => o.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Opinion>().WithMany().HasForeignKey(o => o.AmendsOpinionId).OnDelete(DeleteBehavior.Restrict);
        // Unique version numbers per case; NULL (drafts) may repeat on both providers.
        builder.HasIndex(o => new { o.CaseId, o.Number }).IsUnique();
        // One open draft per case and reviewer.
        builder.HasIndex(o => new { o.CaseId, o.ReviewerUserId }).IsUnique().HasFilter("\"Status\" = 'Draft'").HasDatabaseName("IX_Opinions_OneDraft");
    }
}

internal sealed class OpinionReportConfiguration : IEntityTypeConfiguration<OpinionReport>
{
    public void Configure(EntityTypeBuilder<OpinionReport> builder)
    {
        builder.ToTable("OpinionReports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.BlobId).HasMaxLength(64);
        builder.Property(r => r.Sha256).HasMaxLength(64);
        builder.HasOne<Opinion>().WithMany().HasForeignKey(r => r.OpinionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.OpinionId, r.Kind }).IsUnique();
        builder.HasIndex(r => r.CaseId);
    }
}

internal sealed class OpinionDeliveryConfiguration : IEntityTypeConfiguration<OpinionDelivery>
{
    public void Configure(EntityTypeBuilder<OpinionDelivery> builder)
    {
        builder.ToTable("OpinionDeliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.RecipientName).HasMaxLength(200);
        builder.Property(d => d.RecipientEmail).HasMaxLength(254);
        builder.Property(d => d.TokenHash).HasMaxLength(64);
        builder.Property(d => d.CreatedBy).HasMaxLength(256);
        builder.Property(d => d.RevocationReason).HasMaxLength(500);
        builder.Property(d => d.Version).IsConcurrencyToken();
        builder.HasOne<Opinion>().WithMany().HasForeignKey(d => d.OpinionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(d => d.TokenHash).IsUnique();
        builder.HasIndex(d => d.CaseId);
    }
}

internal sealed class ReviewerNoteConfiguration : IEntityTypeConfiguration<ReviewerNote>
{
    public void Configure(EntityTypeBuilder<ReviewerNote> builder)
    {
        builder.ToTable("ReviewerNotes");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Text).HasMaxLength(ReviewerNote.MaxLength);
        builder.Property(n => n.Version).IsConcurrencyToken();
        builder.HasOne<Case>().WithMany().HasForeignKey(n => n.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(n => new { n.CaseId, n.ReviewerUserId }).IsUnique();
    }
}

internal sealed class OpinionSlaEscalationConfiguration : IEntityTypeConfiguration<OpinionSlaEscalation>
{
    public void Configure(EntityTypeBuilder<OpinionSlaEscalation> builder)
    {
        builder.ToTable("OpinionSlaEscalations");
        builder.HasKey(e => e.Id);
        builder.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => new { e.CaseId, e.DueAt }).IsUnique();
    }
}

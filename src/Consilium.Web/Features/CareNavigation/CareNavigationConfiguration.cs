using Consilium.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.CareNavigation;

internal sealed class BriefingConfiguration : IEntityTypeConfiguration<Briefing>
{
    public void Configure(EntityTypeBuilder<Briefing> builder)
    {
        builder.ToTable("Briefings");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Notes).HasMaxLength(Briefing.MaxNotes);
        builder.Property(b => b.ByName).HasMaxLength(256);
        builder.HasOne<Case>().WithMany().HasForeignKey(b => b.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(b => b.CaseId);
    }
}

internal sealed class NavigationTaskConfiguration : IEntityTypeConfiguration<NavigationTask>
{
    public void Configure(EntityTypeBuilder<NavigationTask> builder)
    {
        builder.ToTable("NavigationTasks");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Reason).HasMaxLength(1000);
        builder.Property(t => t.ChosenProvider).HasMaxLength(1000);
        builder.Property(t => t.ChosenProviderNpi).HasMaxLength(10);
        builder.Property(t => t.ChosenFacility).HasMaxLength(1000);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.Ignore(t => t.IsOpen);
        builder.Ignore(t => t.Events);
        builder.Property(t => t.EventsJson).HasColumnName("Events").HasMaxLength(200_000);
        builder.HasOne<Case>().WithMany().HasForeignKey(t => t.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.CaseId, t.Status });
        builder.HasIndex(t => new { t.CoordinatorUserId, t.Status });
    }
}

internal sealed class OutcomeFollowUpConfiguration : IEntityTypeConfiguration<OutcomeFollowUp>
{
    public void Configure(EntityTypeBuilder<OutcomeFollowUp> builder)
    {
        builder.ToTable("OutcomeFollowUps");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Notes).HasMaxLength(2000);
        builder.Property(f => f.CompletedBy).HasMaxLength(256);
        builder.Property(f => f.Version).IsConcurrencyToken();
        builder.HasOne<Case>().WithMany().HasForeignKey(f => f.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => new { f.CaseId, f.DayMark }).IsUnique();
        builder.HasIndex(f => new { f.Status, f.DueOn });
    }
}

using Consilium.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Physicians;

internal sealed class PhysicianConfiguration : IEntityTypeConfiguration<Physician>
{
    public void Configure(EntityTypeBuilder<Physician> builder)
    {
        builder.ToTable("Physicians");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.Property(p => p.Npi).HasMaxLength(10);
        builder.Property(p => p.Specialty).HasMaxLength(100);
        builder.Property(p => p.Subspecialty).HasMaxLength(100);
        builder.Property(p => p.Email).HasMaxLength(256);
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.UserId).IsUnique();
        builder.HasIndex(p => p.Npi).IsUnique();
        builder.HasIndex(p => new { p.Specialty, p.Subspecialty });
        builder.PrimitiveCollection(p => p.Languages).HasField("_languages").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.PrimitiveCollection(p => p.Affiliations).HasField("_affiliations").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.OwnsMany(p => p.Licenses, l =>
        {
            l.ToTable("PhysicianLicenses");
            l.WithOwner().HasForeignKey("PhysicianId");
            l.Property<int>("Id");
            l.HasKey("Id");
            l.Property(x => x.State).HasMaxLength(2);
            l.Property(x => x.Number).HasMaxLength(40);
            l.HasIndex(x => x.ExpiresOn);
            l.HasIndex(x => x.State);
        });
        builder.Navigation(p => p.Licenses).HasField("_licenses").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.OwnsMany(p => p.Boards, b =>
        {
            b.ToTable("PhysicianBoards");
            b.WithOwner().HasForeignKey("PhysicianId");
            b.Property<int>("Id");
            b.HasKey("Id");
            b.Property(x => x.Board).HasMaxLength(200);
        });
        builder.Navigation(p => p.Boards).HasField("_boards").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ReviewerOfferConfiguration : IEntityTypeConfiguration<ReviewerOffer>
{
    public void Configure(EntityTypeBuilder<ReviewerOffer> builder)
    {
        builder.ToTable("ReviewerOffers");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.OfferedBy).HasMaxLength(256);
        builder.Property(o => o.DeclineReason).HasMaxLength(ReviewerOffer.MaxReasonLength);
        builder.Property(o => o.Version).IsConcurrencyToken();
        builder.Ignore(o => o.IsActive);
        builder.HasOne<Case>().WithMany().HasForeignKey(o => o.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Physician>().WithMany().HasForeignKey(o => o.PhysicianId).OnDelete(DeleteBehavior.Restrict);
        // A physician is offered a case once: a re-offer goes to someone else.
        builder.HasIndex(o => new { o.CaseId, o.PhysicianId }).IsUnique();
        // One lead at a time, whatever two coordinators or a coordinator and the SLA sweep do at once.
        builder.HasIndex(o => o.CaseId).IsUnique().HasFilter("\"Role\" = 'Lead' AND \"Status\" IN ('Pending', 'Accepted')").HasDatabaseName("IX_ReviewerOffers_OneLead");
        builder.HasIndex(o => new { o.Status, o.ExpiresAt });
        builder.HasIndex(o => new { o.ReviewerUserId, o.Status });
    }
}

internal sealed class StipendConfiguration : IEntityTypeConfiguration<Stipend>
{
    public void Configure(EntityTypeBuilder<Stipend> builder)
    {
        builder.ToTable("Stipends", t => t.HasCheckConstraint("CK_Stipends_Amount", "\"Amount\" >= 0"));
        builder.HasKey(s => s.Id);
        builder.HasOne<Case>().WithMany().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Physician>().WithMany().HasForeignKey(s => s.PhysicianId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.CaseId, s.PhysicianId }).IsUnique();
        builder.HasIndex(s => new { s.PhysicianId, s.EarnedAt });
        builder.HasIndex(s => s.EarnedAt);
    }
}

internal sealed class StateRuleSettingConfiguration : IEntityTypeConfiguration<StateRuleSetting>
{
    public void Configure(EntityTypeBuilder<StateRuleSetting> builder)
    {
        builder.ToTable("StateRules");
        builder.HasKey(s => s.State);
        builder.Property(s => s.State).HasMaxLength(2);
        builder.Property(s => s.Note).HasMaxLength(500);
        builder.Property(s => s.ChangedBy).HasMaxLength(256);
    }
}

using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Sponsors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Programs;

internal sealed class CareProgramConfiguration : IEntityTypeConfiguration<CareProgram>
{
    public void Configure(EntityTypeBuilder<CareProgram> builder)
    {
        builder.ToTable("Programs");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.HasIndex(p => p.Name).IsUnique();
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasOne<Sponsor>().WithMany().HasForeignKey(p => p.SponsorId).OnDelete(DeleteBehavior.Restrict);
        builder.PrimitiveCollection(p => p.Categories)
            .HasField("_categories")
            .UsePropertyAccessMode(PropertyAccessMode.Field)
            .ElementType(e => e.HasConversion<string>());
        // Programs created before these settings existed get their defaults from the migration, not from the model.
        builder.Property(p => p.GovernanceText).HasMaxLength(CareProgram.MaxGovernanceLength);
        builder.ComplexProperty(p => p.Sla, sla =>
        {
            sla.Property(s => s.DaysToFirstContact).HasColumnName("SlaDaysToFirstContact");
            sla.Property(s => s.DaysToCompletePacket).HasColumnName("SlaDaysToCompletePacket");
            sla.Property(s => s.BusinessDaysToOpinion).HasColumnName("SlaBusinessDaysToOpinion");
        });
        builder.HasMany(p => p.CoSponsors).WithOne().HasForeignKey(c => c.ProgramId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(p => p.CoSponsors).HasField("_coSponsors").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Ignore(p => p.MemberPrice);
        builder.PrimitiveCollection(p => p.HostNpis).HasField("_hostNpis").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Property(p => p.HostState).HasMaxLength(2);
    }
}

internal sealed class ProgramCoSponsorConfiguration : IEntityTypeConfiguration<ProgramCoSponsor>
{
    public void Configure(EntityTypeBuilder<ProgramCoSponsor> builder)
    {
        builder.ToTable("ProgramCoSponsors");
        builder.HasKey(c => new { c.ProgramId, c.SponsorId });
        builder.HasIndex(c => c.SponsorId);
        builder.HasOne<Sponsor>().WithMany().HasForeignKey(c => c.SponsorId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ProgramStaffConfiguration : IEntityTypeConfiguration<ProgramStaff>
{
    public void Configure(EntityTypeBuilder<ProgramStaff> builder)
    {
        builder.ToTable("ProgramStaff");
        builder.HasKey(s => new { s.ProgramId, s.UserId });
        builder.HasIndex(s => s.UserId);
        builder.HasOne<CareProgram>().WithMany().HasForeignKey(s => s.ProgramId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

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
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.UserId).IsUnique();
        builder.OwnsMany(p => p.Licenses, l =>
        {
            l.ToTable("PhysicianLicenses");
            l.WithOwner().HasForeignKey("PhysicianId");
            l.Property<int>("Id");
            l.HasKey("Id");
            l.Property(x => x.State).HasMaxLength(2);
            l.Property(x => x.Number).HasMaxLength(40);
        });
        builder.Navigation(p => p.Licenses).HasField("_licenses").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

using Consilium.Features.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Members;

internal sealed class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> builder)
    {
        builder.ToTable("Members");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.ExternalId).HasMaxLength(64);
        builder.Property(m => m.FirstName).HasMaxLength(100);
        builder.Property(m => m.LastName).HasMaxLength(100);
        builder.Property(m => m.State).HasMaxLength(2);
        builder.Property(m => m.Email).HasMaxLength(254);
        builder.Property(m => m.Phone).HasMaxLength(40);
        builder.Property(m => m.PreferredLanguage).HasMaxLength(35);
        builder.Property(m => m.SubscriberId).HasMaxLength(64);
        builder.Property(m => m.Plan).HasMaxLength(100);
        builder.Property(m => m.Version).IsConcurrencyToken();
        builder.HasIndex(m => new { m.ProgramId, m.ExternalId }).IsUnique();
        builder.HasIndex(m => new { m.LastName, m.FirstName });
        builder.HasOne<CareProgram>().WithMany().HasForeignKey(m => m.ProgramId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(m => m.DisplayName);
    }
}

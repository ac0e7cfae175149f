using Consilium.Features.Members;
using Consilium.Features.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Cases;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> builder)
    {
        builder.ToTable("Cases");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Number).HasMaxLength(16).IsRequired();
        builder.HasIndex(c => c.Number).IsUnique();
        builder.Property(c => c.Concern).HasMaxLength(Case.MaxConcernLength);
        builder.Property(c => c.Version).IsConcurrencyToken();
        builder.HasIndex(c => new { c.ProgramId, c.Status });
        builder.HasIndex(c => c.MemberId);
        builder.HasIndex(c => c.ReviewerUserId);
        builder.HasOne<CareProgram>().WithMany().HasForeignKey(c => c.ProgramId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Member>().WithMany().HasForeignKey(c => c.MemberId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Transitions).WithOne().HasForeignKey(t => t.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.Navigation(c => c.Transitions).HasField("_transitions").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Ignore(c => c.IsOpen);
        builder.Ignore(c => c.Intake);
        // Lists keep their order: a JSON array on SQLite, a text[] on PostgreSQL.
        builder.PrimitiveCollection(c => c.Questions).HasField("_questions").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.PrimitiveCollection(c => c.DiagnosisCodes).HasField("_diagnosisCodes").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.PrimitiveCollection(c => c.TreatmentCodes).HasField("_treatmentCodes").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Property(c => c.DiagnosisText).HasMaxLength(CaseIntake.MaxTextLength);
        builder.Property(c => c.TreatmentText).HasMaxLength(CaseIntake.MaxTextLength);
        builder.Property(c => c.PhysicianName).HasMaxLength(200);
        builder.Property(c => c.PhysicianNpi).HasMaxLength(10);
        builder.Property(c => c.PhysicianOrganization).HasMaxLength(200);
        builder.Property(c => c.PhysicianContact).HasMaxLength(200);
        builder.Property(c => c.PreferredLanguage).HasMaxLength(35);
        builder.Property(c => c.StateOfResidence).HasMaxLength(2);
        builder.HasIndex(c => new { c.CoordinatorUserId, c.Status });
    }
}

internal sealed class CaseTransitionConfiguration : IEntityTypeConfiguration<CaseTransition>
{
    public void Configure(EntityTypeBuilder<CaseTransition> builder)
    {
        builder.ToTable("CaseTransitions");
        builder.HasKey(t => t.Sequence);
        builder.Property(t => t.Sequence).ValueGeneratedOnAdd();
        builder.Property(t => t.ActorName).HasMaxLength(200);
        builder.Property(t => t.ActorRole).HasMaxLength(40);
        builder.Property(t => t.Reason).HasMaxLength(Case.MaxReasonLength);
        builder.HasIndex(t => new { t.CaseId, t.At });
    }
}

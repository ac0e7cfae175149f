using Consilium.Features.Cases;
using Consilium.Features.Opinions;
using Consilium.Features.Programs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Outcomes;

public enum OutcomeSource
{
    /// <summary>A closed case loaded from a previous vendor's history file (`./consilium import cases`).</summary>
    Imported,
    /// <summary>A case run on this platform, mapped from its case, signed opinion and follow-ups.</summary>
    Live,
}

/// <summary>
/// One case as the outcome metrics see it: the single input of <see cref="OutcomeCalculator"/>, whether the case was
/// imported from history or run here. Dates and day counts are stored ready for aggregation in SQL (GROUP BY,
/// percentile_cont), money as whole cents. Member-level data: never shown to a sponsor, only aggregated.
/// </summary>
public sealed class CaseOutcome
{
    CaseOutcome() { ExternalCaseId = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    public OutcomeSource Source { get; private set; }
    /// <summary>The history file's case_id, or the live case's number.</summary>
    public string ExternalCaseId { get; private set; }
    public Guid? CaseId { get; private set; }
    /// <summary>The history file's member_id (or the roster's external id for a live case).</summary>
    public string? MemberExternalId { get; private set; }
    /// <summary>The roster member, when the program has one with that id.</summary>
    public Guid? MemberId { get; private set; }
    public ConditionCategory Category { get; private set; }

    public bool FromTrigger { get; private set; }
    public DateOnly RequestedOn { get; private set; }
    public DateOnly? TriggeredOn { get; private set; }
    public DateOnly? PacketCompleteOn { get; private set; }
    /// <summary>The first signed opinion's date; null while the case has none (it counts as opened, not completed).</summary>
    public DateOnly? OpinionOn { get; private set; }
    /// <summary>yyyymm of <see cref="OpinionOn"/>, for the series by month.</summary>
    public int? OpinionMonth { get; private set; }

    public int? DaysToOpinion { get; private set; }
    public int? DaysFromTrigger { get; private set; }
    public int? DaysToPacket { get; private set; }
    public int? DaysPacketToOpinion { get; private set; }
    /// <summary>Business days from the complete packet to the opinion within the program's target; null without a packet date.</summary>
    public bool? SlaMet { get; private set; }

    public string? OriginalDx { get; private set; }
    public string? ReviewerDx { get; private set; }
    public DiagnosisAgreement? DiagnosisAgreement { get; private set; }
    public TreatmentAgreement? TreatmentAgreement { get; private set; }
    public bool SurgeryProposed { get; private set; }
    public bool SurgeryRecommended { get; private set; }
    public bool HospitalizationProposed { get; private set; }
    public bool HospitalizationRecommended { get; private set; }
    public bool SiteOfCareChange { get; private set; }
    public long? OriginalPlanCents { get; private set; }
    public long? RecommendedPlanCents { get; private set; }
    /// <summary>0–10, the net promoter question.</summary>
    public int? Satisfaction { get; private set; }
    /// <summary>Whether the member followed the recommendation (a follow-up's Yes; Partly and No are false); null unknown.</summary>
    public bool? RecommendationFollowed { get; private set; }

    public string? AgeBand { get; private set; }
    public string? Sex { get; private set; }
    public string? State { get; private set; }
    public string? Language { get; private set; }
    public string? TreatingNpi { get; private set; }
    public string? TreatingOrganization { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    public static CaseOutcome Create(Guid programId, OutcomeSource source, string externalCaseId, Guid? caseId, OutcomeFacts facts, DateTimeOffset now)
    {
        var row = new CaseOutcome { Id = Guid.CreateVersion7(now), ProgramId = programId, Source = source, ExternalCaseId = externalCaseId, CaseId = caseId };
        row.Apply(facts, now);
        return row;
    }

    /// <summary>Sets the facts; returns whether anything changed (a live case is refreshed on every computation).</summary>
    public bool Apply(OutcomeFacts f, DateTimeOffset now)
    {
        var before = Snapshot();
        (MemberExternalId, MemberId, Category, FromTrigger, RequestedOn, TriggeredOn, PacketCompleteOn, OpinionOn) =
            (f.MemberExternalId, f.MemberId, f.Category, f.FromTrigger, f.RequestedOn, f.TriggeredOn, f.PacketCompleteOn, f.OpinionOn);
        OpinionMonth = f.OpinionOn is { } o ? o.Year * 100 + o.Month : null;
        DaysToOpinion = Days(f.RequestedOn, f.OpinionOn);
        DaysFromTrigger = Days(f.TriggeredOn, f.OpinionOn);
        DaysToPacket = Days(f.RequestedOn, f.PacketCompleteOn);
        DaysPacketToOpinion = Days(f.PacketCompleteOn, f.OpinionOn);
        SlaMet = f.PacketCompleteOn is { } p && f.OpinionOn is { } op ? BusinessDays(p, op) <= f.SlaBusinessDays : null;
        (OriginalDx, ReviewerDx, DiagnosisAgreement, TreatmentAgreement) = (f.OriginalDx, f.ReviewerDx, f.DiagnosisAgreement, f.TreatmentAgreement);
        (SurgeryProposed, SurgeryRecommended, HospitalizationProposed, HospitalizationRecommended, SiteOfCareChange) =
            (f.SurgeryProposed, f.SurgeryRecommended, f.HospitalizationProposed, f.HospitalizationRecommended, f.SiteOfCareChange);
        (OriginalPlanCents, RecommendedPlanCents, Satisfaction, RecommendationFollowed) = (f.OriginalPlanCents, f.RecommendedPlanCents, f.Satisfaction, f.Followed);
        (AgeBand, Sex, State, Language, TreatingNpi, TreatingOrganization) = (f.AgeBand, f.Sex, f.State, f.Language, f.TreatingNpi, f.TreatingOrganization);
        var changed = before != Snapshot();
        if (changed) RecordedAt = now;
        return changed;
    }

    string Snapshot() => string.Join('|', MemberExternalId, MemberId, Category, FromTrigger, RequestedOn, TriggeredOn, PacketCompleteOn, OpinionOn, SlaMet,
        OriginalDx, ReviewerDx, DiagnosisAgreement, TreatmentAgreement, SurgeryProposed, SurgeryRecommended, HospitalizationProposed,
        HospitalizationRecommended, SiteOfCareChange, OriginalPlanCents, RecommendedPlanCents, Satisfaction, RecommendationFollowed, AgeBand, Sex, State,
        Language, TreatingNpi, TreatingOrganization);

    static int? Days(DateOnly? from, DateOnly? to) => from is { } f && to is { } t ? t.DayNumber - f.DayNumber : null;

    /// <summary>Whole business days (Monday–Friday) after <paramref name="from"/> up to and including <paramref name="to"/>, as the opinion clock counts them.</summary>
    public static int BusinessDays(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) n++;
        return n;
    }

    public static string AgeBandAt(DateOnly dateOfBirth, DateOnly on)
    {
        var age = on.Year - dateOfBirth.Year - (on < dateOfBirth.AddYears(on.Year - dateOfBirth.Year) ? 1 : 0);
        return age switch { < 18 => "0-17", < 35 => "18-34", < 45 => "35-44", < 55 => "45-54", < 65 => "55-64", _ => "65+" };
    }
}

/// <summary>What is known of one case, whatever its source.</summary>
public sealed record OutcomeFacts(
    string? MemberExternalId, Guid? MemberId, ConditionCategory Category, bool FromTrigger, DateOnly RequestedOn, DateOnly? TriggeredOn,
    DateOnly? PacketCompleteOn, DateOnly? OpinionOn, int SlaBusinessDays, string? OriginalDx, string? ReviewerDx, DiagnosisAgreement? DiagnosisAgreement,
    TreatmentAgreement? TreatmentAgreement, bool SurgeryProposed, bool SurgeryRecommended, bool HospitalizationProposed, bool HospitalizationRecommended,
    bool SiteOfCareChange, long? OriginalPlanCents, long? RecommendedPlanCents, int? Satisfaction, bool? Followed, string? AgeBand, string? Sex,
    string? State, string? Language, string? TreatingNpi, string? TreatingOrganization);

/// <summary>
/// One line of a program's cost table, in US dollars: <c>procedure:CODE</c> (a CPT/HCPCS/ICD-10-PCS code),
/// <c>surgery:CATEGORY</c> and <c>nonsurgical:CATEGORY</c> (pathway costs per condition category) and
/// <c>hospitalization</c> (a stay added to a plan). Live cases' plan costs are priced from it.
/// </summary>
public sealed class ProgramCost
{
    ProgramCost() { Key = ""; }

    public ProgramCost(Guid programId, string key, decimal cost, string? label)
    {
        ProgramId = programId;
        Key = key;
        Cost = cost;
        Label = label;
    }

    public Guid ProgramId { get; private set; }
    public string Key { get; private set; }
    public decimal Cost { get; private set; }
    public string? Label { get; private set; }
}

internal sealed class CaseOutcomeConfiguration : IEntityTypeConfiguration<CaseOutcome>
{
    public void Configure(EntityTypeBuilder<CaseOutcome> b)
    {
        b.ToTable("CaseOutcomes");
        b.HasKey(x => x.Id);
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ExternalCaseId).HasMaxLength(80);
        b.Property(x => x.MemberExternalId).HasMaxLength(80);
        b.Property(x => x.OriginalDx).HasMaxLength(200);
        b.Property(x => x.ReviewerDx).HasMaxLength(200);
        b.Property(x => x.AgeBand).HasMaxLength(10);
        b.Property(x => x.Sex).HasMaxLength(20);
        b.Property(x => x.State).HasMaxLength(2);
        b.Property(x => x.Language).HasMaxLength(20);
        b.Property(x => x.TreatingNpi).HasMaxLength(10);
        b.Property(x => x.TreatingOrganization).HasMaxLength(200);
        // A case id counts once per program and source: importing the same history twice adds nothing.
        b.HasIndex(x => new { x.ProgramId, x.Source, x.ExternalCaseId }).IsUnique();
        // The outcome queries filter on (program, opinion date) or (program, request date). On PostgreSQL the first index
        // also carries the day counts, so the histograms are index-only scans of a narrow index rather than of the table.
        b.HasIndex(x => new { x.ProgramId, x.OpinionOn })
            .IncludeProperties(x => new { x.OpinionMonth, x.DaysToOpinion, x.DaysToPacket, x.DaysFromTrigger });
        b.HasIndex(x => new { x.ProgramId, x.RequestedOn });
        b.HasIndex(x => x.CaseId);
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProgramCostConfiguration : IEntityTypeConfiguration<ProgramCost>
{
    public void Configure(EntityTypeBuilder<ProgramCost> b)
    {
        b.ToTable("ProgramCosts");
        b.HasKey(x => new { x.ProgramId, x.Key });
        b.Property(x => x.Key).HasMaxLength(60);
        b.Property(x => x.Cost).HasPrecision(14, 2);
        b.Property(x => x.Label).HasMaxLength(200);
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

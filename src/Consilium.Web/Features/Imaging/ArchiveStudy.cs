using Consilium.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Imaging;

public enum ArchiveStudyStatus
{
    /// <summary>Known to a case: its reviewer may view it.</summary>
    Attached,
    /// <summary>In the coordinators' queue: no case, or more than one, fits.</summary>
    Unmatched,
    /// <summary>A coordinator decided it belongs to no case (sent by mistake, not a member of ours).</summary>
    Dismissed,
}

public enum ArchiveMatch
{
    /// <summary>The study's Accession Number is a case number.</summary>
    Accession,
    /// <summary>Name, birth date (and sex when both sides have it) fit the member of exactly one case collecting records.</summary>
    Patient,
    Coordinator,
}

/// <summary>
/// A study that reached the imaging archive by another way than Consilium's own push (a facility's DICOM C-STORE), as
/// the archive's change feed reported it once stable: attached to a case, or waiting for a coordinator. One row per
/// Study Instance UID. The identifying tags are health information: shown to coordinators only, never logged.
/// </summary>
public sealed class ArchiveStudy
{
    public const int MaxReasonLength = 500;

    ArchiveStudy() { OrthancId = ""; StudyInstanceUid = ""; Reason = ""; }

    public Guid Id { get; private set; }
    public string OrthancId { get; private set; }
    public string StudyInstanceUid { get; private set; }
    public string? AccessionNumber { get; private set; }
    public string? PatientId { get; private set; }
    /// <summary>As the archive has it: DICOM PN ("FAMILY^GIVEN").</summary>
    public string? PatientName { get; private set; }
    /// <summary>DICOM DA (yyyymmdd).</summary>
    public string? PatientBirthDate { get; private set; }
    public string? PatientSex { get; private set; }
    public string? StudyDate { get; private set; }
    public string? StudyDescription { get; private set; }
    public int SeriesCount { get; private set; }

    /// <summary>The archive's change-feed sequence number that reported it.</summary>
    public long FeedSequence { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }

    public ArchiveStudyStatus Status { get; private set; }
    public Guid? CaseId { get; private set; }
    public ArchiveMatch? MatchedBy { get; private set; }

    /// <summary>Why it was attached or queued, or why it was dismissed. Names cases and fields, never the patient.</summary>
    public string Reason { get; private set; }

    public Guid? ResolvedByUserId { get; private set; }
    public string? ResolvedBy { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public int Version { get; private set; }

    internal static ArchiveStudy Received(ArchivedStudy study, long sequence, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), OrthancId = Clip(study.OrthancId, 100)!, StudyInstanceUid = study.StudyInstanceUid,
        AccessionNumber = Clip(study.AccessionNumber, 64), PatientId = Clip(study.PatientId, 64), PatientName = Clip(study.PatientName, 200),
        PatientBirthDate = Clip(study.BirthDate, 16), PatientSex = Clip(study.Sex, 16), StudyDate = Clip(study.StudyDate, 16),
        StudyDescription = Clip(study.StudyDescription, 200), SeriesCount = study.SeriesCount, FeedSequence = sequence, ReceivedAt = now,
        Status = ArchiveStudyStatus.Unmatched, Reason = "", Version = 1,
    };

    internal void Attach(Guid caseId, ArchiveMatch how, string reason, Identity.Actor by, DateTimeOffset now)
    {
        if (Status != ArchiveStudyStatus.Unmatched)
            throw new ConflictException($"This study is already {Status.ToString().ToLowerInvariant()}; only a study in the unmatched queue can be attached.");
        (Status, CaseId, MatchedBy, Reason) = (ArchiveStudyStatus.Attached, caseId, how, Clip(reason, MaxReasonLength)!);
        if (how == ArchiveMatch.Coordinator) Resolve(by, now);
        Version++;
    }

    internal void Queue(string reason) => Reason = Clip(reason, MaxReasonLength)!;

    internal void Dismiss(string? reason, Identity.Actor by, DateTimeOffset now)
    {
        if (Status != ArchiveStudyStatus.Unmatched)
            throw new ConflictException($"This study is already {Status.ToString().ToLowerInvariant()}; only a study in the unmatched queue can be dismissed.");
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) throw new RuleViolationException("reason", "Say why the study belongs to no case (e.g. sent by mistake, not one of our members).");
        if (reason.Length > MaxReasonLength) throw new RuleViolationException("reason", $"The reason is longer than {MaxReasonLength} characters.");
        (Status, Reason) = (ArchiveStudyStatus.Dismissed, reason);
        Resolve(by, now);
        Version++;
    }

    void Resolve(Identity.Actor by, DateTimeOffset now) => (ResolvedByUserId, ResolvedBy, ResolvedAt) = (by.UserId, Clip(by.Name, 256), now);

    static string? Clip(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}

/// <summary>
/// How far this installation has read the archive's change feed, and which node is reading it. One row. A node reads the
/// feed only while it holds the lease (claimed with a conditional UPDATE, like an outbox message), so a change is never
/// processed by two nodes at once; a node that dies lets the lease run out and another takes over from the stored sequence.
/// </summary>
public sealed class ArchiveFeedCursor
{
    public const int SingletonId = 1;

    /// <summary>The cursor of an installation that never read the feed: its first pass starts at the archive's end.</summary>
    public const long NotStarted = -1;

    ArchiveFeedCursor() { }

    public int Id { get; private set; }

    /// <summary>The last change-feed sequence number fully processed; <see cref="NotStarted"/> before the first pass.</summary>
    public long Sequence { get; private set; }

    public string? LockedBy { get; private set; }
    public DateTimeOffset? LockedUntil { get; private set; }
}

internal sealed class ArchiveStudyConfiguration : IEntityTypeConfiguration<ArchiveStudy>, IEntityTypeConfiguration<ArchiveFeedCursor>
{
    public void Configure(EntityTypeBuilder<ArchiveStudy> builder)
    {
        builder.ToTable("ArchiveStudies");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.OrthancId).HasMaxLength(100);
        builder.Property(s => s.StudyInstanceUid).HasMaxLength(64);
        builder.HasIndex(s => s.StudyInstanceUid).IsUnique();
        builder.Property(s => s.AccessionNumber).HasMaxLength(64);
        builder.Property(s => s.PatientId).HasMaxLength(64);
        builder.Property(s => s.PatientName).HasMaxLength(200);
        builder.Property(s => s.PatientBirthDate).HasMaxLength(16);
        builder.Property(s => s.PatientSex).HasMaxLength(16);
        builder.Property(s => s.StudyDate).HasMaxLength(16);
        builder.Property(s => s.StudyDescription).HasMaxLength(200);
        builder.Property(s => s.Reason).HasMaxLength(ArchiveStudy.MaxReasonLength);
        builder.Property(s => s.ResolvedBy).HasMaxLength(256);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.HasOne<Cases.Case>().WithMany().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.Status, s.ReceivedAt });
        builder.HasIndex(s => s.CaseId);
    }

    public void Configure(EntityTypeBuilder<ArchiveFeedCursor> builder)
    {
        builder.ToTable("ArchiveFeedCursor");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.LockedBy).HasMaxLength(100);
        builder.HasData(new { Id = ArchiveFeedCursor.SingletonId, Sequence = ArchiveFeedCursor.NotStarted });
    }
}

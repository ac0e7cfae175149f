using Consilium.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Triggers;

/// <summary>A version of a program's trigger rules (the JSON of docs/triggers.md). The newest version is in force.</summary>
public sealed class ProgramRuleSet
{
    ProgramRuleSet() { Json = ""; Name = ""; RulesVersion = ""; SavedBy = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    /// <summary>1, 2, 3 … per program.</summary>
    public int Version { get; private set; }
    public string Name { get; private set; }
    /// <summary>The "version" the file itself declares.</summary>
    public string RulesVersion { get; private set; }
    public string Json { get; private set; }
    public string SavedBy { get; private set; }
    public DateTimeOffset SavedAt { get; private set; }

    public static ProgramRuleSet Create(Guid programId, int version, Consilium.Triggers.RuleSet parsed, string json, string savedBy, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), ProgramId = programId, Version = version, Name = parsed.Name, RulesVersion = parsed.Version,
        Json = json, SavedBy = savedBy, SavedAt = now,
    };
}

public enum ScanJobStatus { Queued, Running, Succeeded, Failed }

/// <summary>
/// A claims or prior-authorization file uploaded to a program, scanned in the background. The file is kept encrypted in
/// document storage; the job records progress, a heartbeat (a job whose node died is taken up again) and the totals.
/// </summary>
public sealed class ScanJob
{
    ScanJob() { FileName = ""; BlobId = ""; Sha256 = ""; SubmittedBy = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    public string FileName { get; private set; }
    public string BlobId { get; private set; }
    public string Sha256 { get; private set; }
    public long Bytes { get; private set; }
    public bool Lenient { get; private set; }
    public ScanJobStatus Status { get; private set; }
    public long BytesRead { get; private set; }
    public int Attempts { get; private set; }
    public string? Node { get; private set; }
    public DateTimeOffset? Heartbeat { get; private set; }
    public string SubmittedBy { get; private set; }
    public DateTimeOffset SubmittedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public int? RuleSetVersion { get; private set; }
    public long Claims { get; private set; }
    public long PriorAuthorizations { get; private set; }
    public int Candidates { get; private set; }
    public int Suppressed { get; private set; }
    public int Duplicates { get; private set; }
    public int Skipped { get; private set; }
    /// <summary>Why the scan failed, or the skipped transactions of a lenient scan: file, offset, segment, what was expected. No values from the file.</summary>
    public string? Errors { get; private set; }
    public int Version { get; private set; }

    public static ScanJob Submit(Guid programId, string fileName, string blobId, string sha256, long bytes, bool lenient, string submittedBy, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), ProgramId = programId, FileName = fileName, BlobId = blobId, Sha256 = sha256, Bytes = bytes,
        Lenient = lenient, Status = ScanJobStatus.Queued, SubmittedBy = submittedBy, SubmittedAt = now, Version = 1,
    };

    public void Succeed(int ruleSetVersion, long claims, long priorAuthorizations, int candidates, int suppressed, int duplicates, int skipped,
        string? errors, DateTimeOffset now)
    {
        if (Status != ScanJobStatus.Running) throw new ConflictException($"The scan is {Status}, not running.");
        (Status, RuleSetVersion, Claims, PriorAuthorizations, Candidates, Suppressed, Duplicates, Skipped, Errors, FinishedAt, BytesRead) =
            (ScanJobStatus.Succeeded, ruleSetVersion, claims, priorAuthorizations, candidates, suppressed, duplicates, skipped, errors, now, Bytes);
        Version++;
    }

    public void Fail(string error, DateTimeOffset now)
    {
        (Status, Errors, FinishedAt) = (ScanJobStatus.Failed, error, now);
        Version++;
    }
}

public enum CandidateStatus
{
    /// <summary>On the worklist, waiting for outreach.</summary>
    Open,
    /// <summary>Kept off the worklist: an open case, a recent contact, not on the roster.</summary>
    Suppressed,
    /// <summary>A case was opened for the member (at Referred).</summary>
    Outreach,
    Dismissed,
}

public enum OutreachOutcome { Reached, Declined, NoAnswer }

/// <summary>
/// A member the program's rules flagged in a scan, for one trigger and one episode, with the evidence (claim ids,
/// codes, dates) and what outreach made of it. Identifiers and codes only; the member's name comes from the roster.
/// </summary>
public sealed class TriggerCandidate
{
    TriggerCandidate() { MemberExternalId = ""; TriggerId = ""; Category = ""; TriggerName = ""; Sentence = ""; EvidenceJson = ""; Codes = ""; ClaimIds = ""; Currency = ""; RulesVersion = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    public Guid ScanJobId { get; private set; }
    public string MemberExternalId { get; private set; }
    /// <summary>The roster member with that id, when the program has one.</summary>
    public Guid? MemberId { get; private set; }
    public string TriggerId { get; private set; }
    public string Category { get; private set; }
    public string TriggerName { get; private set; }
    public string Sentence { get; private set; }
    public bool Interceptable { get; private set; }
    public DateOnly FirstDate { get; private set; }
    public DateOnly LastDate { get; private set; }
    public string ClaimIds { get; private set; }
    public string Codes { get; private set; }
    public string EvidenceJson { get; private set; }
    public decimal? EstimatedCost { get; private set; }
    public string Currency { get; private set; }
    public int Priority { get; private set; }
    public string RulesVersion { get; private set; }
    public CandidateStatus Status { get; private set; }
    public string? SuppressionReason { get; private set; }
    public Guid? CaseId { get; private set; }
    public OutreachOutcome? Outcome { get; private set; }
    public DateTimeOffset? OutcomeAt { get; private set; }
    public string? OutcomeBy { get; private set; }
    public DateTimeOffset FoundAt { get; private set; }
    public int Version { get; private set; }

    public static TriggerCandidate Found(Guid programId, Guid scanJobId, Guid? memberId, Consilium.Triggers.Candidate c, string evidenceJson,
        string? suppressedBecause, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), ProgramId = programId, ScanJobId = scanJobId, MemberExternalId = c.MemberId, MemberId = memberId,
        TriggerId = c.TriggerId, Category = c.Category, TriggerName = c.TriggerName, Sentence = c.Sentence, Interceptable = c.Interceptable,
        FirstDate = c.FirstDate, LastDate = c.LastDate, ClaimIds = string.Join('|', c.ClaimIds.Concat(c.AuthorizationIds)),
        Codes = string.Join('|', c.Codes), EvidenceJson = evidenceJson, EstimatedCost = c.EstimatedCost, Currency = c.Currency,
        Priority = c.Priority, RulesVersion = c.RulesVersion,
        Status = suppressedBecause is null ? CandidateStatus.Open : CandidateStatus.Suppressed, SuppressionReason = suppressedBecause,
        FoundAt = now, Version = 1,
    };

    /// <summary>The roster member outreach would open a case for; refused unless the candidate is on the worklist and on the roster.</summary>
    public Guid MemberForOutreach()
    {
        if (MemberId is not { } memberId) throw new ConflictException("The member is not on the program's roster: import the roster first.");
        if (Status != CandidateStatus.Open) throw new ConflictException($"Outreach can start only from the worklist; this candidate is {Status}.");
        return memberId;
    }

    public void StartOutreach(Guid caseId)
    {
        MemberForOutreach();
        (Status, CaseId) = (CandidateStatus.Outreach, caseId);
        Version++;
    }

    public void RecordOutcome(OutreachOutcome outcome, string by, DateTimeOffset now)
    {
        if (Status != CandidateStatus.Outreach) throw new ConflictException("Record an outcome after outreach has started.");
        (Outcome, OutcomeAt, OutcomeBy) = (outcome, now, by);
        Version++;
    }

    public void Dismiss(string reason)
    {
        if (Status != CandidateStatus.Open) throw new ConflictException($"Only a candidate on the worklist can be dismissed; this one is {Status}.");
        if (string.IsNullOrWhiteSpace(reason)) throw new RuleViolationException("reason", "Say why the candidate is dismissed.");
        (Status, SuppressionReason) = (CandidateStatus.Dismissed, reason.Trim().Length > 500 ? reason.Trim()[..500] : reason.Trim());
        Version++;
    }
}

internal sealed class ProgramRuleSetConfiguration : IEntityTypeConfiguration<ProgramRuleSet>
{
    public void Configure(EntityTypeBuilder<ProgramRuleSet> b)
    {
        b.ToTable("ProgramRuleSets");
        b.HasKey(x => x.Id);
        b.HasIndex(x => new { x.ProgramId, x.Version }).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.RulesVersion).HasMaxLength(100);
        b.Property(x => x.SavedBy).HasMaxLength(200);
    }
}

internal sealed class ScanJobConfiguration : IEntityTypeConfiguration<ScanJob>
{
    public void Configure(EntityTypeBuilder<ScanJob> b)
    {
        b.ToTable("ScanJobs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.BlobId).HasMaxLength(64);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.Node).HasMaxLength(200);
        b.Property(x => x.SubmittedBy).HasMaxLength(200);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.Status, x.SubmittedAt });
        b.HasIndex(x => x.ProgramId);
    }
}

internal sealed class TriggerCandidateConfiguration : IEntityTypeConfiguration<TriggerCandidate>
{
    public void Configure(EntityTypeBuilder<TriggerCandidate> b)
    {
        b.ToTable("TriggerCandidates");
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.MemberExternalId).HasMaxLength(80);
        b.Property(x => x.TriggerId).HasMaxLength(100);
        b.Property(x => x.Category).HasMaxLength(60);
        b.Property(x => x.TriggerName).HasMaxLength(200);
        b.Property(x => x.Sentence).HasMaxLength(1000);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.RulesVersion).HasMaxLength(100);
        b.Property(x => x.SuppressionReason).HasMaxLength(500);
        b.Property(x => x.OutcomeBy).HasMaxLength(200);
        b.Property(x => x.EstimatedCost).HasPrecision(14, 2);
        b.Property(x => x.Version).IsConcurrencyToken();
        // One candidate per member, trigger and episode start in a program: a file scanned twice adds nothing.
        b.HasIndex(x => new { x.ProgramId, x.MemberExternalId, x.TriggerId, x.FirstDate }).IsUnique();
        b.HasIndex(x => new { x.ProgramId, x.Status, x.Priority });
    }
}

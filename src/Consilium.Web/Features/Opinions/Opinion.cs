using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Consilium.Infrastructure;

namespace Consilium.Features.Opinions;

public enum OpinionStatus
{
    Draft,
    /// <summary>Signed and locked: the row never changes again (the database refuses it too).</summary>
    Signed,
}

/// <summary>
/// One version of a case's written opinion. A reviewer drafts it, then signs it; a signed version is immutable and an
/// amendment is a new version (with its reason) that starts as a draft copied from the latest signed one. Versions are
/// numbered 1, 2, … in signing order; "the opinion" is the latest signed version, and every earlier one is kept.
/// </summary>
public sealed class Opinion
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    OpinionContent? _content;

    Opinion() { ContentJson = "{}"; ReviewerName = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }

    /// <summary>1 for the first signed opinion, 2 for its first amendment…; null while a draft.</summary>
    public int? Number { get; private set; }

    public OpinionStatus Status { get; private set; }

    /// <summary>For an amendment: the signed version it amends, and why.</summary>
    public Guid? AmendsOpinionId { get; private set; }
    public string? AmendmentReason { get; private set; }

    /// <summary>The content as canonical JSON. Health information: never logged.</summary>
    public string ContentJson { get; private set; }

    /// <summary>SHA-256 over the identity, the signature and the content, fixed at signing (<see cref="ComputeHash"/>).</summary>
    public string? ContentSha256 { get; private set; }

    /// <summary>The draft's author; once signed, the signer.</summary>
    public Guid ReviewerUserId { get; private set; }
    public string ReviewerName { get; private set; }
    public string? ReviewerNpi { get; private set; }
    public string? ReviewerSpecialty { get; private set; }

    /// <summary>Given as a physician-to-physician educational consult (no licence in the member's state); fixed at signing.</summary>
    public bool EducationalConsult { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? SignedAt { get; private set; }

    // The coded outcome of the opinion, as columns so that programs can measure it with a query.
    public DiagnosisAgreement? DiagnosisAgreement { get; private set; }
    public Confidence? Confidence { get; private set; }
    public TreatmentAgreement? TreatmentAgreement { get; private set; }
    public bool SurgeryProposed { get; private set; }
    public bool SurgeryRecommended { get; private set; }
    public bool HospitalizationProposed { get; private set; }
    public bool HospitalizationRecommended { get; private set; }
    public SiteOfCare? SiteOfCare { get; private set; }
    public OpinionUrgency? Urgency { get; private set; }

    public int Version { get; private set; }

    public bool IsSigned => Status == OpinionStatus.Signed;

    public OpinionContent Content => _content ??= JsonSerializer.Deserialize<OpinionContent>(ContentJson, Json)
        ?? throw new InvalidOperationException("An opinion without content.");

    public static Opinion StartDraft(Guid caseId, OpinionContent content, Guid reviewerUserId, string reviewerName, DateTimeOffset now,
        Opinion? amends = null, string? reason = null)
    {
        if (amends is not null)
        {
            if (!amends.IsSigned) throw new ConflictException("Only a signed opinion can be amended.");
            reason = reason?.Trim();
            if (string.IsNullOrEmpty(reason)) throw new RuleViolationException("reason", "Say why the opinion is amended: the reason is kept with the new version.");
            if (reason.Length > 1000) throw new RuleViolationException("reason", "The reason is at most 1000 characters.");
        }
        var opinion = new Opinion
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, Status = OpinionStatus.Draft, AmendsOpinionId = amends?.Id,
            AmendmentReason = amends is null ? null : reason, ReviewerUserId = reviewerUserId, ReviewerName = Clip(reviewerName, 200),
            CreatedAt = now, Version = 1,
        };
        opinion.SetContent(content, now);
        opinion.Version = 1;
        return opinion;
    }

    public void Revise(OpinionContent content, DateTimeOffset now)
    {
        EnsureDraft();
        SetContent(content, now);
    }

    /// <summary>Locks the draft as version <paramref name="number"/>. The caller has validated it for signing.</summary>
    public void Sign(int number, string signerName, string? npi, string? specialty, bool educationalConsult, DateTimeOffset now)
    {
        EnsureDraft();
        Number = number;
        Status = OpinionStatus.Signed;
        ReviewerName = Clip(signerName, 200);
        ReviewerNpi = npi;
        ReviewerSpecialty = specialty is null ? null : Clip(specialty, 200);
        EducationalConsult = educationalConsult;
        SignedAt = now;
        UpdatedAt = now;
        ContentSha256 = ComputeHash();
        Version++;
    }

    /// <summary>Whether the stored row still matches the hash taken at signing.</summary>
    public bool IsIntact => !IsSigned || ContentSha256 == ComputeHash();

    public string ComputeHash()
    {
        var signed = $"{Id:N}|{CaseId:N}|{Number}|{AmendsOpinionId:N}|{AmendmentReason}|{ReviewerUserId:N}|{ReviewerName}|{ReviewerNpi}|{EducationalConsult}|{SignedAt?.UtcTicks}|{ContentJson}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signed)));
    }

    void EnsureDraft()
    {
        if (IsSigned) throw new ConflictException($"Version {Number} of the opinion is signed and cannot change. Amend it instead: an amendment is a new version with its reason.");
    }

    void SetContent(OpinionContent content, DateTimeOffset now)
    {
        _content = content;
        ContentJson = JsonSerializer.Serialize(content, Json);
        DiagnosisAgreement = content.Diagnosis.Agreement;
        Confidence = content.Diagnosis.Confidence;
        TreatmentAgreement = content.Treatment.Agreement;
        SurgeryProposed = content.Treatment.Proposed.Surgery;
        SurgeryRecommended = content.Treatment.Recommended.Surgery;
        HospitalizationProposed = content.Treatment.Proposed.Hospitalization;
        HospitalizationRecommended = content.Treatment.Recommended.Hospitalization;
        SiteOfCare = content.SiteOfCare.Recommendation;
        Urgency = content.Urgency;
        UpdatedAt = now;
        Version++;
    }

    static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}

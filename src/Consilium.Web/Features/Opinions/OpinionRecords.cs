using System.Security.Cryptography;
using System.Text;
using Consilium.Infrastructure;

namespace Consilium.Features.Opinions;

public enum ReportKind
{
    /// <summary>Plain language, for the member.</summary>
    Member,
    /// <summary>For the local (treating) physician.</summary>
    Clinical,
}

/// <summary>A report PDF rendered from a signed version at signing and stored encrypted: what was delivered, byte for byte.</summary>
public sealed class OpinionReport
{
    OpinionReport() { BlobId = ""; Sha256 = ""; }

    public OpinionReport(Guid opinionId, Guid caseId, ReportKind kind, string blobId, string sha256, long length, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        OpinionId = opinionId;
        CaseId = caseId;
        Kind = kind;
        BlobId = blobId;
        Sha256 = sha256;
        Length = length;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid OpinionId { get; private set; }
    public Guid CaseId { get; private set; }
    public ReportKind Kind { get; private set; }
    public string BlobId { get; private set; }
    public string Sha256 { get; private set; }
    public long Length { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
}

public enum DeliveryChannel
{
    /// <summary>Published in the member portal (with an email saying so).</summary>
    MemberPortal,
    /// <summary>A secure, expiring link to the clinical report, emailed to the local physician.</summary>
    PhysicianLink,
}

public enum DeliveryState
{
    Active,
    Expired,
    Revoked,
    /// <summary>A later signed version replaced the one this delivery carries.</summary>
    Superseded,
}

/// <summary>
/// One delivery of a signed version to a recipient. A physician link is a 256-bit random token of which only the
/// SHA-256 is stored; it works until it expires, is revoked, or an amendment supersedes the version it carries.
/// </summary>
public sealed class OpinionDelivery
{
    OpinionDelivery() { CreatedBy = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid OpinionId { get; private set; }
    public DeliveryChannel Channel { get; private set; }
    public string? RecipientName { get; private set; }
    public string? RecipientEmail { get; private set; }
    public string? TokenHash { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public Guid? CreatedByUserId { get; private set; }
    public string CreatedBy { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevocationReason { get; private set; }
    public int Downloads { get; private set; }
    public DateTimeOffset? FirstDownloadedAt { get; private set; }
    public DateTimeOffset? LastDownloadedAt { get; private set; }
    public int Version { get; private set; }

    public static OpinionDelivery ToMemberPortal(Guid caseId, Guid opinionId, Identity.Actor by, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), CaseId = caseId, OpinionId = opinionId, Channel = DeliveryChannel.MemberPortal, CreatedAt = now,
        CreatedByUserId = by.UserId, CreatedBy = Clip(by.Name, 256), Version = 1,
    };

    /// <summary>Returns the delivery and the token, which exists only in the email: the row keeps its hash.</summary>
    public static (OpinionDelivery Delivery, string Token) ToPhysician(Guid caseId, Guid opinionId, string? name, string email, TimeSpan lifetime,
        Identity.Actor by, DateTimeOffset now)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var delivery = new OpinionDelivery
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, OpinionId = opinionId, Channel = DeliveryChannel.PhysicianLink,
            RecipientName = string.IsNullOrWhiteSpace(name) ? null : Clip(name.Trim(), 200), RecipientEmail = Clip(email.Trim(), 254),
            TokenHash = HashToken(token), ExpiresAt = now + lifetime, CreatedAt = now, CreatedByUserId = by.UserId, CreatedBy = Clip(by.Name, 256),
            Version = 1,
        };
        return (delivery, token);
    }

    public DeliveryState StateOn(DateTimeOffset now, Guid latestSignedOpinionId) =>
        RevokedAt is not null ? DeliveryState.Revoked
        : OpinionId != latestSignedOpinionId ? DeliveryState.Superseded
        : ExpiresAt is { } expires && now >= expires ? DeliveryState.Expired
        : DeliveryState.Active;

    public void RecordDownload(DateTimeOffset now)
    {
        Downloads++;
        FirstDownloadedAt ??= now;
        LastDownloadedAt = now;
        Version++;
    }

    public void Revoke(string? reason, DateTimeOffset now)
    {
        if (Channel != DeliveryChannel.PhysicianLink) throw new ConflictException("Only a link to the local physician can be revoked.");
        if (RevokedAt is not null) throw new ConflictException("This link was already revoked.");
        if (string.IsNullOrWhiteSpace(reason)) throw new RuleViolationException("reason", "Say why the link is revoked.");
        RevokedAt = now;
        RevocationReason = Clip(reason.Trim(), 500);
        Version++;
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>The reviewer's private scratchpad for a case: never part of the opinion, never shown to anyone else.</summary>
public sealed class ReviewerNote
{
    public const int MaxLength = 20_000;

    ReviewerNote() { Text = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid ReviewerUserId { get; private set; }
    public string Text { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public static ReviewerNote Start(Guid caseId, Guid reviewerUserId, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), CaseId = caseId, ReviewerUserId = reviewerUserId, UpdatedAt = now };

    public void Write(string? text, DateTimeOffset now)
    {
        var value = text ?? "";
        if (value.Length > MaxLength) throw new RuleViolationException("text", $"Notes are at most {MaxLength} characters.");
        Text = value;
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>An overdue opinion reported to the program admins: once per case and due date.</summary>
public sealed class OpinionSlaEscalation
{
    OpinionSlaEscalation() { }

    public OpinionSlaEscalation(Guid caseId, DateTimeOffset dueAt, int notified, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        CaseId = caseId;
        DueAt = dueAt;
        Notified = notified;
        EscalatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    public DateTimeOffset EscalatedAt { get; private set; }

    /// <summary>Program admins emailed (zero when the program has none with an address; the flag still shows on the SLA page).</summary>
    public int Notified { get; private set; }
}

using Consilium.Features.Records;
using Consilium.Infrastructure;

namespace Consilium.Features.Consents;

/// <summary>Who may receive records under an authorization.</summary>
[Flags]
public enum ConsentRecipients
{
    None = 0,
    Program = 1,
    ReviewingPhysician = 2,
    LocalPhysician = 4,
}

public enum ConsentStatus
{
    Active,
    Revoked,
    Expired,
}

/// <summary>
/// A HIPAA authorization (45 CFR 164.508) signed by the member: which records, from whom, to whom, for what, until
/// when. Immutable once signed, except for revocation, which takes effect from that moment and is never undone.
/// </summary>
public sealed class Consent
{
    public const int MaxSources = 30;

    readonly List<RecordCategory> _scope = [];
    readonly List<string> _sources = [];

    Consent() { Purpose = ""; SignedName = ""; SignedFromIp = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid MemberId { get; private set; }
    public IReadOnlyList<RecordCategory> Scope => _scope;

    /// <summary>Facilities that may disclose. An empty list is not allowed: the member names each source.</summary>
    public IReadOnlyList<string> Sources => _sources;

    public ConsentRecipients Recipients { get; private set; }
    public string Purpose { get; private set; }
    public DateOnly ExpiresOn { get; private set; }
    public string SignedName { get; private set; }
    public DateTimeOffset SignedAt { get; private set; }
    public string SignedFromIp { get; private set; }
    public Guid? SignedByUserId { get; private set; }

    /// <summary>The signed form, rendered to PDF and stored encrypted.</summary>
    public string? PdfBlobId { get; private set; }
    public string? PdfSha256 { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }
    public string? RevocationReason { get; private set; }
    public int Version { get; private set; }

    public ConsentStatus StatusOn(DateTimeOffset now) =>
        RevokedAt is not null && RevokedAt <= now ? ConsentStatus.Revoked
        : DateOnly.FromDateTime(now.UtcDateTime) > ExpiresOn ? ConsentStatus.Expired
        : ConsentStatus.Active;

    public bool Covers(RecordCategory category) => _scope.Contains(category);

    public bool AllowsSource(string facility) => _sources.Any(s => string.Equals(s, facility.Trim(), StringComparison.OrdinalIgnoreCase));

    public static Consent Sign(Guid caseId, Guid memberId, IEnumerable<RecordCategory> scope, IEnumerable<string> sources,
        ConsentRecipients recipients, string? purpose, DateOnly expiresOn, string typedName, string expectedName, Guid? userId,
        string ip, DateTimeOffset now)
    {
        var categories = scope.Distinct().ToList();
        if (categories.Count == 0) throw new RuleViolationException("scope", "Name at least one category of records.");
        var facilities = sources.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (facilities.Count == 0) throw new RuleViolationException("sources", "Name at least one facility that may release records.");
        if (facilities.Count > MaxSources) throw new RuleViolationException("sources", $"At most {MaxSources} facilities per authorization.");
        if (facilities.Any(f => f.Length > 200)) throw new RuleViolationException("sources", "A facility name is longer than 200 characters.");
        if (!recipients.HasFlag(ConsentRecipients.Program))
            throw new RuleViolationException("recipients", "The program itself must be a recipient: it receives and assembles the records.");
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (expiresOn <= today) throw new RuleViolationException("expiresOn", "The authorization must expire on a future date.");
        if (expiresOn > today.AddYears(2)) throw new RuleViolationException("expiresOn", "An authorization for a second opinion lasts at most two years.");
        var name = typedName?.Trim() ?? "";
        if (name.Length == 0) throw new RuleViolationException("typedName", "Type your full name to sign.");
        if (!NamesMatch(name, expectedName))
            throw new RuleViolationException("typedName", "The typed name must be the member's name as enrolled.");

        var consent = new Consent
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, MemberId = memberId, Recipients = recipients,
            Purpose = string.IsNullOrWhiteSpace(purpose) ? "To obtain an independent expert second medical opinion." : purpose.Trim(),
            ExpiresOn = expiresOn, SignedName = name, SignedAt = now, SignedFromIp = ip, SignedByUserId = userId, Version = 1,
        };
        if (consent.Purpose.Length > 500) throw new RuleViolationException("purpose", "The purpose is longer than 500 characters.");
        consent._scope.AddRange(categories);
        consent._sources.AddRange(facilities);
        return consent;
    }

    public void AttachPdf(string blobId, string sha256)
    {
        PdfBlobId = blobId;
        PdfSha256 = sha256;
    }

    public void Revoke(string by, string? reason, DateTimeOffset now)
    {
        if (RevokedAt is not null) throw new ConflictException("This authorization was already revoked.");
        if (string.IsNullOrWhiteSpace(reason)) throw new RuleViolationException("reason", "Record why (or at whose request) the authorization is revoked.");
        RevokedAt = now;
        RevokedBy = by;
        RevocationReason = reason.Trim().Length > 500 ? reason.Trim()[..500] : reason.Trim();
        Version++;
    }

    /// <summary>"jordan  avery" signs for JORDAN AVERY: case and extra spaces do not matter, the words do.</summary>
    static bool NamesMatch(string typed, string expected)
    {
        static string Normalize(string s) => string.Join(' ', s.ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return Normalize(typed) == Normalize(expected);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Consilium.Features.Identity;

/// <summary>
/// A bearer token for scripts and integrations. Only the SHA-256 of the secret is stored; the secret is shown once,
/// when the token is created.
/// </summary>
public sealed class PersonalAccessToken
{
    /// <summary>Every token starts with this, so a leaked one is easy to recognise (and to scan for in repositories).</summary>
    public const string SecretPrefix = "csl_";

    PersonalAccessToken() { Name = ""; Hash = ""; DisplayPrefix = ""; }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public string Name { get; private set; }
    public string Hash { get; private set; }

    /// <summary>The first characters of the secret, to tell tokens apart in a list without revealing them.</summary>
    public string DisplayPrefix { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }

    public static (PersonalAccessToken Token, string Secret) Issue(Guid userId, string name, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new PersonalAccessToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Name = string.IsNullOrWhiteSpace(name) ? "token" : name.Trim(),
            Hash = HashOf(secret),
            DisplayPrefix = secret[..(SecretPrefix.Length + 6)],
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        return (token, secret);
    }

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    public void MarkUsed(DateTimeOffset now) => LastUsedAt = now;

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

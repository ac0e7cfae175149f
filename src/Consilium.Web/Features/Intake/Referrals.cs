using System.Security.Cryptography;
using System.Text.Json;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Intake;

/// <summary>
/// A partner's Idempotency-Key and the case it created. The key is unique per client account; the request's hash lets
/// a retry be told apart from a different referral that reuses the key by mistake.
/// </summary>
public sealed class ReferralKey
{
    public const int MaxKeyLength = 200;

    ReferralKey() { Key = ""; RequestHash = ""; }

    public ReferralKey(Guid clientUserId, string key, string requestHash, Guid caseId, DateTimeOffset at)
    {
        ClientUserId = clientUserId;
        Key = key;
        RequestHash = requestHash;
        CaseId = caseId;
        CreatedAt = at;
    }

    public Guid ClientUserId { get; private set; }
    public string Key { get; private set; }
    public string RequestHash { get; private set; }
    public Guid CaseId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
}

internal sealed class ReferralKeyConfiguration : IEntityTypeConfiguration<ReferralKey>
{
    public void Configure(EntityTypeBuilder<ReferralKey> builder)
    {
        builder.ToTable("ReferralKeys");
        builder.HasKey(k => new { k.ClientUserId, k.Key });
        builder.Property(k => k.Key).HasMaxLength(ReferralKey.MaxKeyLength);
        builder.Property(k => k.RequestHash).HasMaxLength(64);
        builder.HasOne<Case>().WithMany().HasForeignKey(k => k.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(k => k.ClientUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// The partner referral API. The same Idempotency-Key always answers with the same case: a retry finds the stored key;
/// two identical requests racing each other both try to commit the key with their case, the unique key lets exactly
/// one commit, and the other rolls back (its case with it) and answers with the winner's case.
/// </summary>
public sealed class ReferralHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IntakeHandlers intake)
{
    public sealed record Outcome(CaseIntakeView Case, bool Replayed);

    public async Task<Outcome> ReferAsync(string? idempotencyKey, IntakeRequest request, CancellationToken ct)
    {
        var key = CheckKey(idempotencyKey);
        var client = user.UserId ?? throw new ForbiddenException("Referrals come from a signed-in partner account.");
        var hash = Hash(request);

        if (await FindAsync(client, key, ct) is { } earlier) return await ReplayAsync(earlier, hash, ct);

        var prepared = await intake.PrepareAsync(request, IntakeChannel.Referral, CaseStatus.Referred, ownMemberId: null, ct);
        db.Add(new ReferralKey(client, key, hash, prepared.Case.Id, clock.GetUtcNow()));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
        {
            // Lost the race to an identical request (or the key clashed): answer as a retry would be answered.
            var winner = await KeyTakenAsync(client, key, ct);
            if (winner is null) throw;
            return await ReplayAsync(winner, hash, ct);
        }
        return new Outcome(await intake.ViewAsync(prepared.Case, ct), Replayed: false);
    }

    async Task<ReferralKey?> KeyTakenAsync(Guid client, string key, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await FindAsync(client, key, ct);
    }

    Task<ReferralKey?> FindAsync(Guid client, string key, CancellationToken ct) =>
        db.Set<ReferralKey>().AsNoTracking().SingleOrDefaultAsync(k => k.ClientUserId == client && k.Key == key, ct);

    async Task<Outcome> ReplayAsync(ReferralKey earlier, string hash, CancellationToken ct)
    {
        if (earlier.RequestHash != hash)
            throw new ConflictException("This Idempotency-Key was already used for a different referral. Use a new key for a new referral.",
                new Dictionary<string, object?> { ["caseId"] = earlier.CaseId });
        var @case = await intake.LoadVisibleAsync(earlier.CaseId, AuditAction.Read, ct);
        audit.Record(AuditAction.Read, "Case", @case.Id, @case.MemberId, reason: "referral replayed (same Idempotency-Key)");
        await db.SaveChangesAsync(ct);
        return new Outcome(await intake.ViewAsync(@case, ct), Replayed: true);
    }

    /// <summary>Printable ASCII without spaces, 1 to 200 characters (a UUID is the usual choice).</summary>
    static string CheckKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
            throw new RuleViolationException("Idempotency-Key", "Send an Idempotency-Key header (a UUID, say) so that a retried referral never opens a second case.");
        if (key.Length > ReferralKey.MaxKeyLength || key.Any(c => c is < '!' or > '~'))
            throw new RuleViolationException("Idempotency-Key", $"The Idempotency-Key is 1 to {ReferralKey.MaxKeyLength} printable ASCII characters without spaces.");
        return key;
    }

    /// <summary>The request as the API understood it, so whitespace or property order in the JSON do not make a retry look different.</summary>
    static string Hash(IntakeRequest request)
    {
        var options = new JsonSerializerOptions();
        ConsiliumApp.ConfigureJson(options);
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, options)));
    }
}

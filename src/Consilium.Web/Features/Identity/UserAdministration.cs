using Consilium.Features.Audit;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Identity;

/// <summary>Creating users and issuing their personal access tokens; both are security events and audited.</summary>
public sealed class UserAdministration(UserManager<AppUser> users, ConsiliumDbContext db, AuditTrail audit, TimeProvider clock)
{
    public async Task<AppUser> CreateAsync(string email, string displayName, string role, string password, Action<AppUser>? link = null)
    {
        if (!Roles.IsKnown(role)) throw new RuleViolationException("role", $"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}.");
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = displayName,
            CreatedAt = clock.GetUtcNow(),
            LockoutEnabled = true,
        };
        link?.Invoke(user);
        Check(await users.CreateAsync(user, password), "password");
        Check(await users.AddToRoleAsync(user, role), "role");
        audit.Record(AuditAction.PermissionChange, "User", user.Id, user.MemberId, reason: $"created with role {role}");
        await db.SaveChangesAsync();
        return user;
    }

    /// <summary>Issues a token for the user; the secret is returned once and only its hash is kept.</summary>
    public async Task<(PersonalAccessToken Token, string Secret)> IssueTokenAsync(string email, string? name, TimeSpan? lifetime, CancellationToken ct)
    {
        var user = await users.FindByEmailAsync(email) ?? throw new NotFoundException("User", email);
        var now = clock.GetUtcNow();
        var (token, secret) = PersonalAccessToken.Issue(user.Id, name ?? "token", now, lifetime is { } l ? now + l : null);
        db.AccessTokens.Add(token);
        audit.Record(AuditAction.PermissionChange, "AccessToken", token.Id, null, reason: $"issued for {user.UserName}");
        await db.SaveChangesAsync(ct);
        return (token, secret);
    }

    public async Task RevokeTokenAsync(Guid tokenId, CancellationToken ct)
    {
        var token = await db.AccessTokens.SingleOrDefaultAsync(t => t.Id == tokenId, ct) ?? throw new NotFoundException("AccessToken", tokenId);
        token.Revoke(clock.GetUtcNow());
        audit.Record(AuditAction.PermissionChange, "AccessToken", token.Id, null, reason: "revoked");
        await db.SaveChangesAsync(ct);
    }

    static void Check(IdentityResult result, string field)
    {
        if (!result.Succeeded) throw new RuleViolationException(field, string.Join(" ", result.Errors.Select(e => e.Description)));
    }
}

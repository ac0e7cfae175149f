using System.Text.Encodings.Web;
using Consilium.Features.Audit;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Identity;

/// <summary>
/// Authenticates "Authorization: Bearer csl_…" personal access tokens. The presented secret is hashed and looked up;
/// a revoked, expired or unknown token is refused with 401 and the attempt audited.
/// </summary>
internal sealed class AccessTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ConsiliumDbContext db,
    SignInManager<AppUser> signIn,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";

    /// <summary>Last-used times are written at most this often per token, not on every request.</summary>
    static readonly TimeSpan UsageResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();

        var now = clock.GetUtcNow();
        var hash = PersonalAccessToken.HashOf(secret);
        var token = await db.AccessTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Hash == hash, Context.RequestAborted);
        var user = token is null ? null : await signIn.UserManager.FindByIdAsync(token.UserId.ToString());
        if (token is null || user is null || !token.IsActive(now) || await signIn.UserManager.IsLockedOutAsync(user))
        {
            db.AuditEntries.Add(new AuditEntry(now, token?.UserId, user?.UserName ?? "unknown token", "", AuditAction.FailedSignIn,
                "AccessToken", token?.Id.ToString(), null, AuditOutcome.Denied, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                token is null ? "unknown token" : !token.IsActive(now) ? "token revoked or expired" : "user locked out"));
            await db.SaveChangesAsync(Context.RequestAborted);
            db.ChangeTracker.Clear();
            return AuthenticateResult.Fail("The access token is unknown, revoked or expired.");
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > UsageResolution)
        {
            await db.AccessTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var principal = await signIn.CreateUserPrincipalAsync(user);
        if (!MfaRequirement.IsSatisfied(principal))
            ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new System.Security.Claims.Claim(MfaRequirement.Claim, "token"));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"consilium\"";
        return Task.CompletedTask;
    }
}

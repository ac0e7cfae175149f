using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Identity;

public sealed record TokenView(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays);

public sealed record CreatedToken(TokenView Token, string Secret);

/// <summary>A user's own personal access tokens: list, create (secret shown once), revoke.</summary>
public static class TokensApi
{
    public const int MaxLifetimeDays = 366;

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithTags("Access tokens");
        tokens.MapGet("", List).RequireAuthorization(Policies.SignedIn);
        tokens.MapPost("", Create).RequireAuthorization(Policies.SignedIn).RequireRateLimiting(RateLimits.Sensitive);
        tokens.MapDelete("{id:guid}", Revoke).RequireAuthorization(Policies.SignedIn);
        return app;
    }

    static async Task<Ok<IReadOnlyList<TokenView>>> List(ConsiliumDbContext db, CurrentActor user, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<TokenView>>(await db.AccessTokens.AsNoTracking().Where(t => t.UserId == user.UserId)
            .OrderByDescending(t => t.CreatedAt)
            .Select(t => new TokenView(t.Id, t.Name, t.DisplayPrefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt)).ToListAsync(ct));

    static async Task<Created<CreatedToken>> Create(CreateTokenRequest request, UserAdministration admin, CurrentActor user, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) throw new RuleViolationException("name", "Name the token after what will use it.");
        var days = request.ExpiresInDays ?? 90;
        if (days is < 1 or > MaxLifetimeDays) throw new RuleViolationException("expiresInDays", $"A token you create yourself expires within 1 to {MaxLifetimeDays} days.");
        var email = user.Name;
        var (token, secret) = await admin.IssueTokenAsync(email, request.Name, TimeSpan.FromDays(days), ct);
        var view = new TokenView(token.Id, token.Name, token.DisplayPrefix, token.CreatedAt, token.ExpiresAt, null, null);
        return TypedResults.Created($"/api/tokens/{token.Id}", new CreatedToken(view, secret));
    }

    static async Task<NoContent> Revoke(Guid id, ConsiliumDbContext db, UserAdministration admin, CurrentActor user, CancellationToken ct)
    {
        if (!await db.AccessTokens.AnyAsync(t => t.Id == id && t.UserId == user.UserId, ct)) throw new NotFoundException("AccessToken", id);
        await admin.RevokeTokenAsync(id, ct);
        return TypedResults.NoContent();
    }
}

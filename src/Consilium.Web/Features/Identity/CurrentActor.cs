using System.Security.Claims;

namespace Consilium.Features.Identity;

/// <summary>
/// The user behind the current unit of work, with the links that scope what they may see. In a web request it comes
/// from the authenticated principal; the command line and background work set it explicitly with <see cref="Use"/>.
/// </summary>
public sealed class CurrentActor(IHttpContextAccessor http)
{
    public const string MemberIdClaim = "consilium:member";
    public const string PhysicianIdClaim = "consilium:physician";
    public const string SponsorIdClaim = "consilium:sponsor";

    Actor? _override;
    string? _overrideSource;

    ClaimsPrincipal? Principal => http.HttpContext?.User is { Identity.IsAuthenticated: true } user ? user : null;

    public bool IsAuthenticated => _override is not null || Principal is not null;

    public Guid? UserId => _override is not null ? _override.UserId : GuidClaim(ClaimTypes.NameIdentifier);

    public string Name => _override?.Name ?? Principal?.Identity?.Name ?? "anonymous";

    /// <summary>Users hold exactly one role; an authenticated principal without a known role gets none.</summary>
    public string Role => _override?.Role ?? Principal?.FindAll(ClaimTypes.Role).Select(c => c.Value).FirstOrDefault(Roles.IsKnown) ?? "";

    public Guid? MemberId => _override is null ? GuidClaim(MemberIdClaim) : null;
    public Guid? PhysicianId => _override is null ? GuidClaim(PhysicianIdClaim) : null;
    public Guid? SponsorId => _override is null ? GuidClaim(SponsorIdClaim) : null;

    /// <summary>Client IP for web requests; what the caller named otherwise ("cli", "system").</summary>
    public string Source => _overrideSource ?? http.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public Actor Actor => _override ?? new Actor(UserId, Name, Role);

    public bool IsInRole(string role) => Role == role;

    public void Use(Actor actor, string source)
    {
        _override = actor;
        _overrideSource = source;
    }

    /// <summary>Back to the request's own principal, after work done as someone else (a self-request acting as the new member).</summary>
    public void Reset()
    {
        _override = null;
        _overrideSource = null;
    }

    Guid? GuidClaim(string type) => Guid.TryParse(Principal?.FindFirst(type)?.Value, out var id) ? id : null;
}

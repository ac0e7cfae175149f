using System.Security.Claims;

namespace Consilium.Features.Identity;

/// <summary>
/// Every staff role must use two-factor authentication (TOTP); for patients it is optional. A signed-in staff user
/// without it can reach only the enrollment page until they set it up. Bearer tokens count as satisfied: a token is
/// itself a 256-bit secret, issued by an administrator, and integrations cannot answer a TOTP prompt.
/// </summary>
public static class MfaRequirement
{
    public const string Claim = "consilium:mfa";
    public const string EnrollmentPath = "/account/mfa";

    public static bool IsRequiredFor(IEnumerable<string> roles) => roles.Any(r => r != Roles.Patient);

    public static bool IsSatisfied(AppUser user, IEnumerable<string> roles) =>
        user.TwoFactorEnabled || user.MfaExempt || !IsRequiredFor(roles);

    public static bool IsSatisfied(ClaimsPrincipal principal) => principal.HasClaim(c => c.Type == Claim);

    /// <summary>Paths a staff user without two-factor may still use: to set it up, or to leave.</summary>
    static readonly string[] Open = [EnrollmentPath, "/signout", "/signin", "/assets", "/health", "/denied"];

    /// <summary>Sends a cookie-signed-in staff user who has not enrolled to the enrollment page (pages) or refuses with 403 (API).</summary>
    public static async Task EnforceAsync(HttpContext context, Func<Task> next)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && !IsSatisfied(user) && !Open.Any(p => context.Request.Path.StartsWithSegments(p)))
        {
            if (IdentitySetup.IsApi(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new
                {
                    type = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
                    title = "Two-factor authentication required",
                    status = 403,
                    detail = $"Staff accounts must set up two-factor authentication first: {EnrollmentPath}.",
                }, options: null, contentType: "application/problem+json");
                return;
            }
            context.Response.Redirect(EnrollmentPath);
            return;
        }
        await next();
    }
}

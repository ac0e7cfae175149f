using Consilium.Features.Audit;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Consilium.Features.Identity;

/// <summary>The second step of sign-in for users with two-factor authentication: a TOTP code or a recovery code.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInMfaModel(SignInManager<AppUser> signIn, ConsiliumDbContext db, TimeProvider clock) : PageModel
{
    public string? Error { get; private set; }
    public string? ReturnUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        return await signIn.GetTwoFactorAuthenticationUserAsync() is null ? Redirect("/signin") : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? code, string? returnUrl)
    {
        ReturnUrl = returnUrl;
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return Redirect("/signin");

        var cleaned = (code ?? "").Replace(" ", "", StringComparison.Ordinal);
        var result = cleaned.Length == 6 && cleaned.All(char.IsAsciiDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(cleaned, isPersistent: false, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(cleaned);

        var role = (await signIn.UserManager.GetRolesAsync(user)).FirstOrDefault() ?? "";
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow(), user.Id, user.UserName ?? "", role,
            result.Succeeded ? AuditAction.SignIn : AuditAction.FailedSignIn, "Session", null, null,
            result.Succeeded ? AuditOutcome.Success : AuditOutcome.Denied, HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            result.Succeeded ? "second factor" : result.IsLockedOut ? "locked out at second factor" : "wrong second factor"));
        await db.SaveChangesAsync();

        if (result.Succeeded) return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : Navigation.Home(role));
        Error = result.IsLockedOut ? "Too many failed attempts. This account is locked for a while." : "That code is not right.";
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}

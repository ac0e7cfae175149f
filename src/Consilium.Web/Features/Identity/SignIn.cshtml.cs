using Consilium.Features.Audit;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Consilium.Features.Identity;

[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(SignInManager<AppUser> signIn, ConsiliumDbContext db, TimeProvider clock) : PageModel
{
    public string? Error { get; private set; }
    public string? Email { get; private set; }
    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? email, string? password, string? returnUrl)
    {
        Email = email;
        ReturnUrl = returnUrl;
        var user = string.IsNullOrWhiteSpace(email) ? null : await signIn.UserManager.FindByEmailAsync(email.Trim());
        var result = user is null || string.IsNullOrEmpty(password)
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);

        var role = user is null ? "" : (await signIn.UserManager.GetRolesAsync(user)).FirstOrDefault() ?? "";
        // With two-factor on, the sign-in is recorded when the second step succeeds or fails.
        if (result.RequiresTwoFactor)
            return Redirect("/signin/mfa" + (Url.IsLocalUrl(returnUrl) ? "?returnUrl=" + Uri.EscapeDataString(returnUrl!) : ""));
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow(), user?.Id, user?.UserName ?? Truncate(email ?? ""), role,
            result.Succeeded ? AuditAction.SignIn : AuditAction.FailedSignIn, "Session", null, null,
            result.Succeeded ? AuditOutcome.Success : AuditOutcome.Denied, HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            result.IsLockedOut ? "locked out" : result.Succeeded ? null : "wrong email or password"));
        await db.SaveChangesAsync();

        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : Navigation.Home(role));

        // The same words whether the email exists or not, so the form does not reveal who has an account.
        Error = result.IsLockedOut
            ? "Too many failed attempts. This account is locked for a while; try again later or ask your administrator."
            : "The email or password is not right.";
        return Page();
    }

    static string Truncate(string value) => value.Length <= 256 ? value : value[..256];
}

using System.Text;
using Consilium.Features.Audit;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Identity;

[Authorize(Policy = Policies.SignedIn)]
public sealed class MfaSetupModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, AuditTrail audit, ConsiliumDbContext db) : PageModel
{
    public bool Enabled { get; private set; }
    public bool Required { get; private set; }
    public string FormattedKey { get; private set; } = "";
    public string AuthenticatorUri { get; private set; } = "";
    public string? Error { get; private set; }
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync(string? code)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed-in user not found.");
        var cleaned = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, cleaned))
        {
            Error = "That code is not right. Check the time on your phone and enter the code currently shown.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return await LoadAsync();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))?.ToList() ?? [];
        audit.Record(AuditAction.PermissionChange, "User", user.Id, user.MemberId, reason: "two-factor authentication enabled");
        await db.SaveChangesAsync();
        // A new cookie carries the satisfied requirement; the old one would keep redirecting here.
        await signIn.RefreshSignInAsync(user);
        Enabled = true;
        return Page();
    }

    async Task<IActionResult> LoadAsync()
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed-in user not found.");
        var roles = await users.GetRolesAsync(user);
        Enabled = user.TwoFactorEnabled;
        Required = MfaRequirement.IsRequiredFor(roles) && !user.MfaExempt;
        if (Enabled) return Page();

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        FormattedKey = Format(key!);
        var label = Uri.EscapeDataString($"Consilium:{user.Email}");
        AuthenticatorUri = $"otpauth://totp/{label}?secret={key}&issuer=Consilium&digits=6&period=30";
        return Page();
    }

    static string Format(string key)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4) builder.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        return builder.ToString().TrimEnd().ToLowerInvariant();
    }
}

using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Consilium.Features.Identity;

/// <summary>
/// Identity's own store, except that the secrets it keeps as user tokens — the TOTP shared key and the recovery codes —
/// are encrypted with data protection (whose key ring is itself encrypted with the master key) before they reach the
/// database. A database dump therefore yields no second factor.
/// </summary>
internal sealed class ProtectedUserStore(ConsiliumDbContext context, IDataProtectionProvider protection, IdentityErrorDescriber? describer = null)
    : UserStore<AppUser, AppRole, ConsiliumDbContext, Guid>(context, describer)
{
    /// <summary>The login provider name Identity uses for its internal tokens (authenticator key, recovery codes).</summary>
    const string InternalProvider = "[AspNetUserStore]";

    readonly IDataProtector _protector = protection.CreateProtector("Consilium.Identity.UserTokens.v1");

    public override async Task SetTokenAsync(AppUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken)
    {
        var stored = loginProvider == InternalProvider && value is not null ? _protector.Protect(value) : value;
        await base.SetTokenAsync(user, loginProvider, name, stored, cancellationToken);
    }

    public override async Task<string?> GetTokenAsync(AppUser user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var stored = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return loginProvider == InternalProvider && stored is not null ? _protector.Unprotect(stored) : stored;
    }
}

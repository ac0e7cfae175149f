using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Identity;

/// <summary>Adds the links that scope a user's reach (member, physician, sponsor) to their sign-in principal.</summary>
internal sealed class ConsiliumClaimsFactory(UserManager<AppUser> users, RoleManager<AppRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, AppRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MemberId is { } member) identity.AddClaim(new Claim(CurrentActor.MemberIdClaim, member.ToString()));
        if (user.PhysicianId is { } physician) identity.AddClaim(new Claim(CurrentActor.PhysicianIdClaim, physician.ToString()));
        if (user.SponsorId is { } sponsor) identity.AddClaim(new Claim(CurrentActor.SponsorIdClaim, sponsor.ToString()));
        identity.AddClaim(new Claim("consilium:display-name", user.DisplayName));
        var roles = identity.FindAll(identity.RoleClaimType).Select(c => c.Value);
        if (MfaRequirement.IsSatisfied(user, roles)) identity.AddClaim(new Claim(MfaRequirement.Claim, "ok"));
        return identity;
    }
}

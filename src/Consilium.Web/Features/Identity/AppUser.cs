using Microsoft.AspNetCore.Identity;

namespace Consilium.Features.Identity;

/// <summary>
/// A person who signs in. Each user holds exactly one role; the links say whose data the role reaches
/// (a patient's member record, a reviewer's physician record, a sponsor analyst's sponsor).
/// </summary>
public sealed class AppUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public Guid? MemberId { get; set; }
    public Guid? PhysicianId { get; set; }
    public Guid? SponsorId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Excused from the staff two-factor requirement. Set only by the demo seeder for the demo.consilium.test
    /// accounts, so a pilot can be tried without an authenticator app; listed in docs/security.md.
    /// </summary>
    public bool MfaExempt { get; set; }
}

public sealed class AppRole : IdentityRole<Guid>
{
    public AppRole() { }
    public AppRole(string name) : base(name) { NormalizedName = name.ToUpperInvariant(); }
}

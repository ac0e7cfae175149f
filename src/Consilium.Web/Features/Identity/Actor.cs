namespace Consilium.Features.Identity;

/// <summary>Who is doing something: a signed-in user acting in one role, or the system itself.</summary>
public sealed record Actor(Guid? UserId, string Name, string Role)
{
    public static Actor System(string what) => new(null, what, Roles.System);
}

using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;

namespace Consilium.Features.Cases;

/// <summary>
/// Which cases a user may see: a patient their own; coordinators, program admins and integration accounts the cases
/// of programs they serve; a reviewer the cases assigned to them; sponsor analysts and auditors none at all.
/// </summary>
public static class CaseAccess
{
    public static IQueryable<Case> VisibleTo(this IQueryable<Case> cases, ConsiliumDbContext db, CurrentActor user)
    {
        var userId = user.UserId;
        return user.Role switch
        {
            Roles.Patient when user.MemberId is { } memberId => cases.Where(c => c.MemberId == memberId),
            Roles.Coordinator or Roles.ProgramAdmin or Roles.Integration =>
                cases.Where(c => db.ProgramStaff.Any(s => s.UserId == userId && s.ProgramId == c.ProgramId)),
            Roles.Reviewer => cases.Where(c => c.ReviewerUserId == userId),
            _ => cases.Where(_ => false),
        };
    }

    /// <summary>Programs whose cases and members the user works on.</summary>
    public static IQueryable<Guid> ServedProgramIds(ConsiliumDbContext db, CurrentActor user)
    {
        var userId = user.UserId;
        return db.ProgramStaff.Where(s => s.UserId == userId).Select(s => s.ProgramId);
    }
}

using Consilium.Features.Identity;
using Consilium.Features.Physicians;
using Consilium.Features.Security;
using Microsoft.EntityFrameworkCore;
using Consilium.Infrastructure.Persistence;

namespace Consilium.Features.Cases;

/// <summary>
/// Which cases a user may see: a patient their own; coordinators, program admins and integration accounts the cases
/// of programs they serve; a reviewer the cases assigned to them; sponsor analysts and auditors none at all.
/// </summary>
public static class CaseAccess
{
    /// <summary>The user's cases by their role's rule, plus any case they hold an unexpired break-glass grant for.</summary>
    public static IQueryable<Case> VisibleTo(this IQueryable<Case> cases, ConsiliumDbContext db, CurrentActor user, DateTimeOffset now)
    {
        var userId = user.UserId;
        var grants = db.Set<BreakGlassGrant>().Where(g => g.UserId == userId && g.ExpiresAt > now);
        return user.Role switch
        {
            Roles.Patient when user.MemberId is { } memberId => cases.Where(c => c.MemberId == memberId),
            Roles.Coordinator or Roles.ProgramAdmin =>
                cases.Where(c => db.ProgramStaff.Any(s => s.UserId == userId && s.ProgramId == c.ProgramId) || grants.Any(g => g.CaseId == c.Id)),
            Roles.Integration => cases.Where(c => db.ProgramStaff.Any(s => s.UserId == userId && s.ProgramId == c.ProgramId)),
            // The lead reviewer, and the panel members who accepted their offer.
            Roles.Reviewer => cases.Where(c => c.ReviewerUserId == userId || grants.Any(g => g.CaseId == c.Id)
                || db.Set<ReviewerOffer>().Any(o => o.CaseId == c.Id && o.ReviewerUserId == userId && o.Status == OfferStatus.Accepted)),
            _ => cases.Where(_ => false),
        };
    }

    /// <summary>The break-glass reason when the user reaches this case only through a grant, else null.</summary>
    public static async Task<string?> BreakGlassReasonAsync(ConsiliumDbContext db, CurrentActor user, Case @case, DateTimeOffset now, CancellationToken ct)
    {
        var normally = user.Role switch
        {
            Roles.Coordinator or Roles.ProgramAdmin => await db.ProgramStaff.AnyAsync(s => s.UserId == user.UserId && s.ProgramId == @case.ProgramId, ct),
            Roles.Reviewer => @case.ReviewerUserId == user.UserId
                || await db.Set<ReviewerOffer>().AnyAsync(o => o.CaseId == @case.Id && o.ReviewerUserId == user.UserId && o.Status == OfferStatus.Accepted, ct),
            _ => true,
        };
        if (normally) return null;
        return await db.Set<BreakGlassGrant>().Where(g => g.UserId == user.UserId && g.CaseId == @case.Id && g.ExpiresAt > now)
            .OrderByDescending(g => g.ExpiresAt).Select(g => g.Reason).FirstOrDefaultAsync(ct);
    }

    /// <summary>The members a user may look up: a patient themselves; staff and partner accounts the members of programs they serve.</summary>
    public static IQueryable<Members.Member> MembersVisibleTo(ConsiliumDbContext db, CurrentActor user) => user.Role switch
    {
        Roles.Patient when user.MemberId is { } own => db.Members.Where(m => m.Id == own),
        Roles.Coordinator or Roles.ProgramAdmin or Roles.Integration =>
            db.Members.Where(m => ServedProgramIds(db, user).Contains(m.ProgramId)),
        _ => db.Members.Where(_ => false),
    };

    /// <summary>Programs whose cases and members the user works on.</summary>
    public static IQueryable<Guid> ServedProgramIds(ConsiliumDbContext db, CurrentActor user)
    {
        var userId = user.UserId;
        return db.ProgramStaff.Where(s => s.UserId == userId).Select(s => s.ProgramId);
    }

    /// <summary>Whether the user serves the program; the command line and background work (the system) serve every program.</summary>
    public static async Task<bool> ServesProgramAsync(ConsiliumDbContext db, CurrentActor user, Guid programId, CancellationToken ct) =>
        user.Role == Roles.System
            ? await db.Programs.AnyAsync(p => p.Id == programId, ct)
            : await ServedProgramIds(db, user).AnyAsync(p => p == programId, ct);
}

using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Intake;

public sealed record CoordinatorLoad(Guid UserId, string Name, int OpenCases);

/// <summary>
/// Who takes a new case: the coordinator on the program's staff with the fewest open cases (across all the programs
/// they serve, since that is their workload), the earliest-created account among equals. Two intakes at the same moment
/// may pick the same coordinator; the next one evens it out, and coordinators can reassign.
/// </summary>
public static class CoordinatorAssignment
{
    public static async Task<IReadOnlyList<CoordinatorLoad>> LoadsAsync(ConsiliumDbContext db, Guid programId, CancellationToken ct)
    {
        var coordinators =
            from s in db.ProgramStaff
            where s.ProgramId == programId
            join u in db.Users on s.UserId equals u.Id
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where r.Name == Roles.Coordinator
            select new
            {
                u.Id,
                u.DisplayName,
                u.CreatedAt,
                Open = db.Cases.Count(c => c.CoordinatorUserId == u.Id && c.Status != CaseStatus.Closed
                    && c.Status != CaseStatus.Withdrawn && c.Status != CaseStatus.Ineligible),
            };
        var rows = await coordinators.ToListAsync(ct);
        return rows.OrderBy(r => r.Open).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id)
            .Select(r => new CoordinatorLoad(r.Id, r.DisplayName, r.Open)).ToList();
    }

    /// <summary>The coordinator a new case of the program goes to, or null when the program has none.</summary>
    public static async Task<Guid?> PickAsync(ConsiliumDbContext db, Guid programId, CancellationToken ct) =>
        (await LoadsAsync(db, programId, ct)).FirstOrDefault()?.UserId;
}

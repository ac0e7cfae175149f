using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Eligibility;

public sealed record EligibilityRequest(string? MemberId, DateOnly? DateOfBirth);

public sealed record EligibilityView(EligibilityStatus Status, bool Eligible, Guid? MemberId, string? Plan, DateOnly? CoverageStart, DateOnly? CoverageEnd);

/// <summary>
/// Is this person covered by the program today? Found by member id and date of birth together: a wrong date of birth
/// answers exactly as an unknown member id does, so the check cannot be used to learn who is enrolled.
/// </summary>
public static class EligibilityCheck
{
    public static async Task<(EligibilityStatus Status, Member? Member)> FindAsync(ConsiliumDbContext db, Guid programId, string memberId,
        DateOnly dateOfBirth, DateOnly today, CancellationToken ct)
    {
        var id = memberId.Trim();
        var member = await db.Members.SingleOrDefaultAsync(m => m.ProgramId == programId && m.ExternalId == id, ct);
        if (member is null || member.DateOfBirth != dateOfBirth) return (EligibilityStatus.NotFound, null);
        return (member.EligibilityOn(today), member);
    }

    public static string Describe(EligibilityStatus status) => status switch
    {
        EligibilityStatus.Eligible => "Covered by the program.",
        EligibilityStatus.NotFound => "No member with this member id and date of birth is on the program's roster.",
        EligibilityStatus.NotYetCovered => "Coverage under this program has not started yet.",
        EligibilityStatus.CoverageEnded => "Coverage under this program has ended.",
        _ => status.ToString(),
    };
}

/// <summary>The eligibility check for staff and partner systems: the member's program must be one they serve.</summary>
public sealed class EligibilityHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    public async Task<EligibilityView> CheckAsync(Guid programId, EligibilityRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.MemberId)) errors["memberId"] = ["This field is required."];
        else if (request.MemberId.Trim().Length > 64) errors["memberId"] = ["A member id is at most 64 characters."];
        if (request.DateOfBirth is null) errors["dateOfBirth"] = ["This field is required."];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        if (!await CaseAccess.ServedProgramIds(db, user).AnyAsync(p => p == programId, ct)) throw new NotFoundException("Program", programId);

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var (status, member) = await EligibilityCheck.FindAsync(db, programId, request.MemberId!, request.DateOfBirth!.Value, today, ct);
        // Looking a member up is an access to their information, whatever the answer.
        audit.Record(AuditAction.Query, "Eligibility", member?.Id, member?.Id, reason: $"eligibility check: {status}");
        await db.SaveChangesAsync(ct);
        return new EligibilityView(status, status == EligibilityStatus.Eligible, member?.Id, member?.Plan, member?.CoverageStart, member?.CoverageEnd);
    }
}

using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Eligibility;
using Consilium.Features.Funding;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Intake;

/// <summary>
/// Opening a case from an intake, shared by every channel: resolve the member (the roster's eligibility check for a
/// sponsor-paid program, a new member for self-pay and grant-funded ones), validate the intake, open the case at the
/// channel's start stage with the program's SLA clock, give it to the least-loaded coordinator, and for a self-pay
/// program ask the payment provider to start the payment.
/// </summary>
public sealed class IntakeHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IPaymentProvider payments)
{
    internal sealed record Prepared(CareProgram Program, Case Case, Member Member, Payment? Payment, string? PaymentInstructions);

    /// <summary>A coordinator (or program admin) on the phone with the member: the case starts at Intake.</summary>
    public async Task<IntakeResult> PhoneAsync(IntakeRequest request, CancellationToken ct)
    {
        var prepared = await PrepareAsync(request, IntakeChannel.Coordinator, CaseStatus.Intake, ownMemberId: null, ct);
        await db.SaveChangesAsync(ct);
        return Result(prepared);
    }

    internal static IntakeResult Result(Prepared p) =>
        new(p.Case.Id, p.Case.Number, p.Case.Status, p.Member.Id, p.Case.CoordinatorUserId, p.Program.MemberPrice, p.PaymentInstructions);

    /// <summary>
    /// Validates the intake and adds the case (and a new member, a payment) to the unit of work without saving, so the
    /// caller can add its own rows (an idempotency key, a login) to the same commit. Every invalid field is reported at
    /// once; nothing is tracked when anything is invalid.
    /// </summary>
    internal async Task<Prepared> PrepareAsync(IntakeRequest request, IntakeChannel channel, CaseStatus startAt, Guid? ownMemberId, CancellationToken ct)
    {
        if (request.ProgramId is not { } programId)
            throw new RequestValidationException(new() { ["programId"] = ["This field is required."] });
        var program = await db.Programs.SingleOrDefaultAsync(p => p.Id == programId, ct);
        var staffChannel = channel is IntakeChannel.Coordinator or IntakeChannel.Referral;
        if (program is null || (staffChannel && !await CaseAccess.ServedProgramIds(db, user).AnyAsync(p => p == programId, ct)))
            throw new NotFoundException("Program", programId);

        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors.TryAdd(field, [message]);

        var (member, isNew) = await ResolveMemberAsync(program, request.Member, ownMemberId, today, now, Error, ct);

        if (request.Category is not { } category) Error("category", "This field is required.");
        else if (!program.Covers(category))
            Error("category", $"The program does not cover {category}. It covers: {string.Join(", ", program.Categories)}.");
        if (string.IsNullOrWhiteSpace(request.Concern)) Error("concern", "Describe the clinical concern.");
        else if (request.Concern.Trim().Length > Case.MaxConcernLength) Error("concern", $"The concern is longer than {Case.MaxConcernLength} characters.");
        if (request.HeardVia is null && channel != IntakeChannel.Referral) Error("heardVia", "Say how the member heard of the program.");

        var intake = CaseIntake.Create(request.Questions, request.Diagnosis?.Codes, request.Diagnosis?.Text,
            request.ProposedTreatment?.Codes, request.ProposedTreatment?.Text,
            request.TreatingPhysician?.Name, request.TreatingPhysician?.Npi, request.TreatingPhysician?.Organization, request.TreatingPhysician?.Contact,
            request.Urgency, request.PreferredLanguage ?? member?.PreferredLanguage, request.StateOfResidence ?? member?.State, request.HeardVia, errors);

        if (errors.Count > 0 || member is null || intake is null) throw new RequestValidationException(errors);

        // A coordinator who takes the call keeps the case; everything else goes to the least-loaded coordinator.
        var coordinator = channel == IntakeChannel.Coordinator && user.Role == Roles.Coordinator
            ? user.UserId
            : await CoordinatorAssignment.PickAsync(db, programId, ct);
        var @case = Case.Open(programId, member.Id, request.Category!.Value, channel, request.Concern!, startAt, user.Actor, now,
            coordinator, intake, program.Sla);
        if (isNew)
        {
            db.Members.Add(member);
            audit.Record(AuditAction.Create, "Member", member.Id, member.Id, reason: $"intake ({channel})");
        }
        db.Cases.Add(@case);
        audit.Record(AuditAction.Create, "Case", @case.Id, member.Id, reason: $"intake ({channel})");

        Payment? payment = null;
        string? instructions = null;
        if (program.Funding == FundingModel.SelfPay)
        {
            payment = Payment.Request(@case.Id, program.MemberPrice, payments.Name, now);
            var started = await payments.StartAsync(new PaymentStartRequest(payment.Id, @case.Number, payment.Amount, payment.Currency), ct);
            payment.Started(started.ProviderReference);
            instructions = started.MemberInstructions;
            db.Add(payment);
            audit.Record(AuditAction.Create, "Payment", payment.Id, member.Id, reason: $"self-pay {Money.Format(payment.Amount)}");
        }
        return new Prepared(program, @case, member, payment, instructions);
    }

    async Task<(Member? Member, bool IsNew)> ResolveMemberAsync(CareProgram program, IntakeMemberRequest? m, Guid? ownMemberId,
        DateOnly today, DateTimeOffset now, Action<string, string> error, CancellationToken ct)
    {
        var sponsored = program.Funding == FundingModel.SponsorPaid;
        if (ownMemberId is { } own)
        {
            var mine = await db.Members.SingleAsync(x => x.Id == own, ct);
            if (mine.ProgramId != program.Id)
            {
                error("programId", "You are enrolled in another program. Request a second opinion there, or call the program.");
                return (null, false);
            }
            if (sponsored && mine.EligibilityOn(today) is var status and not EligibilityStatus.Eligible)
            {
                error("member.memberId", EligibilityCheck.Describe(status));
                return (null, false);
            }
            return (mine, false);
        }
        if (m is null)
        {
            error("member", sponsored ? "Give the member id and date of birth." : "Give the member's details.");
            return (null, false);
        }

        var memberId = m.MemberId?.Trim();
        if (sponsored || !string.IsNullOrEmpty(memberId))
        {
            if (string.IsNullOrEmpty(memberId)) error("member.memberId", "This field is required: the member id on the member's card.");
            else if (memberId.Length > 64) error("member.memberId", "A member id is at most 64 characters.");
            if (m.DateOfBirth is null) error("member.dateOfBirth", "This field is required.");
            if (string.IsNullOrEmpty(memberId) || memberId.Length > 64 || m.DateOfBirth is null) return (null, false);

            var (status, found) = await EligibilityCheck.FindAsync(db, program.Id, memberId, m.DateOfBirth.Value, today, ct);
            // Self-pay and grant-funded programs have no roster to be covered by: being enrolled is enough.
            if (found is not null && (status == EligibilityStatus.Eligible || !sponsored)) return (found, false);
            error("member.memberId", EligibilityCheck.Describe(status == EligibilityStatus.NotFound || sponsored ? status : EligibilityStatus.NotFound));
            return (null, false);
        }

        if (string.IsNullOrWhiteSpace(m.FirstName)) error("member.firstName", "This field is required.");
        if (string.IsNullOrWhiteSpace(m.LastName)) error("member.lastName", "This field is required.");
        if (m.DateOfBirth is null) error("member.dateOfBirth", "This field is required.");
        if (m.Sex is null) error("member.sex", "This field is required.");
        if (string.IsNullOrWhiteSpace(m.State)) error("member.state", "This field is required.");
        if (string.IsNullOrWhiteSpace(m.FirstName) || string.IsNullOrWhiteSpace(m.LastName) || m.DateOfBirth is null || m.Sex is null || string.IsNullOrWhiteSpace(m.State))
            return (null, false);
        try
        {
            return (Member.Enroll(program.Id, NewMemberId(), m.FirstName, m.LastName, m.DateOfBirth.Value, m.Sex.Value, m.State, m.Email, m.Phone, null, now), true);
        }
        catch (RuleViolationException e)
        {
            error("member." + e.Field, e.Message);
            return (null, false);
        }
    }

    /// <summary>Members of self-pay and grant programs have no sponsor's id: the program gives them one ("SR-" and 8 characters).</summary>
    static string NewMemberId()
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
        return "SR-" + new string(chars);
    }

    /// <summary>The intake, coordinator, SLA clock and payments of a case the user may see.</summary>
    public async Task<CaseIntakeView> GetAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await LoadVisibleAsync(caseId, AuditAction.Read, ct);
        audit.Record(AuditAction.Read, "CaseIntake", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return await ViewAsync(@case, ct);
    }

    /// <summary>The same view without an audit entry of its own, for a page whose own read of the case is already audited.</summary>
    internal async Task<CaseIntakeView?> ViewForPageAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow()).Include(c => c.Transitions).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        return @case is null ? null : await ViewAsync(@case, ct);
    }

    /// <summary>Coordinators of the case's program with their open cases, least loaded first.</summary>
    public async Task<IReadOnlyList<CoordinatorLoad>> CoordinatorsAsync(Guid caseId, CancellationToken ct)
    {
        var programId = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).Where(c => c.Id == caseId).Select(c => (Guid?)c.ProgramId).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        return await CoordinatorAssignment.LoadsAsync(db, programId, ct);
    }

    /// <summary>Gives the case to another coordinator of its program.</summary>
    public async Task<CaseIntakeView> ReassignAsync(Guid caseId, ReassignRequest request, CancellationToken ct)
    {
        if (request.CoordinatorUserId is not { } to)
            throw new RequestValidationException(new() { ["coordinatorUserId"] = ["This field is required."] });
        var @case = await LoadVisibleAsync(caseId, AuditAction.Update, ct);
        try
        {
            if (request.Version is { } version && version != @case.Version)
                throw new ConflictException($"The case is at version {@case.Version}, not {version}: someone changed it since you read it.",
                    new Dictionary<string, object?> { ["currentVersion"] = @case.Version });
            var coordinators = await CoordinatorAssignment.LoadsAsync(db, @case.ProgramId, ct);
            if (coordinators.All(c => c.UserId != to))
                throw new RuleViolationException("coordinatorUserId", "This user is not a coordinator of the case's program.");
            if (@case.CoordinatorUserId != to)
            {
                @case.AssignCoordinator(to, clock.GetUtcNow());
                audit.Record(AuditAction.Update, "Case", @case.Id, @case.MemberId, reason: "coordinator reassigned");
                await db.SaveChangesAsync(ct);
            }
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, "Case", caseId, @case.MemberId, AuditOutcome.Failure, $"reassign: {e.GetType().Name}", ct);
            throw;
        }
        return await ViewAsync(@case, ct);
    }

    internal async Task<Case> LoadVisibleAsync(Guid caseId, AuditAction attempted, CancellationToken ct)
    {
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).Include(c => c.Transitions).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is not null) return @case;
        var existing = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.MemberId }).SingleOrDefaultAsync(ct);
        if (existing is not null)
            await audit.RecordFailureAsync(attempted, "Case", caseId, existing.MemberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException("Case", caseId);
    }

    internal async Task<CaseIntakeView> ViewAsync(Case c, CancellationToken ct)
    {
        var coordinatorName = c.CoordinatorUserId is { } id
            ? await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).SingleOrDefaultAsync(ct)
            : null;
        var paid = await db.Set<Payment>().AsNoTracking().Where(p => p.CaseId == c.Id).ToListAsync(ct);
        var intake = c.Intake;
        return new CaseIntakeView(c.Id, c.Number, c.Status, c.ProgramId, c.MemberId, c.Channel, c.Category, c.Concern,
            c.Questions.ToList(), new CodedTextView(c.DiagnosisCodes.ToList(), c.DiagnosisText), new CodedTextView(c.TreatmentCodes.ToList(), c.TreatmentText),
            intake?.Physician, c.Urgency, c.PreferredLanguage, c.StateOfResidence, c.HeardVia, c.CoordinatorUserId, coordinatorName,
            CaseSla.Of(c, clock.GetUtcNow()), paid.OrderBy(p => p.CreatedAt).Select(PaymentView.Of).ToList(), c.Version, c.CreatedAt);
    }
}

using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Intake;

/// <summary>A member's own request from the public portal; an anonymous requester also chooses the password of their new login.</summary>
public sealed record SelfRequest(IntakeRequest Intake, string? Email, string? Password);

/// <summary>What the public portal shows about a program before anyone signs in.</summary>
public sealed record PublicProgramView(Guid Id, string Name, string SponsorName, FundingModel Funding, decimal MemberPrice,
    IReadOnlyList<ConditionCategory> Categories, string GovernanceText);

/// <summary>
/// The member self-request. A signed-in member requests under their own enrollment. Anyone else passes the eligibility
/// check (sponsor-paid programs) or gives their details (self-pay and grant-funded programs), and sets the password of
/// the patient login created with the request — in one transaction with the case, then signed in, so they can follow
/// their request, sign the consent and upload records at once (docs/adr/0009).
/// </summary>
public sealed class SelfRequestHandlers(
    ConsiliumDbContext db,
    CurrentActor user,
    AuditTrail audit,
    TimeProvider clock,
    IntakeHandlers intake,
    UserManager<AppUser> users,
    SignInManager<AppUser> signIn)
{
    public async Task<IReadOnlyList<PublicProgramView>> ProgramsAsync(CancellationToken ct)
    {
        var rows = await (
            from p in db.Programs.AsNoTracking()
            join s in db.Sponsors on p.SponsorId equals s.Id
            orderby p.Name
            select new { p, Sponsor = s.Name }).ToListAsync(ct);
        return rows.Select(r => new PublicProgramView(r.p.Id, r.p.Name, r.Sponsor, r.p.Funding, r.p.MemberPrice, r.p.Categories.ToList(), r.p.GovernanceText)).ToList();
    }

    public async Task<PublicProgramView> ProgramAsync(Guid id, CancellationToken ct) =>
        (await ProgramsAsync(ct)).SingleOrDefault(p => p.Id == id) ?? throw new NotFoundException("Program", id);

    public async Task<IntakeResult> RequestAsync(SelfRequest request, string source, CancellationToken ct)
    {
        if (user.IsAuthenticated)
        {
            if (user.Role != Roles.Patient || user.MemberId is not { } own)
                throw new ForbiddenException("The member portal is for members. Staff open cases with the phone intake form.");
            var mine = await intake.PrepareAsync(request.Intake, IntakeChannel.Portal, CaseStatus.Referred, own, ct);
            await db.SaveChangesAsync(ct);
            return IntakeHandlers.Result(mine);
        }

        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim();
        var account = new AppUser { Id = Guid.CreateVersion7(now), UserName = email, Email = email, CreatedAt = now, LockoutEnabled = true };
        if (string.IsNullOrEmpty(email) || email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) is < 1 || email.EndsWith('@'))
            errors["email"] = ["Give an email address: it is your login."];
        else if (await users.FindByEmailAsync(email) is not null)
            errors["email"] = ["An account with this email already exists. Sign in and make the request from your account."];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Choose a password."];
        else
        {
            foreach (var validator in users.PasswordValidators)
            {
                var result = await validator.ValidateAsync(users, account, request.Password);
                if (!result.Succeeded) errors.TryAdd("password", [string.Join(" ", result.Errors.Select(e => e.Description))]);
            }
        }

        // The request is the new member's own act: the case's first transition and the audit trail name their login.
        user.Use(new Actor(account.Id, email ?? "self-request", Roles.Patient), source);
        try
        {
            return await CreateAsync(request, account, errors, ct);
        }
        finally
        {
            // Whatever happened, the rest of this HTTP request (the page, the layout) is the anonymous visitor's again.
            user.Reset();
        }
    }

    async Task<IntakeResult> CreateAsync(SelfRequest request, AppUser account, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        var intakeRequest = request.Intake with { Member = request.Intake.Member is { } m ? m with { Email = m.Email ?? account.Email } : null };
        IntakeHandlers.Prepared prepared;
        try
        {
            prepared = await intake.PrepareAsync(intakeRequest, IntakeChannel.Portal, CaseStatus.Referred, ownMemberId: null, ct);
        }
        catch (RequestValidationException e)
        {
            foreach (var (field, messages) in e.Errors) errors.TryAdd(field, messages);
            throw new RequestValidationException(errors);
        }
        if (errors.Count == 0 && await db.Users.AnyAsync(u => u.MemberId == prepared.Member.Id, ct))
            errors["member.memberId"] = ["This member already has an account. Sign in and make the request from there."];
        if (errors.Count > 0)
        {
            db.ChangeTracker.Clear();
            throw new RequestValidationException(errors);
        }

        account.MemberId = prepared.Member.Id;
        account.DisplayName = prepared.Member.DisplayName;
        // Identity saves as it creates the user; the transaction makes that save, the case and the role one commit.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var created = await users.CreateAsync(account, request.Password!);
            if (!created.Succeeded)
            {
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                var field = created.Errors.Any(e => e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal)) ? "email" : "password";
                throw new RuleViolationException(field, string.Join(" ", created.Errors.Select(e => e.Description)));
            }
            var role = await users.AddToRoleAsync(account, Roles.Patient);
            if (!role.Succeeded) throw new InvalidOperationException("The patient role is missing: " + string.Join(" ", role.Errors.Select(e => e.Code)));
            audit.Record(AuditAction.PermissionChange, "User", account.Id, prepared.Member.Id, reason: "created with role patient (self-request)");
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        await signIn.SignInAsync(account, isPersistent: false);
        return IntakeHandlers.Result(prepared);
    }
}

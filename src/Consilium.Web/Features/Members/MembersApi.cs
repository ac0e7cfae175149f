using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Members;

public sealed record MemberView(Guid Id, Guid ProgramId, string ExternalId, string FirstName, string LastName, DateOnly DateOfBirth,
    Sex Sex, string State, string? Email, string? Phone, string PreferredLanguage, int Version);

public sealed record CreateMemberRequest(Guid? ProgramId, string? ExternalId, string? FirstName, string? LastName, DateOnly? DateOfBirth,
    Sex? Sex, string? State, string? Email, string? Phone, string? PreferredLanguage);

public sealed class MemberHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    const string ObjectType = "Member";

    IQueryable<Member> Visible() => CaseAccess.MembersVisibleTo(db, user);

    public async Task<MemberView> GetAsync(Guid id, CancellationToken ct)
    {
        var member = await Visible().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct);
        if (member is null)
        {
            if (await db.Members.AnyAsync(m => m.Id == id, ct))
                await audit.RecordFailureAsync(AuditAction.Read, ObjectType, id, id, AuditOutcome.Denied, "outside the user's members", ct);
            throw new NotFoundException(ObjectType, id);
        }
        audit.Record(AuditAction.Read, ObjectType, id, id);
        await db.SaveChangesAsync(ct);
        return View(member);
    }

    public async Task<IReadOnlyList<MemberView>> SearchAsync(Guid? programId, string? search, CancellationToken ct)
    {
        var members = Visible().AsNoTracking();
        if (programId is { } p) members = members.Where(m => m.ProgramId == p);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            members = members.Where(m => m.ExternalId == term || m.LastName.ToLower().StartsWith(term.ToLower()));
        }
        var found = await members.OrderBy(m => m.LastName).ThenBy(m => m.FirstName).Take(100).ToListAsync(ct);
        foreach (var m in found) audit.Record(AuditAction.Query, ObjectType, m.Id, m.Id);
        await db.SaveChangesAsync(ct);
        return found.Select(View).ToList();
    }

    public async Task<MemberView> CreateAsync(CreateMemberRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ProgramId is null) errors["programId"] = ["This field is required."];
        if (request.DateOfBirth is null) errors["dateOfBirth"] = ["This field is required."];
        if (request.Sex is null) errors["sex"] = ["This field is required."];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        var programId = request.ProgramId!.Value;
        if (!await CaseAccess.ServedProgramIds(db, user).AnyAsync(p => p == programId, ct))
            throw new NotFoundException("Program", programId);
        if (await db.Members.AnyAsync(m => m.ProgramId == programId && m.ExternalId == request.ExternalId, ct))
            throw new ConflictException("A member with this member id is already enrolled in the program.");

        var member = Member.Enroll(programId, request.ExternalId ?? "", request.FirstName ?? "", request.LastName ?? "",
            request.DateOfBirth!.Value, request.Sex!.Value, request.State ?? "", request.Email, request.Phone, request.PreferredLanguage, clock.GetUtcNow());
        db.Members.Add(member);
        audit.Record(AuditAction.Create, ObjectType, member.Id, member.Id);
        await db.SaveChangesAsync(ct);
        return View(member);
    }

    static MemberView View(Member m) => new(m.Id, m.ProgramId, m.ExternalId, m.FirstName, m.LastName, m.DateOfBirth, m.Sex, m.State,
        m.Email, m.Phone, m.PreferredLanguage, m.Version);
}

public static class MembersApi
{
    public static IServiceCollection AddMembers(this IServiceCollection services) => services.AddScoped<MemberHandlers>();

    public static IEndpointRouteBuilder MapMembers(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/members").WithTags("Members");
        members.MapGet("", Search).RequireAuthorization(Policies.MemberRead);
        members.MapGet("{id:guid}", Get).RequireAuthorization(Policies.MemberRead);
        members.MapPost("", Create).RequireAuthorization(Policies.MemberWrite);
        return app;
    }

    static async Task<Ok<IReadOnlyList<MemberView>>> Search([FromQuery] Guid? programId, [FromQuery] string? q, MemberHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SearchAsync(programId, q, ct));

    static async Task<Ok<MemberView>> Get(Guid id, MemberHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Created<MemberView>> Create(CreateMemberRequest request, MemberHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.CreateAsync(request, ct);
        return TypedResults.Created($"/api/members/{view.Id}", view);
    }
}

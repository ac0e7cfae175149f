using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Programs;

public sealed record ProgramView(Guid Id, string Name, Guid SponsorId, string SponsorName, FundingModel Funding, decimal? SelfPayPrice,
    IReadOnlyList<ConditionCategory> Categories, int Version);

public sealed record CreateProgramRequest(string? Name, Guid? SponsorId, FundingModel? Funding, decimal? SelfPayPrice, IReadOnlyList<ConditionCategory>? Categories);

public sealed class ProgramHandlers(ConsiliumDbContext db, CurrentActor user, TimeProvider clock)
{
    /// <summary>
    /// Staff see the programs they serve; a patient the program they are enrolled in; a sponsor analyst their sponsor's;
    /// a reviewer every program (they review for any).
    /// </summary>
    IQueryable<CareProgram> Visible() => user.Role switch
    {
        Roles.Patient => db.Programs.Where(p => db.Members.Any(m => m.Id == user.MemberId && m.ProgramId == p.Id)),
        Roles.SponsorAnalyst => db.Programs.Where(p => p.SponsorId == user.SponsorId),
        Roles.Reviewer => db.Programs,
        _ => db.Programs.Where(p => CaseAccess.ServedProgramIds(db, user).Contains(p.Id)),
    };

    public async Task<IReadOnlyList<ProgramView>> ListAsync(CancellationToken ct) =>
        await Query(Visible()).ToListAsync(ct);

    public async Task<ProgramView> GetAsync(Guid id, CancellationToken ct) =>
        await Query(Visible().Where(p => p.Id == id)).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("Program", id);

    public async Task<ProgramView> CreateAsync(CreateProgramRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.SponsorId is null) errors["sponsorId"] = ["This field is required."];
        if (request.Funding is null) errors["funding"] = ["This field is required."];
        if (request.Categories is null) errors["categories"] = ["This field is required."];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        if (!await db.Sponsors.AnyAsync(s => s.Id == request.SponsorId, ct))
            throw new RuleViolationException("sponsorId", "No sponsor has this id.");
        if (await db.Programs.AnyAsync(p => p.Name == request.Name, ct))
            throw new ConflictException("A program with this name already exists.");

        var program = CareProgram.Create(request.Name ?? "", request.SponsorId!.Value, request.Funding!.Value, request.SelfPayPrice,
            request.Categories!, clock.GetUtcNow());
        db.Programs.Add(program);
        // The admin who creates a program serves it, or they could not see what they made.
        if (user.UserId is { } creator) db.ProgramStaff.Add(new ProgramStaff(program.Id, creator));
        await db.SaveChangesAsync(ct);
        return await GetAsync(program.Id, ct);
    }

    IQueryable<ProgramView> Query(IQueryable<CareProgram> programs) =>
        from p in programs
        join s in db.Sponsors on p.SponsorId equals s.Id
        orderby p.Name
        select new ProgramView(p.Id, p.Name, p.SponsorId, s.Name, p.Funding, p.SelfPayPrice, p.Categories, p.Version);
}

public static class ProgramsApi
{
    public static IServiceCollection AddPrograms(this IServiceCollection services) => services.AddScoped<ProgramHandlers>();

    public static IEndpointRouteBuilder MapPrograms(this IEndpointRouteBuilder app)
    {
        var programs = app.MapGroup("/api/programs").WithTags("Programs");
        programs.MapGet("", List).RequireAuthorization(Policies.ProgramRead);
        programs.MapGet("{id:guid}", Get).RequireAuthorization(Policies.ProgramRead);
        programs.MapPost("", Create).RequireAuthorization(Policies.ProgramWrite);
        return app;
    }

    static async Task<Ok<IReadOnlyList<ProgramView>>> List(ProgramHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.ListAsync(ct));

    static async Task<Ok<ProgramView>> Get(Guid id, ProgramHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Created<ProgramView>> Create(CreateProgramRequest request, ProgramHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.CreateAsync(request, ct);
        return TypedResults.Created($"/api/programs/{view.Id}", view);
    }
}

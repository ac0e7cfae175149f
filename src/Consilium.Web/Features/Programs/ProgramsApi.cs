using Consilium.Features.Cases;
using Consilium.Features.Funding;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Programs;

public sealed record CoSponsorView(Guid SponsorId, string SponsorName, decimal Share);

public sealed record SlaTargetsView(int DaysToFirstContact, int DaysToCompletePacket, int BusinessDaysToOpinion);

public sealed record ProgramView(Guid Id, string Name, Guid SponsorId, string SponsorName, decimal PrimarySponsorShare, IReadOnlyList<CoSponsorView> CoSponsors,
    FundingModel Funding, decimal? SelfPayPrice, decimal CaseFee, IReadOnlyList<ConditionCategory> Categories, SlaTargetsView Sla,
    string GovernanceText, Guid? GrantFundId, int Version);

public sealed record CoSponsorRequest(Guid? SponsorId, decimal? Share);

public sealed record SlaTargetsRequest(int? DaysToFirstContact, int? DaysToCompletePacket, int? BusinessDaysToOpinion);

/// <summary>
/// A program's settings. Omitted optional settings take their defaults: no co-sponsors (the primary sponsor pays
/// 100%), no case fee, SLA targets of 2 days to first contact, 7 days to a complete packet and 5 business days to the
/// opinion, no governance text. An update replaces every setting and may carry the version it was based on.
/// </summary>
public sealed record CreateProgramRequest(string? Name, Guid? SponsorId, FundingModel? Funding, decimal? SelfPayPrice, IReadOnlyList<ConditionCategory>? Categories,
    decimal? CaseFee = null, SlaTargetsRequest? Sla = null, string? GovernanceText = null, IReadOnlyList<CoSponsorRequest>? CoSponsors = null,
    decimal? PrimarySponsorShare = null, int? Version = null);

public sealed class ProgramHandlers(ConsiliumDbContext db, CurrentActor user, TimeProvider clock)
{
    /// <summary>
    /// Staff see the programs they serve; a patient the program they are enrolled in; a sponsor analyst the programs
    /// their sponsor sponsors or co-sponsors; a reviewer every program (they review for any).
    /// </summary>
    IQueryable<CareProgram> Visible() => user.Role switch
    {
        Roles.Patient => db.Programs.Where(p => db.Members.Any(m => m.Id == user.MemberId && m.ProgramId == p.Id)),
        Roles.SponsorAnalyst => db.Programs.Where(p => p.SponsorId == user.SponsorId || p.CoSponsors.Any(c => c.SponsorId == user.SponsorId)),
        Roles.Reviewer => db.Programs,
        _ => db.Programs.Where(p => CaseAccess.ServedProgramIds(db, user).Contains(p.Id)),
    };

    public async Task<IReadOnlyList<ProgramView>> ListAsync(CancellationToken ct) => await ViewsAsync(Visible(), ct);

    public async Task<ProgramView> GetAsync(Guid id, CancellationToken ct) =>
        (await ViewsAsync(Visible().Where(p => p.Id == id), ct)).SingleOrDefault() ?? throw new NotFoundException("Program", id);

    public async Task<ProgramView> CreateAsync(CreateProgramRequest request, CancellationToken ct)
    {
        var settings = await SettingsAsync(request, ct);
        if (await db.Programs.AnyAsync(p => p.Name == settings.Name.Trim(), ct))
            throw new ConflictException("A program with this name already exists.");

        var now = clock.GetUtcNow();
        var program = CareProgram.Create(settings, now);
        db.Programs.Add(program);
        // The admin who creates a program serves it, or they could not see what they made.
        if (user.UserId is { } creator) db.ProgramStaff.Add(new ProgramStaff(program.Id, creator));
        if (program.Funding == FundingModel.GrantFund) db.Add(GrantFund.Open(program.Id, $"{program.Name} fund", now));
        await db.SaveChangesAsync(ct);
        return await GetAsync(program.Id, ct);
    }

    /// <summary>Replaces a program's settings. Switching a program to grant funding opens its fund (empty) if it has none.</summary>
    public async Task<ProgramView> UpdateAsync(Guid id, CreateProgramRequest request, int? ifMatchVersion, CancellationToken ct)
    {
        var program = await db.Programs.Include(p => p.CoSponsors)
            .Where(p => p.Id == id && CaseAccess.ServedProgramIds(db, user).Contains(p.Id)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Program", id);
        if (ifMatchVersion is { } expected && expected != program.Version)
            throw new PreconditionFailedException($"The program is at version {program.Version}, not {expected}. Reload it and try again.");
        if (request.Version is { } version && version != program.Version)
            throw new ConflictException($"The program is at version {program.Version}, not {version}: someone changed it since you read it.",
                new Dictionary<string, object?> { ["currentVersion"] = program.Version });
        var settings = await SettingsAsync(request, ct);
        if (await db.Programs.AnyAsync(p => p.Id != id && p.Name == settings.Name.Trim(), ct))
            throw new ConflictException("A program with this name already exists.");

        program.Update(settings);
        if (program.Funding == FundingModel.GrantFund && !await db.Set<GrantFund>().AnyAsync(f => f.ProgramId == id, ct))
            db.Add(GrantFund.Open(program.Id, $"{program.Name} fund", clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return await GetAsync(program.Id, ct);
    }

    async Task<ProgramSettings> SettingsAsync(CreateProgramRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.SponsorId is null) errors["sponsorId"] = ["This field is required."];
        if (request.Funding is null) errors["funding"] = ["This field is required."];
        if (request.Categories is null) errors["categories"] = ["This field is required."];
        var coSponsors = request.CoSponsors ?? [];
        for (var i = 0; i < coSponsors.Count; i++)
        {
            if (coSponsors[i].SponsorId is null) errors[$"coSponsors[{i}].sponsorId"] = ["This field is required."];
            if (coSponsors[i].Share is null) errors[$"coSponsors[{i}].share"] = ["This field is required."];
        }
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var sponsorIds = coSponsors.Select(c => c.SponsorId!.Value).Append(request.SponsorId!.Value).Distinct().ToList();
        var known = await db.Sponsors.Where(s => sponsorIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        if (!known.Contains(request.SponsorId.Value)) throw new RuleViolationException("sponsorId", "No sponsor has this id.");
        if (sponsorIds.Except(known).Any()) throw new RuleViolationException("coSponsors", "No sponsor has one of these ids.");

        var sla = request.Sla is null
            ? SlaTargets.Default
            : new SlaTargets(request.Sla.DaysToFirstContact ?? SlaTargets.DefaultDaysToFirstContact,
                request.Sla.DaysToCompletePacket ?? SlaTargets.DefaultDaysToCompletePacket,
                request.Sla.BusinessDaysToOpinion ?? SlaTargets.DefaultBusinessDaysToOpinion);
        return new ProgramSettings(request.Name ?? "", request.SponsorId.Value, request.Funding!.Value, request.SelfPayPrice, request.Categories!,
            request.CaseFee ?? 0m, sla, request.GovernanceText, coSponsors.Select(c => new CostShare(c.SponsorId!.Value, c.Share!.Value)).ToList(),
            request.PrimarySponsorShare);
    }

    async Task<IReadOnlyList<ProgramView>> ViewsAsync(IQueryable<CareProgram> programs, CancellationToken ct)
    {
        var list = await programs.AsNoTracking().Include(p => p.CoSponsors).ToListAsync(ct);
        var ids = list.Select(p => p.Id).ToList();
        var sponsorIds = list.SelectMany(p => p.CoSponsors.Select(c => c.SponsorId).Append(p.SponsorId)).Distinct().ToList();
        var names = await db.Sponsors.Where(s => sponsorIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var funds = await db.Set<GrantFund>().Where(f => ids.Contains(f.ProgramId)).ToDictionaryAsync(f => f.ProgramId, f => f.Id, ct);
        return list.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new ProgramView(p.Id, p.Name, p.SponsorId, names[p.SponsorId], p.PrimarySponsorShare,
            p.CoSponsors.OrderByDescending(c => c.Share).Select(c => new CoSponsorView(c.SponsorId, names[c.SponsorId], c.Share)).ToList(),
            p.Funding, p.SelfPayPrice, p.CaseFee, p.Categories.ToList(),
            new SlaTargetsView(p.Sla.DaysToFirstContact, p.Sla.DaysToCompletePacket, p.Sla.BusinessDaysToOpinion),
            p.GovernanceText, funds.TryGetValue(p.Id, out var fund) ? fund : null, p.Version)).ToList();
    }
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
        programs.MapPut("{id:guid}", Update).RequireAuthorization(Policies.ProgramWrite);
        return app;
    }

    static async Task<Ok<IReadOnlyList<ProgramView>>> List(ProgramHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.ListAsync(ct));

    static async Task<Ok<ProgramView>> Get(Guid id, ProgramHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.GetAsync(id, ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Ok(view);
    }

    static async Task<Created<ProgramView>> Create(CreateProgramRequest request, ProgramHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.CreateAsync(request, ct);
        return TypedResults.Created($"/api/programs/{view.Id}", view);
    }

    static async Task<Ok<ProgramView>> Update(Guid id, CreateProgramRequest request, ProgramHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.UpdateAsync(id, request, ETags.ParseIfMatch(http.Request.Headers.IfMatch), ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Ok(view);
    }
}

using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Sponsors;

public sealed record SponsorView(Guid Id, string Name, SponsorKind Kind, int Version);

public sealed record CreateSponsorRequest(string? Name, SponsorKind? Kind);

public sealed class SponsorHandlers(ConsiliumDbContext db, CurrentActor user, TimeProvider clock)
{
    IQueryable<Sponsor> Visible() => user.Role == Roles.SponsorAnalyst ? db.Sponsors.Where(s => s.Id == user.SponsorId) : db.Sponsors;

    public async Task<IReadOnlyList<SponsorView>> ListAsync(CancellationToken ct) =>
        await Visible().OrderBy(s => s.Name).Select(s => new SponsorView(s.Id, s.Name, s.Kind, s.Version)).ToListAsync(ct);

    public async Task<SponsorView> GetAsync(Guid id, CancellationToken ct) =>
        await Visible().Where(s => s.Id == id).Select(s => new SponsorView(s.Id, s.Name, s.Kind, s.Version)).SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("Sponsor", id);

    public async Task<SponsorView> CreateAsync(CreateSponsorRequest request, CancellationToken ct)
    {
        if (request.Kind is null) throw new RequestValidationException(new() { ["kind"] = [$"This field is required: one of {string.Join(", ", Enum.GetNames<SponsorKind>())}."] });
        var sponsor = Sponsor.Create(request.Name ?? "", request.Kind.Value, clock.GetUtcNow());
        if (await db.Sponsors.AnyAsync(s => s.Name == sponsor.Name, ct)) throw new ConflictException("A sponsor with this name already exists.");
        db.Sponsors.Add(sponsor);
        await db.SaveChangesAsync(ct);
        return new SponsorView(sponsor.Id, sponsor.Name, sponsor.Kind, sponsor.Version);
    }
}

public static class SponsorsApi
{
    public static IServiceCollection AddSponsors(this IServiceCollection services) => services.AddScoped<SponsorHandlers>();

    public static IEndpointRouteBuilder MapSponsors(this IEndpointRouteBuilder app)
    {
        var sponsors = app.MapGroup("/api/sponsors").WithTags("Sponsors");
        sponsors.MapGet("", List).RequireAuthorization(Policies.SponsorRead);
        sponsors.MapGet("{id:guid}", Get).RequireAuthorization(Policies.SponsorRead);
        sponsors.MapPost("", Create).RequireAuthorization(Policies.SponsorWrite);
        return app;
    }

    static async Task<Ok<IReadOnlyList<SponsorView>>> List(SponsorHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.ListAsync(ct));

    static async Task<Ok<SponsorView>> Get(Guid id, SponsorHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Created<SponsorView>> Create(CreateSponsorRequest request, SponsorHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.CreateAsync(request, ct);
        return TypedResults.Created($"/api/sponsors/{view.Id}", view);
    }
}

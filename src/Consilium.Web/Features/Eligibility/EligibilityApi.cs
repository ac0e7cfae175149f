using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Eligibility;

public sealed class RosterOptions
{
    public const string Section = "Rosters";

    /// <summary>Largest roster file accepted by the upload page and the API.</summary>
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;
}

public static class EligibilityApi
{
    public static IServiceCollection AddEligibility(this IServiceCollection services)
    {
        services.AddOptions<RosterOptions>().BindConfiguration(RosterOptions.Section)
            .Validate(o => o.MaxFileBytes > 0, "Rosters:MaxFileBytes must be positive.").ValidateOnStart();
        services.AddScoped<RosterHandlers>();
        services.AddScoped<EligibilityHandlers>();
        return services;
    }

    public static IEndpointRouteBuilder MapEligibility(this IEndpointRouteBuilder app)
    {
        var maxBytes = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RosterOptions>>().Value.MaxFileBytes;
        var programs = app.MapGroup("/api/programs/{programId:guid}").WithTags("Eligibility");
        programs.MapPost("rosters", Import).RequireAuthorization(Policies.RosterImport)
            .WithMetadata(new RequestSizeLimitAttribute(maxBytes))
            .WithSummary("Import an eligibility roster: a CSV (docs/rosters.md) or an X12 834 file as the raw request body.");
        programs.MapGet("rosters", List).RequireAuthorization(Policies.RosterImport);
        programs.MapPost("eligibility", Check).RequireAuthorization(Policies.EligibilityCheck);
        return app;
    }

    static async Task<Created<RosterImportView>> Import(Guid programId, [FromQuery] string? fileName, [FromQuery] RosterFormat? format,
        HttpRequest request, RosterHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.ImportAsync(programId, request.Body, fileName, format, ct);
        return TypedResults.Created($"/api/programs/{programId}/rosters", view);
    }

    static async Task<Ok<IReadOnlyList<RosterImportView>>> List(Guid programId, RosterHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(programId, ct));

    static async Task<Ok<EligibilityView>> Check(Guid programId, EligibilityRequest request, EligibilityHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.CheckAsync(programId, request, ct));
}

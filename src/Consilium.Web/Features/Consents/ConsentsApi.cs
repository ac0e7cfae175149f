using Consilium.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consilium.Features.Consents;

public static class ConsentsApi
{
    public static IServiceCollection AddConsents(this IServiceCollection services) =>
        services.AddScoped<ConsentGate>().AddScoped<ConsentHandlers>();

    public static IEndpointRouteBuilder MapConsents(this IEndpointRouteBuilder app)
    {
        var consents = app.MapGroup("/api/cases/{id:guid}/consents").WithTags("Consent");
        consents.MapGet("", List).RequireAuthorization(Policies.ConsentRead);
        consents.MapPost("", Sign).RequireAuthorization(Policies.ConsentSign);
        consents.MapGet("{consentId:guid}/pdf", Pdf).RequireAuthorization(Policies.ConsentRead);
        consents.MapPost("{consentId:guid}/revoke", Revoke).RequireAuthorization(Policies.ConsentRevoke);
        return app;
    }

    static async Task<Ok<IReadOnlyList<ConsentView>>> List(Guid id, ConsentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(id, ct));

    static async Task<Created<ConsentView>> Sign(Guid id, SignConsentRequest request, ConsentHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.SignAsync(id, request, ct);
        return TypedResults.Created($"/api/cases/{id}/consents/{view.Id}/pdf", view);
    }

    static async Task<FileStreamHttpResult> Pdf(Guid id, Guid consentId, ConsentHandlers handlers, CancellationToken ct)
    {
        var (pdf, name) = await handlers.OpenPdfAsync(id, consentId, ct);
        return TypedResults.File(pdf, "application/pdf", name);
    }

    static async Task<Ok<ConsentView>> Revoke(Guid id, Guid consentId, RevokeConsentRequest request, ConsentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RevokeAsync(id, consentId, request, ct));
}

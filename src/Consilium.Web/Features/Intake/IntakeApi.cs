using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Intake;

public static class IntakeApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static IServiceCollection AddIntake(this IServiceCollection services)
    {
        services.AddScoped<IntakeHandlers>();
        services.AddScoped<ReferralHandlers>();
        services.AddScoped<SelfRequestHandlers>();
        return services;
    }

    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/referrals", Refer).RequireAuthorization(Policies.ReferralCreate).WithTags("Intake")
            .WithSummary("Refer a member (payers, physicians). Send an Idempotency-Key header: the same key always answers with the same case.");
        var cases = app.MapGroup("/api/cases/{id:guid}").WithTags("Intake");
        cases.MapGet("intake", Get).RequireAuthorization(Policies.CaseRead);
        cases.MapPost("coordinator", Reassign).RequireAuthorization(Policies.CaseAssign);
        return app;
    }

    static async Task<Results<Created<CaseIntakeView>, Ok<CaseIntakeView>>> Refer(IntakeRequest request,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, ReferralHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var outcome = await handlers.ReferAsync(idempotencyKey, request, ct);
        http.Response.Headers.ETag = ETags.ForVersion(outcome.Case.Version);
        if (!outcome.Replayed) return TypedResults.Created($"/api/cases/{outcome.Case.CaseId}", outcome.Case);
        http.Response.Headers["Idempotent-Replayed"] = "true";
        http.Response.Headers.Location = $"/api/cases/{outcome.Case.CaseId}";
        return TypedResults.Ok(outcome.Case);
    }

    static async Task<Ok<CaseIntakeView>> Get(Guid id, IntakeHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Ok<CaseIntakeView>> Reassign(Guid id, ReassignRequest request, IntakeHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.ReassignAsync(id, request, ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Ok(view);
    }
}

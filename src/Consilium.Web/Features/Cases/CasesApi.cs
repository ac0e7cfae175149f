using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Cases;

public static class CasesApi
{
    public static IServiceCollection AddCases(this IServiceCollection services) => services.AddScoped<CaseHandlers>();

    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases").WithTags("Cases");
        cases.MapGet("", List).RequireAuthorization(Policies.CaseRead);
        cases.MapPost("", Create).RequireAuthorization(Policies.CaseCreate);
        cases.MapGet("{id:guid}", Get).RequireAuthorization(Policies.CaseRead);
        cases.MapPost("{id:guid}/transitions", Transition).RequireAuthorization(Policies.CaseTransition);
        cases.MapGet("{id:guid}/timeline", Timeline).RequireAuthorization(Policies.CaseRead);
        return app;
    }

    static async Task<Ok<CasePage>> List([AsParameters] CaseListQuery query, CaseHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(new CaseListFilter(query.Status, query.ProgramId, query.Q, query.Page, query.PageSize,
            query.Overdue ?? false, query.Mine ?? false), ct));

    static async Task<Created<CaseView>> Create(CreateCaseRequest request, CaseHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.CreateAsync(request, ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Created($"/api/cases/{view.Id}", view);
    }

    static async Task<Ok<CaseView>> Get(Guid id, CaseHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.GetAsync(id, ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Ok(view);
    }

    static async Task<Ok<CaseView>> Transition(Guid id, TransitionRequest request, CaseHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.TransitionAsync(id, request, ETags.ParseIfMatch(http.Request.Headers.IfMatch), ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Ok(view);
    }

    static async Task<Ok<IReadOnlyList<TimelineEvent>>> Timeline(Guid id, CaseHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.TimelineAsync(id, ct));

    internal sealed record CaseListQuery(
        [FromQuery] CaseStatus? Status,
        [FromQuery] Guid? ProgramId,
        [FromQuery] string? Q,
        [FromQuery] int? Page,
        [FromQuery] int? PageSize,
        [FromQuery] bool? Overdue,
        [FromQuery] bool? Mine);
}

using Consilium.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.CareNavigation;

public static class CareApi
{
    public static IServiceCollection AddCareNavigation(this IServiceCollection services) => services.AddScoped<CareHandlers>();

    public static IEndpointRouteBuilder MapCareNavigation(this IEndpointRouteBuilder app)
    {
        var care = app.MapGroup("/api").WithTags("Care navigation");
        care.MapGet("cases/{id:guid}/care", Get).RequireAuthorization(Policies.CareManage);
        care.MapPost("cases/{id:guid}/briefings", Brief).RequireAuthorization(Policies.CareManage);
        care.MapPost("navigation-tasks/{taskId:guid}", Navigate).RequireAuthorization(Policies.CareManage);
        care.MapPost("follow-ups/{followUpId:guid}", FollowUp).RequireAuthorization(Policies.CareManage);
        care.MapGet("follow-ups", Worklist).RequireAuthorization(Policies.CareManage);
        care.MapGet("follow-ups/nps", Nps).RequireAuthorization(Policies.CareManage);
        return app;
    }

    static async Task<Ok<CaseCareView>> Get(Guid id, CareHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Created<BriefingView>> Brief(Guid id, BriefingRequest request, CareHandlers handlers, CancellationToken ct) =>
        TypedResults.Created($"/api/cases/{id}/care", await handlers.BriefAsync(id, request, ct));

    static async Task<Ok<NavigationTaskView>> Navigate(Guid taskId, NavigationUpdateRequest request, CareHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.UpdateNavigationAsync(taskId, request, ct));

    static async Task<Ok<FollowUpView>> FollowUp(Guid followUpId, FollowUpRequest request, CareHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RecordFollowUpAsync(followUpId, request, ct));

    static async Task<Ok<IReadOnlyList<FollowUpWorkItem>>> Worklist([FromQuery] bool? due, CareHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.WorklistAsync(due ?? false, ct));

    static async Task<Ok<IReadOnlyList<NpsView>>> Nps(CareHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.NpsAsync(ct));
}

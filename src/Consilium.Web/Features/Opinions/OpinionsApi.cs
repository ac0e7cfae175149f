using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Opinions;

public static class OpinionsApi
{
    public static IServiceCollection AddOpinions(this IServiceCollection services)
    {
        services.AddOptions<OpinionOptions>().BindConfiguration(OpinionOptions.Section)
            .Validate(OpinionOptions.Validate, "Opinions options are not valid: ReportLinkLifetime 1 hour to 90 days, FollowUpDays 1–730 (at most 6).")
            .ValidateOnStart();
        services.AddOptions<OpinionSlaOptions>().BindConfiguration(OpinionSlaOptions.Section)
            .Validate(OpinionSlaOptions.Validate, "Opinions:Sla options are not valid: DefaultBusinessDays 1–60, CheckInterval not negative.")
            .ValidateOnStart();
        services.AddScoped<OpinionHandlers>();
        services.AddScoped<ReportDeliveryHandlers>();
        services.AddScoped<OpinionSlaHandlers>();
        services.AddSingleton<OpinionSlaMonitor>();
        services.AddHostedService<OpinionSlaTimer>();
        return services;
    }

    public static IEndpointRouteBuilder MapOpinions(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases/{id:guid}").WithTags("Opinions");
        cases.MapGet("workspace", Workspace).RequireAuthorization(Policies.OpinionWrite);
        cases.MapPut("opinion/draft", SaveDraft).RequireAuthorization(Policies.OpinionWrite);
        cases.MapDelete("opinion/draft", DiscardDraft).RequireAuthorization(Policies.OpinionWrite);
        cases.MapPost("opinion/sign", Sign).RequireAuthorization(Policies.OpinionWrite);
        cases.MapPost("opinion/amendments", Amend).RequireAuthorization(Policies.OpinionWrite);
        cases.MapGet("reviewer-notes", Notes).RequireAuthorization(Policies.OpinionWrite);
        cases.MapPut("reviewer-notes", SaveNotes).RequireAuthorization(Policies.OpinionWrite);
        cases.MapGet("opinion", Get).RequireAuthorization(Policies.OpinionRead)
            .WithDescription("The latest signed version and the history; ?version=N for an earlier signed version. A draft only for its author.");
        cases.MapGet("opinion/report.pdf", Report).RequireAuthorization(Policies.OpinionRead)
            .WithDescription("kind=Member (plain language) or Clinical; version=N for an earlier signed version.");
        cases.MapGet("opinion/deliveries", Deliveries).RequireAuthorization(Policies.OpinionDeliver);
        cases.MapPost("opinion/deliveries", Send).RequireAuthorization(Policies.OpinionDeliver)
            .WithDescription("Emails the local physician a secure, expiring link to the clinical report.");
        app.MapPost("/api/opinion-deliveries/{deliveryId:guid}/revoke", Revoke).WithTags("Opinions").RequireAuthorization(Policies.OpinionDeliver);
        app.MapGet("/api/opinions/sla", Sla).WithTags("Opinions").RequireAuthorization(Policies.OpinionSla);
        // The local physician has no account: the link's token is the credential. Rate-limited like sign-in.
        app.MapGet("/reports/{token}/download", Download).WithTags("Opinions").AllowAnonymous().RequireRateLimiting(RateLimits.Sensitive);
        return app;
    }

    static async Task<Ok<WorkspaceView>> Workspace(Guid id, OpinionHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.WorkspaceAsync(id, ct));

    static async Task<Ok<OpinionVersionView>> SaveDraft(Guid id, OpinionDraftRequest request, OpinionHandlers handlers, HttpContext http, CancellationToken ct)
    {
        var view = await handlers.SaveDraftAsync(id, request, ETags.ParseIfMatch(http.Request.Headers.IfMatch), ct);
        http.Response.Headers.ETag = ETags.ForVersion(view.Version);
        return TypedResults.Ok(view);
    }

    static async Task<NoContent> DiscardDraft(Guid id, OpinionHandlers handlers, CancellationToken ct)
    {
        await handlers.DiscardDraftAsync(id, ct);
        return TypedResults.NoContent();
    }

    static async Task<Ok<OpinionVersionView>> Sign(Guid id, SignOpinionRequest request, OpinionHandlers handlers, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SignAsync(id, request, ETags.ParseIfMatch(http.Request.Headers.IfMatch), ct));

    static async Task<Created<OpinionVersionView>> Amend(Guid id, AmendOpinionRequest request, OpinionHandlers handlers, CancellationToken ct) =>
        TypedResults.Created($"/api/cases/{id}/opinion", await handlers.AmendAsync(id, request, ct));

    static async Task<Ok<ReviewerNotesView>> Notes(Guid id, OpinionHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.NotesAsync(id, ct));

    static async Task<Ok<ReviewerNotesView>> SaveNotes(Guid id, ReviewerNotesRequest request, OpinionHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SaveNotesAsync(id, request, ct));

    static async Task<Results<Ok<CaseOpinionView>, Ok<OpinionVersionView>>> Get(Guid id, [FromQuery] int? version, OpinionHandlers handlers, CancellationToken ct) =>
        version is { } number
            ? TypedResults.Ok(await handlers.GetVersionAsync(id, number, ct))
            : TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<FileStreamHttpResult> Report(Guid id, [FromQuery] ReportKind? kind, [FromQuery] int? version, OpinionHandlers handlers, CancellationToken ct)
    {
        if (kind is null) throw new RuleViolationException("kind", "Say which report: Member or Clinical.");
        var (pdf, name) = await handlers.OpenReportAsync(id, kind.Value, version, ct);
        return TypedResults.Stream(pdf, "application/pdf", name);
    }

    static async Task<Ok<IReadOnlyList<DeliveryView>>> Deliveries(Guid id, ReportDeliveryHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(id, ct));

    static async Task<Created<DeliveryView>> Send(Guid id, SendReportRequest request, ReportDeliveryHandlers handlers, CancellationToken ct) =>
        TypedResults.Created($"/api/cases/{id}/opinion/deliveries", await handlers.SendToPhysicianAsync(id, request, ct));

    static async Task<Ok<DeliveryView>> Revoke(Guid deliveryId, RevokeLinkRequest request, ReportDeliveryHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RevokeAsync(deliveryId, request, ct));

    static async Task<Ok<IReadOnlyList<OpinionSlaRow>>> Sla(OpinionSlaHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(ct));

    static async Task<Results<FileStreamHttpResult, NotFound, ProblemHttpResult>> Download(string token, ReportDeliveryHandlers handlers, CancellationToken ct)
    {
        try
        {
            var found = await handlers.DownloadByLinkAsync(token, ct);
            if (found is not { } file) return TypedResults.NotFound();
            return TypedResults.Stream(file.Pdf, "application/pdf", file.FileName);
        }
        catch (LinkUnavailableException e)
        {
            return TypedResults.Problem(statusCode: 410, title: "Link no longer works", detail: e.State switch
            {
                DeliveryState.Expired => "This link has expired. Ask the program to send a new one.",
                DeliveryState.Revoked => "This link was revoked by the program.",
                DeliveryState.Superseded => "The report was amended and a new link was sent; this one no longer works.",
                _ => e.Message,
            }, extensions: new Dictionary<string, object?> { ["state"] = e.State.ToString() });
        }
    }
}

using Consilium.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Triggers;

public static class TriggersApi
{
    public static IServiceCollection AddTriggers(this IServiceCollection services)
    {
        services.AddOptions<TriggerOptions>().BindConfiguration(TriggerOptions.Section)
            .Validate(o => o.MaxFileBytes > 0 && o.ContactWindowDays >= 0 && o.PollInterval > TimeSpan.Zero && o.StaleAfter > TimeSpan.Zero && o.MaxAttempts > 0
                    && o.BacktestMaxBytes > 0,
                "Triggers: MaxFileBytes, PollInterval, StaleAfter, MaxAttempts and BacktestMaxBytes must be positive; ContactWindowDays not negative.")
            .ValidateOnStart();
        services.AddScoped<TriggerHandlers>();
        services.AddSingleton<ScanSignal>();
        services.AddSingleton<ScanJobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ScanJobRunner>());
        return services;
    }

    public static IEndpointRouteBuilder MapTriggers(this IEndpointRouteBuilder app)
    {
        var maxBytes = app.ServiceProvider.GetRequiredService<IOptions<TriggerOptions>>().Value.MaxFileBytes;
        var programs = app.MapGroup("/api/programs/{programId:guid}").WithTags("Triggers");
        programs.MapGet("trigger-rules", Rules).RequireAuthorization(Policies.TriggersWork)
            .WithSummary("The trigger rules in force for the program (the shipped library until the program saves its own).");
        programs.MapPut("trigger-rules", SaveRules).RequireAuthorization(Policies.ProgramWrite)
            .WithMetadata(new RequestSizeLimitAttribute(4 << 20))
            .WithSummary("Save a new version of the program's trigger rules (JSON, docs/triggers.md).");
        programs.MapPost("trigger-rules/backtest", RunBacktest).RequireAuthorization(Policies.ProgramWrite)
            .WithMetadata(new RequestSizeLimitAttribute(4 << 20))
            .WithSummary("What a rule set (the program's, or a draft in the body) would have flagged over a period, read from the program's scanned claims files.");
        programs.MapPost("claims-files", Submit).RequireAuthorization(Policies.ClaimsUpload)
            .WithMetadata(new RequestSizeLimitAttribute(maxBytes))
            .WithSummary("Upload an X12 837/278, claims CSV or EOB NDJSON file as the raw request body; it is scanned in the background.");
        programs.MapGet("scan-jobs", Jobs).RequireAuthorization(Policies.ClaimsJobs);
        programs.MapGet("trigger-candidates", Worklist).RequireAuthorization(Policies.TriggersWork)
            .WithSummary("The candidate worklist (Open by default; ?status=Suppressed, Outreach or Dismissed).");
        programs.MapGet("outreach-summary", Summary).RequireAuthorization(Policies.TriggersWork);

        app.MapGet("/api/scan-jobs/{jobId:guid}", Job).RequireAuthorization(Policies.ClaimsJobs).WithTags("Triggers");
        var candidates = app.MapGroup("/api/trigger-candidates/{candidateId:guid}").WithTags("Triggers");
        candidates.MapGet("", Candidate).RequireAuthorization(Policies.TriggersWork);
        candidates.MapPost("outreach", StartOutreach).RequireAuthorization(Policies.TriggersWork)
            .WithSummary("Start outreach: opens a case at Referred for the member, linked to the candidate and its evidence.");
        candidates.MapPost("outcome", Outcome).RequireAuthorization(Policies.TriggersWork);
        candidates.MapPost("dismiss", Dismiss).RequireAuthorization(Policies.TriggersWork);
        return app;
    }

    static async Task<Ok<RuleSetView>> Rules(Guid programId, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RulesAsync(programId, ct));

    static async Task<Ok<RuleSetView>> SaveRules(Guid programId, HttpRequest request, TriggerHandlers handlers, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        return TypedResults.Ok(await handlers.SaveRulesAsync(programId, await reader.ReadToEndAsync(ct), ct));
    }

    static async Task<Ok<BacktestView>> RunBacktest(Guid programId, BacktestRequest request, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.BacktestAsync(programId, request, ct));

    static async Task<Accepted<ScanJobView>> Submit(Guid programId, [FromQuery] string? fileName, [FromQuery] bool? lenient, HttpRequest request,
        TriggerHandlers handlers, ScanSignal signal, CancellationToken ct)
    {
        var job = await handlers.SubmitAsync(programId, request.Body, fileName, lenient ?? false, ct);
        signal.Notify();
        return TypedResults.Accepted($"/api/scan-jobs/{job.Id}", job);
    }

    static async Task<Ok<IReadOnlyList<ScanJobView>>> Jobs(Guid programId, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.JobsAsync(programId, ct));

    static async Task<Ok<ScanJobView>> Job(Guid jobId, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.JobAsync(jobId, ct));

    static async Task<Ok<IReadOnlyList<CandidateView>>> Worklist(Guid programId, [FromQuery] CandidateStatus? status, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.WorklistAsync(programId, status, ct));

    static async Task<Ok<OutreachSummary>> Summary(Guid programId, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SummaryAsync(programId, ct));

    static async Task<Ok<CandidateView>> Candidate(Guid candidateId, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.CandidateAsync(candidateId, ct));

    static async Task<Ok<CandidateView>> StartOutreach(Guid candidateId, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.StartOutreachAsync(candidateId, ct));

    static async Task<Ok<CandidateView>> Outcome(Guid candidateId, OutcomeRequest request, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RecordOutcomeAsync(candidateId, request, ct));

    static async Task<Ok<CandidateView>> Dismiss(Guid candidateId, DismissRequest request, TriggerHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.DismissAsync(candidateId, request, ct));
}

using Consilium.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Physicians;

public static class NetworkApi
{
    public const long MaxImportBytes = 32L * 1024 * 1024;

    public static IServiceCollection AddNetwork(this IServiceCollection services)
    {
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.Section)
            .Validate(o => o.OfferAcceptanceHours is > 0 and <= 24 * 30, "Network:OfferAcceptanceHours is between 0 and 720.")
            .Validate(o => o.DefaultOpinionBusinessDays is >= 1 and <= 60, "Network:DefaultOpinionBusinessDays is between 1 and 60.")
            .Validate(o => o.SweepSeconds >= 0, "Network:SweepSeconds is 0 (off) or more.")
            .ValidateOnStart();
        services.AddScoped<PhysicianHandlers>();
        services.AddScoped<StateRules>();
        services.AddSingleton<NetworkSnapshot>();
        services.AddScoped<MatchingHandlers>();
        services.AddScoped<OfferHandlers>();
        services.AddScoped<StipendHandlers>();
        services.AddHostedService<NetworkSweeper>();
        return services;
    }

    public static IEndpointRouteBuilder MapNetwork(this IEndpointRouteBuilder app)
    {
        var physicians = app.MapGroup("/api/physicians").WithTags("Network");
        physicians.MapGet("", List).RequireAuthorization(Policies.NetworkRead);
        physicians.MapGet("{id:guid}", Get).RequireAuthorization(Policies.NetworkRead);
        physicians.MapPost("import", Import).RequireAuthorization(Policies.NetworkManage)
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithSummary("Import the network file (CSV, docs/network.md) as the raw request body. All or nothing.");
        physicians.MapPost("{id:guid}/status", SetStatus).RequireAuthorization(Policies.NetworkManage);

        var network = app.MapGroup("/api/network").WithTags("Network");
        network.MapGet("licenses/expiring", Expiring).RequireAuthorization(Policies.NetworkRead);
        network.MapGet("coverage", Coverage).RequireAuthorization(Policies.NetworkRead);
        network.MapGet("state-rules", StateRulesList).RequireAuthorization(Policies.NetworkRead);
        network.MapPut("state-rules/{state}", SetStateRule).RequireAuthorization(Policies.NetworkManage);

        var cases = app.MapGroup("/api/cases/{id:guid}").WithTags("Network");
        cases.MapGet("matches", Matches).RequireAuthorization(Policies.CaseAssign);
        cases.MapGet("offers", CaseOffers).RequireAuthorization(Policies.CaseAssign);
        cases.MapPost("offers", MakeOffer).RequireAuthorization(Policies.CaseAssign);

        var offers = app.MapGroup("/api/offers").WithTags("Network");
        offers.MapGet("mine", Mine).RequireAuthorization(Policies.OfferRespond);
        offers.MapPost("{offerId:guid}/accept", Accept).RequireAuthorization(Policies.OfferRespond);
        offers.MapPost("{offerId:guid}/decline", Decline).RequireAuthorization(Policies.OfferRespond);

        var stipends = app.MapGroup("/api/stipends").WithTags("Network");
        stipends.MapGet("statement", Statement).RequireAuthorization(Policies.StipendManage);
        stipends.MapGet("statement.csv", StatementCsv).RequireAuthorization(Policies.StipendManage);
        return app;
    }

    static async Task<Ok<IReadOnlyList<PhysicianSummary>>> List([FromQuery] string? search, [FromQuery] PhysicianStatus? status, PhysicianHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(search, status, ct));

    static async Task<Ok<PhysicianView>> Get(Guid id, PhysicianHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Ok<PhysicianImportResult>> Import([FromQuery] string? fileName, HttpRequest request, PhysicianHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ImportAsync(request.Body, fileName, ct));

    static async Task<Ok<PhysicianView>> SetStatus(Guid id, PhysicianStatusRequest request, PhysicianHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SetStatusAsync(id, request, ct));

    static async Task<Ok<IReadOnlyList<ExpiringLicense>>> Expiring([FromQuery] int? days, PhysicianHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ExpiringAsync(days ?? 90, ct));

    static async Task<Ok<CoverageView>> Coverage(PhysicianHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.CoverageAsync(ct));

    static async Task<Ok<IReadOnlyList<StateRuleView>>> StateRulesList(StateRules rules, CancellationToken ct) => TypedResults.Ok(await rules.ListAsync(ct));

    static async Task<Ok<StateRuleView>> SetStateRule(string state, StateRuleRequest request, StateRules rules, CancellationToken ct) =>
        TypedResults.Ok(await rules.SetAsync(state, request, ct));

    static async Task<Ok<MatchesView>> Matches(Guid id, MatchingHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.MatchAsync(id, ct));

    static async Task<Ok<IReadOnlyList<OfferView>>> CaseOffers(Guid id, OfferHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.ListForCaseAsync(id, ct));

    static async Task<Created<OfferView>> MakeOffer(Guid id, OfferRequest request, OfferHandlers handlers, CancellationToken ct) =>
        TypedResults.Created($"/api/cases/{id}/offers", await handlers.OfferAsync(id, request, ct));

    static async Task<Ok<IReadOnlyList<MyOfferView>>> Mine(OfferHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.MineAsync(ct));

    static async Task<Ok<OfferView>> Accept(Guid offerId, OfferHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.AcceptAsync(offerId, ct));

    static async Task<Ok<OfferView>> Decline(Guid offerId, DeclineRequest request, OfferHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.DeclineAsync(offerId, request, ct));

    static async Task<Ok<StipendStatement>> Statement([FromQuery] string? month, [FromQuery] Guid? physicianId, StipendHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.StatementAsync(month, physicianId, ct));

    static async Task<FileContentHttpResult> StatementCsv([FromQuery] string? month, [FromQuery] Guid? physicianId, StipendHandlers handlers, CancellationToken ct)
    {
        var statement = await handlers.StatementAsync(month, physicianId, ct);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(StipendHandlers.Csv(statement)), "text/csv",
            $"stipends-{statement.Month}{(physicianId is null ? "" : "-" + physicianId.Value.ToString("N")[..8])}.csv");
    }
}

/// <summary>Re-offers cases whose offer was not accepted within its SLA and turns completed opinions into stipends.</summary>
internal sealed partial class NetworkSweeper(IServiceProvider services, IOptions<NetworkOptions> options, ILogger<NetworkSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SweepSeconds == 0) return;
        // Real time, not the injectable clock: the clock decides what is due, the timer only how often to look.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var (expired, stipends) = await SweepOnceAsync(services, stoppingToken);
                if (expired + stipends > 0) LogSwept(logger, expired, stipends);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
    }

    public static async Task<(int Expired, int Stipends)> SweepOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<CurrentActor>().Use(Actor.System("network sweep"), "system");
        var expired = await sp.GetRequiredService<OfferHandlers>().ExpireDueAsync(ct);
        var stipends = await StipendHandlers.AccrueAsync(sp.GetRequiredService<Infrastructure.Persistence.ConsiliumDbContext>(), sp.GetRequiredService<TimeProvider>(), ct);
        return (expired, stipends);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Network sweep: {Expired} offers expired and re-offered, {Stipends} stipends accrued")]
    static partial void LogSwept(ILogger logger, int expired, int stipends);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network sweep failed with {ExceptionType}; it runs again at the next tick")]
    static partial void LogFailed(ILogger logger, string exceptionType);
}

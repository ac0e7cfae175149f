using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Consilium.Features.Health;

public static class HealthEndpoints
{
    public static IServiceCollection AddConsiliumHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddDbContextCheck<ConsiliumDbContext>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>Liveness says the process answers; readiness also says the database does. Neither reveals anything else.</summary>
    public static IEndpointRouteBuilder MapConsiliumHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        return app;
    }
}

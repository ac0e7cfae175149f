using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Consilium.Infrastructure;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in attempts (password or second factor) per client address per minute.</summary>
    public int SignInPerMinute { get; set; } = 10;

    /// <summary>Requests per client address per minute to endpoints open to the public or issuing credentials.</summary>
    public int SensitivePerMinute { get; set; } = 30;
}

/// <summary>Fixed-window limits per client address on the endpoints attackers guess against.</summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Sensitive = "sensitive";

    public static IServiceCollection AddConsiliumRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.Response.WriteAsJsonAsync(new
                {
                    type = "https://tools.ietf.org/html/rfc6585#section-4",
                    title = "Too many requests",
                    status = 429,
                    detail = "Too many attempts from this address. Wait a minute and try again.",
                }, options: null, contentType: "application/problem+json", ct);
            };
            limiter.AddPolicy(SignIn, http => PerClient(http, options.SignInPerMinute, onlyPosts: true));
            limiter.AddPolicy(Sensitive, http => PerClient(http, options.SensitivePerMinute, onlyPosts: false));
        });
        return services;
    }

    static RateLimitPartition<string> PerClient(HttpContext http, int perMinute, bool onlyPosts)
    {
        // Showing the sign-in form costs nothing; only attempts are counted.
        if (onlyPosts && !HttpMethods.IsPost(http.Request.Method)) return RateLimitPartition.GetNoLimiter("get");
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }
}

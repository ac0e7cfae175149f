using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Consilium.Infrastructure;

public sealed class RequestLimitOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body for endpoints that do not declare their own limit (JSON and forms).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// Applies a body size limit to every endpoint: its own <see cref="IRequestSizeLimitMetadata"/> when it declares one
/// (uploads), the small default otherwise. A declared length over the limit is refused before reading anything.
/// </summary>
public static class RequestLimits
{
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var configured = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestLimitOptions>>().Value.MaxBodyBytes;
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } declared ? declared.MaxRequestBodySize : configured;
        if (limit is { } max && context.Request.ContentLength > max)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(new
            {
                type = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                title = "Request body too large",
                status = 413,
                detail = $"This endpoint accepts at most {max:N0} bytes; the request declared {context.Request.ContentLength:N0}.",
            }, options: null, contentType: "application/problem+json");
            return;
        }
        // Bodies without a declared length (chunked) are cut off by the server at the same limit while being read.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        await next();
    });
}

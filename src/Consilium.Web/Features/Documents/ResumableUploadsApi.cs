using System.Globalization;
using Consilium.Features.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Documents;

/// <summary>tus 1.0.0 (https://tus.io/protocols/resumable-upload) for a case's records: core, creation, termination, expiration.</summary>
public static class ResumableUploadsApi
{
    public const string Version = "1.0.0";
    public const string Extensions = "creation,termination,expiration";
    public const string OffsetContentType = "application/offset+octet-stream";
    /// <summary>On the PATCH that completed an upload: the document it became.</summary>
    public const string DocumentHeader = "Consilium-Document";

    internal static IServiceCollection AddResumableUploads(this IServiceCollection services) =>
        services.AddScoped<ResumableUploadHandlers>().AddSingleton<ResumableUploadSweep>().AddHostedService<ResumableUploadSweepTimer>();

    internal static void MapResumableUploads(this IEndpointRouteBuilder app, DocumentsApi.UploadSizeLimit limit)
    {
        var uploads = app.MapGroup("/api/cases/{id:guid}/uploads").WithTags("Resumable uploads")
            .RequireAuthorization(Policies.DocumentsUpload).AddEndpointFilter(TusResumable);
        uploads.MapMethods("", ["OPTIONS"], Options).WithSummary("tus discovery: version, extensions and the largest upload");
        uploads.MapPost("", Create).WithSummary("tus creation: Upload-Length and Upload-Metadata (filename, filetype, kind, recordItemId; base64)");
        uploads.MapMethods("{uploadId:guid}", ["HEAD"], Head).WithSummary("tus: how many bytes of the upload the server holds");
        uploads.MapPatch("{uploadId:guid}", Patch).WithMetadata(limit)
            .WithSummary("tus: append application/offset+octet-stream bytes at Upload-Offset; the last byte hands the file to the document upload");
        uploads.MapDelete("{uploadId:guid}", Terminate).WithSummary("tus termination: the upload and its bytes are deleted");
    }

    /// <summary>Every answer says which protocol it speaks; a request in another version is refused before anything else.</summary>
    static async ValueTask<object?> TusResumable(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.OnStarting(() =>
        {
            http.Response.Headers["Tus-Resumable"] = Version;
            if (http.Response.StatusCode == StatusCodes.Status412PreconditionFailed) http.Response.Headers["Tus-Version"] = Version;
            return Task.CompletedTask;
        });
        if (!HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers["Tus-Resumable"].ToString() != Version)
            throw new DocumentRejectedException(412, "tus-version", "Unsupported tus version",
                $"This server speaks tus {Version}: send the header Tus-Resumable: {Version}.");
        return await next(context);
    }

    static NoContent Options(HttpResponse response, IOptions<DocumentIntakeOptions> options)
    {
        response.Headers["Tus-Version"] = Version;
        response.Headers["Tus-Extension"] = Extensions;
        response.Headers["Tus-Max-Size"] = options.Value.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        return TypedResults.NoContent();
    }

    static async Task<Created> Create(Guid id, HttpRequest request, ResumableUploadHandlers handlers, IAntiforgery antiforgery, CancellationToken ct)
    {
        await RequireAntiforgeryAsync(request, antiforgery);
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
            throw new DocumentRejectedException(400, "upload-length", "Upload-Defer-Length not supported",
                "This server needs the file's size up front in Upload-Length (the creation-defer-length extension is not offered).");
        var length = Number(request, "Upload-Length");
        var state = await handlers.CreateAsync(id, length, request.Headers["Upload-Metadata"].ToString(), ct);
        Expires(request.HttpContext.Response, state);
        return TypedResults.Created($"/api/cases/{id}/uploads/{state.Id}");
    }

    static async Task<Ok> Head(Guid id, Guid uploadId, HttpResponse response, ResumableUploadHandlers handlers, CancellationToken ct)
    {
        var state = await handlers.HeadAsync(id, uploadId, ct);
        response.Headers.CacheControl = "no-store";
        response.Headers["Upload-Offset"] = state.Offset.ToString(CultureInfo.InvariantCulture);
        response.Headers["Upload-Length"] = state.Length.ToString(CultureInfo.InvariantCulture);
        if (state.Metadata is { } metadata) response.Headers["Upload-Metadata"] = metadata;
        if (state.DocumentId is { } documentId) response.Headers[DocumentHeader] = $"/api/documents/{documentId}";
        Expires(response, state);
        return TypedResults.Ok();
    }

    static async Task<NoContent> Patch(Guid id, Guid uploadId, HttpRequest request, ResumableUploadHandlers handlers, IAntiforgery antiforgery, CancellationToken ct)
    {
        await RequireAntiforgeryAsync(request, antiforgery);
        if (!string.Equals(request.ContentType, OffsetContentType, StringComparison.OrdinalIgnoreCase))
            throw new DocumentRejectedException(415, "content-type", "Wrong Content-Type", $"A tus PATCH is sent with Content-Type: {OffsetContentType}.");
        var offset = Number(request, "Upload-Offset")
            ?? throw new DocumentRejectedException(400, "upload-offset", "Upload-Offset missing", "Send the offset the bytes start at in the Upload-Offset header (ask for it with HEAD).");
        var state = await handlers.AppendAsync(id, uploadId, offset, request.ContentLength, request.Body, ct);
        var response = request.HttpContext.Response;
        response.Headers["Upload-Offset"] = state.Offset.ToString(CultureInfo.InvariantCulture);
        Expires(response, state);
        if (state.DocumentId is { } documentId) response.Headers[DocumentHeader] = $"/api/documents/{documentId}";
        return TypedResults.NoContent();
    }

    static async Task<NoContent> Terminate(Guid id, Guid uploadId, HttpRequest request, ResumableUploadHandlers handlers, IAntiforgery antiforgery, CancellationToken ct)
    {
        await RequireAntiforgeryAsync(request, antiforgery);
        await handlers.TerminateAsync(id, uploadId, ct);
        return TypedResults.NoContent();
    }

    static void Expires(HttpResponse response, UploadState state)
    {
        if (state.DocumentId is null) response.Headers["Upload-Expires"] = state.ExpiresAt.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
    }

    static long? Number(HttpRequest request, string header)
    {
        var text = request.Headers[header].ToString();
        if (text.Length == 0) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DocumentRejectedException(400, header.ToLowerInvariant(), $"{header} is not a number", $"{header} is a whole number of bytes, 0 or more.");
    }

    static async Task RequireAntiforgeryAsync(HttpRequest request, IAntiforgery antiforgery)
    {
        // As the ordinary upload: a browser session proves the request comes from our own page; a bearer token is not sent by browsers on their own.
        if (!request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !await antiforgery.IsRequestValidAsync(request.HttpContext))
            throw new DocumentRejectedException(400, "antiforgery", "Missing anti-forgery token",
                "Uploads from a signed-in browser must carry the page's anti-forgery token in the RequestVerificationToken header. Reload the page and try again.");
    }
}

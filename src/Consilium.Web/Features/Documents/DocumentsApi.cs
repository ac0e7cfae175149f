using Consilium.Features.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Consilium.Features.Documents;

public static class DocumentsApi
{
    /// <summary>The uploader's file name, percent-encoded UTF-8 (JavaScript's encodeURIComponent). Display text only.</summary>
    public const string FileNameHeader = "X-File-Name";

    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddOptions<DocumentIntakeOptions>().BindConfiguration(DocumentIntakeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DocumentIntakeOptions>, DocumentIntakeOptionsValidator>();
        return services.AddScoped<DocumentAnalyzer>().AddScoped<DocumentHandlers>().AddResumableUploads();
    }

    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        var limit = new UploadSizeLimit(app.ServiceProvider.GetRequiredService<IOptions<DocumentIntakeOptions>>());
        var cases = app.MapGroup("/api/cases/{id:guid}").WithTags("Documents");
        cases.MapPost("documents", Upload).RequireAuthorization(Policies.DocumentsUpload).WithMetadata(limit)
            .WithSummary("Upload one document as the raw request body")
            .WithDescription($"The body is the file's bytes (any Content-Type), or multipart/form-data whose first part with a file name is the file; its type is decided from the content. Optional header {FileNameHeader}: the file name, percent-encoded UTF-8 (a name, not a path). Query: kind (a record kind), recordItemId. 201 with the new document, 200 with the existing one when the same file is already on the case. Refusals are ProblemDetails with a code: 400 (empty, file-name, multipart-malformed), 403 (no active authorization), 413 (too-large, fhir-too-large), 415 (unsupported-type), 422 (damaged or hostile content: dicom-*, archive-*, pdf-truncated, ...).");
        cases.MapGet("documents", Index).RequireAuthorization(Policies.DocumentsRead);
        cases.MapGet("clinical-timeline", Timeline).RequireAuthorization(Policies.DocumentsRead);
        var documents = app.MapGroup("/api/documents/{documentId:guid}").WithTags("Documents");
        documents.MapGet("", Get).RequireAuthorization(Policies.DocumentsRead);
        documents.MapGet("content", Content).RequireAuthorization(Policies.DocumentsRead);
        documents.MapPost("classification", Classify).RequireAuthorization(Policies.RecordsManage);
        documents.MapPost("patient-confirmation", ConfirmPatient).RequireAuthorization(Policies.RecordsManage);
        app.MapResumableUploads(limit);
        return app;
    }

    static async Task<Results<Created<DocumentView>, Ok<DocumentView>>> Upload(Guid id, HttpRequest request, [FromQuery] Records.RecordKind? kind,
        [FromQuery] Guid? recordItemId, DocumentHandlers handlers, IAntiforgery antiforgery, CancellationToken ct)
    {
        // A browser session proves the upload comes from our own page; a bearer token is not sent by browsers on their own.
        if (!request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !await antiforgery.IsRequestValidAsync(request.HttpContext))
            throw new DocumentRejectedException(400, "antiforgery", "Missing anti-forgery token",
                "Uploads from a signed-in browser must carry the page's anti-forgery token in the RequestVerificationToken header. Reload the page and try again.");
        var name = request.Headers[FileNameHeader].ToString() is { Length: > 0 } encoded ? Uri.UnescapeDataString(encoded) : null;
        var (view, created) = await handlers.UploadAsync(id, request.Body, name, request.ContentType, kind, recordItemId, ct);
        return created ? TypedResults.Created($"/api/documents/{view.Id}", view) : TypedResults.Ok(view);
    }

    static async Task<Ok<PacketIndexView>> Index(Guid id, DocumentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.IndexAsync(id, ct));

    static async Task<Ok<ClinicalTimelineView>> Timeline(Guid id, [FromQuery] ClinicalEntryKind? kind, DocumentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.TimelineAsync(id, kind, ct));

    static async Task<Ok<DocumentView>> Get(Guid documentId, DocumentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.GetAsync(documentId, ct));

    /// <summary>Decrypted as it streams, with range requests; PDFs and images inline unless <c>download=true</c>.</summary>
    static async Task<FileStreamHttpResult> Content(Guid documentId, [FromQuery] bool? download, DocumentHandlers handlers, HttpResponse response, CancellationToken ct)
    {
        var (stream, mediaType, name, inline) = await handlers.OpenContentAsync(documentId, download ?? false, ct);
        if (!inline) return TypedResults.Stream(stream, mediaType, fileDownloadName: name, enableRangeProcessing: true);
        var disposition = new ContentDispositionHeaderValue("inline");
        disposition.SetHttpFileName(name);
        response.Headers.ContentDisposition = disposition.ToString();
        return TypedResults.Stream(stream, mediaType, enableRangeProcessing: true);
    }

    static async Task<Ok<DocumentView>> Classify(Guid documentId, ClassifyDocument request, DocumentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ClassifyAsync(documentId, request, ct));

    static async Task<Ok<DocumentView>> ConfirmPatient(Guid documentId, ConfirmDocumentPatient request, DocumentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ConfirmPatientAsync(documentId, request, ct));

    /// <summary>The upload endpoint's body limit, read from the options on each request (RequestLimits honours it).</summary>
    internal sealed class UploadSizeLimit(IOptions<DocumentIntakeOptions> options) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => options.Value.MaxUploadBytes;
    }
}

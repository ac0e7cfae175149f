using System.Text.Json;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Consilium.Features.Fhir;

/// <summary>
/// The FHIR R4 API under /fhir (JSON only). Each resource type's interactions name the policy of the feature that owns
/// the data, so the roles are those of the rest of the API; the handlers apply the same per-resource checks.
/// </summary>
public static class FhirApi
{
    public const string MediaType = "application/fhir+json";

    internal static readonly JsonSerializerOptions Write = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
    internal static readonly JsonSerializerOptions Read = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);

    /// <summary>Bodies of a transaction: a referral is small; documents do not travel in it.</summary>
    const long MaxTransactionBytes = 1024 * 1024;

    /// <summary>A Binary read as a FHIR resource carries base64 in JSON; larger documents are fetched as raw bytes.</summary>
    const long MaxInlineBinaryBytes = 16 * 1024 * 1024;

    public static IServiceCollection AddFhir(this IServiceCollection services)
    {
        services.AddScoped<FhirHandlers>();
        services.AddScoped<FhirReferralHandlers>();
        return services;
    }

    /// <summary>Errors under /fhir, including the authorization middleware's 401 and 403, are OperationOutcomes.</summary>
    public static IApplicationBuilder UseFhirOperationOutcomes(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/fhir"), branch => branch.Use(FhirOutcomes.HandleAsync));

    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("FHIR").ExcludeFromDescription();
        fhir.MapGet("metadata", Metadata).AllowAnonymous();
        fhir.MapPost("", Transaction).RequireAuthorization(Policies.ReferralCreate);

        fhir.MapGet("Patient", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "Patient", new FhirQuery(h.Request.Query, "_id", "identifier"), f.SearchPatientsAsync, ct)).RequireAuthorization(Policies.MemberRead);
        fhir.MapGet("Patient/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadPatientAsync(id, ct)))
            .RequireAuthorization(Policies.MemberRead);

        fhir.MapGet("ServiceRequest", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "ServiceRequest", new FhirQuery(h.Request.Query, "_id", "identifier", "patient", "subject", "status", "_lastUpdated"), f.SearchServiceRequestsAsync, ct))
            .RequireAuthorization(Policies.CaseRead);
        fhir.MapGet("ServiceRequest/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadServiceRequestAsync(id, ct)))
            .RequireAuthorization(Policies.CaseRead);

        fhir.MapGet("Task", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "Task", new FhirQuery(h.Request.Query, "_id", "identifier", "patient", "subject", "status", "business-status", "_lastUpdated"), f.SearchTasksAsync, ct))
            .RequireAuthorization(Policies.CaseRead);
        fhir.MapGet("Task/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadTaskAsync(id, ct)))
            .RequireAuthorization(Policies.CaseRead);

        fhir.MapGet("Consent", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "Consent", new FhirQuery(h.Request.Query, "_id", "patient"), f.SearchConsentsAsync, ct)).RequireAuthorization(Policies.ConsentRead);
        fhir.MapGet("Consent/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadConsentAsync(id, ct)))
            .RequireAuthorization(Policies.ConsentRead);

        fhir.MapGet("DocumentReference", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "DocumentReference", new FhirQuery(h.Request.Query, "_id", "patient", "subject"), f.SearchDocumentReferencesAsync, ct))
            .RequireAuthorization(Policies.DocumentsRead);
        fhir.MapGet("DocumentReference/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadDocumentReferenceAsync(id, ct)))
            .RequireAuthorization(Policies.DocumentsRead);
        fhir.MapGet("Binary/{id}", Binary).RequireAuthorization(Policies.DocumentsRead);

        fhir.MapGet("ImagingStudy", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "ImagingStudy", new FhirQuery(h.Request.Query, "_id", "patient", "subject"), f.SearchImagingStudiesAsync, ct))
            .RequireAuthorization(Policies.DocumentsRead);
        fhir.MapGet("ImagingStudy/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadImagingStudyAsync(id, ct)))
            .RequireAuthorization(Policies.DocumentsRead);

        fhir.MapGet("DiagnosticReport", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "DiagnosticReport", new FhirQuery(h.Request.Query, "_id", "patient", "subject", "based-on"), (q, c) => f.SearchOpinionsAsync(q, false, c), ct))
            .RequireAuthorization(Policies.OpinionRead);
        fhir.MapGet("DiagnosticReport/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadDiagnosticReportAsync(id, ct)))
            .RequireAuthorization(Policies.OpinionRead);
        fhir.MapGet("Composition", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "Composition", new FhirQuery(h.Request.Query, "_id", "patient", "subject"), (q, c) => f.SearchOpinionsAsync(q, true, c), ct))
            .RequireAuthorization(Policies.OpinionRead);
        fhir.MapGet("Composition/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadCompositionAsync(id, ct)))
            .RequireAuthorization(Policies.OpinionRead);

        fhir.MapGet("AuditEvent", (HttpContext h, FhirHandlers f, CancellationToken ct) =>
            Search(h, "AuditEvent", new FhirQuery(h.Request.Query, "patient", "date"), f.SearchAuditEventsAsync, ct)).RequireAuthorization(Policies.AuditRead);
        fhir.MapGet("AuditEvent/{id}", async (string id, FhirHandlers f, CancellationToken ct) => Resource(await f.ReadAuditEventAsync(id, ct)))
            .RequireAuthorization(Policies.AuditRead);
        return app;
    }

    static IResult Metadata(HttpContext http) => new FhirResult(FhirCapabilities.Statement(BaseUrl(http)));

    static async Task<IResult> Transaction(HttpContext http, FhirReferralHandlers handlers, CancellationToken ct)
    {
        var resource = await ReadBodyAsync(http, ct);
        if (resource is not Bundle bundle)
            throw FhirInputException.Invalid(resource.TypeName, "not-supported", "POST /fhir takes a transaction Bundle.");
        var outcome = await handlers.CreateAsync(bundle, ct);
        return new FhirResult(outcome.Response, 200);
    }

    static async Task<IResult> Binary(string id, HttpContext http, FhirHandlers handlers, CancellationToken ct)
    {
        var (content, document) = await handlers.OpenBinaryAsync(id, ct);
        var accept = http.Request.Headers.Accept.ToString();
        if (accept.Contains("fhir+json", StringComparison.OrdinalIgnoreCase) || accept.Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await using (content)
            {
                if (document.Length > MaxInlineBinaryBytes)
                    throw FhirInputException.Unprocessable("Binary", "too-costly",
                        $"The document is {document.Length:N0} bytes; as a FHIR resource a Binary is served up to {MaxInlineBinaryBytes:N0}. Ask for the raw bytes (Accept: {document.MediaType} or */*).");
                using var buffer = new MemoryStream();
                await content.CopyToAsync(buffer, ct);
                return new FhirResult(new Binary { Id = document.Id.ToString(), ContentType = document.MediaType, Data = buffer.ToArray() });
            }
        }
        http.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = document.FileName, Inline = false }.ToString();
        return TypedResults.Stream(content, document.MediaType);
    }

    static IResult Resource(Resource resource) => new FhirResult(resource);

    static async Task<IResult> Search(HttpContext http, string type, FhirQuery query, Func<FhirQuery, CancellationToken, Task<FhirPage>> search, CancellationToken ct)
    {
        var page = await search(query, ct);
        var url = $"{BaseUrl(http)}/{type}";
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Total = page.Total,
            Link = [new Bundle.LinkComponent { Relation = "self", Url = query.SelfUrl(url) }],
        };
        if (query.NextUrl(url, page.Total) is { } next) bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = next });
        foreach (var resource in page.Resources)
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{BaseUrl(http)}/{resource.TypeName}/{resource.Id}",
                Resource = resource,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        return new FhirResult(bundle);
    }

    internal static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/fhir";

    static async Task<Resource> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        var type = http.Request.ContentType ?? "";
        if (!type.StartsWith(MediaType, StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new FhirInputException(415, [("Content-Type", "not-supported", $"Send the resource as {MediaType}.")]);
        if (http.Request.ContentLength > MaxTransactionBytes)
            throw new FhirInputException(413, [("Bundle", "too-long", $"A referral transaction is at most {MaxTransactionBytes:N0} bytes.")]);
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxTransactionBytes)
            throw new FhirInputException(413, [("Bundle", "too-long", $"A referral transaction is at most {MaxTransactionBytes:N0} bytes.")]);
        buffer.Position = 0;
        return Parse(buffer);
    }

    /// <summary>
    /// A body already in memory as a resource, strictly. Anything the SDK refuses becomes a <see cref="FhirInputException"/>
    /// (a 400 OperationOutcome naming where); no other exception escapes for any input (fuzzed: fuzz/README.md).
    /// </summary>
    internal static Resource Parse(Stream buffer)
    {
        try
        {
            FhirJsonGuard.RejectEmptyPropertyNames(buffer, Read.MaxDepth);
            return JsonSerializer.Deserialize<Resource>(buffer, Read)
                ?? throw FhirInputException.Invalid("Bundle", "structure", "The body is empty.");
        }
        catch (EmptyPropertyNameException e)
        {
            throw FhirInputException.Invalid("Bundle", "structure", e.Message);
        }
        catch (JsonException e)
        {
            throw FhirInputException.Invalid(e.Path ?? "Bundle", "structure", $"Not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).");
        }
        catch (DeserializationFailedException e)
        {
            // The SDK's messages name where each problem is; they go back to the sender only, never to a log.
            throw new FhirInputException(400, e.Exceptions.Take(20).Select(x => ("Bundle", "structure", x.Message)).ToList());
        }
        catch (NotSupportedException)
        {
            throw FhirInputException.Invalid("resourceType", "structure", "The JSON has no FHIR R4 resourceType this server knows.");
        }
    }
}

/// <summary>A FHIR resource as the response, application/fhir+json, with its version as the ETag.</summary>
internal sealed class FhirResult(Resource resource, int status = 200) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = FhirApi.MediaType + "; charset=utf-8";
        if (resource.Meta?.VersionId is { } version) http.Response.Headers.ETag = $"W/\"{version}\"";
        if (resource.Meta?.LastUpdated is { } updated) http.Response.Headers.LastModified = updated.ToString("R");
        await JsonSerializer.SerializeAsync(http.Response.Body, resource, FhirApi.Write, http.RequestAborted);
    }
}

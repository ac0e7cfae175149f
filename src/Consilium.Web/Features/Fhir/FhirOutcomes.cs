using System.Text.Json;
using Consilium.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Consilium.Features.Fhir;

/// <summary>
/// Errors under /fhir as OperationOutcome with the status the rest of the API would answer: the domain's exceptions
/// (through <see cref="ProblemMapping"/>'s table, so the two APIs never disagree), the FHIR layer's own refusals, and
/// empty error responses from authentication, authorization and routing (401, 403, 404, 405, 415).
/// </summary>
internal static class FhirOutcomes
{
    public static async Task HandleAsync(HttpContext http, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (FhirInputException e) when (!http.Response.HasStarted)
        {
            await WriteAsync(http, e.Status, Outcome(e.Issues.Select(i => Issue(IssueCodeOf(i.Code), i.Message, i.Expression))));
            return;
        }
        catch (Exception e) when (!http.Response.HasStarted && ProblemMapping.ToProblem(e) is { } problem)
        {
            await WriteAsync(http, problem.Status ?? 500, FromProblem(problem, e));
            return;
        }
        if (http.Response.StatusCode >= 400 && !http.Response.HasStarted && (http.Response.ContentLength ?? 0) == 0)
        {
            var (code, text) = http.Response.StatusCode switch
            {
                401 => (OperationOutcome.IssueType.Login, "Sign in: send a bearer token (Authorization: Bearer csl_…)."),
                403 => (OperationOutcome.IssueType.Forbidden, "Your role may not use this interaction."),
                404 => (OperationOutcome.IssueType.NotSupported, "This server has no such resource type or interaction; see /fhir/metadata."),
                405 => (OperationOutcome.IssueType.NotSupported, "This interaction is not supported on this resource type; see /fhir/metadata."),
                415 => (OperationOutcome.IssueType.NotSupported, "Send application/fhir+json."),
                _ => (OperationOutcome.IssueType.Processing, "The request failed."),
            };
            await WriteAsync(http, http.Response.StatusCode, Outcome([Issue(code, text, null)]));
        }
    }

    static OperationOutcome FromProblem(ProblemDetails problem, Exception e)
    {
        if (problem is ValidationProblemDetails validation)
            return Outcome(validation.Errors.SelectMany(kv => kv.Value.Select(m => Issue(OperationOutcome.IssueType.Invalid, m, FhirReferralHandlers.FhirPath(kv.Key)))));
        var code = (problem.Status, e) switch
        {
            (404, _) => OperationOutcome.IssueType.NotFound,
            (403, _) => OperationOutcome.IssueType.Forbidden,
            (409, _) or (412, _) or (_, DbUpdateConcurrencyException) => OperationOutcome.IssueType.Conflict,
            (413, _) => OperationOutcome.IssueType.TooLong,
            (415, _) => OperationOutcome.IssueType.NotSupported,
            (>= 500, _) => OperationOutcome.IssueType.Exception,
            _ => OperationOutcome.IssueType.Invalid,
        };
        var issue = Issue(code, problem.Detail ?? problem.Title ?? "The request failed.", null);
        if (problem.Extensions.TryGetValue("caseId", out var caseId) && caseId is not null) issue.Expression = [$"ServiceRequest/{caseId}"];
        return Outcome([issue]);
    }

    public static OperationOutcome Information(string text) =>
        Outcome([new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Information, Code = OperationOutcome.IssueType.Informational, Diagnostics = text }]);

    static OperationOutcome Outcome(IEnumerable<OperationOutcome.IssueComponent> issues) => new() { Issue = issues.ToList() };

    static OperationOutcome.IssueComponent Issue(OperationOutcome.IssueType code, string text, string? expression)
    {
        var issue = new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Error,
            Code = code,
            Details = new CodeableConcept { Text = text },
            Diagnostics = text,
        };
        if (!string.IsNullOrEmpty(expression)) issue.Expression = [expression];
        return issue;
    }

    static OperationOutcome.IssueType IssueCodeOf(string code) => code switch
    {
        "required" => OperationOutcome.IssueType.Required,
        "value" => OperationOutcome.IssueType.Value,
        "structure" => OperationOutcome.IssueType.Structure,
        "not-supported" => OperationOutcome.IssueType.NotSupported,
        "code-invalid" => OperationOutcome.IssueType.CodeInvalid,
        "business-rule" => OperationOutcome.IssueType.BusinessRule,
        "not-found" => OperationOutcome.IssueType.NotFound,
        "too-long" => OperationOutcome.IssueType.TooLong,
        "too-costly" => OperationOutcome.IssueType.TooCostly,
        _ => OperationOutcome.IssueType.Invalid,
    };

    static async Task WriteAsync(HttpContext http, int status, OperationOutcome outcome)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.ContentType = FhirApi.MediaType + "; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, outcome, FhirApi.Write, http.RequestAborted);
    }
}

/// <summary>The CapabilityStatement: only what the endpoints above implement.</summary>
internal static class FhirCapabilities
{
    static readonly (string Type, string[] Interactions, (string Name, SearchParamType Type)[] Search)[] Resources =
    [
        ("Patient", ["read", "search-type"], [("_id", SearchParamType.Token), ("identifier", SearchParamType.Token)]),
        ("ServiceRequest", ["read", "search-type"], [("_id", SearchParamType.Token), ("identifier", SearchParamType.Token), ("patient", SearchParamType.Reference),
            ("subject", SearchParamType.Reference), ("status", SearchParamType.Token), ("_lastUpdated", SearchParamType.Date)]),
        ("Task", ["read", "search-type"], [("_id", SearchParamType.Token), ("identifier", SearchParamType.Token), ("patient", SearchParamType.Reference),
            ("subject", SearchParamType.Reference), ("status", SearchParamType.Token), ("business-status", SearchParamType.Token), ("_lastUpdated", SearchParamType.Date)]),
        ("Consent", ["read", "search-type"], [("_id", SearchParamType.Token), ("patient", SearchParamType.Reference)]),
        ("DocumentReference", ["read", "search-type"], [("_id", SearchParamType.Token), ("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference)]),
        ("Binary", ["read"], []),
        ("ImagingStudy", ["read", "search-type"], [("_id", SearchParamType.Token), ("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference)]),
        ("DiagnosticReport", ["read", "search-type"], [("_id", SearchParamType.Token), ("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference),
            ("based-on", SearchParamType.Reference)]),
        ("Composition", ["read", "search-type"], [("_id", SearchParamType.Token), ("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference)]),
        ("AuditEvent", ["read", "search-type"], [("patient", SearchParamType.Reference), ("date", SearchParamType.Date)]),
    ];

    public static CapabilityStatement Statement(string baseUrl)
    {
        var rest = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Documentation = "Bearer tokens (personal access tokens). Each resource type is served to the roles of the feature that owns the data, with the same per-record checks as the JSON API. Every access is audited. _count (at most 100) and _offset page searches; next links are given.",
            Security = new CapabilityStatement.SecurityComponent
            {
                Description = "Authorization: Bearer <personal access token>. Unsupported search parameters are refused (400), never ignored.",
            },
            Interaction = [new CapabilityStatement.SystemInteractionComponent
            {
                Code = CapabilityStatement.SystemRestfulInteraction.Transaction,
                Documentation = "A referral: ServiceRequest (with an identifier; the create is conditional on it), Patient, optional Practitioner. Opens a case; its Task has the ServiceRequest's id.",
            }],
        };
        foreach (var (type, interactions, search) in Resources)
        {
            var resource = new CapabilityStatement.ResourceComponent
            {
                Type = type,
                Interaction = interactions.Select(i => new CapabilityStatement.ResourceInteractionComponent
                {
                    Code = i == "read" ? CapabilityStatement.TypeRestfulInteraction.Read : CapabilityStatement.TypeRestfulInteraction.SearchType,
                }).ToList(),
                SearchParam = search.Select(p => new CapabilityStatement.SearchParamComponent { Name = p.Name, Type = p.Type }).ToList(),
            };
            if (type == "ServiceRequest") resource.ConditionalCreate = true;
            rest.Resource.Add(resource);
        }
        return new CapabilityStatement
        {
            Url = baseUrl + "/metadata",
            Name = "Consilium",
            Title = "Consilium FHIR R4 API",
            Status = PublicationStatus.Active,
            Date = "2026-12-03",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "Consilium" },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "Consilium second-opinion platform", Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json", "json"],
            Rest = [rest],
        };
    }
}

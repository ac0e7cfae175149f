using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Infrastructure;

/// <summary>
/// Maps the domain's failures, malformed request bodies and lost concurrency races to ProblemDetails.
/// Anything else is a 500 with no internal detail: messages and stack traces never reach a client.
/// </summary>
internal sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem is null)
        {
            // The message is left out on purpose: exception messages can carry values from the request.
            LogUnhandled(logger, exception.GetType().FullName ?? "exception", http.TraceIdentifier, exception.StackTrace ?? "");
            return false;
        }
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    internal static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        NotFoundException e => new ProblemDetails { Status = 404, Title = "Not found", Detail = e.Message },
        ForbiddenException e => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = e.Message },
        PreconditionFailedException e => new ProblemDetails { Status = 412, Title = "Precondition failed", Detail = e.Message },
        ConflictException e => WithExtensions(new ProblemDetails { Status = 409, Title = "Conflict", Detail = e.Message }, e.Extensions),
        RuleViolationException e => Validation(e.Field, e.Message),
        RequestValidationException e => new ValidationProblemDetails(e.Errors.ToDictionary()) { Status = 400, Title = "The request is not valid" },
        DbUpdateConcurrencyException => new ProblemDetails
        {
            Status = 409,
            Title = "Conflict",
            Detail = "The record was changed by someone else since it was read. Reload it and try again.",
        },
        BadHttpRequestException { InnerException: JsonException json } => Validation(JsonField(json.Path), DescribeJsonError(json)),
        BadHttpRequestException e when e.StatusCode == 413 => new ProblemDetails { Status = 413, Title = "Request body too large", Detail = "The request body is larger than this endpoint accepts." },
        BadHttpRequestException e when e.StatusCode == 415 => new ProblemDetails { Status = 415, Title = "Unsupported media type", Detail = "This endpoint accepts application/json." },
        BadHttpRequestException e when BoundParameter(e.Message) is { } parameter => Validation(parameter, "The value is not valid for this parameter."),
        BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Title = "Bad request", Detail = SafeBadRequestDetail(e) },
        _ => null,
    };

    internal static ValidationProblemDetails Validation(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] }) { Status = 400, Title = "The request is not valid" };

    static ProblemDetails WithExtensions(ProblemDetails problem, IReadOnlyDictionary<string, object?> extensions)
    {
        foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        return problem;
    }

    /// <summary>"$.reviewer.name" becomes "reviewer.name"; the document root becomes "body".</summary>
    internal static string JsonField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    /// <summary>
    /// System.Text.Json's messages name CLR types; ours name what the client sent wrong. The raw value is never echoed
    /// back (it may be health information).
    /// </summary>
    static string DescribeJsonError(JsonException json)
    {
        var message = json.Message;
        if (json.Path is null or "$" && message.Contains("missing required properties", StringComparison.Ordinal))
            return message[..message.IndexOf(". Path", StringComparison.Ordinal)].Replace("JSON deserialization for type", "The body of type", StringComparison.Ordinal);
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "This field is not part of the request.";
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            var typeName = ClientTypeName(message);
            return typeName is null ? "The value has the wrong type." : $"The value is not a valid {typeName}.";
        }
        return "The JSON is malformed at this point.";
    }

    static string? ClientTypeName(string message)
    {
        var after = message.Split("could not be converted to ", 2)[1];
        var typeName = after[..after.IndexOf(". Path", StringComparison.Ordinal)];
        var nullable = typeName.StartsWith("System.Nullable`1[", StringComparison.Ordinal);
        if (nullable) typeName = typeName["System.Nullable`1[".Length..].TrimEnd(']');
        var clrType = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        return clrType switch
        {
            null => null,
            { IsEnum: true } => $"value (one of: {string.Join(", ", Enum.GetNames(clrType))})",
            _ when clrType == typeof(string) => "string",
            _ when clrType == typeof(Guid) => "identifier (a UUID)",
            _ when clrType == typeof(int) || clrType == typeof(long) => "whole number",
            _ when clrType == typeof(decimal) || clrType == typeof(double) => "number",
            _ when clrType == typeof(bool) => "boolean (true or false)",
            _ when clrType == typeof(DateOnly) => "date (YYYY-MM-DD)",
            _ when clrType == typeof(DateTimeOffset) || clrType == typeof(DateTime) => "date and time (ISO 8601)",
            _ when clrType.IsArray || clrType.IsGenericType => "list",
            _ => "object",
        };
    }

    /// <summary>
    /// Minimal APIs report a query or route value that does not parse as 'Failed to bind parameter "CaseStatus? Status"
    /// from "x"'. The parameter's name is kept; the value is not echoed.
    /// </summary>
    static string? BoundParameter(string message)
    {
        const string prefix = "Failed to bind parameter \"";
        if (!message.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var end = message.IndexOf('"', prefix.Length);
        if (end < 0) return null;
        var declaration = message[prefix.Length..end];
        var name = declaration[(declaration.LastIndexOf(' ') + 1)..];
        return name.Length == 0 ? null : char.ToLowerInvariant(name[0]) + name[1..];
    }

    static string SafeBadRequestDetail(BadHttpRequestException e) =>
        e.Message.StartsWith("Required parameter", StringComparison.Ordinal) || e.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
            ? e.Message
            : "The request could not be read.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} for request {TraceId} at {StackTrace}")]
    static partial void LogUnhandled(ILogger logger, string exceptionType, string traceId, string stackTrace);
}

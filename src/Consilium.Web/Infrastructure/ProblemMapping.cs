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
        // The handler runs after the endpoint was cleared from the context; the feature keeps the one that failed.
        var requestType = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
        var problem = ToProblem(exception, requestType);
        if (problem is null)
        {
            // The message is left out on purpose: exception messages can carry values from the request.
            LogUnhandled(logger, exception.GetType().FullName ?? "exception", http.TraceIdentifier, exception.StackTrace ?? "");
            return false;
        }
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (problem.Status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status507InsufficientStorage)
            LogUnavailable(logger, exception.GetType().FullName ?? "exception", http.TraceIdentifier, problem.Status.Value);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    internal static ProblemDetails? ToProblem(Exception exception, Type? requestType = null) => exception switch
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
        Storage.DocumentTooLargeException e => new ProblemDetails
        {
            Status = 413,
            Title = "Document too large",
            Detail = $"The document is larger than the limit of {e.LimitBytes:N0} bytes; nothing was stored.",
            Extensions = { ["code"] = "too-large" },
        },
        // The stored copy was altered or damaged: a server-side fault, named as such, and not one byte of it is sent.
        Storage.DocumentIntegrityException => new ProblemDetails
        {
            Status = 500,
            Title = "Stored document failed its integrity check",
            Detail = "The stored copy of this document does not authenticate: it was altered or damaged at rest. Nothing of it was sent. The incident is logged; ask an administrator to restore it from backup.",
            Extensions = { ["code"] = "document-integrity" },
        },
        // The database went away (restart, failover, connection cut) or is refusing connections for a moment. The
        // transaction was rolled back with its connection; the request can be repeated as it was.
        _ when IsTransientDatabaseFailure(exception) => new ProblemDetails
        {
            Status = 503,
            Title = "Database unavailable",
            Detail = $"The database could not be reached or dropped the connection; nothing of this request was saved. Try again in {RetryAfterSeconds} seconds.",
            Extensions = { ["code"] = "database-unavailable" },
        },
        _ when exception is Storage.StorageFullException || IsDiskFull(exception) => new ProblemDetails
        {
            Status = 507,
            Title = "Storage full",
            Detail = "The document storage has no space left; nothing of this request was saved. An administrator has to free or add space.",
            Extensions = { ["code"] = "storage-full" },
        },
        Features.Documents.DocumentRejectedException e => new ProblemDetails { Status = e.Status, Title = e.Title, Detail = e.Message, Extensions = { ["code"] = e.Code } },
        BadHttpRequestException { InnerException: JsonException json } => Validation(JsonField(json.Path), DescribeJsonError(json, requestType)),
        BadHttpRequestException e when e.StatusCode == 413 => new ProblemDetails { Status = 413, Title = "Request body too large", Detail = "The request body is larger than this endpoint accepts." },
        BadHttpRequestException e when e.StatusCode == 415 => new ProblemDetails { Status = 415, Title = "Unsupported media type", Detail = "This endpoint accepts application/json." },
        BadHttpRequestException e when BoundParameter(e.Message) is { } parameter => Validation(parameter, "The value is not valid for this parameter."),
        BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Title = "Bad request", Detail = SafeBadRequestDetail(e) },
        _ => null,
    };

    /// <summary>What a 503 asks the client to wait: about as long as a PostgreSQL restart or a failover takes.</summary>
    internal const int RetryAfterSeconds = 5;

    /// <summary>
    /// A connection-level failure of the database anywhere in the chain: Npgsql's own verdict (socket closed, server
    /// shutting down, too many connections, serialization failure) or SQLite's busy/locked after its timeout.
    /// </summary>
    internal static bool IsTransientDatabaseFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P0", StringComparison.Ordinal)
                                                   || pg.SqlState == "53300" || pg.IsTransient:
                case Npgsql.NpgsqlException { IsTransient: true }:
                case Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 }:
                    return true;
            }
        }
        return false;
    }

    /// <summary>ENOSPC (28) or EDQUOT (122) on Linux, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows, anywhere in the chain.</summary>
    internal static bool IsDiskFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is IOException io && (io.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027))) return true;
        return false;
    }

    internal static ValidationProblemDetails Validation(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] }) { Status = 400, Title = "The request is not valid" };

    /// <summary>A refusal in one line, for a bulk action's per-item result: each field's messages, or the detail.</summary>
    internal static string Reason(ProblemDetails problem) => problem is ValidationProblemDetails v
        ? string.Join(" ", v.Errors.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}")))
        : problem.Detail ?? problem.Title ?? "Refused.";

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
    /// Names what the client sent wrong, in the client's terms. The expected type comes from the endpoint's declared
    /// request type, walked along the JSON path; the raw value is never echoed back (it may be health information).
    /// </summary>
    static string DescribeJsonError(JsonException json, Type? requestType)
    {
        var message = json.Message;
        if (message.Contains("missing required properties", StringComparison.Ordinal))
            return "Required fields are missing.";
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "This field is not part of the request.";
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            var expected = Describe(TypeAt(requestType, json.Path));
            return expected is null ? "The value has the wrong type." : $"The value is not a valid {expected}.";
        }
        return "The JSON is malformed at this point.";
    }

    /// <summary>The CLR type of the member a JSON path like "$.items[2].code" points at, where it can be found.</summary>
    static Type? TypeAt(Type? root, string? path)
    {
        if (root is null || string.IsNullOrEmpty(path)) return null;
        var type = root;
        foreach (var raw in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = raw.Split('[')[0];
            var property = type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null) return null;
            type = property.PropertyType;
            if (raw.Contains('[', StringComparison.Ordinal)) type = ElementType(type) ?? type;
        }
        return type;
    }

    static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    static string? Describe(Type? type)
    {
        if (type is null) return null;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            { IsEnum: true } => $"choice; use one of: {string.Join(", ", Enum.GetNames(type))}",
            _ when type == typeof(string) => "string",
            _ when type == typeof(Guid) => "identifier (a UUID)",
            _ when type == typeof(int) || type == typeof(long) => "whole number",
            _ when type == typeof(decimal) || type == typeof(double) => "number",
            _ when type == typeof(bool) => "boolean (true or false)",
            _ when type == typeof(DateOnly) => "date (YYYY-MM-DD)",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "date and time (ISO 8601)",
            _ when ElementType(type) is { } element && type != typeof(string) => $"list of {Describe(element) ?? "items"}",
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database or storage unavailable ({ExceptionType}) for request {TraceId}; answered {Status}")]
    static partial void LogUnavailable(ILogger logger, string exceptionType, string traceId, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} for request {TraceId} at {StackTrace}")]
    static partial void LogUnhandled(ILogger logger, string exceptionType, string traceId, string stackTrace);
}

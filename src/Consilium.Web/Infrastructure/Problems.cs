namespace Consilium.Infrastructure;

/// <summary>
/// The small set of failures the domain and handlers raise. One exception handler maps them to status codes,
/// so a given kind of failure always looks the same to a client.
/// </summary>
internal abstract class DomainException(string message) : Exception(message);

internal sealed class NotFoundException(string objectType, object id)
    : DomainException($"{objectType} '{id}' was not found.")
{
    public string ObjectType { get; } = objectType;
}

internal class ConflictException(string message, IReadOnlyDictionary<string, object?>? extensions = null)
    : DomainException(message)
{
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}

/// <summary>A request that is well-formed but breaks a business rule; reported against the field it concerns.</summary>
internal sealed class RuleViolationException(string field, string message) : DomainException(message)
{
    public string Field { get; } = field;
}

internal sealed class ForbiddenException(string message) : DomainException(message);

/// <summary>An optimistic-concurrency precondition (If-Match) that no longer holds.</summary>
internal sealed class PreconditionFailedException(string message) : DomainException(message);

/// <summary>Several fields of a request are missing or invalid at once; reported together as a ValidationProblem.</summary>
internal sealed class RequestValidationException(Dictionary<string, string[]> errors)
    : DomainException("The request is not valid: " + string.Join(", ", errors.Keys))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

using Microsoft.Extensions.Primitives;

namespace Consilium.Infrastructure;

/// <summary>An aggregate's version as an HTTP entity tag, so clients can use If-Match for optimistic concurrency.</summary>
internal static class ETags
{
    public static string ForVersion(int version) => $"\"{version}\"";

    /// <summary>The version named by an If-Match header, or null when there is none; a malformed one is a bad request.</summary>
    public static int? ParseIfMatch(StringValues header)
    {
        if (StringValues.IsNullOrEmpty(header)) return null;
        var value = header.ToString().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        value = value.Trim('"');
        return int.TryParse(value, out var version) && version > 0
            ? version
            : throw new RuleViolationException("If-Match", "If-Match must be the case's ETag, e.g. \"3\".");
    }
}

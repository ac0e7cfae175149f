using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Consilium.Features.Fhir;

/// <summary>
/// A search's parameters. Strict: a parameter this server does not support for the resource type is a 400 naming it,
/// never silently ignored (an ignored filter returns more than the client asked for, which here means health information).
/// </summary>
internal sealed class FhirQuery
{
    public const int DefaultCount = 20;
    public const int MaxCount = 100;

    readonly IQueryCollection _query;

    public FhirQuery(IQueryCollection query, params string[] supported)
    {
        _query = query;
        foreach (var key in query.Keys)
        {
            if (key is "_count" or "_offset" or "_format") continue;
            var name = key.Split(':')[0];
            if (!supported.Contains(name))
                throw FhirInputException.Invalid(key, "not-supported",
                    $"The search parameter '{key}' is not supported here. Supported: {string.Join(", ", supported.Append("_count").Append("_offset"))}.");
            if (key.Contains(':'))
                throw FhirInputException.Invalid(key, "not-supported", $"Search modifiers are not supported ('{key}').");
        }
        if (query.TryGetValue("_format", out var format) && !format.All(f => f is "json" or "application/json" or "application/fhir+json"))
            throw FhirInputException.Invalid("_format", "not-supported", "This server speaks JSON only (_format=json).");
        Count = Int("_count", DefaultCount, 0, MaxCount);
        Offset = Int("_offset", 0, 0, int.MaxValue);
    }

    public int Count { get; }
    public int Offset { get; }

    int Int(string name, int fallback, int min, int max)
    {
        var raw = Single(name);
        if (raw is null) return fallback;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
            throw FhirInputException.Invalid(name, "value", $"{name} is a whole number from {min}.");
        return Math.Min(value, max);
    }

    public string? Single(string name)
    {
        if (!_query.TryGetValue(name, out var values)) return null;
        if (values.Count > 1 || values[0]!.Contains(','))
            throw FhirInputException.Invalid(name, "not-supported", $"Give {name} once, with one value.");
        return string.IsNullOrWhiteSpace(values[0]) ? throw FhirInputException.Invalid(name, "value", $"{name} has no value.") : values[0]!.Trim();
    }

    /// <summary>A token: "system|value", "|value" (no system) or "value" (any system).</summary>
    public (string? System, string Value)? Token(string name)
    {
        if (Single(name) is not { } raw) return null;
        var bar = raw.IndexOf('|');
        if (bar < 0) return (null, raw);
        var value = raw[(bar + 1)..];
        if (value.Length == 0) throw FhirInputException.Invalid(name, "value", $"{name} needs a value after the '|'.");
        return (raw[..bar], value);
    }

    /// <summary>A reference to <paramref name="type"/> by id ("Patient/…" or a bare id); an id that is not one of ours matches nothing.</summary>
    public (bool Given, Guid Id) Reference(string name, string type)
    {
        if (Single(name) is not { } raw) return (false, Guid.Empty);
        var id = raw.StartsWith(type + "/", StringComparison.Ordinal) ? raw[(type.Length + 1)..] : raw;
        if (id.Contains('/')) throw FhirInputException.Invalid(name, "value", $"{name} refers to a {type} ('{type}/id' or an id).");
        return (true, Guid.TryParse(id, out var guid) ? guid : Guid.Empty);
    }

    /// <summary>A date search (any number of them, all must hold) as a half-open UTC range [From, To).</summary>
    public (DateTimeOffset? From, DateTimeOffset? To) DateRange(string name)
    {
        if (!_query.TryGetValue(name, out var values)) return (null, null);
        DateTimeOffset? from = null, to = null;
        foreach (var raw in values.SelectMany(v => (v ?? "").Split(',')))
        {
            var prefix = raw.Length > 2 && char.IsLetter(raw[0]) ? raw[..2] : "eq";
            var text = prefix == "eq" && !(raw.Length > 2 && char.IsLetter(raw[0])) ? raw : raw[2..];
            var (start, end) = ParseDate(name, text);
            switch (prefix)
            {
                case "eq": from = Max(from, start); to = Min(to, end); break;
                case "ge": from = Max(from, start); break;
                case "gt": from = Max(from, end); break;
                case "le": to = Min(to, end); break;
                case "lt": to = Min(to, start); break;
                default: throw FhirInputException.Invalid(name, "not-supported", $"{name} supports the prefixes eq, ge, gt, le and lt.");
            }
        }
        return (from, to);
    }

    static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset b) => a is null || b > a ? b : a;
    static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a;

    /// <summary>The instant range a FHIR date or dateTime of any precision covers.</summary>
    static (DateTimeOffset Start, DateTimeOffset End) ParseDate(string name, string text)
    {
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTime.TryParseExact(text, "yyyy", CultureInfo.InvariantCulture, styles, out var y))
            return (new DateTimeOffset(y, TimeSpan.Zero), new DateTimeOffset(y.AddYears(1), TimeSpan.Zero));
        if (DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, styles, out var m))
            return (new DateTimeOffset(m, TimeSpan.Zero), new DateTimeOffset(m.AddMonths(1), TimeSpan.Zero));
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, styles, out var d))
            return (new DateTimeOffset(d, TimeSpan.Zero), new DateTimeOffset(d.AddDays(1), TimeSpan.Zero));
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            at = at.ToUniversalTime();
            var precision = text.Contains('.') ? TimeSpan.FromTicks(1) : TimeSpan.FromSeconds(1);
            return (at, at + precision);
        }
        throw FhirInputException.Invalid(name, "value", $"{name} takes a FHIR date or dateTime (2026-03-02 or 2026-03-02T09:00:00Z), with an optional prefix (ge, gt, le, lt, eq).");
    }

    /// <summary>The URL of the next page, or null on the last one.</summary>
    public string? NextUrl(string resourceUrl, int total)
    {
        if (Count == 0 || Offset + Count >= total) return null;
        var pairs = _query.Where(kv => kv.Key != "_offset")
            .SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"_offset={Offset + Count}");
        return resourceUrl + "?" + string.Join("&", pairs);
    }

    public string SelfUrl(string resourceUrl)
    {
        var pairs = _query.SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}")).ToList();
        return pairs.Count == 0 ? resourceUrl : resourceUrl + "?" + string.Join("&", pairs);
    }

    public static StringValues Empty => StringValues.Empty;
}

/// <summary>A request the FHIR API refuses: becomes an OperationOutcome with the status and, per issue, where the problem is.</summary>
internal sealed class FhirInputException(int status, IReadOnlyList<(string Expression, string Code, string Message)> issues)
    : Exception(string.Join("; ", issues.Select(i => i.Message)))
{
    public int Status { get; } = status;
    public IReadOnlyList<(string Expression, string Code, string Message)> Issues { get; } = issues;

    public static FhirInputException Invalid(string expression, string code, string message) => new(400, [(expression, code, message)]);
    public static FhirInputException Unprocessable(string expression, string code, string message) => new(422, [(expression, code, message)]);
}

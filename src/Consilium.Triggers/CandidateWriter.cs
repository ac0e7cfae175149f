using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Consilium.Triggers;

/// <summary>
/// Candidates as JSON Lines (one camelCase object per line, as the API writes them) or CSV (one row per candidate,
/// lists joined with '|'). docs/triggers.md lists the fields.
/// </summary>
public static class CandidateWriter
{
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "member_id", "trigger_id", "category", "interceptable", "priority", "first_date", "last_date", "estimated_cost", "currency",
        "claim_ids", "authorization_ids", "codes", "sentence", "rules_version",
    ];

    public static void WriteJsonLines(TextWriter writer, IEnumerable<Candidate> candidates)
    {
        foreach (var candidate in candidates)
        {
            writer.Write(JsonSerializer.Serialize(candidate, CandidateJsonContext.Default.Candidate));
            writer.Write('\n');
        }
    }

    public static string ToJson(Candidate candidate) => JsonSerializer.Serialize(candidate, CandidateJsonContext.Default.Candidate);

    public static Candidate? FromJson(string json) => JsonSerializer.Deserialize(json, CandidateJsonContext.Default.Candidate);

    public static void WriteCsv(TextWriter writer, IEnumerable<Candidate> candidates)
    {
        writer.Write(string.Join(',', CsvColumns));
        writer.Write("\r\n");
        foreach (var c in candidates)
        {
            string[] fields =
            [
                c.MemberId, c.TriggerId, c.Category, c.Interceptable ? "true" : "false", c.Priority.ToString(CultureInfo.InvariantCulture),
                Date(c.FirstDate), Date(c.LastDate), c.EstimatedCost?.ToString(CultureInfo.InvariantCulture) ?? "", c.Currency,
                string.Join('|', c.ClaimIds), string.Join('|', c.AuthorizationIds), string.Join('|', c.Codes), c.Sentence, c.RulesVersion,
            ];
            writer.Write(string.Join(',', fields.Select(Quote)));
            writer.Write("\r\n");
        }
    }

    /// <summary>Reads the member, trigger and first date of every line of an earlier JSONL output, for deduplication across runs.</summary>
    public static List<PreviousCandidate> ReadPrevious(string path)
    {
        var result = new List<PreviousCandidate>();
        int line = 0;
        foreach (var text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                var c = JsonSerializer.Deserialize(text, CandidateJsonContext.Default.PreviousLine)
                    ?? throw new JsonException("empty line");
                if (c.MemberId is null || c.TriggerId is null || c.FirstDate is null) throw new JsonException("memberId, triggerId and firstDate are required");
                result.Add(new PreviousCandidate(c.MemberId, c.TriggerId, c.FirstDate.Value));
            }
            catch (JsonException e)
            {
                throw new FormatException($"{path}: line {line}: not a candidate line: {e.Message}");
            }
        }
        return result;
    }

    static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal sealed class PreviousLine
    {
        public string? MemberId { get; set; }
        public string? TriggerId { get; set; }
        public DateOnly? FirstDate { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Candidate))]
[JsonSerializable(typeof(CandidateWriter.PreviousLine))]
internal sealed partial class CandidateJsonContext : JsonSerializerContext;

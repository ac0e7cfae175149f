using System.Globalization;
using System.Text;
using Consilium.Infrastructure;
using Sylvan.Data.Csv;

namespace Consilium.Features.Outcomes;

/// <summary>
/// The frame both program files share (history of cases, disability episodes; docs/metrics.md): a header naming the
/// columns in any order and case, then one record per line, each keyed by an id column that is required, at most 80
/// characters and unique in the file. Blank lines are skipped. A bad row is refused with its line and column and none
/// of the file is used; messages never quote a value.
/// </summary>
internal static class ImportCsv
{
    static readonly CsvDataReaderOptions Options = new() { HasHeaders = true, HeaderComparer = StringComparer.OrdinalIgnoreCase, Delimiter = ',' };

    /// <param name="keyColumn">The id column checked before <paramref name="parse"/> sees the row (<see cref="ImportCsvRow.Key"/>).</param>
    /// <param name="records">What a row is, in the plural, for the refusal of a file without any ("cases").</param>
    public static List<T> Read<T>(Stream stream, IReadOnlyList<string> requiredColumns, string keyColumn, string records, Func<ImportCsvRow, T> parse)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        CsvDataReader csv;
        try { csv = CsvDataReader.Create(text, Options); }
        catch (Exception e) when (e is CsvFormatException or CsvMissingHeadersException)
        {
            throw new RuleViolationException("file", "line 1: the header cannot be read as CSV.");
        }
        using (csv)
        {
            var ordinals = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < csv.FieldCount; i++) ordinals.TryAdd(csv.GetName(i).Trim(), i);
            var missing = requiredColumns.Where(c => !ordinals.ContainsKey(c)).ToList();
            if (missing.Count > 0)
                throw new RuleViolationException("file", $"line 1: the header has no {string.Join(", ", missing.Select(m => $"'{m}'"))} column (see docs/metrics.md).");

            var rows = new List<T>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var keyName = keyColumn.Replace('_', ' ');
            var row = new ImportCsvRow(csv, ordinals);
            while (true)
            {
                try
                {
                    if (!csv.Read()) break;
                }
                catch (CsvFormatException e)
                {
                    throw new RuleViolationException("file", $"line {e.RowNumber + 1}: the row is not valid CSV (an unclosed quote?).");
                }
                if (Enumerable.Range(0, csv.RowFieldCount).All(i => string.IsNullOrWhiteSpace(csv.GetString(i)))) continue;
                row.Line = csv.RowNumber + 1;
                var key = row.Required(keyColumn);
                if (key.Length > 80) throw row.At(keyColumn, "at most 80 characters.");
                if (seen.TryGetValue(key, out var first)) throw row.At(keyColumn, $"the same {keyName} is already on line {first}.");
                seen[key] = row.Line;
                row.Key = key;
                rows.Add(parse(row));
            }
            if (rows.Count == 0) throw new RuleViolationException("file", $"line 2: the file has a header but no {records}.");
            return rows;
        }
    }
}

/// <summary>The current row of an <see cref="ImportCsv"/> file: its fields, trimmed, and refusals located at its line.</summary>
internal sealed class ImportCsvRow
{
    readonly CsvDataReader csv;
    readonly Dictionary<string, int> ordinals;

    internal ImportCsvRow(CsvDataReader csv, Dictionary<string, int> ordinals) => (this.csv, this.ordinals) = (csv, ordinals);

    /// <summary>The row's line in the file (the header is line 1).</summary>
    public int Line { get; internal set; }

    /// <summary>The row's id, already checked: present, at most 80 characters, not on an earlier line.</summary>
    public string Key { get; internal set; } = "";

    public RuleViolationException At(string column, string message) => new("file", $"line {Line}, column {column}: {message}");

    /// <summary>The trimmed value, or null when the column is absent, short in this row, or empty.</summary>
    public string? Field(string name)
    {
        if (!ordinals.TryGetValue(name, out var i) || i >= csv.RowFieldCount) return null;
        var value = csv.GetString(i).Trim();
        return value.Length == 0 ? null : value;
    }

    public string Required(string name) => Field(name) ?? throw At(name, "this column is required.");

    public DateOnly Date(string name, string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw At(name, "not a date in the form YYYY-MM-DD.");
}

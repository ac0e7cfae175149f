using System.Globalization;
using System.Text;
using Consilium.Infrastructure;
using Sylvan.Data.Csv;

namespace Consilium.Features.Physicians;

public sealed record PhysicianRow(long Line, PhysicianProfile Profile);

/// <summary>
/// Reads the network file (docs/network.md): one physician per line, a header naming the columns in any order and case.
/// Lists inside a field are separated by ';'. Every row is checked before anything is written; the first problem rejects
/// the file with its line and column.
/// </summary>
public static class PhysicianCsv
{
    public static readonly IReadOnlyList<string> RequiredColumns = ["npi", "name", "specialty"];

    public static readonly IReadOnlyList<string> OptionalColumns =
        ["subspecialty", "email", "boards", "licenses", "imlc", "languages", "weekly_capacity", "stipend", "affiliations", "status"];

    public const int MaxRows = 50_000;

    static readonly CsvDataReaderOptions Options = new() { HasHeaders = true, HeaderComparer = StringComparer.OrdinalIgnoreCase, Delimiter = ',' };

    static RuleViolationException Error(string position, string message) => new("file", $"{position}: {message}");

    public static List<PhysicianRow> Read(Stream stream)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        CsvDataReader csv;
        try
        {
            csv = CsvDataReader.Create(text, Options);
        }
        catch (Exception e) when (e is CsvFormatException or CsvMissingHeadersException)
        {
            throw Error("line 1", "the header cannot be read as CSV.");
        }
        using (csv)
        {
            var ordinals = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < csv.FieldCount; i++) ordinals.TryAdd(csv.GetName(i).Trim(), i);
            var missing = RequiredColumns.Where(c => !ordinals.ContainsKey(c)).ToList();
            if (csv.FieldCount == 0 || (missing.Count == RequiredColumns.Count && !csv.HasRows))
                throw Error("line 1", "the file is empty: a network file starts with a header line (see docs/network.md).");
            if (missing.Count > 0)
                throw Error("line 1", $"the header has no {string.Join(", ", missing.Select(m => $"'{m}'"))} column (see docs/network.md).");
            var unknown = ordinals.Keys.Where(k => !RequiredColumns.Contains(k, StringComparer.OrdinalIgnoreCase) && !OptionalColumns.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unknown.Count > 0)
                throw Error("line 1", $"unknown column {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the columns are {string.Join(", ", RequiredColumns.Concat(OptionalColumns))}.");

            var rows = new List<PhysicianRow>();
            var npis = new Dictionary<string, long>(StringComparer.Ordinal);
            var emails = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                try
                {
                    if (!csv.Read()) break;
                }
                catch (CsvFormatException e)
                {
                    throw Error($"line {e.RowNumber + 1}", "the row is not valid CSV (an unclosed quote?).");
                }
                var line = csv.RowNumber + 1;
                var at = $"line {line}";
                if (Enumerable.Range(0, csv.RowFieldCount).All(i => string.IsNullOrWhiteSpace(csv.GetString(i)))) continue;
                if (rows.Count >= MaxRows) throw Error(at, $"the file has more than {MaxRows:N0} physicians; split it.");
                string? Field(string name)
                {
                    if (!ordinals.TryGetValue(name, out var i) || i >= csv.RowFieldCount) return null;
                    var value = csv.GetString(i).Trim();
                    return value.Length == 0 ? null : value;
                }
                RuleViolationException Bad(string column, string message) => Error(at, $"{column}: {message}");
                string Required(string name) => Field(name) ?? throw Bad(name, "this column is required.");

                var npi = Required("npi");
                if (!Npi.IsValid(npi)) throw Bad("npi", "not a valid NPI (ten digits, starting with 1 or 2, with a check digit).");
                if (npis.TryGetValue(npi, out var firstNpi)) throw Bad("npi", $"the same NPI is already on line {firstNpi}.");
                npis[npi] = line;

                var name = Required("name");
                if (name.Length > 200) throw Bad("name", "longer than 200 characters.");
                var specialty = Taxonomy.CanonicalSpecialty(Required("specialty"))
                    ?? throw Bad("specialty", $"not in the taxonomy; one of: {string.Join(", ", Taxonomy.Specialties)}.");
                string? subspecialty = null;
                if (Field("subspecialty") is { } sub)
                {
                    subspecialty = Taxonomy.Find(specialty, sub)?.Name
                        ?? throw Bad("subspecialty", $"not a subspecialty of {specialty}; one of: {string.Join(", ", Taxonomy.Of(specialty).Select(s => s.Name))}.");
                }

                var email = Field("email");
                if (email is not null)
                {
                    if (email.Length > 256 || email.IndexOf('@') is < 1 || email.EndsWith('@')) throw Bad("email", "not an email address.");
                    if (emails.TryGetValue(email, out var firstEmail)) throw Bad("email", $"the same email is already on line {firstEmail}.");
                    emails[email] = line;
                }

                var boards = new List<BoardCertification>();
                foreach (var entry in List(Field("boards")))
                {
                    var parts = entry.Split(':', 2, StringSplitOptions.TrimEntries);
                    if (parts[0].Length is 0 or > 200) throw Bad("boards", $"'{Clip(entry)}' is not 'Board name' or 'Board name:YYYY-MM-DD'.");
                    boards.Add(new BoardCertification(parts[0], parts.Length == 2 ? Date(parts[1]) ?? throw Bad("boards", $"'{Clip(parts[1])}' is not a date (YYYY-MM-DD).") : null));
                }

                var licenses = new List<StateLicense>();
                var index = 0;
                foreach (var entry in List(Field("licenses")))
                {
                    index++;
                    var parts = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length is < 4 or > 5)
                        throw Bad("licenses", $"licence {index} ('{Clip(entry)}') is not 'STATE NUMBER ISSUED EXPIRES' with an optional 'IMLC'.");
                    var state = UsStates.Normalize(parts[0]) ?? throw Bad("licenses", $"licence {index}: '{Clip(parts[0])}' is not a US state or territory code.");
                    if (licenses.Exists(l => l.State == state)) throw Bad("licenses", $"licence {index}: a second licence in {state}; a physician holds one per state.");
                    if (parts[1].Length > 40) throw Bad("licenses", $"licence {index}: the number is longer than 40 characters.");
                    var issued = Date(parts[2]) ?? throw Bad("licenses", $"licence {index}: '{Clip(parts[2])}' is not an issue date (YYYY-MM-DD).");
                    var expires = Date(parts[3]) ?? throw Bad("licenses", $"licence {index}: '{Clip(parts[3])}' is not an expiry date (YYYY-MM-DD).");
                    if (expires < issued) throw Bad("licenses", $"licence {index} in {state} expires before it is issued.");
                    var compact = parts.Length == 5 && (string.Equals(parts[4], "IMLC", StringComparison.OrdinalIgnoreCase)
                        ? true : throw Bad("licenses", $"licence {index}: '{Clip(parts[4])}' should be IMLC or nothing."));
                    licenses.Add(new StateLicense(state, parts[1], issued, expires, compact));
                }

                var imlc = Field("imlc") switch
                {
                    null or "no" or "No" or "NO" or "false" or "n" or "N" or "0" => false,
                    "yes" or "Yes" or "YES" or "true" or "y" or "Y" or "1" => true,
                    var other => throw Bad("imlc", $"'{Clip(other)}' is not yes or no."),
                };

                var languages = new List<string>();
                foreach (var entry in List(Field("languages")))
                {
                    var code = Languages.Normalize(entry) ?? throw Bad("languages", $"'{Clip(entry)}' is not a known language (an ISO 639-1 code such as en, es, zh, or its English name).");
                    if (!languages.Contains(code)) languages.Add(code);
                }
                if (languages.Count == 0) languages.Add("en");

                var capacity = 3;
                if (Field("weekly_capacity") is { } cap
                    && (!int.TryParse(cap, NumberStyles.None, CultureInfo.InvariantCulture, out capacity) || capacity > Physician.MaxWeeklyCapacity))
                    throw Bad("weekly_capacity", $"'{Clip(cap)}' is not a whole number of cases a week from 0 to {Physician.MaxWeeklyCapacity}.");

                var stipend = 0m;
                if (Field("stipend") is { } money)
                {
                    var plain = money.TrimStart('$');
                    if (!decimal.TryParse(plain, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out stipend)
                        || stipend > Physician.MaxStipend || decimal.Round(stipend, 2) != stipend)
                        throw Bad("stipend", $"'{Clip(money)}' is not an amount in dollars and cents from 0 to {Physician.MaxStipend:N0}.");
                }

                var affiliations = List(Field("affiliations")).ToList();
                if (affiliations.Any(a => a.Length > 200)) throw Bad("affiliations", "an affiliation is longer than 200 characters.");

                var status = Field("status") is { } s
                    ? Enum.TryParse<PhysicianStatus>(s, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                        : throw Bad("status", $"'{Clip(s)}' is not active or paused.")
                    : PhysicianStatus.Active;

                rows.Add(new PhysicianRow(line, new PhysicianProfile(npi, name, specialty, subspecialty, email, boards, licenses, imlc,
                    languages, capacity, stipend, affiliations, status)));
            }
            return rows;
        }
    }

    static IEnumerable<string> List(string? field) =>
        field is null ? [] : field.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static DateOnly? Date(string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>Echo at most a short piece of what was sent, so an error names the value without repeating a whole field.</summary>
    static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

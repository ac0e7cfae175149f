using System.Globalization;
using System.Text;
using Consilium.Features.Members;
using Consilium.Infrastructure;
using Consilium.X12;
using Sylvan.Data.Csv;

namespace Consilium.Features.Eligibility;

/// <summary>What one roster record asks for: the member as stated, or the end of a member's coverage.</summary>
public enum RosterAction
{
    Upsert,
    Terminate,
}

/// <param name="Position">Where the record is, for messages: "line 7" of a CSV, "segment 43" of an 834.</param>
public sealed record RosterRecord(string Position, RosterAction Action, MemberRosterData Data);

/// <summary>A roster file that cannot be applied, located by line (CSV) or segment (834). Nothing of it is written.</summary>
internal static class RosterError
{
    public static RuleViolationException At(string position, string message) => new("file", $"{position}: {message}");
}

/// <summary>
/// Reads a roster CSV (docs/rosters.md) into records, checking every row. The header names the columns, in any order
/// and any case; unknown columns are ignored. Dates are YYYY-MM-DD.
/// </summary>
public static class RosterCsv
{
    public static readonly IReadOnlyList<string> RequiredColumns = ["member_id", "first_name", "last_name", "date_of_birth", "sex", "state"];

    public static readonly IReadOnlyList<string> OptionalColumns =
        ["plan", "coverage_start", "coverage_end", "relationship", "subscriber_id", "email", "phone", "preferred_language"];

    static readonly CsvDataReaderOptions Options = new()
    {
        HasHeaders = true,
        HeaderComparer = StringComparer.OrdinalIgnoreCase,
        Delimiter = ',',
    };

    public static List<RosterRecord> Read(Stream stream)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        CsvDataReader csv;
        try
        {
            csv = CsvDataReader.Create(text, Options);
        }
        catch (Exception e) when (e is CsvFormatException or CsvMissingHeadersException)
        {
            throw RosterError.At("line 1", "the header cannot be read as CSV.");
        }
        using (csv)
        {
            var ordinals = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < csv.FieldCount; i++) ordinals.TryAdd(csv.GetName(i).Trim(), i);
            var missing = RequiredColumns.Where(c => !ordinals.ContainsKey(c)).ToList();
            if (csv.FieldCount == 0 || (missing.Count == RequiredColumns.Count && !csv.HasRows))
                throw RosterError.At("line 1", "the file is empty: a roster starts with a header line (see docs/rosters.md).");
            if (missing.Count > 0)
                throw RosterError.At("line 1", $"the header has no {string.Join(", ", missing.Select(m => $"'{m}'"))} column (see docs/rosters.md).");
            var hasContact = ordinals.ContainsKey("email") || ordinals.ContainsKey("phone") || ordinals.ContainsKey("preferred_language");

            var records = new List<RosterRecord>();
            var seen = new Dictionary<string, long>(StringComparer.Ordinal);
            while (true)
            {
                try
                {
                    if (!csv.Read()) break;
                }
                catch (CsvFormatException e)
                {
                    throw RosterError.At($"line {e.RowNumber + 1}", "the row is not valid CSV (an unclosed quote?).");
                }
                // Sylvan numbers data rows from 1 and the header is line 1. A quoted field spanning lines would shift
                // this; a roster has no use for one.
                var line = csv.RowNumber + 1;
                var position = $"line {line}";
                string? Field(string name)
                {
                    if (!ordinals.TryGetValue(name, out var i) || i >= csv.RowFieldCount) return null;
                    var value = csv.GetString(i).Trim();
                    return value.Length == 0 ? null : value;
                }
                if (Enumerable.Range(0, csv.RowFieldCount).All(i => string.IsNullOrWhiteSpace(csv.GetString(i)))) continue;

                string Required(string name) => Field(name) ?? throw RosterError.At(position, $"{name}: this column is required.");
                var memberId = Required("member_id");
                if (seen.TryGetValue(memberId, out var first))
                    throw RosterError.At(position, $"member_id: the same member id is already on line {first}.");
                seen[memberId] = line;

                var data = new MemberRosterData(
                    memberId, Required("first_name"), Required("last_name"),
                    Date(position, "date_of_birth", Required("date_of_birth")),
                    ParseSex(position, Required("sex")),
                    Required("state"),
                    Field("plan"),
                    Field("coverage_start") is { } start ? Date(position, "coverage_start", start) : null,
                    Field("coverage_end") is { } end ? Date(position, "coverage_end", end) : null,
                    ParseRelationship(position, Field("relationship")),
                    Field("subscriber_id"),
                    hasContact ? new RosterContact(Field("email"), Field("phone"), Field("preferred_language")) : null);
                records.Add(new RosterRecord(position, RosterAction.Upsert, data));
            }
            return records;
        }
    }

    static DateOnly Date(string position, string column, string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw RosterError.At(position, $"{column}: not a date in the form YYYY-MM-DD.");

    static Sex ParseSex(string position, string value) => value.ToUpperInvariant() switch
    {
        "F" or "FEMALE" => Sex.Female,
        "M" or "MALE" => Sex.Male,
        "O" or "OTHER" or "X" => Sex.Other,
        "U" or "UNKNOWN" => Sex.Unknown,
        _ => throw RosterError.At(position, "sex: use F, M, O or U."),
    };

    static MemberRelationship ParseRelationship(string position, string? value) => value?.ToUpperInvariant() switch
    {
        null or "SELF" or "18" => MemberRelationship.Self,
        "SPOUSE" or "01" => MemberRelationship.Spouse,
        "CHILD" or "19" => MemberRelationship.Child,
        "OTHER" => MemberRelationship.Other,
        _ => throw RosterError.At(position, "relationship: use self, spouse, child or other."),
    };
}

/// <summary>
/// Reads an X12 834 (005010X220A1) into roster records with the platform's X12 reader: additions (021), changes (001),
/// reinstatements (025) and audit or compare records (030) state the member; terminations (024) end coverage.
/// </summary>
public static class Roster834
{
    public static List<RosterRecord> Read(Stream stream, string fileName)
    {
        var events = new List<EnrollmentEvent>();
        try
        {
            X12Reader.Read(stream, fileName, e =>
            {
                if (e is EnrollmentEvent enrollment) events.Add(enrollment);
                else throw new NotAnEnrollmentException(e.Transaction?.TransactionSetId ?? "?", e.ByteOffset);
            }, X12ReaderOptions.Strict);
        }
        catch (X12FormatException e)
        {
            throw RosterError.At(e.SegmentNumber > 0 ? $"segment {e.SegmentNumber}{(e.SegmentId is null ? "" : $" ({e.SegmentId})")}" : $"byte {e.ByteOffset}", e.Detail);
        }
        catch (NotAnEnrollmentException e)
        {
            throw RosterError.At(Position(stream, e.ByteOffset), $"this is a {e.SetId} transaction, not an 834 benefit enrollment.");
        }

        var records = new List<RosterRecord>(events.Count);
        foreach (var e in events)
        {
            var position = Position(stream, e.ByteOffset);
            var version = e.Transaction?.ImplementationVersion;
            if (version is not null && !version.StartsWith("005010X220", StringComparison.Ordinal))
                throw RosterError.At(position, $"the 834 is version {version}; this importer reads 005010X220A1.");
            var member = e.Member;
            if (string.IsNullOrWhiteSpace(member.LastName)) throw RosterError.At(position, "NM1*IL (loop 2100A) has no last name.");
            if (string.IsNullOrWhiteSpace(member.FirstName)) throw RosterError.At(position, "NM1*IL (loop 2100A) has no first name.");
            if (member.BirthDate is not { } birth) throw RosterError.At(position, "the member has no DMG date of birth.");
            if (string.IsNullOrWhiteSpace(e.State)) throw RosterError.At(position, "the member has no N4 state of residence.");

            var health = e.Coverages.FirstOrDefault(c => c.InsuranceLine == "HLT") ?? e.Coverages.FirstOrDefault();
            var action = e.MaintenanceType switch
            {
                "021" or "001" or "025" or "030" => RosterAction.Upsert,
                "024" => RosterAction.Terminate,
                var other => throw RosterError.At(position, $"INS03 maintenance type '{other}' is not one of 021, 001, 024, 025, 030."),
            };
            var data = new MemberRosterData(
                member.MemberId, member.FirstName!, member.LastName!, birth,
                member.Sex switch { "F" => Sex.Female, "M" => Sex.Male, _ => Sex.Unknown },
                e.State!,
                health?.Plan,
                e.EligibilityBegin ?? health?.Begin,
                e.EligibilityEnd ?? health?.End,
                member.Relationship switch
                {
                    "18" => MemberRelationship.Self,
                    "01" => MemberRelationship.Spouse,
                    "19" or "09" or "10" or "17" => MemberRelationship.Child,
                    _ => MemberRelationship.Other,
                },
                member.IsSubscriber ? null : member.SubscriberId);
            records.Add(new RosterRecord(position, action, data));
        }
        return records;
    }

    /// <summary>
    /// "segment N" for a byte offset: the reader's events carry offsets, and a person opening the file counts segments.
    /// Counts segment terminators (the ISA's 106th character) before the offset; a cold path, run once per message.
    /// </summary>
    static string Position(Stream stream, long offset)
    {
        if (offset < 0 || !stream.CanSeek) return "the file";
        var saved = stream.Position;
        try
        {
            stream.Position = 0;
            var buffer = new byte[64 * 1024];
            long read = 0, segments = 0;
            int terminator = -1, isaStart = -1;
            var head = new List<byte>(256);
            while (read < offset)
            {
                var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, offset - read));
                if (n == 0) break;
                for (var i = 0; i < n; i++)
                {
                    var b = buffer[i];
                    if (terminator < 0)
                    {
                        head.Add(b);
                        if (isaStart < 0 && head.Count >= 3 && head[^3] == 'I' && head[^2] == 'S' && head[^1] == 'A') isaStart = head.Count - 3;
                        if (isaStart >= 0 && head.Count == isaStart + 106) terminator = b;
                        else continue;
                    }
                    if (b == terminator) segments++;
                }
                read += n;
            }
            return $"segment {segments + 1}";
        }
        finally
        {
            stream.Position = saved;
        }
    }

    sealed class NotAnEnrollmentException(string setId, long byteOffset) : Exception
    {
        public string SetId { get; } = setId;
        public long ByteOffset { get; } = byteOffset;
    }
}

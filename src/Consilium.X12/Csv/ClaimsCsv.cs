using System.Globalization;
using System.Text;
using Sylvan.Data.Csv;

namespace Consilium.X12;

/// <summary>
/// Reads the claims CSV described in docs/claims-csv.md: one row per service line, consecutive rows with the
/// same claim_id form a claim. Built on Sylvan's CsvDataReader; spans are read straight from its buffer and
/// only the values a claim keeps become strings.
/// </summary>
public static class ClaimsCsvReader
{
    public static ClaimFileResult Read(Stream stream, string fileName, Action<ClaimEvent> onClaim, X12ErrorMode mode = X12ErrorMode.Strict)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        using var csv = CsvDataReader.Create(text, Options);
        var state = new State(csv, fileName, onClaim, mode);
        while (csv.Read()) state.Row();
        state.Finish();
        return state.Result;
    }

    public static async Task<ClaimFileResult> ReadAsync(Stream stream, string fileName, Action<ClaimEvent> onClaim,
        X12ErrorMode mode = X12ErrorMode.Strict, CancellationToken cancellationToken = default)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        await using var csv = await CsvDataReader.CreateAsync(text, Options, cancellationToken).ConfigureAwait(false);
        var state = new State(csv, fileName, onClaim, mode);
        while (await csv.ReadAsync(cancellationToken).ConfigureAwait(false)) state.Row();
        state.Finish();
        return state.Result;
    }

    static readonly CsvDataReaderOptions Options = new()
    {
        HasHeaders = true,
        HeaderComparer = StringComparer.OrdinalIgnoreCase,
    };

    /// <summary>Column names, in the order <see cref="ClaimsCsvWriter"/> writes them.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "member_id", "subscriber_id", "member_last_name", "member_first_name", "member_birth_date", "member_sex",
        "claim_id", "claim_type", "frequency_code", "place_of_service", "total_charge", "billing_npi",
        "diagnosis_codes", "icd_version", "icd_procedure_codes",
        "line_number", "service_from", "service_to", "procedure_code", "modifiers", "revenue_code", "units",
        "line_charge", "rendering_npi",
    ];

    sealed class State
    {
        readonly CsvDataReader csv;
        readonly string fileName;
        readonly Action<ClaimEvent> onClaim;
        readonly bool lenient;
        readonly Dictionary<string, int> ordinals = new(StringComparer.OrdinalIgnoreCase);
        public readonly ClaimFileResult Result;

        // The claim being assembled from consecutive rows.
        string? claimId;
        long claimLine;
        bool claimFailed;
        Member? member;
        ClaimType claimType;
        string? frequency, pos, billingNpi;
        decimal totalCharge;
        Diagnosis[] diagnoses = [];
        ProcedureCode[] procedures = [];
        readonly List<ServiceLine> lines = [];

        public State(CsvDataReader csv, string fileName, Action<ClaimEvent> onClaim, X12ErrorMode mode)
        {
            this.csv = csv;
            this.fileName = fileName;
            this.onClaim = onClaim;
            lenient = mode == X12ErrorMode.Lenient;
            Result = new ClaimFileResult(fileName);
            for (int i = 0; i < csv.FieldCount; i++) ordinals[csv.GetName(i)] = i;
            foreach (var required in (string[])["member_id", "claim_id", "claim_type"])
            {
                if (!ordinals.ContainsKey(required))
                    throw new ClaimFileFormatException(new ClaimFileError(fileName, 1, $"the header has no '{required}' column (see docs/claims-csv.md)"));
            }
        }

        // Sylvan numbers data rows from 1; the header is line 1 of the file. A quoted field spanning lines
        // would shift this, which the claims CSV layout has no use for.
        long Line => csv.RowNumber + 1;

        public void Row()
        {
            Result.RecordCount++;
            var id = Text("claim_id");
            if (id != claimId)
            {
                Flush();
                StartClaim(id);
            }
            if (claimFailed) return;
            try
            {
                AddRow();
            }
            catch (ClaimFileFormatException ex) when (lenient)
            {
                claimFailed = true;
                Result.errors.Add(ex.Error);
            }
        }

        void StartClaim(string? id)
        {
            claimId = id;
            claimLine = Line;
            claimFailed = false;
            lines.Clear();
            try
            {
                if (string.IsNullOrEmpty(id)) throw Error("claim_id", "expected a claim identifier, found nothing");
                var memberId = Text("member_id");
                if (string.IsNullOrEmpty(memberId)) throw Error("member_id", "expected a member identifier, found nothing");
                member = new Member
                {
                    MemberId = memberId,
                    SubscriberId = Text("subscriber_id") ?? memberId,
                    LastName = Text("member_last_name"),
                    FirstName = Text("member_first_name"),
                    BirthDate = Date("member_birth_date"),
                    Sex = Text("member_sex"),
                };
                claimType = Text("claim_type")?.ToLowerInvariant() switch
                {
                    "professional" or "p" => ClaimType.Professional,
                    "institutional" or "i" => ClaimType.Institutional,
                    var other => throw Error("claim_type", $"expected professional or institutional, found '{other}'"),
                };
                frequency = Text("frequency_code");
                pos = Text("place_of_service");
                billingNpi = Text("billing_npi");
                totalCharge = Decimal("total_charge") ?? 0;
                var icd10 = (Text("icd_version") ?? "10") switch
                {
                    "10" => true,
                    "9" => false,
                    var other => throw Error("icd_version", $"expected 10 or 9, found '{other}'"),
                };
                diagnoses = Diagnoses(Text("diagnosis_codes"), icd10);
                procedures = Split(Text("icd_procedure_codes"))
                    .Select((code, i) => new ProcedureCode(icd10 ? (i == 0 ? "BBR" : "BBQ") : (i == 0 ? "BR" : "BQ"), code))
                    .ToArray();
            }
            catch (ClaimFileFormatException ex) when (lenient)
            {
                claimFailed = true;
                Result.errors.Add(ex.Error);
            }
        }

        void AddRow()
        {
            var memberId = Text("member_id");
            if (memberId != member!.MemberId)
                throw Error("member_id", $"claim {claimId} starts on line {claimLine} for member '{member.MemberId}' but this row says '{memberId}'");
            var lineNumber = Decimal("line_number") is { } n ? (int)n : lines.Count + 1;
            var from = Date("service_from");
            var to = Date("service_to") ?? from;
            var procedure = Text("procedure_code");
            var revenue = Text("revenue_code");
            if (procedure is null && revenue is null) throw Error("procedure_code", "expected a procedure_code or a revenue_code on every service line");
            var rendering = Text("rendering_npi");
            lines.Add(new ServiceLine
            {
                LineNumber = lineNumber,
                ProcedureQualifier = procedure is null ? null : "HC",
                ProcedureCode = procedure,
                Modifiers = Split(Text("modifiers")),
                RevenueCode = revenue,
                Charge = Decimal("line_charge") ?? 0,
                Units = Decimal("units"),
                PlaceOfService = pos,
                ServiceFrom = from,
                ServiceTo = to,
                RenderingProvider = rendering is null ? null : new ProviderRef("82", "XX", rendering, null),
            });
        }

        void Flush()
        {
            if (claimId is null) return;
            if (claimFailed)
            {
                Result.SkippedClaimCount++;
                return;
            }
            DateOnly? from = null, to = null;
            foreach (var line in lines)
            {
                if (line.ServiceFrom is { } f && (from is null || f < from)) from = f;
                if (line.ServiceTo is { } t && (to is null || t > to)) to = t;
            }
            var claim = new ClaimEvent
            {
                FileName = fileName,
                LineNumber = claimLine,
                Format = ClaimFormat.Csv,
                ClaimType = claimType,
                Member = member!,
                ClaimId = claimId,
                TotalCharge = totalCharge,
                PlaceOfService = pos,
                FacilityCodeQualifier = claimType == ClaimType.Institutional ? "A" : "B",
                FrequencyCode = frequency,
                ServiceFrom = from,
                ServiceTo = to,
                Diagnoses = diagnoses,
                Procedures = procedures,
                Lines = lines.ToArray(),
                BillingProvider = billingNpi is null ? null : new ProviderRef("85", "XX", billingNpi, null),
                RenderingProvider = lines.Count > 0 ? lines[0].RenderingProvider : null,
            };
            Result.ClaimCount++;
            Result.ServiceLineCount += lines.Count;
            onClaim(claim);
        }

        public void Finish()
        {
            Flush();
            claimId = null;
        }

        Diagnosis[] Diagnoses(string? value, bool icd10)
        {
            var codes = Split(value);
            var result = new Diagnosis[codes.Length];
            for (int i = 0; i < codes.Length; i++)
            {
                var code = codes[i].Replace(".", "", StringComparison.Ordinal);
                if (code.Length is < 3 or > 7 || !code.All(char.IsAsciiLetterOrDigit))
                    throw Error("diagnosis_codes", $"expected ICD codes separated by '|', found '{codes[i]}'");
                result[i] = new Diagnosis(icd10 ? (i == 0 ? "ABK" : "ABF") : (i == 0 ? "BK" : "BF"), code);
            }
            return result;
        }

        static string[] Split(string? value) =>
            string.IsNullOrWhiteSpace(value) ? [] : value.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        string? Text(string column)
        {
            if (!ordinals.TryGetValue(column, out int i) || i >= csv.RowFieldCount) return null;
            var span = csv.GetFieldSpan(i).Trim();
            return span.IsEmpty ? null : span.ToString();
        }

        DateOnly? Date(string column)
        {
            var text = Text(column);
            if (text is null) return null;
            if (DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            throw Error(column, $"expected a date (yyyy-MM-dd), found '{text}'");
        }

        decimal? Decimal(string column)
        {
            var text = Text(column);
            if (text is null) return null;
            if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
            throw Error(column, $"expected a number, found '{text}'");
        }

        ClaimFileFormatException Error(string column, string message) =>
            new(new ClaimFileError(fileName, Line, $"column {column}: {message}"));
    }
}

/// <summary>Writes claims in the CSV layout <see cref="ClaimsCsvReader"/> reads (docs/claims-csv.md).</summary>
public sealed class ClaimsCsvWriter(TextWriter writer)
{
    bool headerWritten;

    public void Write(ClaimEvent claim)
    {
        if (!headerWritten)
        {
            writer.WriteLine(string.Join(',', ClaimsCsvReader.Columns));
            headerWritten = true;
        }
        bool icd10 = claim.Diagnoses.Count == 0 || claim.Diagnoses[0].CodeSystem == CodeSystem.Icd10Cm;
        var claimFields = new[]
        {
            claim.Member.MemberId, claim.Member.SubscriberId, claim.Member.LastName, claim.Member.FirstName,
            claim.Member.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), claim.Member.Sex,
            claim.ClaimId, claim.ClaimType == ClaimType.Institutional ? "institutional" : "professional",
            claim.FrequencyCode, claim.PlaceOfService, claim.TotalCharge.ToString(CultureInfo.InvariantCulture), claim.BillingNpi,
            string.Join('|', claim.Diagnoses.Select(d => d.Code)), icd10 ? "10" : "9",
            string.Join('|', claim.Procedures.Select(p => p.Code)),
        };
        var lines = claim.Lines.Count > 0 ? claim.Lines : [new ServiceLine { ServiceFrom = claim.ServiceFrom, ServiceTo = claim.ServiceTo }];
        foreach (var line in lines)
        {
            var lineFields = new[]
            {
                line.LineNumber.ToString(CultureInfo.InvariantCulture),
                line.ServiceFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                line.ServiceTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                line.ProcedureCode, string.Join('|', line.Modifiers), line.RevenueCode,
                line.Units?.ToString(CultureInfo.InvariantCulture), line.Charge.ToString(CultureInfo.InvariantCulture),
                line.RenderingNpi ?? claim.RenderingNpi,
            };
            writer.WriteLine(string.Join(',', claimFields.Concat(lineFields).Select(Quote)));
        }
    }

    static string Quote(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }
}

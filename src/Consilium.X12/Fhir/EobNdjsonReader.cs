using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Consilium.X12;

/// <summary>
/// Reads FHIR R4 ExplanationOfBenefit resources, one per line (NDJSON, as a bulk export writes them), in
/// the CARIN Blue Button shape, into <see cref="ClaimEvent"/>s. System.Text.Json directly, no FHIR model:
/// a bulk export can be gigabytes and the claim needs a dozen fields. Lines of other resource types are
/// counted and passed over.
/// </summary>
/// <remarks>
/// Mapping: identifier of type "uc" (else id) → ClaimId; patient.identifier.value, else the id in
/// patient.reference → MemberId; type claim-type institutional → Institutional, anything else Professional;
/// billablePeriod → service dates; diagnosis (type principal first) → Diagnoses with the X12 qualifiers
/// ABK/ABJ/ABF (ICD-10-CM) or BK/BJ/BF (ICD-9-CM), codes without dots; procedure → ICD procedures;
/// item → service lines (productOrService, modifier, revenue, servicedDate/servicedPeriod,
/// locationCodeableConcept, submitted adjudication amount); total submitted → TotalCharge; an NPI
/// identifier on provider → billing NPI, on a careTeam member with role performing/rendering → rendering NPI.
/// </remarks>
public static class EobNdjsonReader
{
    const string NpiSystem = "http://hl7.org/fhir/sid/us-npi";

    public static ClaimFileResult Read(Stream stream, string fileName, Action<ClaimEvent> onClaim, X12ErrorMode mode = X12ErrorMode.Strict)
    {
        var state = new LineReader(stream);
        var result = new ClaimFileResult(fileName);
        while (state.TryReadLine(out var line, out long lineNumber))
            Handle(line, lineNumber, fileName, onClaim, mode, result);
        return result;
    }

    public static async Task<ClaimFileResult> ReadAsync(Stream stream, string fileName, Action<ClaimEvent> onClaim,
        X12ErrorMode mode = X12ErrorMode.Strict, CancellationToken cancellationToken = default)
    {
        var state = new LineReader(stream);
        var result = new ClaimFileResult(fileName);
        while (true)
        {
            while (state.TryReadBufferedLine(out var line, out long lineNumber))
                Handle(line, lineNumber, fileName, onClaim, mode, result);
            if (!await state.FillAsync(cancellationToken).ConfigureAwait(false)) break;
        }
        if (state.TryReadLine(out var last, out long lastNumber)) Handle(last, lastNumber, fileName, onClaim, mode, result);
        return result;
    }

    static void Handle(ReadOnlySpan<byte> line, long lineNumber, string fileName, Action<ClaimEvent> onClaim, X12ErrorMode mode, ClaimFileResult result)
    {
        if (line.Trim(" \t\r"u8).IsEmpty) return;
        result.RecordCount++;
        ClaimEvent? claim;
        try
        {
            claim = Parse(line, lineNumber, fileName, result);
        }
        catch (Exception ex) when (ex is JsonException or ClaimFileFormatException or InvalidOperationException or FormatException)
        {
            var error = ex as ClaimFileFormatException ?? new ClaimFileFormatException(
                new ClaimFileError(fileName, lineNumber, ex is JsonException ? $"not valid JSON: {ex.Message}" : ex.Message));
            if (mode == X12ErrorMode.Strict) throw error;
            result.errors.Add(error.Error);
            result.SkippedClaimCount++;
            return;
        }
        if (claim is null) return;
        result.ClaimCount++;
        result.ServiceLineCount += claim.Lines.Count;
        onClaim(claim);
    }

    static ClaimEvent? Parse(ReadOnlySpan<byte> line, long lineNumber, string fileName, ClaimFileResult result)
    {
        using var doc = JsonDocument.Parse(line.ToArray());
        var eob = doc.RootElement;
        var resourceType = Str(eob, "resourceType");
        if (resourceType != "ExplanationOfBenefit")
        {
            if (resourceType is null) throw Fail("expected a FHIR resource with a resourceType");
            result.OtherResourceCount++;
            return null;
        }

        string? claimId = null;
        if (eob.TryGetProperty("identifier", out var identifiers))
        {
            foreach (var identifier in identifiers.EnumerateArray())
            {
                if (HasCode(identifier, "type", "uc") || claimId is null) claimId = Str(identifier, "value") ?? claimId;
            }
        }
        claimId ??= Str(eob, "id") ?? throw Fail("expected an identifier or an id for the claim");

        string? memberId = null;
        if (eob.TryGetProperty("patient", out var patient))
        {
            memberId = patient.TryGetProperty("identifier", out var pid) ? Str(pid, "value") : null;
            if (memberId is null && Str(patient, "reference") is { } reference)
                memberId = reference[(reference.LastIndexOf('/') + 1)..];
        }
        if (string.IsNullOrEmpty(memberId)) throw Fail("expected patient.reference or patient.identifier (the member)");

        bool institutional = eob.TryGetProperty("type", out var type) && Codes(type).Contains("institutional");
        DateOnly? from = null, to = null;
        if (eob.TryGetProperty("billablePeriod", out var period))
        {
            from = Date(Str(period, "start"));
            to = Date(Str(period, "end")) ?? from;
        }

        var diagnoses = new List<(int Sequence, Diagnosis Diagnosis)>();
        if (eob.TryGetProperty("diagnosis", out var dxs))
        {
            foreach (var dx in dxs.EnumerateArray())
            {
                if (!dx.TryGetProperty("diagnosisCodeableConcept", out var concept) || FirstCoding(concept) is not var (system, code) || code is null) continue;
                bool icd10 = system is null || !system.Contains("icd-9", StringComparison.OrdinalIgnoreCase);
                var kinds = dx.TryGetProperty("type", out var dxType) ? dxType.EnumerateArray().SelectMany(Codes).ToList() : [];
                var qualifier = kinds.Contains("principal") ? "BK" : kinds.Contains("admitting") ? "BJ" : "BF";
                int sequence = dx.TryGetProperty("sequence", out var seq) && seq.TryGetInt32(out int s) ? s : diagnoses.Count + 1;
                diagnoses.Add((sequence, new Diagnosis(icd10 ? "A" + qualifier : qualifier, code.Replace(".", "", StringComparison.Ordinal))));
            }
        }
        var orderedDiagnoses = diagnoses.OrderBy(d => d.Diagnosis.IsPrincipal ? 0 : 1).ThenBy(d => d.Sequence).Select(d => d.Diagnosis).ToArray();

        var procedures = new List<ProcedureCode>();
        if (eob.TryGetProperty("procedure", out var procs))
        {
            foreach (var proc in procs.EnumerateArray())
            {
                if (!proc.TryGetProperty("procedureCodeableConcept", out var concept) || FirstCoding(concept) is not var (system, code) || code is null) continue;
                bool principal = proc.TryGetProperty("type", out var procType) && procType.EnumerateArray().SelectMany(Codes).Contains("principal");
                bool icd9 = system?.Contains("icd-9", StringComparison.OrdinalIgnoreCase) == true;
                var qualifier = icd9 ? (principal ? "BR" : "BQ") : (principal ? "BBR" : "BBQ");
                var item = new ProcedureCode(qualifier, code.Replace(".", "", StringComparison.Ordinal), Date(Str(proc, "date")));
                if (principal) procedures.Insert(0, item);
                else procedures.Add(item);
            }
        }

        var lines = new List<ServiceLine>();
        string? pos = null;
        if (eob.TryGetProperty("item", out var items))
        {
            foreach (var item in items.EnumerateArray())
            {
                var (qualifierSystem, procedure) = item.TryGetProperty("productOrService", out var product) ? FirstCoding(product) ?? default : default;
                var revenue = item.TryGetProperty("revenue", out var rev) ? FirstCoding(rev)?.Code : null;
                var linePos = item.TryGetProperty("locationCodeableConcept", out var loc) ? FirstCoding(loc)?.Code : null;
                pos ??= linePos;
                DateOnly? lineFrom = Date(Str(item, "servicedDate")), lineTo = lineFrom;
                if (item.TryGetProperty("servicedPeriod", out var served))
                {
                    lineFrom = Date(Str(served, "start"));
                    lineTo = Date(Str(served, "end")) ?? lineFrom;
                }
                var modifiers = item.TryGetProperty("modifier", out var mods)
                    ? mods.EnumerateArray().Select(m => FirstCoding(m)?.Code).OfType<string>().ToArray()
                    : [];
                lines.Add(new ServiceLine
                {
                    LineNumber = item.TryGetProperty("sequence", out var seq) && seq.TryGetInt32(out int s) ? s : lines.Count + 1,
                    ProcedureQualifier = procedure is null ? null : "HC",
                    ProcedureCode = procedure,
                    Modifiers = modifiers,
                    RevenueCode = revenue,
                    Charge = Amount(item, "adjudication", "submitted") ?? 0,
                    Units = item.TryGetProperty("quantity", out var qty) && qty.TryGetProperty("value", out var qv) && qv.TryGetDecimal(out var q) ? q : null,
                    PlaceOfService = linePos,
                    ServiceFrom = lineFrom,
                    ServiceTo = lineTo,
                });
            }
        }

        ProviderRef? billing = eob.TryGetProperty("provider", out var provider) ? Provider(provider, "85") : null;
        ProviderRef? rendering = null;
        if (eob.TryGetProperty("careTeam", out var team))
        {
            foreach (var member in team.EnumerateArray())
            {
                if (!member.TryGetProperty("role", out var role)) continue;
                var roles = Codes(role);
                if ((roles.Contains("performing") || roles.Contains("rendering")) && member.TryGetProperty("provider", out var p))
                    rendering ??= Provider(p, "82");
            }
        }

        if (from is null && lines.Count > 0)
        {
            from = lines.Min(l => l.ServiceFrom);
            to = lines.Max(l => l.ServiceTo);
        }

        return new ClaimEvent
        {
            FileName = fileName,
            LineNumber = lineNumber,
            Format = ClaimFormat.FhirEob,
            ClaimType = institutional ? ClaimType.Institutional : ClaimType.Professional,
            Member = new Member { MemberId = memberId, SubscriberId = memberId },
            ClaimId = claimId,
            TotalCharge = Amount(eob, "total", "submitted") ?? lines.Sum(l => l.Charge),
            PlaceOfService = pos,
            FacilityCodeQualifier = institutional ? "A" : "B",
            ServiceFrom = from,
            ServiceTo = to,
            Diagnoses = orderedDiagnoses,
            Procedures = procedures.ToArray(),
            Lines = lines.ToArray(),
            BillingProvider = billing,
            RenderingProvider = rendering,
        };

        ClaimFileFormatException Fail(string message) => new(new ClaimFileError(fileName, lineNumber, message));
    }

    /// <summary>A Reference: an NPI identifier when present, else the reference itself with no qualifier.</summary>
    static ProviderRef? Provider(JsonElement reference, string entityCode)
    {
        if (reference.TryGetProperty("identifier", out var identifier) && Str(identifier, "system") == NpiSystem)
            return new ProviderRef(entityCode, "XX", Str(identifier, "value"), Str(reference, "display"));
        var text = Str(reference, "reference");
        return text is null ? null : new ProviderRef(entityCode, null, text, Str(reference, "display"));
    }

    static decimal? Amount(JsonElement owner, string property, string category)
    {
        if (!owner.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array) return null;
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.TryGetProperty("category", out var cat) && Codes(cat).Contains(category)
                && entry.TryGetProperty("amount", out var amount) && amount.TryGetProperty("value", out var value) && value.TryGetDecimal(out var d))
                return d;
        }
        return null;
    }

    static bool HasCode(JsonElement owner, string property, string code) =>
        owner.TryGetProperty(property, out var concept) && Codes(concept).Contains(code);

    static IEnumerable<string> Codes(JsonElement concept)
    {
        if (concept.ValueKind != JsonValueKind.Object || !concept.TryGetProperty("coding", out var codings)) yield break;
        foreach (var coding in codings.EnumerateArray())
            if (Str(coding, "code") is { } code) yield return code;
    }

    static (string? System, string? Code)? FirstCoding(JsonElement concept)
    {
        if (concept.ValueKind != JsonValueKind.Object || !concept.TryGetProperty("coding", out var codings)) return null;
        foreach (var coding in codings.EnumerateArray()) return (Str(coding, "system"), Str(coding, "code"));
        return null;
    }

    static string? Str(JsonElement owner, string property) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static DateOnly? Date(string? value)
    {
        if (value is null) return null;
        // FHIR date or dateTime: the first 10 characters are the calendar date.
        return value.Length >= 10 && DateOnly.TryParseExact(value.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new FormatException($"expected a FHIR date (yyyy-MM-dd), found '{value}'");
    }

    /// <summary>Splits a stream into lines over one growing buffer; a line is a span valid until the next call.</summary>
    sealed class LineReader(Stream stream)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        int start, end;
        long lineNumber;
        bool eof;

        public bool TryReadLine(out ReadOnlySpan<byte> line, out long number)
        {
            while (!TryReadBufferedLine(out line, out number))
            {
                if (eof) return TryTakeRest(out line, out number);
                Fill(stream.Read(Prepare()));
            }
            return true;
        }

        public bool TryReadBufferedLine(out ReadOnlySpan<byte> line, out long number)
        {
            int nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (nl < 0)
            {
                line = default;
                number = 0;
                return false;
            }
            line = buffer.AsSpan(start, nl);
            start += nl + 1;
            number = ++lineNumber;
            return true;
        }

        public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (eof) return false;
            Prepare();
            Fill(await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false));
            return true;
        }

        bool TryTakeRest(out ReadOnlySpan<byte> line, out long number)
        {
            line = buffer.AsSpan(start, end - start);
            start = end;
            number = line.IsEmpty ? 0 : ++lineNumber;
            return !line.IsEmpty;
        }

        Span<byte> Prepare()
        {
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }
            if (end == buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, end).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            return buffer.AsSpan(end);
        }

        void Fill(int read)
        {
            if (read == 0) eof = true;
            else end += read;
        }
    }
}

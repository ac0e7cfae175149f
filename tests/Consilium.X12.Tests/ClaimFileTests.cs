using System.Text;
using System.Text.Json.Nodes;

namespace Consilium.X12.Tests;

public class ClaimsCsvTests
{
    const string Csv = """
        member_id,claim_id,claim_type,service_from,service_to,diagnosis_codes,procedure_code,modifiers,revenue_code,place_of_service,billing_npi,rendering_npi,line_charge,total_charge,frequency_code,icd_procedure_codes
        M1,C1,professional,2025-01-05,2025-01-05,M4316|M5416,22630,62|LT,,22,1234567893,1987654321,5000.00,5200.00,1,
        M1,C1,professional,2025-01-06,2025-01-06,,20936,,,22,1234567893,1987654321,200.00,5200.00,1,
        M2,C2,institutional,2025-02-01,2025-02-04,M1711|I10,27447,,0360,11,1234567893,,30000,30000,1,0SRC0J9
        """;

    static (List<ClaimEvent> Claims, ClaimFileResult Result) Read(string csv, X12ErrorMode mode = X12ErrorMode.Strict)
    {
        var claims = new List<ClaimEvent>();
        var result = ClaimsCsvReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "claims.csv", claims.Add, mode);
        return (claims, result);
    }

    [Fact]
    public void Read_RowsPerServiceLine_GroupedIntoClaims()
    {
        var (claims, result) = Read(Csv);

        Assert.Equal((3, 2, 3), (result.RecordCount, result.ClaimCount, result.ServiceLineCount));
        var spine = claims[0];
        Assert.Equal(("M1", "C1", ClaimType.Professional, ClaimFormat.Csv), (spine.Member.MemberId, spine.ClaimId, spine.ClaimType, spine.Format));
        Assert.Equal(["M4316", "M5416"], spine.Diagnoses.Select(d => d.Code));
        Assert.True(spine.Diagnoses[0].IsPrincipal);
        Assert.Equal(["22630", "20936"], spine.Lines.Select(l => l.ProcedureCode));
        Assert.Equal(["62", "LT"], spine.Lines[0].Modifiers);
        Assert.Equal((new DateOnly(2025, 1, 5), new DateOnly(2025, 1, 6)), (spine.ServiceFrom, spine.ServiceTo));
        Assert.Equal((5200m, "22", "1234567893", "1987654321"), (spine.TotalCharge, spine.PlaceOfService, spine.BillingNpi, spine.RenderingNpi));
        Assert.Equal(2, spine.LineNumber);
        var knee = claims[1];
        Assert.Equal((ClaimType.Institutional, "0360", "0SRC0J9"), (knee.ClaimType, knee.Lines[0].RevenueCode, knee.Procedures[0].Code));
        Assert.Equal(CodeSystem.Icd10Pcs, knee.Procedures[0].CodeSystem);
    }

    [Fact]
    public void Read_BadRowStrict_FailsWithLineNumberAndColumn()
    {
        var bad = Csv.Replace("200.00,5200.00", "2OO.00,5200.00", StringComparison.Ordinal);

        var ex = Assert.Throws<ClaimFileFormatException>(() => Read(bad));

        Assert.Equal("claims.csv: line 3: column line_charge: expected a number, found '2OO.00'", ex.Message);
    }

    [Fact]
    public void Read_BadRowLenient_SkipsItsClaimAndReportsTheLine()
    {
        var bad = Csv.Replace("M1,C1,professional,2025-01-06", "M1,C1,dental,2025-01-06", StringComparison.Ordinal)
            .Replace("M2,C2,institutional,2025-02-01", "M2,C2,institutional,02/01/2025", StringComparison.Ordinal);

        var (claims, result) = Read(bad, X12ErrorMode.Lenient);

        // Line 3 only repeats claim-level columns of C1, so C1 survives; line 4's date fails C2.
        Assert.Equal(["C1"], claims.Select(c => c.ClaimId));
        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.LineNumber);
        Assert.Contains("service_from", error.Message);
        Assert.Equal(1, result.SkippedClaimCount);
    }

    [Fact]
    public void Read_MissingRequiredColumn_FailsOnTheHeader()
    {
        var ex = Assert.Throws<ClaimFileFormatException>(() => Read("claim_id,claim_type\nC1,professional\n"));

        Assert.Equal(1, ex.LineNumber);
        Assert.Contains("member_id", ex.Message);
    }

    [Fact]
    public void Read_ClaimChangingMemberMidway_IsAnError()
    {
        var bad = Csv.Replace("M1,C1,professional,2025-01-06", "M9,C1,professional,2025-01-06", StringComparison.Ordinal);

        var ex = Assert.Throws<ClaimFileFormatException>(() => Read(bad));

        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("claim C1 starts on line 2 for member 'M1'", ex.Message);
    }

    [Fact]
    public void WriteThenRead_X12Claims_RoundTripThroughCsv()
    {
        var x12 = SharedData.Read(SharedData.X12("837p", "oopfactory__5010_Example1_2_And_3_Combined.txt")).Events.Cast<ClaimEvent>().ToList();
        var text = new StringWriter();
        var writer = new ClaimsCsvWriter(text);
        foreach (var claim in x12) writer.Write(claim);

        var (claims, result) = Read(text.ToString());

        Assert.Equal(x12.Count, claims.Count);
        Assert.Equal(x12.Sum(c => c.Lines.Count), result.ServiceLineCount);
        for (int i = 0; i < x12.Count; i++)
        {
            Assert.Equal(x12[i].ClaimId, claims[i].ClaimId);
            Assert.Equal(x12[i].Member.MemberId, claims[i].Member.MemberId);
            Assert.Equal(x12[i].TotalCharge, claims[i].TotalCharge);
            Assert.Equal(x12[i].Diagnoses.Select(d => d.Code), claims[i].Diagnoses.Select(d => d.Code));
            Assert.Equal(x12[i].Lines.Select(l => (l.ProcedureCode, l.Charge, string.Join('|', l.Modifiers))), claims[i].Lines.Select(l => (l.ProcedureCode, l.Charge, string.Join('|', l.Modifiers))));
        }
    }
}

public class EobNdjsonTests
{
    static readonly string[] CarinFiles =
    [
        "ExplanationOfBenefit_ProfessionalEOBExample1.json",
        "ExplanationOfBenefit_InpatientEOBExample1.json",
        "ExplanationOfBenefit_OutpatientEOBExample1.json",
        "Patient_ExamplePatient1.json",
    ];

    /// <summary>The CARIN examples are pretty-printed single resources; NDJSON wants one per line.</summary>
    static string Ndjson(params string[] files) => string.Concat(files.Select(f =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData.Root, "fhir", "carin-bb", f)))!.ToJsonString() + "\n"));

    static (List<ClaimEvent> Claims, ClaimFileResult Result) Read(string ndjson, X12ErrorMode mode = X12ErrorMode.Strict)
    {
        var claims = new List<ClaimEvent>();
        var result = EobNdjsonReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(ndjson)), "eob.ndjson", claims.Add, mode);
        return (claims, result);
    }

    [Fact]
    public void Read_CarinExamples_OneClaimPerEobOtherResourcesPassedOver()
    {
        var (claims, result) = Read(Ndjson(CarinFiles));

        Assert.Equal((4, 3, 1), (result.RecordCount, result.ClaimCount, result.OtherResourceCount));
        Assert.Equal(6 + 13 + 2, result.ServiceLineCount);
        Assert.Equal(["ProfessionalEOBExample1", "InpatientEOBExample1", "OutpatientEOBExample1"], claims.Select(c => c.ClaimId));
        Assert.All(claims, c => Assert.Equal(("ExamplePatient1", ClaimFormat.FhirEob), (c.Member.MemberId, c.Format)));
        Assert.Equal([1L, 2L, 3L], claims.Select(c => c.LineNumber));
    }

    [Fact]
    public void Read_ProfessionalEob_MapsDiagnosesLinesAndTotals()
    {
        var claim = Read(Ndjson(CarinFiles[0])).Claims.Single();

        Assert.Equal(ClaimType.Professional, claim.ClaimType);
        Assert.Equal(["I70249", "L97929"], claim.Diagnoses.Select(d => d.Code));
        Assert.Equal(("ABK", CodeSystem.Icd10Cm), (claim.Diagnoses[0].Qualifier, claim.Diagnoses[0].CodeSystem));
        Assert.Equal(["75710", "75710", "75710", "37228", "37228", "37228"], claim.Lines.Select(l => l.ProcedureCode));
        Assert.Equal("21", claim.PlaceOfService);
        Assert.Equal(820.0m, claim.TotalCharge);
        Assert.Equal((new DateOnly(2020, 8, 4), new DateOnly(2020, 8, 4)), (claim.ServiceFrom, claim.ServiceTo));
    }

    [Fact]
    public void Read_InpatientEob_MapsRevenueCodesAndIcd10Pcs()
    {
        var claim = Read(Ndjson(CarinFiles[1])).Claims.Single();

        Assert.Equal(ClaimType.Institutional, claim.ClaimType);
        Assert.Equal("I214", claim.PrincipalDiagnosis?.Code);
        Assert.Equal(["4A023N7", "B211YZZ", "B215YZZ"], claim.Procedures.Select(p => p.Code));
        Assert.True(claim.Procedures[0].IsPrincipal);
        Assert.Equal("0301", claim.Lines[0].RevenueCode);
        Assert.Equal(7147.2m, claim.TotalCharge);
    }

    [Fact]
    public void Read_BrokenLineStrict_FailsWithLineNumber()
    {
        var ndjson = Ndjson(CarinFiles[0]) + "{\"resourceType\": \"ExplanationOfBenefit\", \n";

        var ex = Assert.Throws<ClaimFileFormatException>(() => Read(ndjson));

        Assert.Equal(2, ex.LineNumber);
        Assert.StartsWith("eob.ndjson: line 2: not valid JSON", ex.Message);
    }

    [Fact]
    public void Read_EobWithoutPatientLenient_SkippedAndReported()
    {
        var broken = JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData.Root, "fhir", "carin-bb", CarinFiles[2])))!.AsObject();
        broken.Remove("patient");
        var ndjson = Ndjson(CarinFiles[0]) + broken.ToJsonString() + "\n" + Ndjson(CarinFiles[1]);

        var (claims, result) = Read(ndjson, X12ErrorMode.Lenient);

        Assert.Equal(2, claims.Count);
        var error = Assert.Single(result.Errors);
        Assert.Equal(2, error.LineNumber);
        Assert.Contains("patient", error.Message);
    }

    [Fact]
    public async Task ReadAsync_SameAsSync()
    {
        var claims = new List<ClaimEvent>();
        var bytes = Encoding.UTF8.GetBytes(Ndjson(CarinFiles));

        var result = await EobNdjsonReader.ReadAsync(new MemoryStream(bytes), "eob.ndjson", claims.Add, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, result.ClaimCount);
        Assert.Equal(21, claims.Sum(c => c.Lines.Count));
    }
}

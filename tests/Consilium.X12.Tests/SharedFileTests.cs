namespace Consilium.X12.Tests;

/// <summary>
/// Every X12 file under shared/data/x12/{837p,837i,278,malformed}. The expected numbers were counted with
/// grep over the files (CLM segments; SV1/SV2 segments; UM at the event level for 278), not taken from the
/// reader. Files whose envelope is known to be wrong are read leniently: every imsweb 837 has SE01=25, the
/// OopFactory ProfessionalClaim1/InstitutionalClaim5010 have a wrong SE01, the de-identified Nth batches
/// have masked GS06/ISA13 that no longer match GE02/IEA02, and TigerShark's 837I-Examples concatenates an
/// interchange that is cut off before its SE (and its second SE01 is wrong too).
/// </summary>
public class SharedFileTests
{
    public enum Mode { Strict, CountsOff, Lenient }

    public static TheoryData<string, string, Mode, int, int, int, int> ClaimFiles => new()
    {
        // folder, file, mode, claims, service lines, transactions read, transactions skipped
        { "837p", "badx12__X222-ambulance.edi", Mode.Strict, 1, 4, 1, 0 },
        { "837p", "badx12__X222-anesthesia.edi", Mode.Strict, 1, 1, 1, 0 },
        { "837p", "badx12__X222-chiropractic.edi", Mode.Strict, 1, 1, 1, 0 },
        { "837p", "badx12__X222-COB-claim-from-billing-provider-to-payer-a.edi", Mode.Strict, 1, 3, 1, 0 },
        { "837p", "badx12__X222-COB-claim-from-billing-provider-to-payer-b.edi", Mode.Strict, 1, 3, 1, 0 },
        { "837p", "badx12__X222-COB-payer-a-to-payer-b.edi", Mode.Strict, 1, 3, 1, 0 },
        { "837p", "badx12__X222-commercial-health-insurance.edi", Mode.Strict, 1, 4, 1, 0 },
        { "837p", "badx12__X222-drug-administered-in-physician-office.edi", Mode.Strict, 1, 2, 1, 0 },
        { "837p", "badx12__X222-encounter.edi", Mode.Strict, 1, 4, 1, 0 },
        { "837p", "badx12__X222-home-infusion-HCPCS-or-NDC.edi", Mode.Strict, 1, 6, 1, 0 },
        { "837p", "badx12__X222-home-infusion-NDC.edi", Mode.Strict, 1, 6, 1, 0 },
        { "837p", "badx12__X222-medicare-secondary-payer-COB.edi", Mode.Strict, 1, 1, 1, 0 },
        { "837p", "badx12__X222-out-of-network-repriced-claim.edi", Mode.Strict, 1, 1, 1, 0 },
        { "837p", "badx12__X222-oxygen.edi", Mode.Strict, 1, 2, 1, 0 },
        { "837p", "badx12__X222-ppo-repriced-claim.edi", Mode.Strict, 1, 2, 1, 0 },
        { "837p", "badx12__X222-wheelchair.edi", Mode.Strict, 1, 1, 1, 0 },
        { "837p", "imsweb__x12_complex.txt", Mode.CountsOff, 6, 10, 2, 0 },
        { "837p", "imsweb__x12_many_claims.txt", Mode.CountsOff, 820, 820, 1, 0 },
        { "837p", "imsweb__x12_multiple_gs.txt", Mode.CountsOff, 6, 6, 3, 0 },
        { "837p", "imsweb__x12_multiple_isa.txt", Mode.CountsOff, 4, 4, 2, 0 },
        { "837p", "imsweb__x12_multiple_st.txt", Mode.CountsOff, 4, 4, 2, 0 },
        { "837p", "imsweb__x12_multiple_transactions.txt", Mode.CountsOff, 624, 624, 312, 0 },
        { "837p", "imsweb__x12_valid.txt", Mode.CountsOff, 2, 2, 1, 0 },
        { "837p", "imsweb__x12_valid_different_separators.txt", Mode.CountsOff, 2, 2, 1, 0 },
        { "837p", "oopfactory__4010_Cms1500Test.txt", Mode.Strict, 1, 8, 1, 0 },
        { "837p", "oopfactory__4010_nth_837_DeIdent_01.dat", Mode.Lenient, 143, 235, 1, 0 },
        { "837p", "oopfactory__4010_nth_837_DeIdent_03.dat", Mode.Lenient, 18, 104, 1, 0 },
        { "837p", "oopfactory__5010_Example1_2_And_3_Combined.txt", Mode.Strict, 3, 11, 2, 0 },
        { "837p", "oopfactory__5010_Example3_COB.txt", Mode.Strict, 1, 3, 1, 0 },
        { "837p", "oopfactory__5010_MedicaidExample.txt", Mode.Strict, 5, 10, 1, 0 },
        { "837p", "oopfactory__5010_ProfessionalClaim1.txt", Mode.CountsOff, 1, 7, 1, 0 },
        { "837p", "oopfactory__5010_ST1309-XX.txt", Mode.Strict, 1, 2, 1, 0 },
        { "837p", "pyx12__4010_simple_837p.txt", Mode.Strict, 2, 5, 1, 0 },
        { "837p", "tigershark__4010_837-example.txt", Mode.Strict, 1, 2, 1, 0 },
        { "837i", "imsweb__x223-test.txt", Mode.CountsOff, 1, 1, 1, 0 },
        { "837i", "oopfactory__4010_Spec_4.1.3_TwoClaims.txt", Mode.Strict, 2, 3, 1, 0 },
        { "837i", "oopfactory__4010_swreed_Batch1.txt", Mode.Strict, 54, 182, 54, 0 },
        { "837i", "oopfactory__5010_InstitutionalClaim5010.txt", Mode.CountsOff, 1, 2, 1, 0 },
        { "837i", "oopfactory__5010_Spec_3.1.1.txt", Mode.Strict, 1, 2, 1, 0 },
        { "837i", "oopfactory__5010_Spec_3.1.2_TwoClaims.txt", Mode.Strict, 2, 3, 1, 0 },
        { "837i", "oopfactory__5010_Spec_3.1.3_PPORepriced.txt", Mode.Strict, 1, 2, 1, 0 },
        { "837i", "oopfactory__5010_Spec_3.1.4_OutOfNetworkRepriced.txt", Mode.Strict, 1, 1, 1, 0 },
        { "837i", "pyx12__4010_simple_837i.txt", Mode.Strict, 2, 6, 1, 0 },
        // 2 CLM / 5 SV2 in the file; the first interchange (1 claim, 1 line) stops before its SE.
        { "837i", "tigershark__4010_837I-Examples.txt", Mode.CountsOff, 1, 4, 1, 1 },
        { "837i", "tigershark__4010_837I-Patient-NotSubscriber.txt", Mode.Strict, 1, 3, 1, 0 },
        { "837i", "tigershark__4010_837I-Patient-Subscriber.txt", Mode.Strict, 1, 3, 1, 0 },
    };

    [Theory]
    [MemberData(nameof(ClaimFiles))]
    public void Read_SharedClaimFile_ExpectedClaimsAndLines(string folder, string file, Mode mode, int claims, int lines, int transactions, int skipped)
    {
        var (events, result) = SharedData.Read(SharedData.X12(folder, file), Options(mode));

        Assert.Equal(claims, result.ClaimCount);
        Assert.Equal(lines, result.ServiceLineCount);
        Assert.Equal(transactions, result.TransactionCount);
        Assert.Equal(skipped, result.SkippedTransactionCount);
        Assert.Equal(claims, events.OfType<ClaimEvent>().Count());
        Assert.Equal(lines, events.OfType<ClaimEvent>().Sum(c => c.Lines.Count));
        Assert.All(events.OfType<ClaimEvent>(), c =>
        {
            Assert.False(string.IsNullOrEmpty(c.Member.MemberId));
            Assert.False(string.IsNullOrEmpty(c.ClaimId));
            Assert.Equal(folder == "837i" ? ClaimType.Institutional : ClaimType.Professional, c.ClaimType);
            Assert.Equal(file, c.FileName);
            Assert.NotNull(c.Transaction);
        });
        Assert.Equal(result.ServiceLineCount, result.Interchanges.Sum(i => i.ServiceLineCount));
    }

    [Theory]
    [MemberData(nameof(ClaimFiles))]
    public void Read_SharedClaimFileWhereEnvelopeIsWrong_StrictFailsWithLocation(string folder, string file, Mode mode, int claims, int lines, int transactions, int skipped)
    {
        _ = (claims, lines, transactions, skipped);
        var path = SharedData.X12(folder, file);
        if (mode == Mode.Strict)
        {
            var (_, result) = SharedData.Read(path);
            Assert.Empty(result.Errors);
            return;
        }

        var ex = Assert.Throws<X12FormatException>(() => SharedData.Read(path));

        Assert.Equal(file, ex.FileName);
        Assert.True(ex.SegmentNumber > 0);
        Assert.Matches("^.+: byte \\d+, segment \\d+ \\((SE|GE|IEA|ISA)\\): expected ", ex.Message);
    }

    public static TheoryData<string, int, int, int> AuthorizationFiles => new()
    {
        // file, interchanges, events, services
        { "oopfactory__5010_278_Example_3_1_1_Request.txt", 1, 1, 0 },
        { "oopfactory__5010_278_Example_3_1_2_Response.txt", 1, 1, 0 },
        { "oopfactory__5010_278_Example_3_2_1_Request.txt", 1, 1, 1 },
        { "oopfactory__5010_278_Example_3_2_2_Response.txt", 1, 1, 1 },
        { "oopfactory__5010_278_Example_3_3_1_Request.txt", 1, 1, 0 },
        { "oopfactory__5010_278_Example_3_3_2_Response.txt", 1, 1, 0 },
        { "tigershark__4010_278_13_TXNS.txt", 5, 5, 5 },
        { "tigershark__4010_278_28_TXNS_SOA.txt", 4, 4, 4 },
    };

    [Theory]
    [MemberData(nameof(AuthorizationFiles))]
    public void Read_Shared278File_ExpectedAuthorizations(string file, int interchanges, int authorizations, int services)
    {
        var (events, result) = SharedData.Read(SharedData.X12("278", file));

        Assert.Equal(interchanges, result.InterchangeCount);
        Assert.Equal(authorizations, result.AuthorizationCount);
        var auths = events.Cast<AuthorizationEvent>().ToList();
        Assert.Equal(authorizations, auths.Count);
        Assert.Equal(services, auths.Sum(a => a.Services.Count));
        Assert.All(auths, a => Assert.False(string.IsNullOrEmpty(a.Member.MemberId)));
        Assert.Equal(file.Contains("Response", StringComparison.Ordinal), auths.All(a => a.IsResponse));
    }

    public static TheoryData<string, string> MalformedFiles => new()
    {
        // file, what the error must say
        { "badx12__bad_file.edi", "expected the file to start with an ISA interchange header" },
        { "badx12__segment_terminator.edi", "not closed by IEA" },
        { "imsweb__x12_bad_first_line.txt", "ISA02 is 9 characters, expected 10" },
        { "imsweb__x12_bad_segment_identifier.txt", "expected a segment identifier" },
        { "imsweb__x12_bad_valid_code.txt", "expected NM1*85 (billing provider name, loop 2010AA)" },
        { "imsweb__x12_loop_errors1_exceeds_max_1_parent.txt", "loop 2010AA (billing provider name) repeats" },
        { "imsweb__x12_missing_elements.txt", "expected NM102" },
        { "imsweb__x12_missing_required_loops_mult_repeats.txt", "expected LX (service line number, loop 2400) before SV1" },
        { "imsweb__x12_no_isa_line.txt", "found 'GS*HC*" },
        { "imsweb__x12_segment_errors.txt", "expected N3 (billing provider address, required in loop 2010AA) before N4" },
        { "imsweb__x12_segments_out_of_order.txt", "segments out of order" },
        { "oopfactory__5010_837P_MissingEntityCode.txt", "expected NM101 (entity identifier code)" },
        { "oopfactory__5010_837P_UnicodeExample_UTF16LE.txt", "UTF-16" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Read_MalformedFile_FailsWithLocatedMeaningfulError(string file, string expected)
    {
        var path = SharedData.X12("malformed", file);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.Read(path));

        Assert.Contains(expected, ex.Detail);
        Assert.Equal(file, ex.FileName);
        Assert.StartsWith($"{file}: byte {ex.ByteOffset}", ex.Message);
        Assert.InRange(ex.ByteOffset, 0, new FileInfo(path).Length);
        if (ex.SegmentNumber > 0) Assert.Contains($", segment {ex.SegmentNumber} (", ex.Message);
    }

    [Fact]
    public void Read_EveryMalformedFileIsCovered()
    {
        var files = Directory.GetFiles(Path.Combine(SharedData.Root, "x12", "malformed")).Select(Path.GetFileName).Order();

        Assert.Equal(MalformedFiles.Select(row => row.Data.Item1).Order(), files);
    }

    [Fact]
    public void Read_EveryClaimFileIsCovered()
    {
        var files = new[] { "837p", "837i" }.SelectMany(f => Directory.GetFiles(Path.Combine(SharedData.Root, "x12", f))).Select(Path.GetFileName).Order();

        Assert.Equal(ClaimFiles.Select(row => row.Data.Item2).Order(), files);
    }

    [Fact]
    public void Read_MalformedFileLeniently_SkipsTheTransactionAndReportsWhere()
    {
        var (events, result) = SharedData.Read(SharedData.X12("malformed", "imsweb__x12_missing_required_loops_mult_repeats.txt"), X12ReaderOptions.Lenient);

        Assert.Empty(events);
        Assert.Equal(1, result.SkippedTransactionCount);
        var error = Assert.Single(result.Errors);
        Assert.Equal(33, error.SegmentNumber);
        Assert.Equal("SV1", error.SegmentId);
        Assert.Equal("987654", error.TransactionControlNumber);
    }

    internal static X12ReaderOptions Options(Mode mode) => mode switch
    {
        Mode.Strict => X12ReaderOptions.Strict,
        Mode.CountsOff => X12ReaderOptions.Lenient with { ValidateCounts = false },
        _ => X12ReaderOptions.Lenient,
    };
}

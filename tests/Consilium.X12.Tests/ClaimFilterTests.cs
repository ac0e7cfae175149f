using System.Text;
using Consilium.X12.Generation;

namespace Consilium.X12.Tests;

/// <summary>
/// The filtered path must validate exactly as the full parse does and, for the claims it lets through, build exactly the
/// same events; the rest are only counted.
/// </summary>
public class ClaimFilterTests
{
    [Theory]
    [MemberData(nameof(SharedFileTests.ClaimFiles), MemberType = typeof(SharedFileTests))]
    public void Read_SharedClaimFile_FilterThatMatchesEverything_BuildsTheSameClaims(string folder, string file, SharedFileTests.Mode mode,
        int claims, int lines, int transactions, int skipped)
    {
        var path = SharedData.X12(folder, file);
        var options = SharedFileTests.Options(mode);
        var (full, fullResult) = SharedData.Read(path, options);
        var everything = AllCodes(full.OfType<ClaimEvent>());

        var (filtered, filteredResult) = SharedData.Read(path, options with { ClaimFilter = everything });

        Assert.Equal(full.Select(Describe), filtered.Select(Describe));
        Assert.Equal((claims, lines, transactions, skipped),
            ((int)filteredResult.ClaimCount, (int)filteredResult.ServiceLineCount, filteredResult.TransactionCount, filteredResult.SkippedTransactionCount));
        Assert.Equal(fullResult.ClaimCount, filteredResult.ClaimCount);
    }

    [Theory]
    [MemberData(nameof(SharedFileTests.ClaimFiles), MemberType = typeof(SharedFileTests))]
    public void Read_SharedClaimFile_FilterThatMatchesNothing_CountsEveryClaimAndBuildsNone(string folder, string file, SharedFileTests.Mode mode,
        int claims, int lines, int transactions, int skipped)
    {
        var (events, result) = SharedData.Read(SharedData.X12(folder, file), SharedFileTests.Options(mode) with { ClaimFilter = ClaimCodeFilter.None });

        Assert.Empty(events.OfType<ClaimEvent>());
        Assert.Equal((claims, lines, transactions, skipped), ((int)result.ClaimCount, (int)result.ServiceLineCount, result.TransactionCount, result.SkippedTransactionCount));
        Assert.Equal(claims, result.ClaimsFilteredOut);
    }

    [Theory]
    [MemberData(nameof(SharedFileTests.MalformedFiles), MemberType = typeof(SharedFileTests))]
    public void Read_MalformedFile_FilteredFailsWithTheSameLocatedError(string file, string expected)
    {
        _ = expected;
        var path = SharedData.X12("malformed", file);
        var full = Assert.Throws<X12FormatException>(() => SharedData.Read(path));

        var filtered = Assert.Throws<X12FormatException>(() => SharedData.Read(path, X12ReaderOptions.Strict with { ClaimFilter = ClaimCodeFilter.None }));

        Assert.Equal(full.Message, filtered.Message);
    }

    [Theory]
    [InlineData(GeneratedClaimKinds.Professional)]
    [InlineData(GeneratedClaimKinds.Institutional)]
    [InlineData(GeneratedClaimKinds.Mixed)]
    public void Read_GeneratedFile_FilterOnCatalogCodes_BuildsExactlyThePlantedClaimsAsTheFullParseDoes(GeneratedClaimKinds kinds)
    {
        using var stream = new MemoryStream();
        var manifest = ClaimsGenerator.Generate(stream, new ClaimsGeneratorOptions { TargetBytes = 1_500_000, Seed = 9, Kinds = kinds, ClaimsPerTransaction = 200 });
        var bytes = stream.ToArray();
        var filter = new ClaimCodeFilter(ClaimsGenerator.Catalog.SelectMany(p => new[] { p.Cpt, p.Pcs }).OfType<string>());
        var full = new List<X12Event>();
        X12Reader.Read(new MemoryStream(bytes), "g.edi", full.Add);
        var filtered = new List<X12Event>();

        var result = X12Reader.Read(new MemoryStream(bytes), "g.edi", filtered.Add, X12ReaderOptions.Strict with { ClaimFilter = filter });

        var planted = manifest.Planted.Select(p => p.ClaimId).ToHashSet();
        Assert.Equal(planted.Order(), filtered.Cast<ClaimEvent>().Select(c => c.ClaimId).Order());
        Assert.Equal(full.Cast<ClaimEvent>().Where(c => planted.Contains(c.ClaimId)).Select(Describe), filtered.Select(Describe));
        Assert.Equal((manifest.Claims, manifest.ServiceLines), (result.ClaimCount, result.ServiceLineCount));
        Assert.Equal(manifest.Claims - planted.Count, result.ClaimsFilteredOut);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(5000)]
    [InlineData(X12SegmentReader.DefaultBufferSize)]
    public async Task Read_GeneratedFile_FilterThatMatchesEverything_SameClaimsWhateverTheBufferSize(int bufferSize)
    {
        // Captured segments stay in the reader's buffer until it is refilled, then are copied out: claims and members
        // that straddle a refill (many, with a 4 KB buffer) must replay exactly as those read in one piece.
        using var stream = new MemoryStream();
        ClaimsGenerator.Generate(stream, new ClaimsGeneratorOptions { TargetBytes = 400_000, Seed = 5, Kinds = GeneratedClaimKinds.Mixed, ClaimsPerTransaction = 50 });
        var bytes = stream.ToArray();
        var full = new List<X12Event>();
        X12Reader.Read(new MemoryStream(bytes), "g.edi", full.Add);
        var everything = AllCodes(full.OfType<ClaimEvent>());
        var options = X12ReaderOptions.Strict with { ClaimFilter = everything, BufferSize = bufferSize };

        var filtered = new List<X12Event>();
        X12Reader.Read(new MemoryStream(bytes), "g.edi", filtered.Add, options);
        var filteredAsync = new List<X12Event>();
        await X12Reader.ReadAsync(new MemoryStream(bytes), "g.edi", filteredAsync.Add, options with { ErrorMode = X12ErrorMode.Lenient });

        Assert.Equal(full.Select(Describe), filtered.Select(Describe));
        Assert.Equal(full.Select(Describe), filteredAsync.Select(Describe));
    }

    [Fact]
    public void Read_FilteredClaimWithBadChargeAfterMatchingCode_FailsAsTheFullParseDoes()
    {
        var text = Edi.Professional().Replace("SV1*HC:72148*50.5*", "SV1*HC:72148*5O.5*", StringComparison.Ordinal);

        var full = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text));
        var filtered = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text, X12ReaderOptions.Strict with { ClaimFilter = new ClaimCodeFilter(["72148"]) }));

        Assert.Equal(full.Message, filtered.Message);
        Assert.Contains("SV102", filtered.Message);
    }

    [Fact]
    public void Matches_ExactCodesPrefixesAndDots()
    {
        var filter = new ClaimCodeFilter(["22630", "M43.16", "0SG00AJ"], ["C", "J9", "0SRC"]);

        Assert.True(filter.Matches("22630"u8));
        Assert.True(filter.Matches("M4316"u8));
        Assert.True(filter.Matches("M43.16"u8));
        Assert.True(filter.Matches("0SG00AJ"u8));
        Assert.True(filter.Matches("C50911"u8));
        Assert.True(filter.Matches("J9271"u8));
        Assert.True(filter.Matches("0SRC0J9"u8));
        Assert.True(filter.Matches("C123456789012"u8));
        Assert.False(filter.Matches("2263"u8));
        Assert.False(filter.Matches("226300"u8));
        Assert.False(filter.Matches("J1745"u8));
        Assert.False(filter.Matches(""u8));
        Assert.False(ClaimCodeFilter.None.Matches("22630"u8));
    }

    /// <summary>
    /// The filter's packed tables against the plain definition (dots removed, exact code or a listed prefix), over a few
    /// thousand codes and prefixes of every length with many sharing their first bytes, and lookups that hit, miss by
    /// one byte, run longer than 8 bytes or carry dots.
    /// </summary>
    [Fact]
    public void Matches_ManyCodes_AgreesWithThePlainDefinition()
    {
        var random = new Random(11);
        const string Alphabet = "ABCJM0123456789";
        string Code(int length) => new([.. Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
        var codes = Enumerable.Range(0, 3000).Select(_ => Code(random.Next(1, 9))).ToHashSet(StringComparer.Ordinal);
        var prefixes = Enumerable.Range(0, 300).Select(_ => Code(random.Next(2, 9))).ToHashSet(StringComparer.Ordinal);
        var filter = new ClaimCodeFilter(codes, prefixes);

        var probes = new List<string>();
        foreach (var code in codes.Take(500)) probes.AddRange([code, code + "1", code[..^1], code.Length > 3 ? code[..3] + "." + code[3..] : code]);
        foreach (var prefix in prefixes.Take(100)) probes.AddRange([prefix, prefix + "123456789", prefix[..^1] + "Z"]);
        probes.AddRange(Enumerable.Range(0, 5000).Select(_ => Code(random.Next(1, 14))));
        foreach (var probe in probes)
        {
            var plain = probe.Replace(".", "", StringComparison.Ordinal);
            bool expected = plain.Length > 0 && (codes.Contains(plain) || prefixes.Any(p => plain.StartsWith(p, StringComparison.Ordinal)));
            Assert.True(expected == filter.Matches(Encoding.ASCII.GetBytes(probe)), $"'{probe}': expected {expected}");
        }
    }

    static ClaimCodeFilter AllCodes(IEnumerable<ClaimEvent> claims)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in claims)
        {
            foreach (var d in c.Diagnoses) if (d.Code.Length <= 8) codes.Add(d.Code);
            foreach (var p in c.Procedures) if (p.Code.Length <= 8) codes.Add(p.Code);
            foreach (var l in c.Lines) if (l.ProcedureCode is { Length: <= 8 } code && Encoding.UTF8.GetByteCount(code) == code.Length) codes.Add(code);
        }
        return new ClaimCodeFilter(codes);
    }

    /// <summary>Everything a claim carries, as text, so two reads compare field by field.</summary>
    static string Describe(X12Event e)
    {
        if (e is not ClaimEvent c) return e.GetType().Name + "@" + e.ByteOffset;
        var sb = new StringBuilder();
        sb.Append($"{c.FileName}|{c.ByteOffset}|{c.Transaction?.TransactionControlNumber}|{c.ClaimType}|{c.ClaimId}|{c.TotalCharge}|{c.PlaceOfService}|{c.FacilityCodeQualifier}|{c.FrequencyCode}");
        sb.Append($"|{c.ServiceFrom}|{c.ServiceTo}|{c.AdmissionDate}|{c.DischargeDate}|{c.Member}|{c.BillingProvider}|{c.RenderingProvider}|{c.AttendingProvider}");
        foreach (var d in c.Diagnoses) sb.Append($"|dx {d}");
        foreach (var p in c.Procedures) sb.Append($"|px {p}");
        foreach (var l in c.Lines)
            sb.Append($"|line {l.LineNumber} {l.ProcedureQualifier} {l.ProcedureCode} {string.Join(':', l.Modifiers)} {l.RevenueCode} {l.Charge} {l.Units} {l.PlaceOfService} {string.Join(':', l.DiagnosisPointers)} {l.ServiceFrom} {l.ServiceTo} {l.RenderingProvider}");
        return sb.ToString();
    }
}

using System.Globalization;
using BenchmarkDotNet.Attributes;
using Consilium.Triggers;
using Consilium.X12;
using Consilium.X12.Generation;

namespace Consilium.Benchmarks.X12;

/// <summary>
/// Single-threaded parse of a generated 100 MB 5010 837P from the page cache (the setup reads it once).
/// MB/s = 100 MiB / time; see docs/performance.md, section "X12 reader". Min is shown beside Mean because
/// the build machine is shared: the fastest iteration is the one least disturbed by other work.
/// Run: dotnet run -c Release --project bench/Consilium.Benchmarks -- --filter '*X12ReaderBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class X12ReaderBenchmarks
{
    public const long FileBytes = 100L * 1024 * 1024;
    string path = "";

    [GlobalSetup]
    public void Setup()
    {
        path = Path.Combine(Path.GetTempPath(), $"consilium-bench-837p-{Environment.ProcessId}.edi");
        ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = FileBytes, Seed = 1, Kinds = GeneratedClaimKinds.Professional });
        // Warm the page cache so every variant reads from memory, not disk.
        using var warm = File.OpenRead(path);
        warm.CopyTo(Stream.Null);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(path);

    /// <summary>What a first attempt looks like: whole file into a string, Split on '~', '*' and ':', decimal.Parse.</summary>
    [Benchmark(Baseline = true)]
    public long NaiveSplit()
    {
        long lines = 0;
        var claims = new List<(string Member, string Claim, decimal Charge, List<string> Codes)>();
        string member = "";
        List<string>? codes = null;
        foreach (var raw in File.ReadAllText(path).Split('~'))
        {
            var segment = raw.Trim();
            if (segment.Length == 0) continue;
            var elements = segment.Split('*');
            switch (elements[0])
            {
                case "NM1" when elements[1] == "IL":
                    member = elements[9];
                    break;
                case "CLM":
                    codes = [];
                    claims.Add((member, elements[1], decimal.Parse(elements[2], CultureInfo.InvariantCulture), codes));
                    break;
                case "SV1":
                    codes?.Add(elements[1].Split(':')[1]);
                    lines++;
                    break;
            }
        }
        return claims.Count + lines;
    }

    /// <summary>Tokenizer only: every segment found, its identifier checked, no element touched.</summary>
    [Benchmark]
    public long Tokenizer()
    {
        using var stream = Open();
        using var reader = new X12SegmentReader(stream, "bench.edi");
        long segments = 0;
        while (reader.Read()) segments++;
        return segments;
    }

    /// <summary>The fast path: typed claim events through a callback, strict mode.</summary>
    [Benchmark]
    public long Reader()
    {
        using var stream = Open();
        long lines = 0;
        var result = X12Reader.Read(stream, "bench.edi", e => lines += ((ClaimEvent)e).Lines.Count);
        return result.ClaimCount + lines;
    }

    /// <summary>Lenient mode: each transaction's claims are held until its SE validates.</summary>
    [Benchmark]
    public long ReaderLenient()
    {
        using var stream = Open();
        long lines = 0;
        var result = X12Reader.Read(stream, "bench.edi", e => lines += ((ClaimEvent)e).Lines.Count, X12ReaderOptions.Lenient);
        return result.ClaimCount + lines;
    }

    /// <summary>The async enumerable: what an endpoint or job would use.</summary>
    [Benchmark]
    public async Task<long> ReaderAsyncEnumerable()
    {
        await using var stream = Open();
        long claims = 0;
        await foreach (var e in X12Reader.ReadAsync(stream, "bench.edi")) claims++;
        return claims;
    }

    /// <summary>
    /// Parse + rule evaluation end to end, the way `./consilium scan` runs: the default rule set's codes pre-filter the
    /// claims, the engine collects the facts of the claims that pass and evaluates every trigger at the end.
    /// </summary>
    [Benchmark]
    public int ScanWithDefaultRules()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        ClaimsScanner.Scan(engine, [new ScanInput(path, "bench.edi")]);
        return engine.Evaluate().Candidates.Count;
    }

    /// <summary>The same scan with the pre-filter off: every claim is built and handed to the engine.</summary>
    [Benchmark]
    public int ScanWithDefaultRulesUnfiltered()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        ClaimsScanner.Scan(engine, [new ScanInput(path, "bench.edi")], new ScanOptions { PreFilter = false });
        return engine.Evaluate().Candidates.Count;
    }

    /// <summary>The naive way to apply rules: split everything as <see cref="NaiveSplit"/> does, then look up each line's code.</summary>
    [Benchmark]
    public int NaiveSplitWithRules() => NaiveRules(path);

    /// <summary>The naive rules pass both benchmark classes keep as their baseline: every segment split into strings.</summary>
    public static int NaiveRules(string path)
    {
        var codes = RuleSet.Default.CodeSets.Values.Where(s => s.System == CodeSystems.Hcpcs).SelectMany(s => s.Codes).ToHashSet();
        var hits = new Dictionary<string, List<string>>();
        string member = "";
        foreach (var raw in File.ReadAllText(path).Split('~'))
        {
            var elements = raw.Trim().Split('*');
            if (elements[0] == "NM1" && elements.Length > 9 && elements[1] == "IL") member = elements[9];
            else if (elements[0] == "SV1" && codes.Contains(elements[1].Split(':')[1]))
            {
                if (!hits.TryGetValue(member, out var list)) hits[member] = list = [];
                list.Add(elements[1].Split(':')[1]);
            }
        }
        return hits.Count;
    }

    FileStream Open() => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}

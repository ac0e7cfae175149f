using BenchmarkDotNet.Attributes;
using Consilium.Triggers;
using Consilium.X12;
using Consilium.X12.Generation;

namespace Consilium.Benchmarks.X12;

/// <summary>
/// Parse + rule evaluation of a generated 100 MiB 5010 837P from the page cache, one thread: the naive baseline, the full
/// reader (every claim built, then the rules) and the one-pass claim checker that <c>./consilium scan</c> runs (every claim
/// validated, only those whose codes a rule reads built). docs/performance.md, "Parse + rules, one-pass checker".
/// Run: dotnet bench/Consilium.Benchmarks/bin/Release/net10.0/Consilium.Benchmarks.dll --filter '*ParseRulesBenchmarks*' --inProcess
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class ParseRulesBenchmarks
{
    string path = "";

    [GlobalSetup]
    public void Setup()
    {
        path = Path.Combine(Path.GetTempPath(), $"consilium-bench-rules-{Environment.ProcessId}.edi");
        ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = X12ReaderBenchmarks.FileBytes, Seed = 1, Kinds = GeneratedClaimKinds.Professional });
        using var warm = File.OpenRead(path);
        warm.CopyTo(Stream.Null);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(path);

    /// <summary>The naive way: the whole file split into strings, each service line's code looked up in the rules' codes.</summary>
    [Benchmark(Baseline = true)]
    public int NaiveSplitWithRules() => X12ReaderBenchmarks.NaiveRules(path);

    /// <summary>The full reader: every claim built as a <see cref="ClaimEvent"/> and handed to the rules.</summary>
    [Benchmark]
    public int FullReaderWithRules()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        ClaimsScanner.Scan(engine, [new ScanInput(path, "bench.edi")], new ScanOptions { PreFilter = false });
        return engine.Evaluate().Candidates.Count;
    }

    /// <summary>What <c>./consilium scan</c> runs: the one-pass checker, then the rules over the few claims it built.</summary>
    [Benchmark]
    public int OnePassCheckerWithRules()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        ClaimsScanner.Scan(engine, [new ScanInput(path, "bench.edi")]);
        return engine.Evaluate().Candidates.Count;
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Consilium.Triggers;
using Consilium.X12;
using Consilium.X12.Generation;

namespace Consilium.Benchmarks.X12;

/// <summary>
/// Parse + rules (and the tokenizer alone) timed by the thread's own CPU time instead of the wall clock, for a machine
/// shared with other work: a thread waiting for a core is not charged, so runs taken at different loads compare.
/// <c>dotnet Consilium.Benchmarks.dll scan-cpu [MiB] [runs] [only]</c>; the first two runs are warm-up; <c>only</c> (tokenizer, rules
/// or spool) runs one of the three measurements, for a profiler.
/// </summary>
static partial class ScanCpuTime
{
    public static int Run(string[] args)
    {
        int mib = args.Length > 0 ? int.Parse(args[0]) : 100;
        int runs = Math.Max(3, args.Length > 1 ? int.Parse(args[1]) : 10);
        only = args.Length > 2 ? args[2] : null;
        var path = Path.Combine(Path.GetTempPath(), $"consilium-scan-cpu-{Environment.ProcessId}.edi");
        try
        {
            ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = mib * 1024L * 1024, Seed = 1, Kinds = GeneratedClaimKinds.Professional });
            long bytes = new FileInfo(path).Length;
            Measure("tokenizer", runs, bytes, () =>
            {
                using var stream = File.OpenRead(path);
                using var reader = new X12SegmentReader(stream, "bench.edi");
                long segments = 0;
                while (reader.Read()) segments++;
                return segments;
            });
            Measure("parse + default rules", runs, bytes, () =>
            {
                var engine = new TriggerEngine(RuleSet.Default);
                ClaimsScanner.Scan(engine, [new ScanInput(path, "bench.edi")]);
                return engine.Evaluate().Candidates.Count;
            });
            // What the platform's scan job does since claims are kept (docs/performance.md, "Claim facts"): every claim built
            // and spooled, encrypted, to a temporary file (loading it into the database is measured apart).
            Measure("parse + default rules + claim facts spool", runs, bytes, () =>
            {
                var engine = new TriggerEngine(RuleSet.Default);
                using var spool = new ClaimFactSpool();
                ClaimsScanner.Scan(engine, [new ScanInput(path, "bench.edi")], new ScanOptions { OnClaim = spool.Add });
                engine.Evaluate();
                return spool.Count;
            });
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    static string? only;

    static void Measure(string name, int runs, long bytes, Func<long> body)
    {
        var selected = only switch
        {
            null => name,
            "tokenizer" => "tokenizer",
            "rules" => "parse + default rules",
            "spool" => "parse + default rules + claim facts spool",
            _ => throw new ArgumentException($"'{only}' is not tokenizer, rules or spool"),
        };
        if (name != selected) return;
        var cpu = new List<double>();
        var wall = new List<double>();
        long result = 0;
        for (int i = 0; i < runs; i++)
        {
            double before = ThreadCpuSeconds();
            var clock = Stopwatch.StartNew();
            result = body();
            if (i < 2) continue;
            cpu.Add(ThreadCpuSeconds() - before);
            wall.Add(clock.Elapsed.TotalSeconds);
        }
        cpu.Sort();
        wall.Sort();
        Console.WriteLine($"{name}: {bytes:N0} bytes, result {result:N0}; thread CPU min {cpu[0] * 1000:F0} ms, median {cpu[cpu.Count / 2] * 1000:F0} ms " +
            $"= {bytes / 1e6 / cpu[cpu.Count / 2]:F0} MB/s (median); wall min {wall[0] * 1000:F0} ms, median {wall[wall.Count / 2] * 1000:F0} ms; load {LoadAverage()}");
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    const int ClockThreadCpuTime = 3;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    static double ThreadCpuSeconds() =>
        ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : throw new InvalidOperationException("clock_gettime failed");

    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Consilium.X12;
using Consilium.X12.Generation;

namespace Consilium.Benchmarks.X12;

/// <summary>
/// Peak memory of a strict read of a generated 2 GB 837P: one read, then the process's peak resident set
/// (VmHWM) is printed. It must not grow with the file: the reader holds one buffer and one transaction.
/// Run: dotnet run -c Release --project bench/Consilium.Benchmarks -- --filter '*X12PeakMemory*'
/// and look for "X12 peak RSS" in the output. Set CONSILIUM_X12_PEAK_GB to change the size.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1, invocationCount: 1)]
[MemoryDiagnoser]
public class X12PeakMemoryBenchmark
{
    string path = "";
    long bytes;
    long rssAfterSetup;

    [GlobalSetup]
    public void Setup()
    {
        var gb = double.TryParse(Environment.GetEnvironmentVariable("CONSILIUM_X12_PEAK_GB"), System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : 2.0;
        path = Path.Combine(Path.GetTempPath(), $"consilium-peak-837p-{Environment.ProcessId}.edi");
        bytes = ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions
        {
            TargetBytes = (long)(gb * 1024 * 1024 * 1024),
            Seed = 2,
            Kinds = GeneratedClaimKinds.Professional,
        }).Bytes;
        rssAfterSetup = PeakRss();
        Console.WriteLine($"// X12 generated {bytes / 1048576.0:F0} MiB; peak RSS after generation {rssAfterSetup / 1048576.0:F0} MiB");
    }

    [Benchmark]
    public long ReadWholeFile()
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        long lines = 0;
        var result = X12Reader.Read(stream, "peak.edi", e => lines += ((ClaimEvent)e).Lines.Count);
        return result.ClaimCount + lines;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// X12 peak RSS {PeakRss() / 1048576.0:F0} MiB for a {bytes / 1048576.0:F0} MiB file (GC heap now {GC.GetTotalMemory(false) / 1048576.0:F0} MiB)");
        File.Delete(path);
    }

    /// <summary>VmHWM from /proc/self/status: the resident high-water mark of this process, in bytes.</summary>
    static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return Environment.WorkingSet;
    }
}

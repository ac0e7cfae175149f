using System.Text.Json;
using Consilium.X12;
using Consilium.X12.Generation;

namespace Consilium.Triggers.Tests;

/// <summary>
/// The scan's fast path (the one-pass claim checker behind <see cref="ScanOptions.PreFilter"/>: every claim validated,
/// only those whose codes a rule reads built) against the full reader (every claim built): the same candidates, the same
/// counts and the same located errors, over every shared 837 file, every malformed file and generated files of several
/// seeds. docs/performance.md, "Parse + rules, one-pass checker".
/// </summary>
public class OnePassCheckerTests
{
    public static TheoryData<string, string> ClaimFiles()
    {
        var data = new TheoryData<string, string>();
        // Enumerated when the theory runs: without the shared data the list is one placeholder that skips.
        if (SharedX12.FolderOrNull("837p") is null) data.Add("837p", "(shared data absent)");
        else
            foreach (var folder in new[] { "837p", "837i" })
                foreach (var file in Directory.GetFiles(SharedX12.FolderOrNull(folder)!).Order(StringComparer.Ordinal))
                    data.Add(folder, Path.GetFileName(file));
        return data;
    }

    public static TheoryData<string> MalformedFiles()
    {
        var data = new TheoryData<string>();
        var folder = SharedX12.FolderOrNull("malformed");
        if (folder is null) data.Add("(shared data absent)");
        else foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ClaimFiles))]
    public void Scan_SharedClaimFile_CheckerAndFullReaderAgree(string folder, string file)
    {
        var path = Path.Combine(SharedX12.Folder(folder), file);

        // Strict first: both fail with the same located error, or both succeed with the same result. Then leniently,
        // which every file passes (skipping what fails) and which must skip the same transactions.
        Assert.Equal(Outcome(path, lenient: false, preFilter: false), Outcome(path, lenient: false, preFilter: true));
        Assert.Equal(Outcome(path, lenient: true, preFilter: false), Outcome(path, lenient: true, preFilter: true));
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Scan_MalformedFile_CheckerFailsWithTheSameLocatedError(string file)
    {
        var path = Path.Combine(SharedX12.Folder("malformed"), file);

        var full = Outcome(path, lenient: false, preFilter: false);
        var fast = Outcome(path, lenient: false, preFilter: true);

        Assert.StartsWith("error: ", full);
        Assert.Equal(full, fast);
        Assert.Equal(Outcome(path, lenient: true, preFilter: false), Outcome(path, lenient: true, preFilter: true));
    }

    [Theory]
    [InlineData(1, GeneratedClaimKinds.Professional)]
    [InlineData(2, GeneratedClaimKinds.Institutional)]
    [InlineData(3, GeneratedClaimKinds.Mixed)]
    [InlineData(4, GeneratedClaimKinds.Mixed)]
    public void Scan_GeneratedFile_CheckerAndFullReaderFindTheSameCandidates(int seed, GeneratedClaimKinds kinds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-checker-{Guid.NewGuid():N}.edi");
        try
        {
            // Small transactions so that claims, members and transactions straddle the reader's buffer refills.
            var manifest = ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions
            {
                TargetBytes = 1_500_000, Seed = seed, Kinds = kinds, ClaimsPerTransaction = 37, PlantedClaimCount = 40,
            });

            var full = Outcome(path, lenient: false, preFilter: false);
            var fast = Outcome(path, lenient: false, preFilter: true);

            Assert.Equal(full, fast);
            Assert.Contains($"claims {manifest.Claims}, lines {manifest.ServiceLines}", fast);
            Assert.Contains("\"MemberId\"", fast);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Scan_GeneratedFileWithAnErrorInEveryTenthTransaction_LenientSkipsTheSameTransactions()
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-checker-bad-{Guid.NewGuid():N}.edi");
        try
        {
            ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = 900_000, Seed = 5, ClaimsPerTransaction = 20 });
            var text = File.ReadAllText(path);
            var damaged = new System.Text.StringBuilder();
            int from = 0, n = 0, damagedCount = 0;
            // A different fault in each damaged transaction, each in a segment the checker reads from its bytes or
            // leaves to the engine: a bad service date, a bad line amount, a bad claim amount, an empty CLM01, a bad
            // birth date, a lower-case segment id.
            (string Target, string Replacement)[] faults =
            [
                ("\nDTP*472*", "DTP*472*D8*20251340"), ("\nSV1*", "SV1*HC:99213*1O0*UN*1***1"), ("\nCLM*", "CLM*C1*12.3.4***11:B:1"),
                ("\nCLM*", "CLM**10***11:B:1"), ("\nDMG*", "DMG*D8*19530229*F"), ("\nNM1*82*", "nM1*82*1*X"),
            ];
            for (int st = text.IndexOf("\nST*", StringComparison.Ordinal); st >= 0; st = text.IndexOf("\nST*", st + 1, StringComparison.Ordinal), n++)
            {
                if (n % 10 != 3) continue;
                var (target, replacement) = faults[damagedCount % faults.Length];
                int at = text.IndexOf(target, st, StringComparison.Ordinal);
                if (at < 0 || at > text.IndexOf("\nSE*", st, StringComparison.Ordinal)) break;
                int end = text.IndexOf('~', at);
                damaged.Append(text, from, at + 1 - from).Append(replacement);
                from = end;
                damagedCount++;
            }
            damaged.Append(text, from, text.Length - from);
            File.WriteAllText(path, damaged.ToString());

            var full = Outcome(path, lenient: true, preFilter: false);
            var fast = Outcome(path, lenient: true, preFilter: true);

            Assert.Equal(full, fast);
            Assert.True(damagedCount >= 6, $"only {damagedCount} transactions damaged");
            Assert.Contains($"skipped {damagedCount},", fast);
            Assert.Equal(Outcome(path, lenient: false, preFilter: false), Outcome(path, lenient: false, preFilter: true));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Everything a scan reports, as text: the summary's counts, its errors and the candidates in full; or the error it failed with.</summary>
    static string Outcome(string path, bool lenient, bool preFilter)
    {
        var engine = new TriggerEngine(RuleSet.Default);
        try
        {
            var summary = ClaimsScanner.Scan(engine, [new ScanInput(path)], new ScanOptions { Lenient = lenient, PreFilter = preFilter });
            var candidates = engine.Evaluate().Candidates;
            return $"interchanges {summary.Interchanges}, claims {summary.Claims}, lines {summary.ServiceLines}, prior-auth {summary.PriorAuthorizations}, " +
                $"skipped {summary.Skipped}, errors [{string.Join(" | ", summary.Errors.Select(e => e.Message))}]\n" +
                string.Join("\n", candidates.Select(c => JsonSerializer.Serialize(c)));
        }
        catch (Exception e) when (e is X12FormatException or ClaimFileFormatException)
        {
            return $"error: {e.Message}";
        }
    }
}

/// <summary>The shared X12 files in ../shared/data/x12; tests skip with the path they looked at when it is absent.</summary>
static class SharedX12
{
    public static string? FolderOrNull(string folder)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Consilium.slnx"))) continue;
            var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "x12", folder));
            return Directory.Exists(path) ? path : null;
        }
        return null;
    }

    public static string Folder(string folder)
    {
        var path = FolderOrNull(folder);
        Assert.SkipUnless(path is not null, $"shared X12 files not found at ../shared/data/x12/{folder}; they live beside the repository and are not copied into it");
        return path!;
    }
}

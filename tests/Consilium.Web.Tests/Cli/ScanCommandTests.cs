using System.Text.Json.Nodes;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Cli;

/// <summary>`./consilium gen-claims` and `./consilium scan` as a user runs them.</summary>
public sealed class ScanCommandTests
{
    [Fact]
    public async Task GeneratedClaims_AreScannedToJsonLinesAndCsv_FindingExactlyThePlantedMembers()
    {
        var home = Directory.CreateTempSubdirectory("consilium-scan-").FullName;
        var claims = Path.Combine(home, "claims.x12");
        var manifestPath = Path.Combine(home, "planted.jsonl");

        var generated = await ConsiliumProcess.RunAsync(home, null, "gen-claims", "--bytes", "2M", "--seed", "7", "--kind", "Mixed", "--out", claims, "--manifest", manifestPath);
        Assert.True(generated.ExitCode == 0, generated.Output);
        Assert.True(new FileInfo(claims).Length >= 2 << 20);
        var planted = File.ReadAllLines(manifestPath).Select(l => JsonNode.Parse(l)!).ToList();
        var plantedMembers = planted.Select(p => (string)p["memberId"]!).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(plantedMembers);

        var jsonl = Path.Combine(home, "candidates.jsonl");
        var scan = await ConsiliumProcess.RunAsync(home, null, "scan", "--out", jsonl, claims);
        Assert.True(scan.ExitCode == 0, scan.Output);
        var lines = File.ReadAllLines(jsonl).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(plantedMembers, lines.Select(l => (string)l["memberId"]!).Distinct().Order(StringComparer.Ordinal).ToList());
        Assert.All(lines, l =>
        {
            foreach (var field in new[] { "memberId", "triggerId", "category", "interceptable", "claimIds", "codes", "firstDate", "estimatedCost" })
                Assert.True(l[field] is not null, $"{field} is in every line");
        });
        Assert.Matches(@"1 files, .* interchanges, \d+ claims, .*; \d+ candidates .* MB/s", scan.Output);

        // A second run told about the first reports nothing new; CSV has a header and one row per candidate.
        var again = await ConsiliumProcess.RunAsync(home, null, "scan", "--previous", jsonl, "--format", "csv", claims);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Single(again.StdOut.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{lines.Count} already reported", again.Output);
        var csv = await ConsiliumProcess.RunAsync(home, null, "scan", "--format", "csv", claims);
        Assert.Equal(lines.Count + 1, csv.StdOut.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("member_id,", csv.StdOut.TrimStart('\uFEFF'), StringComparison.OrdinalIgnoreCase);

        var backtest = await ConsiliumProcess.RunAsync(home, null, "backtest", "--from", "2000-01-01", "--to", "2100-12-31", "--json", claims);
        Assert.True(backtest.ExitCode == 0, backtest.Output);
        var report = JsonNode.Parse(backtest.StdOut)!;
        Assert.Equal(lines.Count, (int)report["candidates"]!);
        Assert.Equal(plantedMembers.Count, (int)report["membersFlagged"]!);
        Assert.NotEmpty(report["triggers"]!.AsArray());
    }

    [Fact]
    public async Task MalformedInputOrRules_ExitNonZeroWithTheLocation_AndWriteNothing()
    {
        var home = Directory.CreateTempSubdirectory("consilium-scan-bad-").FullName;
        var claims = Path.Combine(home, "claims.x12");
        Assert.Equal(0, (await ConsiliumProcess.RunAsync(home, null, "gen-claims", "--bytes", "300K", "--seed", "3", "--out", claims)).ExitCode);
        var text = await File.ReadAllTextAsync(claims);
        var at = text.IndexOf("SV1*HC:", text.Length / 2, StringComparison.Ordinal);
        await File.WriteAllTextAsync(claims, text[..at] + "SV1*HC:99213*1O0" + text[text.IndexOf("*UN*", at, StringComparison.Ordinal)..]);
        var output = Path.Combine(home, "out.jsonl");

        var strict = await ConsiliumProcess.RunAsync(home, null, "scan", "--out", output, claims);
        Assert.Equal(1, strict.ExitCode);
        Assert.Matches(@"claims\.x12: byte \d+, segment \d+ \(SV1\)", strict.Output);
        Assert.False(File.Exists(output), "a failed scan writes no output");
        Assert.False(File.Exists(output + ".partial"));

        var lenient = await ConsiliumProcess.RunAsync(home, null, "scan", "--lenient", "--out", output, claims);
        Assert.True(lenient.ExitCode == 0, lenient.Output);
        Assert.Contains("skipped: claims.x12", lenient.Output);

        var rules = Path.Combine(home, "rules.json");
        await File.WriteAllTextAsync(rules, """{ "schema": "consilium-triggers/1", "name": "mine", "version": "1", "triggers": [ { "id": "x", "type": "nonsense" } ] }""");
        var badRules = await ConsiliumProcess.RunAsync(home, null, "scan", "--rules", rules, claims);
        Assert.Equal(1, badRules.ExitCode);
        Assert.Contains("rules.json", badRules.Output);

        var badSize = await ConsiliumProcess.RunAsync(home, null, "gen-claims", "--bytes", "lots", "--out", claims);
        Assert.Equal(1, badSize.ExitCode);
        Assert.Contains("--bytes", badSize.Output);
        var help = await ConsiliumProcess.RunAsync(home, null, "scan", "--help");
        Assert.Contains("--lenient", help.Output);
    }
}

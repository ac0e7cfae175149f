using System.Text;
using System.Text.Json.Nodes;
using Consilium.X12;
using Consilium.X12.Generation;
using static Consilium.Triggers.Tests.Build;

namespace Consilium.Triggers.Tests;

/// <summary>Deduplication across files and runs, suppression, voids, output formats and scans of generated files.</summary>
public class EngineTests
{
    [Fact]
    public void SameClaimReadFromTwoFiles_IsOneCandidateWithOneClaim()
    {
        var claim = Claim("M1", "C1", "2026-03-02", cpt: ["27447"]);

        var result = Evaluate(claim, Claim("M1", "C1", "2026-03-02", cpt: ["27447"]));

        var candidate = Assert.Single(result.Candidates);
        Assert.Equal(["C1"], candidate.ClaimIds);
        Assert.Single(candidate.Evidence);
    }

    [Fact]
    public void OneMemberAcrossFiles_IsOneEpisode_UntilTheEpisodeWindowPasses()
    {
        var result = Evaluate(
            Claim("M1", "C1", "2026-01-02", cpt: ["27447"]),
            Claim("M1", "C2", "2026-02-15", cpt: ["27447"]),
            Claim("M1", "C3", "2026-11-15", cpt: ["27447"]));

        Assert.Equal([Day("2026-01-02"), Day("2026-11-15")], result.Candidates.Select(c => c.FirstDate).Order());
        Assert.Equal(["C1", "C2"], result.Candidates.Single(c => c.FirstDate == Day("2026-01-02")).ClaimIds);
        Assert.Contains("2 claims through 2026-02-15", result.Candidates.Single(c => c.FirstDate == Day("2026-01-02")).Sentence);
    }

    [Fact]
    public void OrderOfFiles_DoesNotChangeTheResult()
    {
        X12Event[] events = [PriorAuth("M1", "T1", "2026-03-02", ["22630"]), Claim("M1", "C9", "2026-03-20", cpt: ["22630"])];

        var forward = Evaluate(events).Candidates.Select(CandidateWriter.ToJson);
        var backward = Evaluate(events.Reverse().ToArray()).Candidates.Select(CandidateWriter.ToJson);

        Assert.Equal(forward, backward);
    }

    [Fact]
    public void PreviousRun_SameMemberTriggerAndEpisode_IsADuplicate_ALaterEpisodeIsNot()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        engine.Add(Claim("M1", "C1", "2026-03-02", cpt: ["27447"]));
        engine.Add(Claim("M2", "C2", "2026-03-02", cpt: ["27447"]));

        var result = engine.Evaluate(new EvaluationOptions
        {
            Previous = [new PreviousCandidate("M1", "knee-replacement", Day("2026-02-20")), new PreviousCandidate("M2", "knee-replacement", Day("2025-01-05"))],
        });

        Assert.Equal(1, result.Duplicates);
        Assert.Equal("M2", Assert.Single(result.Candidates).MemberId);
    }

    [Fact]
    public void Suppression_KeepsTheCandidateOffTheList_AndCountsItWithItsReason()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        engine.Add(PriorAuth("M1", "T1", "2026-03-02", ["27130"]));
        engine.Add(PriorAuth("M2", "T2", "2026-03-02", ["27130"]));

        var result = engine.Evaluate(new EvaluationOptions { Suppress = c => c.MemberId == "M1" ? "open case" : null });

        Assert.Equal("M2", Assert.Single(result.Candidates).MemberId);
        var suppressed = Assert.Single(result.Suppressed);
        Assert.Equal(("M1", "open case"), (suppressed.Candidate.MemberId, suppressed.Reason));
    }

    [Fact]
    public void VoidedClaim_IsForgotten_WhicheverFileCameFirst()
    {
        var original = Claim("M1", "C1", "2026-03-02", cpt: ["33533"]);
        var voided = Claim("M1", "C1", "2026-03-02", cpt: ["33533"], frequency: "8");

        Assert.Empty(Evaluate(original, voided).Candidates);
        Assert.Empty(Evaluate(voided, original).Candidates);
    }

    [Fact]
    public void OnlyRelevantFactsAreKept()
    {
        var engine = new TriggerEngine(RuleSet.Default);
        for (int i = 0; i < 1000; i++) engine.Add(Claim($"R{i}", $"C{i}", "2026-01-01", dx: ["I10"], cpt: ["99213"]));
        engine.Add(Claim("M1", "X", "2026-01-01", cpt: ["27447"]));

        Assert.Equal((1001, 1, 1), (engine.ClaimsSeen, engine.RelevantClaims, engine.MembersWithFacts));
    }

    [Fact]
    public void JsonLines_CarryTheRequiredCamelCaseFields()
    {
        var result = Evaluate(PriorAuth("M1", "T1", "2026-03-02", ["22630"]));
        var text = new StringWriter();

        CandidateWriter.WriteJsonLines(text, result.Candidates);

        var line = JsonNode.Parse(text.ToString().TrimEnd('\n'))!.AsObject();
        foreach (var field in new[] { "memberId", "triggerId", "category", "interceptable", "claimIds", "codes", "firstDate", "estimatedCost", "sentence", "priority", "evidence" })
            Assert.True(line.ContainsKey(field), field);
        Assert.Equal("2026-03-02", line["firstDate"]!.GetValue<string>());
        Assert.True(line["interceptable"]!.GetValue<bool>());
    }

    [Fact]
    public void Csv_HasAHeaderAndQuotesWhatNeedsIt()
    {
        var result = Evaluate(PriorAuth("M1", "T1", "2026-03-02", ["22630"]),
            Claim("M2", "C1", "2026-01-02", cpt: ["72148"]), Claim("M2", "C2", "2026-01-20", cpt: ["74177"]), Claim("M2", "C3", "2026-02-11", cpt: ["78815"]));
        var text = new StringWriter();

        CandidateWriter.WriteCsv(text, result.Candidates);

        var lines = text.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', CandidateWriter.CsvColumns), lines[0]);
        Assert.StartsWith("M1,spinal-fusion-planned,pre-irreversible,true,", lines[1]);
        Assert.EndsWith(",Prior authorization requested for spinal fusion on 2026-03-02 (22630); no fusion claim yet,2026.11.1", lines[1]);
        Assert.EndsWith(",C1|C2|C3,,72148|74177|78815,\"3 advanced imaging studies within 41 days: 72148 on 2026-01-02, 74177 on 2026-01-20, 78815 on 2026-02-11\",2026.11.1", lines[2]);
    }

    [Fact]
    public void ReadPrevious_ReadsAnEarlierOutput()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                CandidateWriter.WriteJsonLines(writer, Evaluate(PriorAuth("M1", "T1", "2026-03-02", ["22630"])).Candidates);

            Assert.Equal([new PreviousCandidate("M1", "spinal-fusion-planned", Day("2026-03-02"))], CandidateWriter.ReadPrevious(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<GeneratedClaimKinds, bool> GeneratedKinds => new()
    {
        { GeneratedClaimKinds.Professional, true }, { GeneratedClaimKinds.Institutional, true }, { GeneratedClaimKinds.Mixed, true },
        { GeneratedClaimKinds.Mixed, false },
    };

    /// <summary>The generator's planted members are found exactly: each by its trigger, nobody else by any trigger.</summary>
    [Theory]
    [MemberData(nameof(GeneratedKinds))]
    public void Scan_GeneratedFile_FindsExactlyThePlantedMembers(GeneratedClaimKinds kinds, bool preFilter)
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-planted-{Guid.NewGuid():N}.edi");
        try
        {
            var manifest = ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = 3_000_000, Seed = 21, Kinds = kinds });
            var engine = new TriggerEngine(RuleSet.Default);

            var summary = ClaimsScanner.Scan(engine, [new ScanInput(path)], new ScanOptions { PreFilter = preFilter });
            var result = engine.Evaluate();

            var expected = manifest.Planted.Select(p => (p.MemberId, ExpectedTrigger(p.Procedure.Category))).Distinct().Order().ToList();
            Assert.Equal(expected, result.Candidates.Select(c => (c.MemberId, c.TriggerId)).Order().ToList());
            Assert.Equal(manifest.Claims, summary.Claims);
            Assert.Equal(manifest.ServiceLines, summary.ServiceLines);
            Assert.Equal(manifest.Interchanges, summary.Interchanges);
            Assert.Empty(summary.Errors);
            Assert.Equal(manifest.Planted.Count, engine.RelevantClaims);
        }
        finally
        {
            File.Delete(path);
        }
    }

    static string ExpectedTrigger(string category) => category switch
    {
        "spinal-fusion" => "spinal-fusion",
        "knee-replacement" => "knee-replacement",
        "hip-replacement" => "hip-replacement",
        "cabg" => "cabg",
        "pci" => "pci",
        "mri" or "ct" or "pet" => "advanced-imaging-repeat",
        "chemotherapy" => "cancer-chemotherapy",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    [Fact]
    public void Scan_MalformedFile_StrictThrowsWithLocation_LenientListsTheSkippedTransaction()
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-bad-{Guid.NewGuid():N}.edi");
        try
        {
            ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = 200_000, Seed = 3, ClaimsPerTransaction = 50 });
            var text = File.ReadAllText(path);
            int at = text.IndexOf("SV1*HC:", text.Length / 2, StringComparison.Ordinal);
            File.WriteAllText(path, text[..at] + "SV1*HC:99213*1O0" + text[text.IndexOf("*UN*", at, StringComparison.Ordinal)..]);

            var strict = Assert.Throws<X12FormatException>(() => ClaimsScanner.Scan(new TriggerEngine(RuleSet.Default), [new ScanInput(path, "bad.edi")]));
            Assert.StartsWith("bad.edi: byte ", strict.Message);

            var lenient = ClaimsScanner.Scan(new TriggerEngine(RuleSet.Default), [new ScanInput(path, "bad.edi")], new ScanOptions { Lenient = true });
            Assert.Equal(1, lenient.Skipped);
            Assert.Contains("SV102", Assert.Single(lenient.Errors).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Scan_ClaimsCsv_IsRecognisedAndEvaluated()
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "member_id,claim_id,claim_type,service_from,diagnosis_codes,procedure_code\nM1,C1,professional,2026-03-02,M1711,27447\n");
            var engine = new TriggerEngine(RuleSet.Default);
            var progress = new List<ScanProgress>();

            var summary = ClaimsScanner.Scan(engine, [new ScanInput(path)], new ScanOptions { Progress = new SyncProgress(progress.Add) });

            Assert.Equal(1, summary.Claims);
            Assert.Equal("knee-replacement", Assert.Single(engine.Evaluate().Candidates).TriggerId);
            Assert.Equal(progress[^1].TotalBytes, progress[^1].BytesRead);
        }
        finally
        {
            File.Delete(path);
        }
    }

    sealed class SyncProgress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }
}

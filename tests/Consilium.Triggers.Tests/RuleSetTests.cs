using System.IO.Compression;
using System.Text;

namespace Consilium.Triggers.Tests;

public class RuleSetTests
{
    [Fact]
    public void Default_Loads_WithACostForEveryTrigger()
    {
        var rules = RuleSet.Default;

        Assert.Equal("2026.11.1", rules.Version);
        Assert.Equal(17, rules.Triggers.Count);
        Assert.All(rules.Triggers, t => Assert.NotNull(rules.CostOf(t)));
        Assert.Equal(64, rules.Sha256.Length);
    }

    /// <summary>
    /// Every ICD-10-CM, ICD-10-PCS and HCPCS Level II code (or prefix) of the default library exists in the public code
    /// lists under ../shared/data/codes. CPT (Level I) codes are copyrighted and in no public list here: they are checked
    /// for shape only (five digits, or four digits and F/T/U).
    /// </summary>
    [Fact]
    public void Default_EveryCodeExistsInThePublicCodeLists()
    {
        var codes = SharedCodes.Folder;
        var icd10cm = SharedCodes.FirstColumn(Path.Combine(codes, "icd10cm_valid_codes_fy2022.tsv.gz"));
        var icd10pcs = SharedCodes.FirstColumn(Path.Combine(codes, "icd10pcs_valid_codes_fy2022.tsv.gz"));
        var hcpcs = SharedCodes.Hcpcs(Path.Combine(codes, "HCPC2019_CONTR_ANWEB.txt.gz"));
        var problems = new List<string>();

        foreach (var set in RuleSet.Default.CodeSets.Values)
        {
            var known = set.System switch { CodeSystems.Icd10Cm => icd10cm, CodeSystems.Icd10Pcs => icd10pcs, _ => null };
            foreach (var code in set.Codes)
            {
                var exists = known is not null ? known.Contains(code)
                    : char.IsAsciiLetter(code[0]) ? hcpcs.Contains(code)
                    : code.Length == 5 && (code.All(char.IsAsciiDigit) || code[..4].All(char.IsAsciiDigit) && code[4] is 'F' or 'T' or 'U');
                if (!exists) problems.Add($"{set.Name}: {code}");
            }
            foreach (var prefix in set.Prefixes)
            {
                var pool = known ?? hcpcs;
                if (!pool.Any(c => c.StartsWith(prefix, StringComparison.Ordinal))) problems.Add($"{set.Name}: prefix {prefix}");
            }
        }

        Assert.True(problems.Count == 0, "Unknown codes: " + string.Join(", ", problems));
        Assert.Contains("M4316", icd10cm);
        Assert.Contains("0SG00AJ", icd10pcs);
        Assert.Contains("J9271", hcpcs);
    }

    [Theory]
    [InlineData("{", "not a valid rules file")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","unknown":1,"triggers":[]}""", "unknown")]
    [InlineData("""{"schema":"other","name":"x","version":"1","triggers":[]}""", "schema: expected \"consilium-triggers/1\"")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","triggers":[]}""", "triggers: at least one trigger is required")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","episodeCosts":{"a":1},"triggers":[{"id":"a","type":"procedure","category":"high-variance-procedure","name":"A","procedures":["nope"]}]}""",
        "triggers[0] (a).procedures: no code set named \"nope\"")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","codeSets":{"s":{"system":"CPT/HCPCS","codes":["22630"]}},"triggers":[{"id":"a","type":"procedure","category":"high-variance-procedure","name":"A","procedures":["s"]}]}""",
        "costKey: episodeCosts has no entry \"a\"")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","episodeCosts":{"a":1},"codeSets":{"s":{"system":"CPT/HCPCS","codes":["22630"]}},"triggers":[{"id":"a","type":"sometimes","category":"high-variance-procedure","name":"A","procedures":["s"]}]}""",
        "type: expected one of")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","episodeCosts":{"a":1},"codeSets":{"s":{"system":"CPT/HCPCS","codes":["22630"]}},"triggers":[{"id":"a","type":"pathway","category":"high-cost-pathway","name":"A","diagnoses":["s"],"followedBy":["s"]}]}""",
        "diagnoses: code set \"s\" is CPT/HCPCS; expected ICD-10-CM")]
    [InlineData("""{"schema":"consilium-triggers/1","name":"x","version":"1","episodeCosts":{"a":1},"codeSets":{"s":{"system":"CPT/HCPCS","codes":["22 630!"]}},"triggers":[{"id":"a","type":"procedure","category":"high-variance-procedure","name":"A","procedures":["s"]}]}""",
        "is not a code")]
    public void Parse_BadRules_FailWithTheSourceAndThePlace(string json, string expected)
    {
        var e = Assert.Throws<RuleSetException>(() => RuleSet.Parse(json, "my-rules.json"));

        Assert.StartsWith("my-rules.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Parse_SmallValidSet_AppliesDefaultsAndNormalizesCodes()
    {
        var rules = RuleSet.Parse("""
            {
              // comments are allowed
              "schema": "consilium-triggers/1", "name": "Tiny", "version": "7",
              "episodeCosts": { "fusion": 1000 },
              "codeSets": { "dx": { "system": "ICD-10-CM", "codes": ["m43.16"] }, "px": { "system": "CPT/HCPCS", "codes": ["22630"] } },
              "triggers": [ { "id": "f", "type": "planned", "category": "pre-irreversible", "name": "fusion", "procedures": ["px"],
                              "diagnoses": ["dx"], "planning": ["px"], "costKey": "fusion" }, ]
            }
            """);

        var trigger = Assert.Single(rules.Triggers);
        Assert.Equal((90, 180, 0.5, "fusion"), (trigger.WithinDays, trigger.EpisodeDays, trigger.Weight, trigger.Noun));
        Assert.True(trigger.Diagnoses.Matches(CodeKind.Diagnosis, "M4316"));
        Assert.False(trigger.Diagnoses.Matches(CodeKind.Hcpcs, "M4316"));
        Assert.Equal(1000m, rules.CostOf(trigger));
        var repriced = rules.WithCosts(new Dictionary<string, decimal> { ["fusion"] = 2500m });
        Assert.Equal(2500m, repriced.CostOf(repriced.Triggers[0]));
    }

    [Fact]
    public void ParseCostTable_ReadsAmounts_AndRejectsText()
    {
        Assert.Equal(95000m, RuleSet.ParseCostTable("""{"spinal-fusion": 95000}""", "costs.json")["spinal-fusion"]);
        Assert.Contains("costs.json", Assert.Throws<RuleSetException>(() => RuleSet.ParseCostTable("""{"spinal-fusion": "lots"}""", "costs.json")).Message);
    }
}

/// <summary>The public code lists in ../shared/data/codes; tests skip with the path they looked at when it is absent.</summary>
static class SharedCodes
{
    public static string Folder
    {
        get
        {
            string? root = null;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Consilium.slnx"))) { root = dir.FullName; break; }
            var path = root is null ? null : Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "codes"));
            Assert.SkipUnless(path is not null && Directory.Exists(path),
                $"public code lists not found at {path ?? "../shared/data/codes"}; they live beside the repository and are not copied into it");
            return path!;
        }
    }

    public static HashSet<string> FirstColumn(string gzipTsv)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipTsv), CompressionMode.Decompress), Encoding.UTF8);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            int tab = line.IndexOf('\t');
            set.Add((tab < 0 ? line : line[..tab]).Trim());
        }
        return set;
    }

    /// <summary>CMS's fixed-width HCPCS file: the code is in columns 1–5 of each record (HCPCS2019_recordlayout.txt).</summary>
    public static HashSet<string> Hcpcs(string gzip)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzip), CompressionMode.Decompress), Encoding.Latin1);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length < 5) continue;
            var code = line[..5];
            if (char.IsAsciiLetterUpper(code[0]) && code[1..].All(char.IsAsciiDigit)) set.Add(code);
        }
        return set;
    }
}

using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Consilium.Triggers;

/// <summary>The four kinds of moment the engine looks for (docs/triggers.md). Plain strings: they read the same in
/// rule files, JSONL output, the API and the database.</summary>
public static class TriggerCategories
{
    public const string HighVarianceProcedure = "high-variance-procedure";
    public const string HighCostPathway = "high-cost-pathway";
    public const string RepeatUtilization = "repeat-utilization";
    public const string PreIrreversible = "pre-irreversible";

    public static readonly IReadOnlyList<string> All = [HighVarianceProcedure, HighCostPathway, RepeatUtilization, PreIrreversible];
}

/// <summary>How a trigger is evaluated.</summary>
public static class TriggerTypes
{
    /// <summary>A claim carries one of the procedure codes: the procedure was performed (or the drug given).</summary>
    public const string Procedure = "procedure";
    /// <summary>A prior authorization for the procedure, or a diagnosis together with a planning code: interceptable
    /// until the procedure appears in claims.</summary>
    public const string Planned = "planned";
    /// <summary>A new diagnosis followed, within a window, by a code that starts a costly pathway.</summary>
    public const string Pathway = "pathway";
    /// <summary>At least N distinct services (code and date) within a window.</summary>
    public const string Repeat = "repeat";

    public static readonly IReadOnlyList<string> All = [Procedure, Planned, Pathway, Repeat];
}

/// <summary>Code systems a code set may be written in.</summary>
public static class CodeSystems
{
    /// <summary>CPT (Level I HCPCS) and HCPCS Level II codes, as on SV1/SV2 lines and 278 services.</summary>
    public const string Hcpcs = "CPT/HCPCS";
    public const string Icd10Cm = "ICD-10-CM";
    public const string Icd10Pcs = "ICD-10-PCS";

    public static readonly IReadOnlyList<string> All = [Hcpcs, Icd10Cm, Icd10Pcs];
}

/// <summary>A rules file that cannot be used; the message names the place in the file and what was expected.</summary>
public sealed class RuleSetException(string message) : Exception(message);

/// <summary>A named list of codes (exact, dotless, upper case) and code prefixes in one code system.</summary>
public sealed class CodeSet
{
    readonly HashSet<string> codes;
    readonly string[] prefixes;

    internal CodeSet(string name, string system, string label, IEnumerable<string> codes, IEnumerable<string> prefixes)
    {
        Name = name;
        System = system;
        Label = label;
        this.codes = new HashSet<string>(codes, StringComparer.Ordinal);
        this.prefixes = prefixes.Distinct(StringComparer.Ordinal).ToArray();
    }

    public string Name { get; }
    public string System { get; }
    /// <summary>Words for a coordinator ("spinal fusion", "pre-procedural examination").</summary>
    public string Label { get; }
    public IReadOnlyCollection<string> Codes => codes;
    public IReadOnlyList<string> Prefixes => prefixes;

    public bool Matches(string code)
    {
        if (codes.Contains(code)) return true;
        foreach (var prefix in prefixes)
            if (code.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }
}

/// <summary>One or more code sets used in one role of a trigger (its procedures, its diagnoses …).</summary>
public sealed class CodeMatcher
{
    public static readonly CodeMatcher None = new([]);

    internal CodeMatcher(IReadOnlyList<CodeSet> sets) => Sets = sets;

    public IReadOnlyList<CodeSet> Sets { get; }
    public bool IsEmpty => Sets.Count == 0;

    /// <summary>The set that holds <paramref name="code"/> of <paramref name="kind"/>, or null.</summary>
    public CodeSet? Find(CodeKind kind, string code)
    {
        foreach (var set in Sets)
            if (SystemOf(kind) == set.System && set.Matches(code)) return set;
        return null;
    }

    public bool Matches(CodeKind kind, string code) => Find(kind, code) is not null;

    static string SystemOf(CodeKind kind) => kind switch
    {
        CodeKind.Diagnosis => CodeSystems.Icd10Cm,
        CodeKind.Pcs => CodeSystems.Icd10Pcs,
        _ => CodeSystems.Hcpcs,
    };

    public string Label => Sets.Count == 0 ? "" : Sets[0].Label;
}

/// <summary>Which kind of code a fact is: an ICD-10-CM diagnosis, a CPT/HCPCS service, or an ICD-10-PCS procedure.</summary>
public enum CodeKind { Diagnosis, Hcpcs, Pcs }

/// <summary>One trigger of a rule set, compiled: its code sets resolved and its defaults applied.</summary>
public sealed class TriggerRule
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required string Category { get; init; }
    /// <summary>What the procedure or pathway is called in a sentence: "spinal fusion".</summary>
    public required string Name { get; init; }
    /// <summary>The short word in "no fusion claim yet".</summary>
    public required string Noun { get; init; }
    public CodeMatcher Procedures { get; init; } = CodeMatcher.None;
    public CodeMatcher Diagnoses { get; init; } = CodeMatcher.None;
    public CodeMatcher Planning { get; init; } = CodeMatcher.None;
    public CodeMatcher FollowedBy { get; init; } = CodeMatcher.None;
    public CodeMatcher Treatment { get; init; } = CodeMatcher.None;
    /// <summary>Pathway: the follow-up must come within this many days of the first diagnosis. Planned: the diagnosis
    /// must come within this many days before the planning code.</summary>
    public int WithinDays { get; init; }
    /// <summary>Events of one member and trigger closer than this to the episode's first date belong to the same episode.</summary>
    public int EpisodeDays { get; init; }
    public int MinCount { get; init; }
    public int WindowDays { get; init; }
    public required string CostKey { get; init; }
    /// <summary>0–1: how much this trigger matters to the program beside cost and interceptability.</summary>
    public double Weight { get; init; }

    /// <summary>Every code set the trigger reads, for the reader's pre-filter.</summary>
    internal IEnumerable<CodeSet> AllSets => Procedures.Sets.Concat(Diagnoses.Sets).Concat(Planning.Sets).Concat(FollowedBy.Sets).Concat(Treatment.Sets);
}

/// <summary>
/// A program's trigger rules: code sets, triggers and the episode cost table, read from versioned JSON
/// (docs/triggers.md). <see cref="Default"/> is the library shipped with the product.
/// </summary>
public sealed partial class RuleSet
{
    public const string SchemaId = "consilium-triggers/1";
    const int MaxDays = 3650;

    RuleSet() { }

    public string Name { get; private init; } = "";
    public string Version { get; private init; } = "";
    public string Currency { get; private init; } = "USD";
    public IReadOnlyList<TriggerRule> Triggers { get; private init; } = [];
    public IReadOnlyDictionary<string, CodeSet> CodeSets { get; private init; } = new Dictionary<string, CodeSet>();
    public IReadOnlyDictionary<string, decimal> EpisodeCosts { get; private init; } = new Dictionary<string, decimal>();
    /// <summary>The JSON the set was read from, unchanged.</summary>
    public string Json { get; private init; } = "";
    /// <summary>SHA-256 of <see cref="Json"/>: which exact rules produced a candidate.</summary>
    public string Sha256 { get; private init; } = "";

    public decimal? CostOf(TriggerRule rule) => EpisodeCosts.TryGetValue(rule.CostKey, out var cost) ? cost : null;

    public TriggerRule? Find(string id) => Triggers.FirstOrDefault(t => t.Id == id);

    static readonly Lazy<string> defaultJson = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Consilium.Triggers.default-rules.json")
            ?? throw new InvalidOperationException("The default rules are missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    static readonly Lazy<RuleSet> defaultSet = new(() => Parse(defaultJson.Value, "default rules"));

    /// <summary>The library shipped in the product (src/Consilium.Triggers/Rules/default-rules.json).</summary>
    public static RuleSet Default => defaultSet.Value;

    public static string DefaultJson => defaultJson.Value;

    public static RuleSet Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuleSetException($"{path}: cannot read the rules file: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Reads and checks a rule set; any problem throws <see cref="RuleSetException"/> naming <paramref name="source"/> and the place.</summary>
    public static RuleSet Parse(string json, string source = "rules")
    {
        Document document;
        try
        {
            document = JsonSerializer.Deserialize(json, RulesJsonContext.Default.Document)
                ?? throw new RuleSetException($"{source}: the file is empty (expected a JSON object)");
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            var line = e.LineNumber is { } l ? $" (line {l + 1})" : "";
            throw new RuleSetException($"{source}: not a valid rules file{where}{line}: {FirstSentence(e.Message)}");
        }

        var errors = new List<string>();
        if (document.Schema != SchemaId) errors.Add($"schema: expected \"{SchemaId}\", found {Quote(document.Schema)}");
        if (string.IsNullOrWhiteSpace(document.Name)) errors.Add("name: required");
        if (string.IsNullOrWhiteSpace(document.Version)) errors.Add("version: required");
        var currency = string.IsNullOrWhiteSpace(document.Currency) ? "USD" : document.Currency.Trim();
        if (!CurrencyPattern().IsMatch(currency)) errors.Add($"currency: expected a three-letter code such as USD, found {Quote(currency)}");

        var sets = new Dictionary<string, CodeSet>(StringComparer.Ordinal);
        foreach (var (name, set) in document.CodeSets ?? [])
        {
            var path = $"codeSets.{name}";
            if (!IdPattern().IsMatch(name)) errors.Add($"{path}: a code set name is lower-case letters, digits and dashes");
            if (set is null) { errors.Add($"{path}: expected an object"); continue; }
            if (set.System is null || !CodeSystems.All.Contains(set.System))
                errors.Add($"{path}.system: expected one of {string.Join(", ", CodeSystems.All.Select(s => $"\"{s}\""))}, found {Quote(set.System)}");
            var codes = Normalize(set.Codes, $"{path}.codes", errors);
            var prefixes = Normalize(set.Prefixes, $"{path}.prefixes", errors);
            if (codes.Count + prefixes.Count == 0) errors.Add($"{path}: needs at least one code or prefix");
            sets[name] = new CodeSet(name, set.System ?? "", string.IsNullOrWhiteSpace(set.Label) ? name : set.Label.Trim(), codes, prefixes);
        }

        var costs = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (key, value) in document.EpisodeCosts ?? [])
        {
            if (value < 0) errors.Add($"episodeCosts.{key}: must not be negative");
            costs[key] = value;
        }

        var triggers = new List<TriggerRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var list = document.Triggers ?? [];
        if (list.Count == 0) errors.Add("triggers: at least one trigger is required");
        for (int i = 0; i < list.Count; i++)
        {
            var t = list[i];
            var path = $"triggers[{i}]";
            if (t is null) { errors.Add($"{path}: expected an object"); continue; }
            if (t.Id is null || !IdPattern().IsMatch(t.Id)) errors.Add($"{path}.id: required, lower-case letters, digits and dashes (found {Quote(t.Id)})");
            else if (!ids.Add(t.Id)) errors.Add($"{path}.id: \"{t.Id}\" is used twice");
            path = t.Id is null ? path : $"{path} ({t.Id})";
            if (t.Enabled == false) continue;
            if (t.Type is null || !TriggerTypes.All.Contains(t.Type))
                errors.Add($"{path}.type: expected one of {string.Join(", ", TriggerTypes.All.Select(s => $"\"{s}\""))}, found {Quote(t.Type)}");
            if (t.Category is null || !TriggerCategories.All.Contains(t.Category))
                errors.Add($"{path}.category: expected one of {string.Join(", ", TriggerCategories.All.Select(s => $"\"{s}\""))}, found {Quote(t.Category)}");
            if (string.IsNullOrWhiteSpace(t.Name)) errors.Add($"{path}.name: required (the words a coordinator reads, e.g. \"spinal fusion\")");

            var procedures = Resolve(t.Procedures, $"{path}.procedures", sets, errors, CodeSystems.Hcpcs, CodeSystems.Icd10Pcs);
            var diagnoses = Resolve(t.Diagnoses, $"{path}.diagnoses", sets, errors, CodeSystems.Icd10Cm);
            var planning = Resolve(t.Planning, $"{path}.planning", sets, errors, CodeSystems.All.ToArray());
            var followedBy = Resolve(t.FollowedBy, $"{path}.followedBy", sets, errors, CodeSystems.Hcpcs, CodeSystems.Icd10Pcs);
            var treatment = Resolve(t.Treatment, $"{path}.treatment", sets, errors, CodeSystems.Hcpcs, CodeSystems.Icd10Pcs);

            switch (t.Type)
            {
                case TriggerTypes.Procedure:
                case TriggerTypes.Repeat:
                    if (procedures.IsEmpty) errors.Add($"{path}.procedures: a {t.Type} trigger needs at least one code set");
                    break;
                case TriggerTypes.Planned:
                    if (procedures.IsEmpty) errors.Add($"{path}.procedures: a planned trigger needs the procedure's code sets");
                    if (diagnoses.IsEmpty != planning.IsEmpty)
                        errors.Add($"{path}: diagnoses and planning go together (a diagnosis with a planning code means the procedure is planned)");
                    break;
                case TriggerTypes.Pathway:
                    if (diagnoses.IsEmpty) errors.Add($"{path}.diagnoses: a pathway trigger needs the diagnosis code sets");
                    if (followedBy.IsEmpty) errors.Add($"{path}.followedBy: a pathway trigger needs the code sets that follow the diagnosis");
                    break;
            }
            int within = Days(t.WithinDays, 90, $"{path}.withinDays", errors);
            int episode = Days(t.EpisodeDays, 180, $"{path}.episodeDays", errors);
            int window = Days(t.WindowDays, 90, $"{path}.windowDays", errors);
            int minCount = t.MinCount ?? 3;
            if (t.Type == TriggerTypes.Repeat && minCount is < 2 or > 100) errors.Add($"{path}.minCount: between 2 and 100");
            double weight = t.Weight ?? 0.5;
            if (weight is < 0 or > 1 || double.IsNaN(weight)) errors.Add($"{path}.weight: between 0 and 1");
            var costKey = string.IsNullOrWhiteSpace(t.CostKey) ? t.Id ?? "" : t.CostKey.Trim();
            if (!costs.ContainsKey(costKey)) errors.Add($"{path}.costKey: episodeCosts has no entry \"{costKey}\"");

            triggers.Add(new TriggerRule
            {
                Id = t.Id ?? "",
                Type = t.Type ?? "",
                Category = t.Category ?? "",
                Name = t.Name?.Trim() ?? "",
                Noun = string.IsNullOrWhiteSpace(t.Noun) ? t.Name?.Trim() ?? "" : t.Noun.Trim(),
                Procedures = procedures,
                Diagnoses = diagnoses,
                Planning = planning,
                FollowedBy = followedBy,
                Treatment = treatment,
                WithinDays = within,
                EpisodeDays = episode,
                WindowDays = window,
                MinCount = minCount,
                CostKey = costKey,
                Weight = weight,
            });
        }

        if (errors.Count > 0)
            throw new RuleSetException($"{source}: {errors.Count} problem(s): " + string.Join("; ", errors.Take(20)) + (errors.Count > 20 ? "; …" : ""));

        return new RuleSet
        {
            Name = document.Name!.Trim(),
            Version = document.Version!.Trim(),
            Currency = currency,
            Triggers = triggers,
            CodeSets = sets,
            EpisodeCosts = costs,
            Json = json,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
        };
    }

    /// <summary>A copy with some episode costs replaced (a cost table given beside the rules).</summary>
    public RuleSet WithCosts(IReadOnlyDictionary<string, decimal> overrides)
    {
        var costs = new Dictionary<string, decimal>(EpisodeCosts, StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
        {
            if (value < 0) throw new RuleSetException($"cost table: {key} must not be negative");
            costs[key] = value;
        }
        return new RuleSet
        {
            Name = Name, Version = Version, Currency = Currency, Triggers = Triggers, CodeSets = CodeSets, EpisodeCosts = costs,
            Json = Json, Sha256 = Sha256,
        };
    }

    /// <summary>Reads a cost table: a JSON object of cost key to amount, e.g. {"spinal-fusion": 95000}.</summary>
    public static IReadOnlyDictionary<string, decimal> ParseCostTable(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RulesJsonContext.Default.DictionaryStringDecimal)
                ?? throw new RuleSetException($"{source}: expected a JSON object of cost key to amount");
        }
        catch (JsonException e)
        {
            throw new RuleSetException($"{source}: not a valid cost table{(e.Path is { Length: > 0 } p ? $" at {p}" : "")}: {FirstSentence(e.Message)}");
        }
    }

    static List<string> Normalize(List<string?>? values, string path, List<string> errors)
    {
        var result = new List<string>();
        foreach (var raw in values ?? [])
        {
            var code = (raw ?? "").Trim().Replace(".", "", StringComparison.Ordinal).ToUpperInvariant();
            if (!CodePattern().IsMatch(code)) errors.Add($"{path}: {Quote(raw)} is not a code (1–8 letters and digits, dots allowed)");
            else result.Add(code);
        }
        return result;
    }

    static CodeMatcher Resolve(List<string?>? names, string path, Dictionary<string, CodeSet> sets, List<string> errors, params string[] systems)
    {
        if (names is null || names.Count == 0) return CodeMatcher.None;
        var resolved = new List<CodeSet>();
        foreach (var name in names)
        {
            if (name is null || !sets.TryGetValue(name, out var set)) errors.Add($"{path}: no code set named {Quote(name)} in codeSets");
            else if (set.System.Length > 0 && !systems.Contains(set.System))
                errors.Add($"{path}: code set \"{name}\" is {set.System}; expected {string.Join(" or ", systems)}");
            else resolved.Add(set);
        }
        return new CodeMatcher(resolved);
    }

    static int Days(int? value, int fallback, string path, List<string> errors)
    {
        var days = value ?? fallback;
        if (days is < 1 or > MaxDays) errors.Add($"{path}: between 1 and {MaxDays} days");
        return days;
    }

    static string Quote(string? value) => value is null ? "nothing" : $"\"{value}\"";

    static string FirstSentence(string message)
    {
        int at = message.IndexOf(". ", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message.TrimEnd('.');
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Z0-9]{1,8}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    internal sealed class Document
    {
        [JsonPropertyName("$schema")] public string? JsonSchema { get; set; }
        public string? Schema { get; set; }
        public string? Name { get; set; }
        public string? Version { get; set; }
        public string? Description { get; set; }
        public string? Currency { get; set; }
        public Dictionary<string, decimal>? EpisodeCosts { get; set; }
        public Dictionary<string, CodeSetDocument?>? CodeSets { get; set; }
        public List<TriggerDocument?>? Triggers { get; set; }
    }

    internal sealed class CodeSetDocument
    {
        public string? System { get; set; }
        public string? Label { get; set; }
        public string? Note { get; set; }
        public List<string?>? Codes { get; set; }
        public List<string?>? Prefixes { get; set; }
    }

    internal sealed class TriggerDocument
    {
        public string? Id { get; set; }
        public string? Type { get; set; }
        public string? Category { get; set; }
        public string? Name { get; set; }
        public string? Noun { get; set; }
        public string? Description { get; set; }
        public bool? Enabled { get; set; }
        public List<string?>? Procedures { get; set; }
        public List<string?>? Diagnoses { get; set; }
        public List<string?>? Planning { get; set; }
        public List<string?>? FollowedBy { get; set; }
        public List<string?>? Treatment { get; set; }
        public int? WithinDays { get; set; }
        public int? EpisodeDays { get; set; }
        public int? WindowDays { get; set; }
        public int? MinCount { get; set; }
        public string? CostKey { get; set; }
        public double? Weight { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(RuleSet.Document))]
[JsonSerializable(typeof(Dictionary<string, decimal>))]
internal sealed partial class RulesJsonContext : JsonSerializerContext;

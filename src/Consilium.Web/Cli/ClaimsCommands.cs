using System.CommandLine;
using System.Globalization;
using System.Text;
using Consilium.Features.Triggers;
using Consilium.Triggers;
using Consilium.X12;
using Consilium.X12.Generation;

namespace Consilium.Cli;

/// <summary>
/// `./consilium scan` (claims and prior authorizations through the trigger rules, to JSONL or CSV) and
/// `./consilium gen-claims` (reproducible synthetic 837 files with known triggering members).
/// </summary>
static class ClaimsCommands
{
    public static Command Scan(Option<string?> db)
    {
        var files = new Argument<FileInfo[]>("FILES") { Description = "X12 837P/837I/278 files, claims CSV (docs/claims-csv.md) or FHIR EOB NDJSON; the format is read from each file's first bytes.", Arity = ArgumentArity.OneOrMore };
        var rules = new Option<FileInfo?>("--rules") { Description = "A rule set (JSON, docs/triggers.md). Default: the program's rule set with --program, else the library shipped with Consilium." };
        var program = new Option<Guid?>("--program") { Description = "Program whose rules apply and whose members with an open case, or contacted within the suppression window, are suppressed." };
        var output = new Option<FileInfo?>("--out") { Description = "Write the candidates here (created only when the scan succeeds). Default: standard output." };
        var format = new Option<string>("--format") { Description = "jsonl (default) or csv.", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var lenient = new Option<bool>("--lenient") { Description = "Skip a malformed transaction (ST..SE) or claim line as a unit and list it, instead of failing the whole scan." };
        var previous = new Option<FileInfo?>("--previous") { Description = "An earlier run's JSONL output: candidates it already reported (same member and trigger within the episode) are left out." };
        var asOf = new Option<DateOnly?>("--as-of") { Description = "The day the scan stands on (yyyy-MM-dd), for recency in the priority. Default: the latest date in the data." };

        var command = new Command("scan", "Find members about to make a high-stakes decision in claims and prior-authorization files. Strict by default: a malformed file fails the scan and nothing is written.");
        command.Arguments.Add(files);
        foreach (var option in new Option[] { rules, program, output, format, lenient, previous, asOf }) command.Options.Add(option);
        command.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            var inputs = Existing(parse.GetValue(files)!);
            var programId = parse.GetValue(program);

            RuleSet ruleSet;
            Func<Candidate, string?>? suppress = null;
            if (programId is { } id)
            {
                await using var app = ConsiliumCli.BuildApp(parse.GetValue(db));
                await using var scope = await ConsiliumCli.ReadyScopeAsync(app, ct);
                var context = await scope.ServiceProvider.GetRequiredService<TriggerHandlers>().ScanContextAsync(id, ct);
                ruleSet = parse.GetValue(rules) is { } r ? LoadRules(r) : context.Rules;
                suppress = context.Suppress;
            }
            else
            {
                ruleSet = parse.GetValue(rules) is { } r ? LoadRules(r) : RuleSet.Default;
            }

            IReadOnlyCollection<PreviousCandidate>? earlier = null;
            if (parse.GetValue(previous) is { } p)
            {
                if (!p.Exists) throw new ArgumentException($"{p.FullName} does not exist.");
                try { earlier = CandidateWriter.ReadPrevious(p.FullName); }
                catch (FormatException e) { throw new ArgumentException(e.Message); }
            }

            var engine = new TriggerEngine(ruleSet);
            using var progress = new ProgressLine();
            ScanSummary summary;
            try
            {
                summary = ClaimsScanner.Scan(engine, [.. inputs.Select(f => new ScanInput(f.FullName, f.Name))],
                    new ScanOptions { Lenient = parse.GetValue(lenient), Progress = progress }, ct);
            }
            catch (Exception e) when (e is X12FormatException or ClaimFileFormatException)
            {
                progress.Clear();
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                await Console.Error.WriteLineAsync("Nothing was written. Fix the file, or pass --lenient to skip malformed transactions and list them.");
                return 1;
            }
            progress.Clear();
            var evaluation = engine.Evaluate(new EvaluationOptions { AsOf = parse.GetValue(asOf), Suppress = suppress, Previous = earlier });

            var csv = parse.GetValue(format) == "csv";
            if (parse.GetValue(output) is { } target)
            {
                // Written aside and renamed: the output appears whole or not at all.
                var temporary = target.FullName + ".partial";
                await using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
                    Write(writer, evaluation.Candidates, csv);
                File.Move(temporary, target.FullName, overwrite: true);
            }
            else
            {
                var writer = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
                Write(writer, evaluation.Candidates, csv);
                await writer.FlushAsync(ct);
            }

            var s = summary;
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{s.Files} files, {s.Bytes / 1e6:F1} MB, {s.Interchanges} interchanges, {s.Claims} claims, {s.ServiceLines} service lines, " +
                $"{s.PriorAuthorizations} prior-auth requests; {evaluation.Candidates.Count} candidates " +
                $"({evaluation.Candidates.Count(c => c.Interceptable)} interceptable), {evaluation.Suppressed.Count} suppressed, " +
                $"{evaluation.Duplicates} already reported, {s.Errors.Count} errors{(s.Skipped > 0 ? $" ({s.Skipped} skipped)" : "")}; " +
                $"{s.Elapsed.TotalSeconds:F2} s, {s.MegabytesPerSecond:F0} MB/s; rules {ruleSet.Name} {ruleSet.Version}"));
            foreach (var error in s.Errors) await Console.Error.WriteLineAsync($"skipped: {error.FileName}: {error.Message}");
            return 0;
        }));
        return command;
    }

    static FileInfo[] Existing(FileInfo[] files) =>
        files.FirstOrDefault(f => !f.Exists) is { } missing ? throw new ArgumentException($"{missing.FullName} does not exist.") : files;

    static RuleSet LoadRules(FileInfo file)
    {
        try { return RuleSet.Load(file.FullName); }
        catch (RuleSetException e) { throw new ArgumentException(e.Message); }
    }

    static void Write(TextWriter writer, IReadOnlyList<Candidate> candidates, bool csv)
    {
        if (csv) CandidateWriter.WriteCsv(writer, candidates);
        else CandidateWriter.WriteJsonLines(writer, candidates);
    }

    public static Command Backtest()
    {
        var files = new Argument<FileInfo[]>("FILES") { Description = "Historical claims and prior-authorization files, reaching past --to so later procedures are seen.", Arity = ArgumentArity.OneOrMore };
        var rules = new Option<FileInfo?>("--rules") { Description = "The rule set to try (JSON, docs/triggers.md). Default: the library shipped with Consilium." };
        var from = new Option<DateOnly>("--from") { Description = "First day of the period (yyyy-MM-dd).", Required = true };
        var to = new Option<DateOnly>("--to") { Description = "Last day of the period (yyyy-MM-dd).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (camelCase) instead of a table." };
        var lenient = new Option<bool>("--lenient") { Description = "Skip malformed transactions instead of failing." };
        var command = new Command("backtest", "Run a rule set over a historical period: members it would have flagged, how many went on to the procedure, and the estimated cost of those episodes.");
        command.Arguments.Add(files);
        foreach (var option in new Option[] { rules, from, to, json, lenient }) command.Options.Add(option);
        command.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            var inputs = Existing(parse.GetValue(files)!);
            var ruleSet = parse.GetValue(rules) is { } r ? LoadRules(r) : RuleSet.Default;
            var engine = new TriggerEngine(ruleSet);
            try
            {
                ClaimsScanner.Scan(engine, [.. inputs.Select(f => new ScanInput(f.FullName, f.Name))], new ScanOptions { Lenient = parse.GetValue(lenient) }, ct);
            }
            catch (Exception e) when (e is X12FormatException or ClaimFileFormatException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            var report = Consilium.Triggers.Backtest.Run(engine, parse.GetValue(from), parse.GetValue(to));
            if (parse.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true }));
                return 0;
            }
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"{report.RulesName} {report.RulesVersion}, {report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd}: {report.Candidates} episodes, {report.MembersFlagged} members flagged, {report.WentOnToProcedure} went on to the procedure, estimated cost {report.CostOfThoseEpisodes:N0} {report.Currency}"));
            Console.WriteLine($"{"trigger",-32} {"episodes",8} {"members",8} {"in time",8} {"went on",8} {"cost",14} {"lead days",9}");
            foreach (var t in report.Triggers)
                Console.WriteLine(string.Create(c, $"{t.TriggerId,-32} {t.Candidates,8} {t.Members,8} {t.FlaggedBeforeProcedure,8} {t.WentOnToProcedure,8} {t.CostOfThoseEpisodes,14:N0} {(t.MedianLeadDays?.ToString(c) ?? "-"),9}"));
            return 0;
        }));
        return command;
    }

    public static Command GenerateClaims()
    {
        var bytes = new Option<string>("--bytes") { Description = "Size of the file: a number with an optional K, M or G suffix (binary units), e.g. 1G.", DefaultValueFactory = _ => "10M" };
        var seed = new Option<int>("--seed") { Description = "The same seed gives the same file.", DefaultValueFactory = _ => 1 };
        var kind = new Option<GeneratedClaimKinds>("--kind") { Description = "Professional (837P), Institutional (837I) or Mixed.", DefaultValueFactory = _ => GeneratedClaimKinds.Professional };
        var planted = new Option<int>("--planted") { Description = "Members planted with a procedure the default rules must find.", DefaultValueFactory = _ => 24 };
        var output = new Option<FileInfo>("--out") { Description = "The file to write.", Required = true };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Also write the planted members, claims and procedures as JSON lines here." };
        var command = new Command("gen-claims", "Write a valid, reproducible 5010 837 file of a given size with a known set of members who must trigger (for tests and benchmarks). Synthetic: no real person.");
        foreach (var option in new Option[] { bytes, seed, kind, planted, output, manifest }) command.Options.Add(option);
        command.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            var size = ParseSize(parse.GetValue(bytes)!);
            var target = parse.GetValue(output)!;
            var result = ClaimsGenerator.GenerateFile(target.FullName, new ClaimsGeneratorOptions
            {
                TargetBytes = size, Seed = parse.GetValue(seed), Kinds = parse.GetValue(kind), PlantedClaimCount = parse.GetValue(planted),
            });
            if (parse.GetValue(manifest) is { } m)
            {
                await using var writer = new StreamWriter(m.FullName, false, new UTF8Encoding(false));
                foreach (var p in result.Planted)
                    await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new
                    {
                        memberId = p.MemberId, claimId = p.ClaimId, claimType = p.ClaimType.ToString(), category = p.Procedure.Category,
                        cpt = p.Procedure.Cpt, diagnosis = p.Procedure.Diagnosis, pcs = p.Procedure.Pcs,
                    }));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Name}: {result.Bytes} bytes, {result.Interchanges} interchanges, {result.Transactions} transactions, {result.Claims} claims, " +
                $"{result.ServiceLines} service lines, {result.Planted.Count} planted claims for {result.Planted.Select(p => p.MemberId).Distinct().Count()} members"));
            return 0;
        }));
        return command;
    }

    internal static long ParseSize(string text)
    {
        var t = text.Trim();
        long unit = 1;
        if (t.Length > 0 && char.ToUpperInvariant(t[^1]) is 'K' or 'M' or 'G')
        {
            unit = char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > (64L << 30) / unit)
            throw new ArgumentException($"--bytes: expected a positive size such as 500M or 1G (at most 64G), found \"{text}\".");
        return n * unit;
    }

    /// <summary>A one-line progress bar on standard error when it is a terminal; silent otherwise.</summary>
    sealed class ProgressLine : IProgress<ScanProgress>, IDisposable
    {
        readonly bool _terminal = !Console.IsErrorRedirected;
        bool _shown;

        public void Report(ScanProgress value)
        {
            if (!_terminal || value.TotalBytes <= 0) return;
            var fraction = Math.Clamp((double)value.BytesRead / value.TotalBytes, 0, 1);
            var filled = (int)(fraction * 30);
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {fraction * 100,5:F1}%  file {value.FileIndex + 1}/{value.FileCount} {value.FileName}   "));
            _shown = true;
        }

        public void Clear()
        {
            if (!_shown) return;
            Console.Error.Write("\r" + new string(' ', Math.Min(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 100, 160)) + "\r");
            _shown = false;
        }

        public void Dispose() => Clear();
    }
}

using System.CommandLine;
using System.Diagnostics;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Outcomes;
using Consilium.Features.Programs;
using Consilium.Features.Sponsors;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Consilium.Cli;

/// <summary>`import cases` (history from a previous vendor) and `outcomes bench` (1,000,000 rows on PostgreSQL).</summary>
internal static class OutcomesCommands
{
    public static Command Import(Option<string?> db)
    {
        var program = new Option<Guid>("--program") { Description = "Id of the program the cases belong to (see GET /api/programs).", Required = true };
        var file = new Argument<FileInfo>("FILE") { Description = "The history: a CSV of closed cases, one per line (columns in docs/metrics.md)." };
        var cases = new Command("cases", "Load closed cases from a previous vendor so the program's history counts from day one. All or nothing: a bad row " +
            "is reported with its line and column and nothing is written; case ids already imported are left as they are.");
        cases.Options.Add(program);
        cases.Arguments.Add(file);
        cases.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) throw new ArgumentException($"{path.FullName} does not exist.");
            await using var app = ConsiliumCli.BuildApp(parse.GetValue(db));
            await using var scope = await ConsiliumCli.ReadyScopeAsync(app, ct);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
            await using var stream = path.OpenRead();
            var result = await scope.ServiceProvider.GetRequiredService<CaseHistoryImport>().ImportAsync(parse.GetValue(program), stream, path.Name, ct);
            Console.WriteLine($"{result.FileName}: {result.Rows} cases, {result.Added} added, {result.Unchanged} already imported");
            return 0;
        }));
        var disabilityProgram = new Option<Guid>("--program") { Description = "Id of the program the members belong to.", Required = true };
        var disabilityFile = new Argument<FileInfo>("FILE") { Description = "Short-term-disability episodes: a CSV, one per line (columns in docs/metrics.md)." };
        var disability = new Command("disability", "Load short-term-disability episodes from the carrier for the absence outcomes. All or nothing: a bad " +
            "row is reported with its line and column and nothing is written; episode ids already imported are left as they are.");
        disability.Options.Add(disabilityProgram);
        disability.Arguments.Add(disabilityFile);
        disability.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            var path = parse.GetValue(disabilityFile)!;
            if (!path.Exists) throw new ArgumentException($"{path.FullName} does not exist.");
            await using var app = ConsiliumCli.BuildApp(parse.GetValue(db));
            await using var scope = await ConsiliumCli.ReadyScopeAsync(app, ct);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
            await using var stream = path.OpenRead();
            var result = await scope.ServiceProvider.GetRequiredService<DisabilityImport>().ImportAsync(parse.GetValue(disabilityProgram), stream, path.Name, ct);
            Console.WriteLine($"{result.FileName}: {result.Rows} episodes, {result.Added} added, {result.Unchanged} already imported");
            return 0;
        }));
        var command = new Command("import", "Import history into a program.");
        command.Subcommands.Add(cases);
        command.Subcommands.Add(disability);
        return command;
    }

    public static Command Bench(Option<string?> db)
    {
        var rows = new Option<int>("--rows") { Description = "How many imported cases to seed (default 1,000,000).", DefaultValueFactory = _ => 1_000_000 };
        var runs = new Option<int>("--runs") { Description = "Timed computations after one warm-up (default 5).", DefaultValueFactory = _ => 5 };
        var bench = new Command("bench", "PostgreSQL only: seed a new program with --rows imported cases by binary COPY, then time the outcome computation " +
            "(the same calculator as the API). Prints the seeding time and each run; docs/performance.md records the figures.");
        var reuse = new Option<Guid?>("--program") { Description = "Time an earlier run's seeded program (printed by that run) instead of seeding a new one." };
        bench.Options.Add(rows);
        bench.Options.Add(runs);
        var fromOption = new Option<DateOnly?>("--from") { Description = "Start of the period timed (YYYY-MM-DD; default: all time)." };
        var toOption = new Option<DateOnly?>("--to") { Description = "End of the period timed (YYYY-MM-DD; default: all time)." };
        bench.Options.Add(reuse);
        bench.Options.Add(fromOption);
        bench.Options.Add(toOption);
        bench.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            if (string.IsNullOrWhiteSpace(parse.GetValue(db))) throw new ArgumentException("outcomes bench runs on PostgreSQL: give --db \"Host=…;Database=…;Username=…\".");
            await using var app = ConsiliumCli.BuildApp(parse.GetValue(db));
            await using var scope = await ConsiliumCli.ReadyScopeAsync(app, ct);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
            var context = scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>();
            var watch = Stopwatch.StartNew();
            if (parse.GetValue(reuse) is not { } programId)
            {
                var program = await OutcomeBench.CreateProgramAsync(context, ct);
                programId = program.Id;
                watch.Restart();
                await OutcomeBench.SeedAsync(context, program.Id, parse.GetValue(rows), ct);
                Console.WriteLine($"seeded {parse.GetValue(rows):N0} cases into program {program.Id} in {watch.Elapsed.TotalSeconds:0.0} s");
                // What an import does after writing its rows: the monthly roll-up, built whole for a new program.
                watch.Restart();
                await using (var tx = await context.Database.BeginTransactionAsync(ct))
                {
                    var rollup = scope.ServiceProvider.GetRequiredService<OutcomeRollup>();
                    await rollup.LockAsync(program.Id, ct);
                    await rollup.RebuildAsync(program.Id, ct);
                    await tx.CommitAsync(ct);
                }
                Console.WriteLine($"built the monthly roll-up in {watch.Elapsed.TotalSeconds:0.0} s");
            }
            var (from, to) = (parse.GetValue(fromOption), parse.GetValue(toOption));
            for (var i = 0; i <= parse.GetValue(runs); i++)
            {
                // A scope per run, as a request has: the handler maps live cases once per scope.
                await using var run = scope.ServiceProvider.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
                run.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
                var handlers = run.ServiceProvider.GetRequiredService<OutcomeHandlers>();
                watch.Restart();
                var report = await handlers.OutcomesAsync(programId, from, to, ct);
                Console.WriteLine($"{(i == 0 ? "warm-up" : $"run {i}")}: {watch.ElapsedMilliseconds} ms ({report.CasesWithOpinion:N0} cases, anyChangeRate {report.AnyChangeRate}, " +
                    $"median days {report.MedianDaysToOpinion}, roi {report.Savings.Roi})");
            }
            return 0;
        }));
        var command = new Command("outcomes", "Program outcomes.");
        command.Subcommands.Add(bench);
        return command;
    }
}

/// <summary>Seeds imported case outcomes fast (PostgreSQL binary COPY) for the benchmark; the rates are fixed by the case index.</summary>
public static class OutcomeBench
{
    public static async Task<CareProgram> CreateProgramAsync(ConsiliumDbContext db, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var sponsor = Sponsor.Create("Benchmark sponsor " + Guid.NewGuid().ToString("N")[..8], SponsorKind.Employer, now);
        var program = CareProgram.Create(new ProgramSettings("Benchmark " + Guid.NewGuid().ToString("N")[..8], sponsor.Id, FundingModel.SponsorPaid, null,
            Enum.GetValues<ConditionCategory>(), 750m), now);
        db.AddRange(sponsor, program);
        await db.SaveChangesAsync(ct);
        return program;
    }

    public static async Task SeedAsync(ConsiliumDbContext db, Guid programId, int rows, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        var categories = Enum.GetValues<ConditionCategory>();
        var start = new DateOnly(2021, 1, 1);
        var now = DateTimeOffset.UtcNow;
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY "CaseOutcomes" ("Id","ProgramId","Source","ExternalCaseId","MemberExternalId","Category","FromTrigger","RequestedOn","TriggeredOn",
              "PacketCompleteOn","OpinionOn","OpinionMonth","DaysToOpinion","DaysFromTrigger","DaysToPacket","DaysPacketToOpinion","SlaMet",
              "OriginalDx","ReviewerDx","DiagnosisAgreement","TreatmentAgreement","SurgeryProposed","SurgeryRecommended","HospitalizationProposed",
              "HospitalizationRecommended","SiteOfCareChange","OriginalPlanCents","RecommendedPlanCents","Satisfaction","RecordedAt") FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            for (var i = 0; i < rows; i++)
            {
                var requested = start.AddDays(i % 1400);
                var packet = requested.AddDays(3 + i % 9);
                var opinion = packet.AddDays(2 + i % 7);
                var trigger = i % 4 == 0 ? requested.AddDays(-(i % 15)) : (DateOnly?)null;
                var dx = (i % 20) switch { < 12 => "Confirmed", < 16 => "Refined", < 19 => "Changed", _ => "CannotDetermine" };
                var tx = (i % 10) switch { < 4 => "Agree", < 7 => "Modify", _ => "Change" };
                var surgery = i % 3 == 0;
                var original = 500_000L + i % 50 * 100_000L;
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(Guid.CreateVersion7(now), NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(programId, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync("Imported", NpgsqlDbType.Text, ct);
                await writer.WriteAsync($"B{i:D8}", NpgsqlDbType.Text, ct);
                await writer.WriteAsync($"M{i % 400_000:D7}", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(categories[i % categories.Length].ToString(), NpgsqlDbType.Text, ct);
                await writer.WriteAsync(trigger is not null, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(requested, NpgsqlDbType.Date, ct);
                if (trigger is { } t) await writer.WriteAsync(t, NpgsqlDbType.Date, ct); else await writer.WriteNullAsync(ct);
                await writer.WriteAsync(packet, NpgsqlDbType.Date, ct);
                await writer.WriteAsync(opinion, NpgsqlDbType.Date, ct);
                await writer.WriteAsync(opinion.Year * 100 + opinion.Month, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(opinion.DayNumber - requested.DayNumber, NpgsqlDbType.Integer, ct);
                if (trigger is { } t2) await writer.WriteAsync(opinion.DayNumber - t2.DayNumber, NpgsqlDbType.Integer, ct); else await writer.WriteNullAsync(ct);
                await writer.WriteAsync(packet.DayNumber - requested.DayNumber, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(opinion.DayNumber - packet.DayNumber, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(CaseOutcome.BusinessDays(packet, opinion) <= 5, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync("M48.06", NpgsqlDbType.Text, ct);
                if (dx == "CannotDetermine") await writer.WriteNullAsync(ct); else await writer.WriteAsync("M48.062", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(dx, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(tx, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(surgery, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(surgery && tx == "Agree", NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(i % 5 == 0, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(i % 5 == 0 && i % 2 == 0, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(i % 8 == 0, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(original, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(tx == "Change" ? original / 3 : original, NpgsqlDbType.Bigint, ct);
                if (i % 3 == 0) await writer.WriteNullAsync(ct); else await writer.WriteAsync(i % 11, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }
            await writer.CompleteAsync(ct);
        }
        // What autovacuum does after a large insert: statistics, and the visibility map that lets index-only scans skip the table.
        await db.Database.ExecuteSqlRawAsync("VACUUM (ANALYZE) \"CaseOutcomes\"", ct);
    }
}

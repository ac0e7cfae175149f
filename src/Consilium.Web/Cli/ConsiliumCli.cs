using System.CommandLine;
using Consilium.Features.Demo;
using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;

namespace Consilium.Cli;

/// <summary>
/// The one entry point behind ./consilium: the web server and every administrative command. Each command builds
/// the same service container the server uses, so a command does exactly what the platform would.
/// </summary>
public static class ConsiliumCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        // WebApplicationFactory (and `./consilium --Key=Value`) start the server with configuration-only arguments.
        if (args.Length > 0 && args.All(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)))
            return await ServeAsync(args);

        var db = new Option<string?>("--db")
        {
            Description = "PostgreSQL connection string (\"Host=...;Database=...;Username=...\"). Without it: the embedded SQLite database under ./data.",
            Recursive = true,
        };
        var root = new RootCommand("Consilium: a virtual second-opinion platform. Run `./consilium serve` to start it.");
        root.Options.Add(db);
        root.Subcommands.Add(ServeCommand(db));
        root.Subcommands.Add(MigrateCommand(db));
        root.Subcommands.Add(SeedDemoCommand(db));
        root.Subcommands.Add(TokenCommand(db));
        root.Subcommands.Add(AuditCommand(db));
        root.Subcommands.Add(KeysCommand(db));
        root.Subcommands.Add(RosterCommand(db));
        root.Subcommands.Add(ClaimsCommands.Scan(db));
        root.Subcommands.Add(ClaimsCommands.GenerateClaims());
        root.Subcommands.Add(ClaimsCommands.Backtest());
        root.Subcommands.Add(PhysiciansCommand(db));
        root.Subcommands.Add(LoadTestCommand.Create());
        root.Subcommands.Add(OutcomesCommands.Import(db));
        root.Subcommands.Add(OutcomesCommands.Bench(db));
        return await root.Parse(args).InvokeAsync();
    }

    static Command ServeCommand(Option<string?> db)
    {
        var urls = new Option<string?>("--urls") { Description = $"Addresses to listen on (default {ConsiliumApp.DefaultUrl}), separated by ';'." };
        var command = new Command("serve", "Start the platform (API, web UI and background work). The embedded mode migrates, seeds the demo and prints its logins on first start.");
        command.Options.Add(urls);
        command.SetAction(async (parse, ct) =>
        {
            var args = ConfigArgs(parse.GetValue(db));
            if (parse.GetValue(urls) is { Length: > 0 } u) args.Add($"--urls={u}");
            return await Guard(() => ServeAsync([.. args]));
        });
        return command;
    }

    static Command MigrateCommand(Option<string?> db)
    {
        var command = new Command("migrate", "Apply pending database migrations (the release step for PostgreSQL).");
        command.SetAction(async (parse, ct) => await Guard(async () =>
        {
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = app.Services.CreateAsyncScope();
            var settings = scope.ServiceProvider.GetRequiredService<DatabaseSettings>();
            var context = scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>();
            await DatabaseStartup.MigrateAsync(context, settings, scope.ServiceProvider.GetRequiredService<ILogger<ConsiliumDbContext>>(), ct);
            Console.WriteLine($"Database migrated: {settings.Provider} {settings.Describe()}");
            return 0;
        }));
        return command;
    }

    static Command SeedDemoCommand(Option<string?> db)
    {
        var command = new Command("seed-demo", "Create the demo sponsors, programs, reviewers, members, cases and one user per role (idempotent).");
        command.SetAction(async (parse, ct) => await Guard(async () =>
        {
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = await ReadyScopeAsync(app, ct);
            var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
            await seeder.SeedAndAnnounceAsync(Console.Out, ct);
            return 0;
        }));
        return command;
    }

    static Command TokenCommand(Option<string?> db)
    {
        var user = new Option<string>("--user") { Description = "Email of the user the token acts as.", Required = true };
        var name = new Option<string?>("--name") { Description = "A label to recognise the token by (e.g. \"nightly claims feed\")." };
        var days = new Option<int?>("--expires-days") { Description = "Days until the token expires (default: 90; 0 for no expiry)." };
        var command = new Command("token", "Create a personal access token for scripts and integrations. The secret is printed once and stored only as a hash.");
        command.Options.Add(user);
        command.Options.Add(name);
        command.Options.Add(days);
        command.SetAction(async (parse, ct) => await Guard(async () =>
        {
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = await ReadyScopeAsync(app, ct);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
            var lifetime = parse.GetValue(days) switch
            {
                null => TimeSpan.FromDays(90),
                0 => (TimeSpan?)null,
                < 0 => throw new ArgumentException("--expires-days must be 0 or more."),
                var d => TimeSpan.FromDays(d.Value),
            };
            var (token, secret) = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                .IssueTokenAsync(parse.GetValue(user)!, parse.GetValue(name), lifetime, ct);
            Console.Error.WriteLine($"Token {token.Id} ({token.Name}) for {parse.GetValue(user)}, expires {token.ExpiresAt?.ToString("u") ?? "never"}. Shown once:");
            Console.WriteLine(secret);
            return 0;
        }));
        return command;
    }

    static Command AuditCommand(Option<string?> db)
    {
        var verify = new Command("verify", "Check the audit trail's hash chain, its head and every anchor. Exit code 1 names the first entry altered, removed or reordered, or a cut tail.");
        verify.SetAction(async (parse, ct) => await Guard(async () =>
        {
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = await ReadyScopeAsync(app, ct);
            var result = await scope.ServiceProvider.GetRequiredService<Features.Audit.AuditVerifier>().VerifyAsync(ct);
            if (result.FirstProblem is { } problem)
            {
                Console.WriteLine($"audit trail BROKEN at sequence {problem.Sequence} ({problem.Kind}): {problem.Description}");
                Console.WriteLine($"checked {result.EntriesChecked} entries before the problem");
                return 1;
            }
            Console.WriteLine($"audit trail intact: {result.EntriesChecked} entries, {result.AnchorsChecked} anchors, head {result.LastSequence} {result.LastHash}");
            return 0;
        }));
        var anchor = new Command("anchor", "Record the current chain head as an anchor (the server also does this on a timer).");
        anchor.SetAction(async (parse, ct) => await Guard(async () =>
        {
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = await ReadyScopeAsync(app, ct);
            var taken = await scope.ServiceProvider.GetRequiredService<Features.Audit.AuditAnchoring>().AnchorAsync(ct);
            Console.WriteLine(taken is null ? "audit trail is empty: nothing to anchor" : $"anchored at sequence {taken.Sequence} {taken.Hash}");
            return 0;
        }));
        var command = new Command("audit", "Audit trail integrity: verify the hash chain, take anchors.");
        command.Subcommands.Add(verify);
        command.Subcommands.Add(anchor);
        return command;
    }

    static Command RosterCommand(Option<string?> db)
    {
        var program = new Option<Guid>("--program") { Description = "Id of the program whose roster this is (see GET /api/programs).", Required = true };
        var format = new Option<Features.Eligibility.RosterFormat?>("--format") { Description = "Csv or X12834. Default: an 834 when the file starts with ISA, else CSV." };
        var file = new Argument<FileInfo>("FILE") { Description = "The roster: a CSV (docs/rosters.md) or an X12 834 (005010X220A1)." };
        var import = new Command("import", "Apply an eligibility roster to a program. All or nothing: a bad line or segment rejects the file; the same file twice changes nothing.");
        import.Options.Add(program);
        import.Options.Add(format);
        import.Arguments.Add(file);
        import.SetAction(async (parse, ct) => await Guard(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) throw new ArgumentException($"{path.FullName} does not exist.");
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = await ReadyScopeAsync(app, ct);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
            await using var stream = path.OpenRead();
            var result = await scope.ServiceProvider.GetRequiredService<Features.Eligibility.RosterHandlers>()
                .ImportAsync(parse.GetValue(program), stream, path.Name, parse.GetValue(format), ct);
            Console.WriteLine($"{result.FileName}: {result.Records} records, {result.Added} added, {result.Changed} changed, " +
                $"{result.Terminated} terminated, {result.Unchanged} unchanged{(result.Skipped > 0 ? $", {result.Skipped} terminations of unknown members skipped" : "")}");
            return 0;
        }));
        var command = new Command("roster", "Eligibility rosters.");
        command.Subcommands.Add(import);
        return command;
    }

    static Command PhysiciansCommand(Option<string?> db)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The network file: a CSV with one physician per line (docs/network.md)." };
        var import = new Command("import", "Add or update the specialist network from a CSV file, matched by NPI. All or nothing: a bad line rejects the file and writes nothing.");
        import.Arguments.Add(file);
        import.SetAction(async (parse, ct) => await Guard(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) throw new ArgumentException($"{path.FullName} does not exist.");
            await using var app = BuildApp(parse.GetValue(db));
            await using var scope = await ReadyScopeAsync(app, ct);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("command line"), "cli");
            await using var stream = path.OpenRead();
            var result = await scope.ServiceProvider.GetRequiredService<Features.Physicians.PhysicianHandlers>().ImportAsync(stream, path.Name, ct);
            Console.WriteLine($"{result.FileName}: {result.Records} physicians, {result.Added} added, {result.Updated} updated, {result.LinkedAccounts} linked to reviewer accounts" +
                (result.EmailsWithoutAccount.Count > 0 ? $"; {result.EmailsWithoutAccount.Count} emails have no account yet" : ""));
            return 0;
        }));
        var command = new Command("physicians", "The specialist network.");
        command.Subcommands.Add(import);
        return command;
    }

    static Command KeysCommand(Option<string?> db)
    {
        var to = new Option<string?>("--to") { Description = "Master key id to re-wrap every document key under (default: the active key)." };
        var rotate = new Command("rotate", "Re-wrap every stored document's key under the active (or named) master key, without touching the encrypted bodies. Safe while the server runs; repeat until nothing is re-wrapped.");
        rotate.Options.Add(to);
        rotate.SetAction(async (parse, ct) => await Guard(async () =>
        {
            await using var app = BuildApp(parse.GetValue(db));
            var ring = app.Services.GetRequiredService<Infrastructure.Storage.MasterKeyRing>();
            var target = parse.GetValue(to) ?? ring.Active.Id;
            var progress = new Progress<Infrastructure.Storage.KeyRotationProgress>(p =>
                Console.Error.Write($"\rexamined {p.Examined}, re-wrapped {p.Rewrapped}, already current {p.AlreadyCurrent}, failed {p.Failed}   "));
            var result = await app.Services.GetRequiredService<Infrastructure.Storage.IKeyRotation>().RotateAsync(target, progress, ct);
            Console.Error.WriteLine();
            Console.WriteLine($"key {result.KeyId}: {result.Examined} documents examined, {result.Rewrapped} re-wrapped, {result.AlreadyCurrent} already current, {result.Failed} failed");
            foreach (var failure in result.Failures) Console.WriteLine($"  failed {failure.BlobId}: {failure.Reason}");
            return result.Failed == 0 ? 0 : 1;
        }));
        var generate = new Command("new", "Print a new random master key (32 bytes, base64) and an id, to add to Storage:Documents:MasterKeys from a secret store.");
        generate.SetAction(_ =>
        {
            Console.WriteLine($"Id:  key-{DateTime.UtcNow:yyyyMMdd}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}");
            Console.WriteLine($"Key: {Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}");
            return 0;
        });
        var command = new Command("keys", "Master keys of the encrypted document storage.");
        command.Subcommands.Add(rotate);
        command.Subcommands.Add(generate);
        return command;
    }

    static async Task<int> ServeAsync(string[] args)
    {
        var app = ConsiliumApp.Build(ConsiliumApp.CreateBuilder(args));
        await app.RunAsync();
        return 0;
    }

    /// <summary>The platform's services for a one-shot command: quiet logs on stderr, so stdout carries only the result.</summary>
    internal static WebApplication BuildApp(string? db) => ConsiliumApp.Build(ConsiliumApp.CreateBuilder(
    [
        .. ConfigArgs(db),
        "--Demo:SeedOnStart=false",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations=Warning",
        "--Logging:Console:LogToStandardErrorThreshold=Trace",
    ]));

    /// <summary>A scope on a database that is ready: migrated in the embedded mode, checked on PostgreSQL.</summary>
    internal static async Task<AsyncServiceScope> ReadyScopeAsync(WebApplication app, CancellationToken ct)
    {
        var scope = app.Services.CreateAsyncScope();
        await DatabaseStartup.EnsureReadyAsync(scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>(),
            scope.ServiceProvider.GetRequiredService<DatabaseSettings>(), scope.ServiceProvider.GetRequiredService<ILogger<ConsiliumDbContext>>(), ct);
        return scope;
    }

    static List<string> ConfigArgs(string? db)
    {
        var args = new List<string> { $"--contentRoot={AppContext.BaseDirectory}" };
        if (!string.IsNullOrWhiteSpace(db)) args.Add($"--ConnectionStrings:Postgres={db}");
        return args;
    }

    /// <summary>Expected failures (bad arguments, unmigrated database, unknown user) end with one clear line, not a stack trace.</summary>
    internal static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or Infrastructure.DomainException
                                      or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"consilium: {e.Message}");
            return 1;
        }
    }
}

using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Consilium.Infrastructure.Persistence;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Scale;

[CollectionDefinition(Name)]
public sealed class TwoNodeCollection : ICollectionFixture<TwoNodes>
{
    public const string Name = "two nodes behind nginx";
}

/// <summary>One Consilium server process: the built executable running `serve` on its own loopback port.</summary>
public sealed class Node(string name, int port)
{
    public string Name { get; } = name;
    public int Port { get; } = port;
    public string Url => $"http://127.0.0.1:{Port}";
    public ConsiliumProcess Process { get; internal set; } = null!;
    public int Pid => Process.Id;
    /// <summary>Set on top of <see cref="TwoNodes.NodeEnvironment"/> when the node starts (a skewed clock, a clock source).</summary>
    public IReadOnlyDictionary<string, string> ExtraEnvironment { get; internal set; } = new Dictionary<string, string>();
}

/// <summary>
/// The layout docs/deployment.md describes, on loopback: a PostgreSQL cluster of its own (so a test may restart it),
/// migrated by `./consilium migrate` as a release step, two server processes sharing the database and one data
/// directory (documents, keys), and nginx in front of both. Timers are shortened through configuration only: the opinion
/// SLA check runs every second on both nodes; a scan is taken over after three seconds without a heartbeat.
/// </summary>
public sealed partial class TwoNodes : IAsyncLifetime
{
    public string? SkipReason { get; private set; }
    public PostgresCluster Postgres { get; private set; } = null!;
    public NginxProxy Proxy { get; private set; } = null!;
    public string Home { get; } = Directory.CreateTempSubdirectory("consilium-nodes-").FullName;
    public string DataDirectory => Path.Combine(Home, "data");
    public string FilesDirectory => Path.Combine(DataDirectory, "files");
    public string Database { get; private set; } = "";
    public Node A { get; } = new("A", ConsiliumProcess.FreePort());
    public Node B { get; } = new("B", ConsiliumProcess.FreePort());
    public string Password { get; private set; } = "";
    public string CoordinatorToken { get; private set; } = "";
    public string AdminToken { get; private set; } = "";
    public string PatientToken { get; private set; } = "";
    public Guid ProgramId { get; private set; }

    public Dictionary<string, string> NodeEnvironment => new()
    {
        ["Storage__DataDirectory"] = DataDirectory,
        ["Opinions__Sla__CheckInterval"] = "00:00:01",
        ["Triggers__PollInterval"] = "00:00:00.250",
        ["Triggers__StaleAfter"] = "00:00:03",
        ["Outbox__PollInterval"] = "00:00:01",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
    };

    public async ValueTask InitializeAsync()
    {
        if (PostgresCluster.FindBinaries() is not { } bin)
        {
            SkipReason = "PostgreSQL binaries not found (set CONSILIUM_TEST_PG_BIN or install postgresql; ./test does).";
            return;
        }
        if (NginxProxy.FindBinary() is not { } nginx)
        {
            SkipReason = $"nginx not found (set {NginxProxy.Variable} or install nginx; ./test does).";
            return;
        }
        Postgres = await PostgresCluster.StartAsync(bin);
        Database = Postgres.ConnectionString("consilium");
        await Postgres.CreateDatabaseAsync("consilium");

        var migrate = await CliAsync("migrate", "--db", Database);
        Assert.True(migrate.ExitCode == 0, migrate.Output);
        var seed = await CliAsync("seed-demo", "--db", Database);
        Assert.True(seed.ExitCode == 0, seed.Output);
        Password = PasswordLine().Match(seed.Output).Groups[1].Value;
        var tokens = await Task.WhenAll(
            CliAsync("token", "--user", "coordinator@demo.consilium.test", "--name", "nodes", "--db", Database),
            CliAsync("token", "--user", "program-admin@demo.consilium.test", "--name", "nodes", "--db", Database),
            CliAsync("token", "--user", "patient@demo.consilium.test", "--name", "nodes", "--db", Database));
        CoordinatorToken = tokens[0].StdOut.Trim();
        AdminToken = tokens[1].StdOut.Trim();
        PatientToken = tokens[2].StdOut.Trim();
        Assert.StartsWith("csl_", CoordinatorToken);
        Assert.StartsWith("csl_", AdminToken);

        await using (var db = NewContext())
        {
// The employer program of the first demo member: it covers spine care, and the demo coordinator and admin serve it.
            ProgramId = await db.Members.Where(m => m.ExternalId == "DEMO0001").Select(m => m.ProgramId).SingleAsync();
        }

        // One after the other: the first start of the embedded key store must not race itself.
        await StartAsync(A);
        await StartAsync(B);
        Proxy = await NginxProxy.StartAsync(nginx, [A.Port, B.Port]);
    }

    public void SkipIfUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    public Task<(int ExitCode, string Output, string StdOut)> CliAsync(params string[] args) =>
        ConsiliumProcess.RunAsync(Home, NodeEnvironment, args);

    public async Task StartAsync(Node node)
    {
        if (node.Process is { HasExited: false }) return;
        if (node.Process is not null) await node.Process.DisposeAsync();
        var environment = NodeEnvironment;
        foreach (var (key, value) in node.ExtraEnvironment) environment[key] = value;
        node.Process = ConsiliumProcess.Start(Home, environment, "serve", "--db", Database, "--urls", node.Url);
        Assert.True(await node.Process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90)), node.Process.Output);
    }

    /// <summary>Stops the node and starts it again with <paramref name="environment"/> added (none: as the fixture started it).</summary>
    public async Task RestartAsync(Node node, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (node.Process is not null) await node.Process.DisposeAsync();
        node.Process = null!;
        node.ExtraEnvironment = environment ?? new Dictionary<string, string>();
        await StartAsync(node);
    }

    /// <summary>
    /// A new case of the demo patient (Jordan Avery) collecting records: opened by the coordinator, the authorization
    /// signed by the member herself, as in production. Documents can be uploaded to it.
    /// </summary>
    public async Task<Guid> CaseCollectingRecordsAsync(string baseUrl)
    {
        using var coordinator = Client(baseUrl, CoordinatorToken);
        using var patient = Client(baseUrl, PatientToken);
        Guid memberId;
        await using (var db = NewContext()) memberId = await db.Members.Where(m => m.ExternalId == "DEMO0001").Select(m => m.Id).SingleAsync();
        var created = await (await coordinator.PostJsonAsync("/api/cases", new { programId = ProgramId, memberId, category = "Spine", concern = "Records for a fault test", startAt = "Intake" }))
            .JsonAsync(System.Net.HttpStatusCode.Created);
        var id = (string)created["id"]!;
        await (await coordinator.PostJsonAsync($"/api/cases/{id}/transitions", new { to = "AwaitingConsent", version = (int)created["version"]! })).JsonAsync(System.Net.HttpStatusCode.OK);
        await (await patient.PostJsonAsync($"/api/cases/{id}/consents", Records.ConsentAndRecordsTests.ConsentBody(typedName: "Jordan Avery",
            expiresOn: DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))).JsonAsync(System.Net.HttpStatusCode.Created);
        return Guid.Parse(id);
    }

    public ConsiliumDbContext NewContext()
    {
        var options = new DbContextOptionsBuilder<ConsiliumDbContext>();
        new DatabaseSettings(DatabaseProvider.Postgres, Database).Apply(options);
        return new ConsiliumDbContext(options.Options);
    }

    public static HttpClient Client(string baseUrl, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (SkipReason is null)
        {
            foreach (var node in new[] { A, B })
                if (node.Process is not null) await node.Process.DisposeAsync();
            if (Proxy is not null) await Proxy.DisposeAsync();
            if (Postgres is not null) await Postgres.DisposeAsync();
        }
        try { Directory.Delete(Home, recursive: true); }
        catch (IOException) { }
    }

    [GeneratedRegex(@"password for all of them: (\S+)")]
    private static partial Regex PasswordLine();
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Consilium.Tests.Infrastructure;
using Npgsql;

namespace Consilium.Tests.Cli;

/// <summary>The executable itself, as a user runs it: serve, migrate, seed-demo and token, on both databases.</summary>
public sealed partial class CommandLineTests
{
    [Fact]
    public async Task Serve_EmbeddedFirstStart_MigratesSeedsPrintsLoginsOnceAndServesTheCaseList()
    {
        var home = Directory.CreateTempSubdirectory("consilium-serve-").FullName;
        var port = ConsiliumProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";

        string password;
        await using (var server = ConsiliumProcess.Start(home, null, "serve", "--urls", url))
        {
            Assert.True(await server.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60)), server.Output);
            password = PasswordLine().Match(server.Output).Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(password), server.Output);
            Assert.Contains("coordinator@demo.consilium.test", server.Output);
            Assert.True(File.Exists(Path.Combine(home, "data", "consilium.db")), "the embedded database lives under ./data");

            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(url) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi/v1.json")).StatusCode);

            var list = await SignInAndGetAsync(http, "coordinator@demo.consilium.test", password, "/cases");
            Assert.Equal(12, CaseRows().Matches(list).Count);
            Assert.DoesNotContain(password, server.Output.Split("password for all of them")[1].Split('\n', 2)[1]);
        }

        await using (var again = ConsiliumProcess.Start(home, null, "serve", "--urls", url))
        {
            Assert.True(await again.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60)), again.Output);
            Assert.DoesNotContain("password for all of them", again.Output);
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(url) };
            var list = await SignInAndGetAsync(http, "coordinator@demo.consilium.test", password, "/cases");
            Assert.Equal(12, CaseRows().Matches(list).Count);
        }
    }

    [Fact]
    public async Task Postgres_ServeRefusesUntilMigrated_ThenSeedTokenAndApiWork()
    {
        var name = "cli_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(TestDatabase.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var db = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresAdmin) { Database = name }.ConnectionString;
        var home = Directory.CreateTempSubdirectory("consilium-pg-").FullName;
        var port = ConsiliumProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";

        await using (var refused = ConsiliumProcess.Start(home, null, "serve", "--db", db, "--urls", url))
        {
            Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("./consilium migrate", refused.Output);
        }

        var migrate = await ConsiliumProcess.RunAsync(home, null, "migrate", "--db", db);
        Assert.True(migrate.ExitCode == 0, migrate.Output);
        var seed = await ConsiliumProcess.RunAsync(home, null, "seed-demo", "--db", db);
        Assert.True(seed.ExitCode == 0, seed.Output);
        Assert.Contains("integration@demo.consilium.test", seed.Output);
        var reseed = await ConsiliumProcess.RunAsync(home, null, "seed-demo", "--db", db);
        Assert.DoesNotContain("password for all of them", reseed.Output);
        var token = await ConsiliumProcess.RunAsync(home, null, "token", "--user", "coordinator@demo.consilium.test", "--name", "ci", "--db", db);
        Assert.True(token.ExitCode == 0, token.Output);
        var secret = token.StdOut.Trim();
        Assert.StartsWith("csl_", secret);
        var unknownUser = await ConsiliumProcess.RunAsync(home, null, "token", "--user", "nobody@example.test", "--db", db);
        Assert.Equal(1, unknownUser.ExitCode);
        Assert.Contains("nobody@example.test", unknownUser.Output);

        await using var server = ConsiliumProcess.Start(home, null, "serve", "--db", db, "--urls", url);
        Assert.True(await server.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60)), server.Output);
        Assert.DoesNotContain("password for all of them", server.Output);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var cases = await http.GetStringAsync("/api/cases");
        Assert.Contains("\"total\":12", cases);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/cases")).StatusCode);
    }

    [Fact]
    public async Task Help_IsAvailableOnEveryLevel()
    {
        var home = Path.GetTempPath();
        foreach (var args in new[] { new[] { "--help" }, ["serve", "--help"], ["migrate", "--help"], ["seed-demo", "--help"], ["token", "--help"] })
        {
            var (code, output, _) = await ConsiliumProcess.RunAsync(home, null, args);
            Assert.True(code == 0, output);
            Assert.Contains("Usage:", output);
        }
        var (missing, missingOutput, _) = await ConsiliumProcess.RunAsync(home, null, "token");
        Assert.NotEqual(0, missing);
        Assert.Contains("--user", missingOutput);
    }

    static async Task<string> SignInAndGetAsync(HttpClient http, string email, string password, string page)
    {
        var form = await http.GetStringAsync("/signin");
        var antiforgery = Antiforgery().Match(form).Groups[1].Value;
        var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = password, ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/cases", response.Headers.Location?.ToString());
        return await http.GetStringAsync(page);
    }

    [GeneratedRegex(@"password for all of them: (\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"<a href=""/cases/[0-9a-f-]{36}"">")]
    private static partial Regex CaseRows();

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex Antiforgery();
}

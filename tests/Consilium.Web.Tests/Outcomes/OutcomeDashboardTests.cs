using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Consilium.Tests.Outcomes;

/// <summary>The sponsor dashboard, a published outcome table reproduced from an imported history, fair access, and the import command.</summary>
public sealed class OutcomeDashboardTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    /// <summary>
    /// The Clinic by Cleveland Clinic, 2023 cases: 67% of opinions recommended a diagnosis or treatment change, 85% of
    /// surgical plans got an alternative, hospitalization recommended 62% less often. 100 cases: 67 with a changed
    /// diagnosis (34 of them also an alternative to surgery), 40 surgical plans, 50 proposed stays of which 19 kept.
    /// </summary>
    static IEnumerable<HistoryLine> ClevelandClinic2023() => Enumerable.Range(0, 100).Select(i =>
    {
        var requested = new DateOnly(2023, 1, 2).AddDays(i * 3);
        var alternative = i < 34;
        return new HistoryLine($"CC23-{i:D3}", $"X{i:D5}", i % 3 == 0 ? "musculoskeletal" : i % 3 == 1 ? "oncology" : "cardiac",
            requested, requested.AddDays(6), requested.AddDays(12), i < 67 ? "changed" : "confirmed", alternative ? "change" : "agree",
            SurgeryProposed: i < 40, SurgeryRecommended: i is >= 34 and < 40, HospitalizationProposed: i >= 50, HospitalizationRecommended: i is >= 50 and < 69,
            SiteChange: false, 50_000m, alternative ? 20_000m : 50_000m, Satisfaction: 9);
    });

    [Fact]
    public async Task ClevelandClinic2023History_IsReproducedOnTheSponsorDashboard()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        var (sponsorId, programId, _) = await OutcomeTestData.ProgramAsync(app, caseFee: 1_500m, members: 0);
        var result = await OutcomeTestData.ImportAsync(app, programId, OutcomeTestData.Csv(ClevelandClinic2023()));
        Assert.Equal(100, result.Added);
        var analyst = await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: sponsorId);
        using var client = app.ClientFor(analyst);

        var page = await client.GetStringAsync($"/outcomes?programId={programId}");

        Assert.Contains("data-metric=\"anyChangeRate\">67.0%<", page);
        Assert.Contains("data-metric=\"surgeryAlternativeRate\">85.0%<", page);
        Assert.Contains("data-metric=\"hospitalizationReduction\">62.0%<", page);
        Assert.Contains("<svg role=\"img\"", page);
        Assert.Contains("Change rates by month", page);
        Assert.Contains("/outcomes/export?format=xlsx", page);
        Assert.DoesNotContain("X00000", page);
        Assert.DoesNotContain("CC23-", page);
        // Months of 8–11 cases: the small ones are suppressed in the chart's data, never drawn as a small number.
        var json = await (await client.GetAsync($"/api/programs/{programId}/outcomes")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(json["series"]!.AsArray(), m => m!["cases"] is null);
        Assert.Contains("Outcomes", (await client.GetStringAsync("/programs")).Split("<nav")[1].Split("</nav>")[0]);
        using var coordinator = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [programId]));
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/outcomes")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task FairAccess_SuppressesSmallGroupsAndFlagsRatesBelowFourFifthsOfTheBest(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (sponsorId, programId, members) = await OutcomeTestData.ProgramAsync(app, 0m, 85, i => i switch
        {
            < 40 => (Sex.Female, "OH", "en", new DateOnly(1970, 1, 1)),
            < 80 => (Sex.Male, "TX", "es", new DateOnly(1990, 1, 1)),
            _ => (Sex.Other, "CA", "en", new DateOnly(1950, 1, 1)),
        });
        var start = new DateOnly(2025, 3, 3);
        await OutcomeTestData.ImportAsync(app, programId, OutcomeTestData.Csv(Enumerable.Range(0, 85).Select(i => new HistoryLine(
            $"F-{i}", $"M{i:D4}", i < 40 ? "oncology" : "spine", start, start.AddDays(2), start.AddDays(5), "confirmed", "agree",
            false, false, false, false, false, 1000m, 1000m, null))));
        // 20 of the men have a case open without an opinion: 40 of 60 completed (0.667 < 0.8 × 1.0).
        await app.WithDbAsync(async db =>
        {
            var actor = new Actor(null, "test", Roles.Coordinator);
            for (var i = 40; i < 60; i++)
                db.Add(Case.Open(programId, members[i], ConditionCategory.Spine, IntakeChannel.Coordinator, "Open case", CaseStatus.Referred, actor, app.Clock.GetUtcNow()));
            await db.SaveChangesAsync();
        });
        using var analyst = app.ClientFor(await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: sponsorId));

        var r = await (await analyst.GetAsync($"/api/programs/{programId}/fair-access")).JsonAsync(HttpStatusCode.OK);

        JsonNode Group(string dimension, string group) =>
            r["dimensions"]!.AsArray().Single(d => (string)d!["dimension"]! == dimension)!["groups"]!.AsArray().Single(g => (string)g!["group"]! == group)!;
        Assert.Equal(40, (int)Group("sex", "Female")["casesOpened"]!);
        Assert.Equal(1.0, (double)Group("sex", "Female")["completionRate"]!);
        Assert.False((bool)Group("sex", "Female")["completionFlagged"]!);
        Assert.Equal(60, (int)Group("sex", "Male")["casesOpened"]!);
        Assert.Equal(0.6667, (double)Group("sex", "Male")["completionRate"]!);
        Assert.True((bool)Group("sex", "Male")["completionFlagged"]!);
        Assert.Null(Group("sex", "Other")["casesOpened"]);
        Assert.Null(Group("sex", "Other")["completionRate"]);
        Assert.False((bool)Group("sex", "Other")["completionFlagged"]!);
        Assert.True((bool)Group("language", "es")["completionFlagged"]!);
        Assert.Equal(0.6667, (double)Group("state", "TX")["completionRate"]!);
        Assert.True((bool)Group("ageBand", "35-44")["completionFlagged"]!);
        Assert.False((bool)Group("ageBand", "55-64")["completionFlagged"]!);
        Assert.Null(Group("ageBand", "65+")["completionRate"]);
        Assert.True((bool)Group("category", "spine")["completionFlagged"]!);
        Assert.Equal(1.0, (double)Group("category", "oncology")["completionRate"]!);
        Assert.DoesNotContain("M0040", r.ToJsonString());
    }

    [Fact]
    public async Task ImportCasesAndDisabilityCommands_LoadOnceAndRefuseABadRowNamingLineAndColumn()
    {
        var home = Directory.CreateTempSubdirectory("consilium-history-").FullName;
        var seed = await ConsiliumProcess.RunAsync(home, null, "seed-demo");
        Assert.True(seed.ExitCode == 0, seed.Output);
        string program;
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(home, "data", "consilium.db")};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT \"Id\" FROM \"Programs\" ORDER BY \"Name\" LIMIT 1";
            program = Convert.ToString(command.ExecuteScalar())!;
        }
        var file = Path.Combine(home, "history.csv");
        await File.WriteAllTextAsync(file, OutcomeTestData.Csv(ClevelandClinic2023()));
        var bad = Path.Combine(home, "bad.csv");
        var lines = OutcomeTestData.Csv(ClevelandClinic2023().Take(5)).Split('\n');
        lines[3] = lines[3].Replace(",2023-01-08,", ",2023-13-08,");
        await File.WriteAllTextAsync(bad, string.Join('\n', lines));

        var first = await ConsiliumProcess.RunAsync(home, null, "import", "cases", "--program", program, file);
        var again = await ConsiliumProcess.RunAsync(home, null, "import", "cases", "--program", program, file);
        var refused = await ConsiliumProcess.RunAsync(home, null, "import", "cases", "--program", program, bad);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("history.csv: 100 cases, 100 added, 0 already imported", first.StdOut);
        Assert.Contains("history.csv: 100 cases, 0 added, 100 already imported", again.StdOut);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("line 4, column requested_on", refused.Output);

        // Disability episodes load the same way: all or nothing, the bad row named by line and column.
        var std = Path.Combine(home, "std.csv");
        const string header = "episode_id,member_id,start_on,return_to_work_on,days_away,reason\n";
        await File.WriteAllTextAsync(std, header + "E-1,X00001,2023-03-01,2023-03-15,14,surgery\nE-2,X00002,2023-03-01,,9,injury\n");
        var badStd = Path.Combine(home, "bad-std.csv");
        await File.WriteAllTextAsync(badStd, header + "E-3,X00003,2023-03-01,2023-03-15,14,surgery\nE-4,X00004,2023-03-01,,9,flu\n");
        var episodes = await ConsiliumProcess.RunAsync(home, null, "import", "disability", "--program", program, std);
        var refusedEpisodes = await ConsiliumProcess.RunAsync(home, null, "import", "disability", "--program", program, badStd);
        Assert.True(episodes.ExitCode == 0, episodes.Output);
        Assert.Contains("std.csv: 2 episodes, 2 added, 0 already imported", episodes.StdOut);
        Assert.Equal(1, refusedEpisodes.ExitCode);
        Assert.Contains("line 3, column reason", refusedEpisodes.Output);
        try { Directory.Delete(home, recursive: true); } catch (IOException) { }
    }
}

using Consilium.Tests.Infrastructure;
using Consilium.Tests.Physicians;
using Microsoft.Data.Sqlite;

namespace Consilium.Tests.Cli;

/// <summary>`./consilium physicians import` as a user runs it, on the embedded database seeded with the demo network.</summary>
public sealed class PhysiciansCommandTests
{
    [Fact]
    public async Task PhysiciansImport_AddsThenUpdates_RejectsAMalformedFileWithItsLine_AndTheDemoReviewersHold12To15Licences()
    {
        var home = Directory.CreateTempSubdirectory("consilium-network-").FullName;
        var seed = await ConsiliumProcess.RunAsync(home, null, "seed-demo");
        Assert.True(seed.ExitCode == 0, seed.Output);
        var database = Path.Combine(home, "data", "consilium.db");
        var demoCounts = Query(database, "SELECT COUNT(*) FROM \"PhysicianLicenses\" GROUP BY \"PhysicianId\"");
        string npi = NetworkTestData.NewNpi(), other = NetworkTestData.NewNpi();
        var good = Path.Combine(home, "network.csv");
        await File.WriteAllTextAsync(good, "npi,name,specialty,subspecialty,licenses,languages,weekly_capacity,stipend\n" +
            $"{npi},Dr. Nia Cli,Cardiology,Electrophysiology,OH OH-1 2020-01-01 2028-01-01;PA PA-2 2021-02-01 2028-02-01,en;es,2,610.00\n" +
            $"{other},Dr. Oz Cli,Neurology,Epilepsy,IN IN-3 2019-01-01 2027-12-31,en,3,500\n");
        var bad = Path.Combine(home, "bad.csv");
        await File.WriteAllTextAsync(bad, "npi,name,specialty,subspecialty,licenses\n" +
            $"{NetworkTestData.NewNpi()},Dr. Fine,Neurology,Epilepsy,IN IN-3 2019-01-01 2027-12-31\n" +
            $"{NetworkTestData.NewNpi()},Dr. Wrong,Neurology,Knitting,IN IN-4 2019-01-01 2027-12-31\n");

        var first = await ConsiliumProcess.RunAsync(home, null, "physicians", "import", good);
        var again = await ConsiliumProcess.RunAsync(home, null, "physicians", "import", good);
        var malformed = await ConsiliumProcess.RunAsync(home, null, "physicians", "import", bad);
        var missing = await ConsiliumProcess.RunAsync(home, null, "physicians", "import", Path.Combine(home, "nowhere.csv"));

        Assert.Equal(12, demoCounts.Count);
        Assert.All(demoCounts, n => Assert.InRange(n, 12, 15));
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("network.csv: 2 physicians, 2 added, 0 updated", first.StdOut);
        Assert.Contains("2 physicians, 0 added, 2 updated", again.StdOut);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("line 3: subspecialty: not a subspecialty of Neurology", malformed.Output);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal([14], Query(database, "SELECT COUNT(*) FROM \"Physicians\""));
    }

    static List<long> Query(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read()) values.Add(reader.GetInt64(0));
        return values;
    }
}

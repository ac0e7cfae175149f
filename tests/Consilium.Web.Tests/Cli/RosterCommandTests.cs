using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Microsoft.Data.Sqlite;

namespace Consilium.Tests.Cli;

/// <summary>`./consilium roster import` as a user runs it, on the embedded database.</summary>
public sealed class RosterCommandTests
{
    [Fact]
    public async Task RosterImport_AppliesTheFileOnceRejectsAMalformedOneAndExplainsAnUnknownProgram()
    {
        var home = Directory.CreateTempSubdirectory("consilium-roster-").FullName;
        var seed = await ConsiliumProcess.RunAsync(home, null, "seed-demo");
        Assert.True(seed.ExitCode == 0, seed.Output);
        var program = ProgramId(Path.Combine(home, "data", "consilium.db"), "Northwind Expert Opinion");

        var first = await ConsiliumProcess.RunAsync(home, null, "roster", "import", "--program", program, IntakeTestData.Fixture("roster-initial.csv"));
        var again = await ConsiliumProcess.RunAsync(home, null, "roster", "import", "--program", program, IntakeTestData.Fixture("roster-initial.csv"));
        var x12 = await ConsiliumProcess.RunAsync(home, null, "roster", "import", "--program", program, IntakeTestData.Fixture("enrollment-initial.834"));
        var malformed = await ConsiliumProcess.RunAsync(home, null, "roster", "import", "--program", program, IntakeTestData.Fixture("malformed-date.csv"));
        var unknown = await ConsiliumProcess.RunAsync(home, null, "roster", "import", "--program", Guid.NewGuid().ToString(), IntakeTestData.Fixture("roster-initial.csv"));
        var help = await ConsiliumProcess.RunAsync(home, null, "roster", "import", "--help");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("roster-initial.csv: 5 records, 5 added, 0 changed, 0 terminated, 0 unchanged", first.StdOut);
        Assert.Contains("5 records, 0 added, 0 changed, 0 terminated, 5 unchanged", again.StdOut);
        Assert.Contains("enrollment-initial.834: 3 records, 3 added", x12.StdOut);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("line 4: date_of_birth", malformed.Output);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("was not found", unknown.Output);
        Assert.Contains("--program", help.Output);
    }

    static string ProgramId(string database, string name)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\" FROM \"Programs\" WHERE \"Name\" = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToString(command.ExecuteScalar())!;
    }
}

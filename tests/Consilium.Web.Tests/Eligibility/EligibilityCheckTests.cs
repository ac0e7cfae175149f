using System.Net;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;

namespace Consilium.Tests.Eligibility;

/// <summary>The eligibility check by member id and date of birth, on the roster's coverage dates (the test clock is 2 March 2026).</summary>
public sealed class EligibilityCheckTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string, string>> Checks() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new (string MemberId, string Birth, string Status)[]
        {
            ("E1001", "1971-04-12", "Eligible"),
            ("E1001-02", "2012-09-30", "Eligible"),
            ("E4004", "1966-11-23", "CoverageEnded"),
            ("E3003", "1989-06-20", "NotYetCovered"),
            ("E9999", "1971-04-12", "NotFound"),
            // The right member id with the wrong date of birth answers as an unknown member does.
            ("E1001", "1971-04-13", "NotFound"),
        }
        select new TheoryDataRow<DatabaseKind, string, string, string>(db, row.MemberId, row.Birth, row.Status);

    [Theory]
    [MemberData(nameof(Checks))]
    public async Task Check_AnswersFromTheRosterCoverageDates(DatabaseKind db, string memberId, string birth, string expected)
    {
        var (app, program, client) = await ArrangeAsync(db);

        var answer = await (await client.PostJsonAsync($"/api/programs/{program}/eligibility", new { memberId, dateOfBirth = birth })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(expected, (string?)answer["status"]);
        Assert.Equal(expected == "Eligible", (bool?)answer["eligible"]);
        Assert.Equal(expected == "NotFound", answer["memberId"] is null);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Check_WithoutMemberIdOrBirthDate_Is400NamingBoth(DatabaseKind db)
    {
        var (_, program, client) = await ArrangeAsync(db);

        var problem = await (await client.PostJsonAsync($"/api/programs/{program}/eligibility", new { })).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["dateOfBirth", "memberId"], problem.ErrorFields().Order());
    }

    async Task<(TestApp App, Guid Program, HttpClient Client)> ArrangeAsync(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = await app.CreateProgramAsync();
        await app.ImportRosterAsync(program.ProgramId, "roster-initial.csv");
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [program.ProgramId]);
        return (app, program.ProgramId, app.ClientFor(coordinator));
    }
}

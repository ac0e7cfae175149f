using System.Net;
using System.Text;
using Consilium.Features.Identity;
using Consilium.Features.Physicians;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Physicians;

/// <summary>The network file import, licence administration and the coverage map.</summary>
public sealed class NetworkAdministrationTests
{
    const string Header = "npi,name,specialty,subspecialty,email,boards,licenses,imlc,languages,weekly_capacity,stipend,affiliations,status";

    static string Line(string npi, string name, string licenses, string extra = "en;es,4,450.00,Mercy Health;Acme Spine Group,active") =>
        $"{npi},{name},Orthopaedic Surgery,Spine Surgery,,American Board of Orthopaedic Surgery:2031-12-31,{licenses},yes,{extra}";

    static StringContent Csv(params string[] lines) => new(string.Join("\n", lines) + "\n", Encoding.UTF8, "text/csv");

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Import_AddsThenUpdatesByNpi_AndLinksReviewerAccounts(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var reviewer = await app.CreateUserAsync(Roles.Reviewer);
        using var admin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin));
        string a = NetworkTestData.NewNpi(), b = NetworkTestData.NewNpi();
        var licenses = string.Join(";", new[] { "OH", "PA", "MI", "IN", "NY", "NJ", "KY", "TN", "WV", "IL", "WI", "MN" }
            .Select((s, i) => $"{s} {s}-{1000 + i} 2018-01-0{1 + i % 9} 2027-0{1 + i % 9}-28{(i % 4 == 0 ? " IMLC" : "")}"));

        var first = await (await admin.PostAsync("/api/physicians/import?fileName=network.csv", Csv(Header,
            Line(a, "Dr. Ana Import", licenses).Replace(",,American", $",{reviewer.Email},American", StringComparison.Ordinal),
            Line(b, "Dr. Ben Import", "OH OH-77 2020-05-01 2026-12-31")))).JsonAsync(HttpStatusCode.OK);
        var second = await (await admin.PostAsync("/api/physicians/import", Csv(Header,
            Line(b, "Dr. Ben Renamed", "OH OH-77 2020-05-01 2028-12-31;PA PA-1 2021-01-01 2028-01-01", "fr,2,300,,paused")))).JsonAsync(HttpStatusCode.OK);

        Assert.Equal((2, 2, 0, 1), ((int)first["records"]!, (int)first["added"]!, (int)first["updated"]!, (int)first["linkedAccounts"]!));
        Assert.Equal((1, 0, 1), ((int)second["records"]!, (int)second["added"]!, (int)second["updated"]!));
        var (ana, ben, linkedUser) = await app.WithDbAsync(async d => (
            await d.Physicians.AsNoTracking().SingleAsync(p => p.Npi == a),
            await d.Physicians.AsNoTracking().SingleAsync(p => p.Npi == b),
            await d.Users.AsNoTracking().SingleAsync(u => u.Id == reviewer.Id)));
        Assert.Equal(12, ana.Licenses.Count);
        Assert.Equal(3, ana.Licenses.Count(l => l.ViaCompact));
        Assert.Equal((reviewer.Id, ana.Id), (ana.UserId!.Value, linkedUser.PhysicianId!.Value));
        Assert.Equal(["en", "es"], ana.Languages);
        Assert.Equal(["Mercy Health", "Acme Spine Group"], ana.Affiliations);
        Assert.Equal((4, 450.00m, true), (ana.WeeklyCapacity, ana.StipendPerOpinion, ana.ImlcParticipant));
        Assert.Equal("American Board of Orthopaedic Surgery", ana.Boards.Single().Board);
        Assert.Equal(("Dr. Ben Renamed", PhysicianStatus.Paused, 2, new DateOnly(2028, 12, 31)),
            (ben.Name, ben.Status, ben.Licenses.Count, ben.Licenses.Single(l => l.State == "OH").ExpiresOn));
        Assert.Equal(["fr"], ben.Languages);
    }

    public static TheoryData<DatabaseKind, string, string> MalformedFiles() => new()
    {
        { DatabaseKind.Sqlite, "licenses", "line 3: licenses: licence 1: '2026-02-30' is not an expiry date" },
        { DatabaseKind.Postgres, "licenses", "line 3: licenses: licence 1: '2026-02-30' is not an expiry date" },
        { DatabaseKind.Sqlite, "npi", "line 3: npi: not a valid NPI" },
        { DatabaseKind.Sqlite, "specialty", "line 3: specialty: not in the taxonomy" },
        { DatabaseKind.Sqlite, "state", "line 3: licenses: licence 2: 'ZZ' is not a US state" },
        { DatabaseKind.Sqlite, "capacity", "line 3: weekly_capacity: 'many' is not a whole number" },
        { DatabaseKind.Sqlite, "duplicate", "line 3: npi: the same NPI is already on line 2" },
        { DatabaseKind.Sqlite, "header", "line 1: the header has no 'specialty' column" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task AMalformedFile_IsRejectedWithItsLine_AndWritesNothing(DatabaseKind db, string fault, string expected)
    {
        await using var app = await TestApp.StartAsync(db);
        using var admin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin));
        var good = NetworkTestData.NewNpi();
        var badNpi = fault == "duplicate" ? good : fault == "npi" ? "1234567890" : NetworkTestData.NewNpi();
        var bad = fault switch
        {
            "licenses" => Line(badNpi, "Dr. Bad", "OH OH-1 2020-01-01 2026-02-30"),
            "state" => Line(badNpi, "Dr. Bad", "OH OH-1 2020-01-01 2027-01-01;ZZ 9 2020-01-01 2027-01-01"),
            "capacity" => Line(badNpi, "Dr. Bad", "OH OH-1 2020-01-01 2027-01-01", "en,many,450,,active"),
            "specialty" => Line(badNpi, "Dr. Bad", "OH OH-1 2020-01-01 2027-01-01").Replace("Orthopaedic Surgery", "Wizardry", StringComparison.Ordinal),
            _ => Line(badNpi, "Dr. Bad", "OH OH-1 2020-01-01 2027-01-01"),
        };
        var header = fault == "header" ? Header.Replace("specialty,subspecialty", "field,subspecialty", StringComparison.Ordinal) : Header;

        var problem = await (await admin.PostAsync("/api/physicians/import", Csv(header, Line(good, "Dr. Good", "OH OH-2 2020-01-01 2027-01-01"), bad)))
            .JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["file"], problem.ErrorFields());
        Assert.StartsWith(expected, problem["errors"]!["file"]![0]!.ToString());
        Assert.Equal(0, await app.WithDbAsync(d => d.Physicians.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.ObjectType == "PhysicianImport" && e.Outcome == Features.Audit.AuditOutcome.Failure)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task LicenceAdministration_ListsWhatExpiresIn30And90Days_AndTheCoverageMapShowsDirectStates(DatabaseKind db)
    {
        await using var app = await TestApp.StartAsync(db);
        var today = new DateOnly(2026, 3, 2);
        await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", today.AddDays(20)), ("PA", today.AddDays(60)), ("NY", today.AddDays(200)), ("MI", today.AddDays(-1)));
        await app.SpineSurgeonAsync("Dr. Ben Second", ("OH", today.AddDays(400)));
        await app.PhysicianAsync("Dr. Cy Paused", "Orthopaedic Surgery", "Spine Surgery", [("TX", today.AddDays(400))], account: false);
        using var coordinator = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator));

        var in30 = await (await coordinator.GetAsync("/api/network/licenses/expiring?days=30")).JsonAsync(HttpStatusCode.OK);
        var in90 = await (await coordinator.GetAsync("/api/network/licenses/expiring?days=90")).JsonAsync(HttpStatusCode.OK);
        var badDays = await (await coordinator.GetAsync("/api/network/licenses/expiring?days=0")).JsonAsync(HttpStatusCode.BadRequest);
        var list = await (await coordinator.GetAsync("/api/physicians")).JsonAsync(HttpStatusCode.OK);
        var coverage = await (await coordinator.GetAsync("/api/network/coverage")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([("OH", 20)], in30.AsArray().Select(l => ((string)l!["state"]!, (int)l["daysLeft"]!)));
        Assert.Equal(["OH", "PA"], in90.AsArray().Select(l => (string)l!["state"]!));
        Assert.Equal(["days"], badDays.ErrorFields());
        var ana = list.AsArray().Single(p => (string)p!["name"]! == "Dr. Ana Best")!;
        Assert.Equal((4, 3, "2026-03-22"), ((int)ana["licenses"]!, (int)ana["licensesValidToday"]!, (string?)ana["nextExpiry"]));
        var spine = coverage["rows"]!.AsArray().Single(r => (string)r!["subspecialty"]! == "Spine Surgery")!;
        Assert.Equal(2, (int)spine["reviewersByState"]!["OH"]!);
        Assert.Equal(1, (int)spine["reviewersByState"]!["NY"]!);
        Assert.Null(spine["reviewersByState"]!["MI"]);
        Assert.Null(spine["reviewersByState"]!["TX"]);
        Assert.Contains("TX", spine["statesNotServed"]!.AsArray().Select(s => (string)s!));
    }
}

using System.Net;
using System.Net.Http.Headers;
using Consilium.Features.Audit;
using Consilium.Features.Eligibility;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Eligibility;

/// <summary>Roster imports from CSV and X12 834: counts, idempotent re-imports, and malformed files that write nothing.</summary>
public sealed class RosterImportTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Csv_AddsTheMembersAndTheSameFileAgainChangesNothing(DatabaseKind db)
    {
        var (app, program, client) = await ArrangeAsync(db);

        var first = await UploadAsync(client, program, "roster-initial.csv");
        var before = await MembersAsync(app, program);
        var again = await UploadAsync(client, program, "roster-initial.csv");
        var after = await MembersAsync(app, program);

        Assert.Equal((5, 5, 0, 0, 0), Counts(first));
        Assert.Equal((5, 0, 0, 0, 5), Counts(again));
        Assert.Equal(before, after);
        var lucas = await app.WithDbAsync(d => d.Members.SingleAsync(m => m.ProgramId == program && m.ExternalId == "E1001-02"));
        Assert.Equal((MemberRelationship.Child, "E1001", "Gold PPO", new DateOnly(2025, 1, 1), (DateOnly?)null, Sex.Male, "OH"),
            (lucas.Relationship, lucas.SubscriberId, lucas.Plan, lucas.CoverageStart, lucas.CoverageEnd, lucas.Sex, lucas.State));
        Assert.Equal("Csv", (string?)first["format"]);
        var created = await app.WithDbAsync(d => d.AuditEntries.CountAsync(a => a.ObjectType == "Member" && a.Action == AuditAction.Create
            && a.Reason == "eligibility roster" && d.Members.Any(m => m.ProgramId == program && m.Id == a.PatientId)));
        Assert.Equal(5, created);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Csv_Update_CountsAddedChangedAndTerminated(DatabaseKind db)
    {
        var (app, program, client) = await ArrangeAsync(db);
        await UploadAsync(client, program, "roster-initial.csv");
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var update = await UploadAsync(client, program, "roster-update.csv");

        Assert.Equal((6, 1, 1, 1, 3), Counts(update));
        var members = await app.WithDbAsync(d => d.Members.Where(m => m.ProgramId == program).ToDictionaryAsync(m => m.ExternalId));
        Assert.Equal("Rivera-Stone", members["E1001"].LastName);
        Assert.Equal(new DateOnly(2026, 2, 28), members["E2002"].CoverageEnd);
        Assert.Equal(MemberRelationship.Spouse, members["E5005"].Relationship);
        Assert.Equal(1, members["E3003"].Version);
        var imports = await (await client.GetAsync($"/api/programs/{program}/rosters")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["roster-update.csv", "roster-initial.csv"], imports.AsArray().Select(i => (string?)i!["fileName"]));
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string>> MalformedFiles() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from file in new (string Name, string Expected)[]
        {
            ("malformed-date.csv", "line 4: date_of_birth"),
            ("malformed-state.csv", "line 3: state"),
            ("malformed-header.csv", "line 1: the header has no 'date_of_birth' column"),
            ("malformed-ins.834", "segment 16 (INS)"),
            ("malformed-no-birth-date.834", "segment 20: the member has no DMG date of birth"),
        }
        select new TheoryDataRow<DatabaseKind, string, string>(db, file.Name, file.Expected);

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task MalformedFile_IsRejectedWithItsLineOrSegmentAndWritesNothing(DatabaseKind db, string file, string expected)
    {
        var (app, program, client) = await ArrangeAsync(db);
        await app.EnrollAsync(program, "E1001", new DateOnly(1971, 4, 12));
        var before = await MembersAsync(app, program);

        var problem = await (await PostFileAsync(client, program, file)).JsonAsync(HttpStatusCode.BadRequest);

        var message = (string)problem["errors"]!["file"]![0]!;
        Assert.Equal(["file"], problem.ErrorFields());
        Assert.StartsWith(expected, message);
        Assert.Equal(before, await MembersAsync(app, program));
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<RosterImport>().CountAsync(r => r.ProgramId == program)));
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(a => a.ObjectType == "RosterImport" && a.Outcome == AuditOutcome.Failure
            && a.Reason == "rejected: " + message)), "the rejected import is in the audit trail");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task X12834_AppliesAdditionsChangesAndTerminationsAndIsIdempotent(DatabaseKind db)
    {
        var (app, program, client) = await ArrangeAsync(db);

        var initial = await UploadAsync(client, program, "enrollment-initial.834");
        var initialAgain = await UploadAsync(client, program, "enrollment-initial.834");
        var changes = await UploadAsync(client, program, "enrollment-changes.834");
        var snapshot = await MembersAsync(app, program);
        var changesAgain = await UploadAsync(client, program, "enrollment-changes.834");

        Assert.Equal((3, 3, 0, 0, 0), Counts(initial));
        Assert.Equal("X12834", (string?)initial["format"]);
        Assert.Equal((3, 0, 0, 0, 3), Counts(initialAgain));
        Assert.Equal((4, 1, 1, 1, 0), Counts(changes));
        Assert.Equal(1, (int?)changes["skipped"]);
        Assert.Equal((4, 0, 0, 0, 3), Counts(changesAgain));
        Assert.Equal(snapshot, await MembersAsync(app, program));

        var members = await app.WithDbAsync(d => d.Members.Where(m => m.ProgramId == program).ToDictionaryAsync(m => m.ExternalId));
        Assert.Equal(["NW1001", "NW1001-02", "NW2002", "NW3003"], members.Keys.Order());
        var ana = members["NW1001"];
        Assert.Equal(("ANA", "RIVERA", new DateOnly(1971, 4, 12), Sex.Female, "OH", "NORTHWIND PPO PLUS", new DateOnly(2025, 1, 1)),
            (ana.FirstName, ana.LastName, ana.DateOfBirth, ana.Sex, ana.State, ana.Plan, ana.CoverageStart));
        var lucas = members["NW1001-02"];
        Assert.Equal((MemberRelationship.Child, "NW1001"), (lucas.Relationship, lucas.SubscriberId));
        Assert.Equal(new DateOnly(2026, 1, 31), members["NW2002"].CoverageEnd);
        Assert.Equal(new DateOnly(2026, 3, 1), members["NW3003"].CoverageStart);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task UploadPage_ImportsTheFileAndListsTheImport(DatabaseKind db)
    {
        var (app, program, _) = await ArrangeAsync(db);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program]);
        using var client = app.BrowserLikeClient(admin);
        var page = $"/programs/{program}/roster";
        var form = await (await client.GetAsync(page)).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(IntakeTestData.Fixture("roster-initial.csv"))) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "roster-initial.csv" },
        };
        var response = await client.PostAsync(page, content);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("5 added", html);
        Assert.Contains("roster-initial.csv", html);
        Assert.Equal(5, await app.WithDbAsync(d => d.Members.CountAsync(m => m.ProgramId == program)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Import_ToAProgramTheAdminDoesNotServe_Is404AndWritesNothing(DatabaseKind db)
    {
        var (app, _, client) = await ArrangeAsync(db);
        var other = await app.CreateProgramAsync();

        var response = await PostFileAsync(client, other.ProgramId, "roster-initial.csv");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(d => d.Members.CountAsync(m => m.ProgramId == other.ProgramId)));
    }

    async Task<(TestApp App, Guid Program, HttpClient Client)> ArrangeAsync(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = await app.CreateProgramAsync();
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program.ProgramId]);
        return (app, program.ProgramId, app.ClientFor(admin));
    }

    static async Task<HttpResponseMessage> PostFileAsync(HttpClient client, Guid program, string file)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(IntakeTestData.Fixture(file)));
        content.Headers.ContentType = new MediaTypeHeaderValue(file.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/edi-x12");
        return await client.PostAsync($"/api/programs/{program}/rosters?fileName={file}", content);
    }

    static async Task<System.Text.Json.Nodes.JsonNode> UploadAsync(HttpClient client, Guid program, string file) =>
        await (await PostFileAsync(client, program, file)).JsonAsync(HttpStatusCode.Created);

    static (int Records, int Added, int Changed, int Terminated, int Unchanged) Counts(System.Text.Json.Nodes.JsonNode import) =>
        ((int)import["records"]!, (int)import["added"]!, (int)import["changed"]!, (int)import["terminated"]!, (int)import["unchanged"]!);

    /// <summary>Every member of the program with every roster field and the version: equal snapshots mean nothing changed.</summary>
    static Task<string> MembersAsync(TestApp app, Guid program) =>
        app.WithDbAsync(async d => string.Join("\n", (await d.Members.AsNoTracking().Where(m => m.ProgramId == program).ToListAsync())
            .OrderBy(m => m.ExternalId, StringComparer.Ordinal)
            .Select(m => $"{m.ExternalId}|{m.FirstName}|{m.LastName}|{m.DateOfBirth}|{m.Sex}|{m.State}|{m.Plan}|{m.CoverageStart}|{m.CoverageEnd}|{m.Relationship}|{m.SubscriberId}|{m.Version}")));
}

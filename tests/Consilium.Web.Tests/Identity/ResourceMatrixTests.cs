using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Identity;

/// <summary>
/// The resource half of the authorization matrix: for each role, the same endpoint on a resource inside its reach and
/// one outside it (own case, served program's case, assigned reviewer, own sponsor).
/// </summary>
public sealed class ResourceMatrixTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string, HttpStatusCode, HttpStatusCode>> Rows() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new (string Role, string Path, HttpStatusCode Mine, HttpStatusCode Theirs)[]
        {
            (Roles.Patient, "/api/cases/{case}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.Patient, "/api/members/{member}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.Coordinator, "/api/cases/{case}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.Coordinator, "/api/members/{member}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.ProgramAdmin, "/api/cases/{case}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.ProgramAdmin, "/api/programs/{program}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.Integration, "/api/cases/{case}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.Reviewer, "/api/cases/{case}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.SponsorAnalyst, "/api/programs/{program}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.SponsorAnalyst, "/api/sponsors/{sponsor}", HttpStatusCode.OK, HttpStatusCode.NotFound),
            (Roles.SponsorAnalyst, "/api/cases/{case}", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            (Roles.Auditor, "/api/cases/{case}", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
        }
        select new TheoryDataRow<DatabaseKind, string, string, HttpStatusCode, HttpStatusCode>(db, row.Role, row.Path, row.Mine, row.Theirs);

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Role_ReachesItsOwnResourceButNotAnothers(DatabaseKind db, string role, string path, HttpStatusCode mine, HttpStatusCode theirs)
    {
        var app = await fixture.AppAsync(db);
        var own = await app.SeedScenarioAsync();
        var other = await app.SeedScenarioAsync();
        var user = await app.CreateUserAsync(role, role is Roles.Coordinator or Roles.ProgramAdmin or Roles.Integration ? [own.ProgramId] : null,
            memberId: role == Roles.Patient ? own.MemberId : null, sponsorId: role == Roles.SponsorAnalyst ? own.SponsorId : null);
        var ownCase = await app.SeedCaseAsync(own, CaseStatus.InReview, role == Roles.Reviewer ? user.Id : Guid.NewGuid());
        var otherCase = await app.SeedCaseAsync(other, CaseStatus.InReview, Guid.NewGuid());
        using var client = app.ClientFor(user);

        string Url(Scenario s, Guid caseId) => path.Replace("{case}", caseId.ToString()).Replace("{member}", s.MemberId.ToString())
            .Replace("{program}", s.ProgramId.ToString()).Replace("{sponsor}", s.SponsorId.ToString());
        var inside = await client.GetAsync(Url(own, ownCase));
        var outside = await client.GetAsync(Url(other, otherCase));

        Assert.Equal((mine, theirs), (inside.StatusCode, outside.StatusCode));
    }
}

using System.Net;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Programs;

public sealed class ProgramsApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ProgramAdmin_CreatesASponsorAndAProgramAndServesIt(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin);
        using var client = app.ClientFor(admin);

        var sponsor = await (await client.PostJsonAsync("/api/sponsors", new { name = "Acme Steel " + Guid.NewGuid().ToString("N")[..6], kind = "Employer" })).JsonAsync(HttpStatusCode.Created);
        var program = await (await client.PostJsonAsync("/api/programs", new
        {
            name = "Acme Opinions " + Guid.NewGuid().ToString("N")[..6], sponsorId = (string)sponsor["id"]!, funding = "SelfPay", selfPayPrice = 650.50m,
            categories = new[] { "Oncology", "Spine" },
        })).JsonAsync(HttpStatusCode.Created);
        var list = await (await client.GetAsync("/api/programs")).JsonAsync(HttpStatusCode.OK);
        var noPrice = await (await client.PostJsonAsync("/api/programs", new { name = "No price", sponsorId = (string)sponsor["id"]!, funding = "SelfPay", categories = new[] { "Spine" } })).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["Oncology", "Spine"], program["categories"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(650.50m, (decimal?)program["selfPayPrice"]);
        Assert.Contains(list.AsArray(), p => (string?)p!["id"] == (string?)program["id"]);
        Assert.Equal(["selfPayPrice"], noPrice.ErrorFields());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SponsorAnalyst_SeesOnlyTheirSponsorsPrograms(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var mine = await app.SeedScenarioAsync();
        var other = await app.SeedScenarioAsync();
        var analyst = await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: mine.SponsorId);
        using var client = app.ClientFor(analyst);

        var programs = await (await client.GetAsync("/api/programs")).JsonAsync(HttpStatusCode.OK);
        var sponsors = await (await client.GetAsync("/api/sponsors")).JsonAsync(HttpStatusCode.OK);
        var foreign = await client.GetAsync($"/api/programs/{other.ProgramId}");

        Assert.Equal([mine.ProgramId.ToString()], programs.AsArray().Select(p => (string?)p!["id"]));
        Assert.Equal([mine.SponsorId.ToString()], sponsors.AsArray().Select(p => (string?)p!["id"]));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }
}

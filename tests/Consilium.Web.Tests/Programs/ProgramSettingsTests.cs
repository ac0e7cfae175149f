using System.Net;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Programs;

/// <summary>Program settings: co-sponsors with shares of cost, SLA targets and their defaults, per-case fee, governance text, updates.</summary>
public sealed class ProgramSettingsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Program_WithACoSponsor_SplitsTheCostAndDefaultsItsSlaTargets(DatabaseKind db)
    {
        var (app, client, employer, carrier) = await ArrangeAsync(db);

        var program = await (await client.PostJsonAsync("/api/programs", new
        {
            name = "Acme Opinions " + Guid.NewGuid().ToString("N")[..6], sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine", "Cardiac" },
            caseFee = 1850.50m, governanceText = "Free for employees and their families.", coSponsors = new[] { new { sponsorId = carrier, share = 25m } },
        })).JsonAsync(HttpStatusCode.Created);
        var analyst = app.ClientFor(await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: Guid.Parse(carrier)));
        var seenByCarrier = await (await analyst.GetAsync("/api/programs")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(75m, (decimal?)program["primarySponsorShare"]);
        Assert.Equal((carrier, 25m), ((string?)program["coSponsors"]![0]!["sponsorId"], (decimal?)program["coSponsors"]![0]!["share"]));
        Assert.Equal((2, 7, 5), ((int)program["sla"]!["daysToFirstContact"]!, (int)program["sla"]!["daysToCompletePacket"]!, (int)program["sla"]!["businessDaysToOpinion"]!));
        Assert.Equal((1850.50m, "Free for employees and their families."), ((decimal?)program["caseFee"], (string?)program["governanceText"]));
        Assert.Contains(seenByCarrier.AsArray(), p => (string?)p!["id"] == (string?)program["id"]);
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string>> BadSettings() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new (string Case, string Field)[]
        {
            ("shares above 100", "coSponsors"),
            ("primary as co-sponsor", "coSponsors"),
            ("sla out of range", "sla.businessDaysToOpinion"),
            ("negative fee", "caseFee"),
            ("price with three decimals", "selfPayPrice"),
        }
        select new TheoryDataRow<DatabaseKind, string, string>(db, row.Case, row.Field);

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSettings_Are400NamingTheField(DatabaseKind db, string problem, string field)
    {
        var (_, client, employer, carrier) = await ArrangeAsync(db);
        object body = problem switch
        {
            "shares above 100" => new { name = Name(), sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine" }, primarySponsorShare = 80m, coSponsors = new[] { new { sponsorId = carrier, share = 30m } } },
            "primary as co-sponsor" => new { name = Name(), sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine" }, coSponsors = new[] { new { sponsorId = employer, share = 30m } } },
            "sla out of range" => new { name = Name(), sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine" }, sla = new { businessDaysToOpinion = 0 } },
            "negative fee" => new { name = Name(), sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine" }, caseFee = -1m },
            _ => new { name = Name(), sponsorId = employer, funding = "SelfPay", selfPayPrice = 99.999m, categories = new[] { "Spine" } },
        };

        var answer = await (await client.PostJsonAsync("/api/programs", body)).JsonAsync(HttpStatusCode.BadRequest);

        Assert.True(answer.ErrorFields().Contains(field), $"{problem}: {answer.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Update_ReplacesTheSettingsAndAStaleVersionIsRefused(DatabaseKind db)
    {
        var (_, client, employer, carrier) = await ArrangeAsync(db);
        var name = Name();
        var created = await (await client.PostJsonAsync("/api/programs", new { name, sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine" } }))
            .JsonAsync(HttpStatusCode.Created);
        var url = $"/api/programs/{created["id"]}";

        var updated = await (await client.PutAsJsonAsync(url, new
        {
            name, sponsorId = employer, funding = "GrantFund", categories = new[] { "Spine", "Oncology" }, version = 1,
            sla = new { daysToFirstContact = 1, daysToCompletePacket = 10, businessDaysToOpinion = 3 }, coSponsors = new[] { new { sponsorId = carrier, share = 40m } },
        })).JsonAsync(HttpStatusCode.OK);
        var stale = await client.PutAsJsonAsync(url, new { name, sponsorId = employer, funding = "SponsorPaid", categories = new[] { "Spine" }, version = 1 });

        Assert.Equal((2, "GrantFund", 60m), ((int)updated["version"]!, (string?)updated["funding"], (decimal?)updated["primarySponsorShare"]));
        Assert.Equal((1, 10, 3), ((int)updated["sla"]!["daysToFirstContact"]!, (int)updated["sla"]!["daysToCompletePacket"]!, (int)updated["sla"]!["businessDaysToOpinion"]!));
        Assert.NotNull((string?)updated["grantFundId"]);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    static string Name() => "Program " + Guid.NewGuid().ToString("N")[..8];

    async Task<(TestApp App, HttpClient Client, string Employer, string Carrier)> ArrangeAsync(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var client = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin));
        var employer = await (await client.PostJsonAsync("/api/sponsors", new { name = "Acme " + Guid.NewGuid().ToString("N")[..6], kind = "Employer" })).JsonAsync(HttpStatusCode.Created);
        var carrier = await (await client.PostJsonAsync("/api/sponsors", new { name = "Stop-Loss " + Guid.NewGuid().ToString("N")[..6], kind = "StopLossCarrier" })).JsonAsync(HttpStatusCode.Created);
        return (app, client, (string)employer["id"]!, (string)carrier["id"]!);
    }
}

file static class PutExtensions
{
    public static Task<HttpResponseMessage> PutAsJsonAsync(this HttpClient client, string url, object body) =>
        System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(client, url, body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
}

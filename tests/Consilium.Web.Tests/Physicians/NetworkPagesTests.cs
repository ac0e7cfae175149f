using System.Net;
using Consilium.Features.Identity;
using Consilium.Features.Physicians;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Physicians;

/// <summary>The network admin's screens, matching and offering from the case, and the reviewer answering offers, as forms.</summary>
public sealed class NetworkPagesTests
{
    static readonly DateOnly Far = new(2028, 6, 30);

    static async Task<HttpResponseMessage> PostHandlerAsync(HttpClient client, string page, string handler, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var form = await (await client.GetAsync(page)).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token))));
    }

    [Fact]
    public async Task TheNetworkScreens_ShowPhysiciansLicencesCoverageRulesAndStipends()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite);
        await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", new DateOnly(2026, 3, 20)), ("PA", Far));
        using var admin = app.BrowserLikeClient(await app.CreateUserAsync(Roles.ProgramAdmin));

        var pages = new Dictionary<string, string>
        {
            ["/network"] = "Dr. Ana Best",
            ["/network/licenses"] = "Expiring within 30 days",
            ["/network/coverage"] = "Spine Surgery",
            ["/network/state-rules"] = "DirectOpinion (default)",
            ["/network/import"] = "Import the network file",
            ["/network/stipends"] = "Download the statement",
        };
        foreach (var (url, text) in pages)
        {
            var response = await admin.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            Assert.Contains(text, html);
        }
        var set = await admin.PostFormAsync("/network/state-rules", [new("state", "TX"), new("rule", "DirectWithLocalPhysician"), new("note", "Counsel")]);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Contains("TX: DirectWithLocalPhysician.", await set.Content.ReadAsStringAsync());

        var csv = "npi,name,specialty,licenses\n" + NetworkTestData.NewNpi() + ",Dr. Bad,Orthopaedic Surgery,OH 1 2020-01-01 2020-13-01\n";
        using var upload = new MultipartFormDataContent { { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "file", "network.csv" } };
        var form = await admin.GetAsync("/network/import");
        var token = System.Text.RegularExpressions.Regex.Match(await form.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        upload.Add(new StringContent(token), "__RequestVerificationToken");
        var rejected = await admin.PostAsync("/network/import", upload);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("line 2: licenses: licence 1: &#x27;2020-13-01&#x27; is not an expiry date", await rejected.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ACoordinatorOffersFromTheCasePage_AndTheReviewerAcceptsOnTheirOffersPage()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite);
        var ana = await app.SpineSurgeonAsync("Dr. Ana Best", ("OH", Far));
        var @case = await app.CaseAsync("OH");
        using var coordinator = app.BrowserLikeClient(await app.CreateUserAsync(Roles.Coordinator, [@case.Scenario.ProgramId]));
        using var reviewer = app.BrowserLikeClient(ana.Reviewer!);

        var detail = await (await coordinator.GetAsync($"/cases/{@case.Id}")).Content.ReadAsStringAsync();
        var matching = await (await coordinator.GetAsync($"/cases/{@case.Id}/matching")).Content.ReadAsStringAsync();
        var offered = await PostHandlerAsync(coordinator, $"/cases/{@case.Id}/matching", "Offer", [new("physicianId", ana.Id.ToString()), new("role", "Lead")]);
        var offers = await (await reviewer.GetAsync("/offers")).Content.ReadAsStringAsync();
        var offerId = await app.WithDbAsync(d => d.Set<ReviewerOffer>().Where(o => o.CaseId == @case.Id).Select(o => o.Id).SingleAsync());
        var accepted = await PostHandlerAsync(reviewer, "/offers", "Accept", [new("offerId", offerId.ToString())]);

        Assert.Contains("data-testid=\"match-link\"", detail);
        Assert.Contains("Direct opinion", matching);
        Assert.Contains("M51.16", matching);
        Assert.Equal(HttpStatusCode.OK, offered.StatusCode);
        Assert.Contains("Offered to Dr. Ana Best as lead", await offered.Content.ReadAsStringAsync());
        Assert.Contains("M51.16", offers);
        Assert.DoesNotContain("Quintero", offers);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("Accepted: the case is in your assignments.", await accepted.Content.ReadAsStringAsync());
        Assert.Equal(ana.Reviewer!.Id, await app.WithDbAsync(d => d.Cases.Where(c => c.Id == @case.Id).Select(c => c.ReviewerUserId!.Value).SingleAsync()));
    }
}

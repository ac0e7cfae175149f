using System.Net;
using System.Text.RegularExpressions;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Opinions;

/// <summary>The pages inside the shell: each role reaches its own view of the opinion and nothing more.</summary>
public sealed class OpinionPagesTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Pages_ShowEachRoleItsViewOfTheOpinion(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        var stranger = await app.CreateUserAsync(Roles.Reviewer);
        using var reviewer = app.ClientFor(c.Reviewer);
        using var other = app.ClientFor(stranger);
        using var coordinator = app.ClientFor(c.Coordinator);
        using var patient = app.ClientFor(c.Patient);
        using var anonymous = app.AnonymousClient();

        var workspace = await reviewer.GetAsync($"/cases/{c.CaseId}/review");
        var html = await workspace.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, workspace.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(OpinionTestData.Questions[1]), html);
        Assert.Contains("data-testid=\"opinion-form\"", html);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/cases/{c.CaseId}/review")).StatusCode);
        var careBefore = await (await coordinator.GetAsync($"/cases/{c.CaseId}/care")).Content.ReadAsStringAsync();
        Assert.Contains("No signed opinion yet", careBefore);

        await OpinionTestData.SignAsync(app, c);
        await (await coordinator.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/deliveries", new { recipientName = "Dr. Lena Ortiz", email = "ortiz@riverside.example" })).JsonAsync(HttpStatusCode.Created);

        var mine = await (await patient.GetAsync($"/my/cases/{c.CaseId}/opinion")).Content.ReadAsStringAsync();
        Assert.Contains(WebUtility.HtmlEncode(OpinionTestData.AnswerTwo), mine);
        Assert.Contains("data-testid=\"report-pdf\"", mine);
        var care = await (await coordinator.GetAsync($"/cases/{c.CaseId}/care")).Content.ReadAsStringAsync();
        Assert.Contains("Signed opinion, version 1", care);
        Assert.Contains("ortiz@riverside.example", care);
        Assert.Contains("Navigation: A center of excellence", care);

        var email = await OpinionTestData.PickedUpAsync(app, m => m.To.Mailboxes.Any(x => x.Address == "ortiz@riverside.example"));
        var token = Regex.Match(email.TextBody ?? "", @"/reports/([A-Za-z0-9_-]+)").Groups[1].Value;
        var landing = await anonymous.GetAsync($"/reports/{token}");
        var landingHtml = await landing.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Contains("data-testid=\"download\"", landingHtml);
        Assert.DoesNotContain("herniation", landingHtml);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/reports/nothing-here")).StatusCode);
    }
}

using System.Net;
using System.Text.RegularExpressions;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Cases;

/// <summary>The case page's records checklist, the member's tracker dates and the refused review workspace, as served HTML.</summary>
public sealed partial class CasePagesTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task CasePage_ShowsTheRecordsChecklistWithTheSameCompletenessAsTheGate(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var id = await app.SeedCaseAsync(scenario, CaseStatus.CollectingRecords);
        using var client = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]));

        var html = await (await client.GetAsync($"/cases/{id}")).Content.ReadAsStringAsync();

        Assert.Matches("<label for=\"case-completeness\">Packet completeness</label>", html);
        Assert.Matches("<meter id=\"case-completeness\" min=\"0\" max=\"100\"[^>]* value=\"0\"[^>]*>0%</meter>", html);
        var rules = app.Services.GetRequiredService<CompletenessRules>().For(ConditionCategory.Spine).Select(r => r.Describe()).ToList();
        var missing = Missing().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value.Trim())).ToList();
        Assert.Equal(rules, missing);
    }

    [Fact]
    public async Task ReviewWorkspace_OfACaseNotAssignedToTheReviewer_IsTheShellsRefusalPage_With404()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        var scenario = await app.SeedScenarioAsync();
        var assigned = await app.CreateUserAsync(Roles.Reviewer);
        var id = await app.SeedCaseAsync(scenario, CaseStatus.InReview, assigned.Id);
        using var other = app.ClientFor(await app.CreateUserAsync(Roles.Reviewer));

        var response = await other.GetAsync($"/cases/{id}/review");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"refused\"", html);
        Assert.Contains("<nav aria-label=\"Main\">", html);
        Assert.Contains("href=\"/cases\" data-testid=\"refused-back\">Back to my assignments</a>", html);
        Assert.DoesNotContain("Lumbar", html);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task MemberTracker_ShowsReachedDatesAndExpectedDatesFromTheSla(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        await app.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        using var member = app.ClientFor(await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId));

        var html = await (await member.GetAsync("/my")).Content.ReadAsStringAsync();

        var stages = Stage().Matches(html).Select(m => (Stage: m.Groups[1].Value, Kind: m.Groups[2].Value, Date: m.Groups[3].Value)).ToList();
        var opened = app.Clock.GetUtcNow().UtcDateTime;
        string Day(DateTime d) => d.ToString("MMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture);
        // Opened Monday 2026-03-02 under the program's default targets: call within 2 days, packet within 7, opinion 5
        // business days after the packet.
        Assert.Equal(
        [
            ("Referred", "reached", Day(opened)), ("Intake", "reached", Day(opened)), ("Awaiting consent", "reached", Day(opened)),
            ("Collecting records", "expected", Day(opened.AddDays(7))), ("Ready for review", "expected", Day(opened.AddDays(7))),
            ("Assigned", "expected", "Mar 16, 2026"), ("In review", "expected", "Mar 16, 2026"),
            ("Opinion delivered", "expected", "Mar 16, 2026"), ("Closed", "expected", "Mar 16, 2026"),
        ], stages);
    }

    [GeneratedRegex("<li class=\"missing\" data-testid=\"checklist-missing\"><span aria-hidden=\"true\">○</span>([^<]*)<span")]
    private static partial Regex Missing();

    [GeneratedRegex("data-testid=\"tracker-stage\">\\s*<span>([^<]+)</span>\\s*<small data-testid=\"tracker-(reached|expected)\">(?:expected by )?<time[^>]*>([^<]+)</time>")]
    private static partial Regex Stage();
}

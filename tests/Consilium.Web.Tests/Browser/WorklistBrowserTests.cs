using System.Net.Http.Headers;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>
/// The coordinator's worklist: a row changes in place when the case moves on elsewhere (here through the API), with a
/// polite announcement, the filter and the ticked box kept; then the whole page is taken with "select all" and a bulk
/// "Assign to me".
/// </summary>
public sealed class WorklistBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Coordinator_SeesARowUpdateLive_ThenAssignsThePageToThemself()
    {
        var app = browser.App;
        var scenario = await app.SeedScenarioAsync();
        var coordinatorId = await app.WithDbAsync(async db =>
        {
            var id = await db.Users.Where(u => u.Email == "coordinator@demo.consilium.test").Select(u => u.Id).SingleAsync();
            db.ProgramStaff.Add(new ProgramStaff(scenario.ProgramId, id));
            await db.SaveChangesAsync();
            return id;
        });
        var cases = new[] { await app.SeedCaseAsync(scenario), await app.SeedCaseAsync(scenario), await app.SeedCaseAsync(scenario) };
        var numbers = await app.WithDbAsync(db => db.Cases.Where(c => cases.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Number));
        var colleague = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);

        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.BaseUrl, BypassCSP = Axe.Script is not null, ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync("coordinator@demo.consilium.test");
        await page.GetByLabel("Password").FillAsync(BrowserFixture.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await page.GotoAsync($"/cases?program={scenario.ProgramId}&status=Referred");
        await Assertions.Expect(page.GetByTestId("worklist-stream")).ToHaveTextAsync("Live: changes appear as they happen.");
        var first = page.GetByLabel($"Select case {numbers[cases[0]]}");
        await first.CheckAsync();

        // A colleague moves the second case on, through the API.
        using (var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", colleague.Token);
            (await api.PostJsonAsync($"/api/cases/{cases[1]}/transitions", new { to = "Intake" })).EnsureSuccessStatusCode();
        }

        var row = page.Locator($"tr[data-case-id='{cases[1]}']");
        await Assertions.Expect(row.Locator("[data-stage]")).ToHaveTextAsync("Intake");
        await Assertions.Expect(page.GetByTestId("worklist-live")).ToHaveTextAsync($"Case {numbers[cases[1]]} moved to Intake");
        await Assertions.Expect(first).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveValueAsync("Referred");
        Assert.Contains($"program={scenario.ProgramId}", page.Url);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "worklist-01-row-updated-live.png"), FullPage = true });
        if (Axe.Script is not null)
        {
            var violations = await Axe.AuditAsync(page);
            Assert.True(violations.Count == 0, Axe.Describe("/cases", violations));
        }

        // Select the whole page from the keyboard, then take every case.
        await page.GetByLabel("Select all on this page").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        foreach (var id in cases) await Assertions.Expect(page.GetByLabel($"Select case {numbers[id]}")).ToBeCheckedAsync();
        await page.GetByTestId("bulk-assign-me").ClickAsync();

        await Assertions.Expect(page.GetByTestId("bulk-result")).ToContainTextAsync("3 done, 0 refused");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "worklist-02-bulk-assigned.png"), FullPage = true });
        var owners = await app.WithDbAsync(db => db.Cases.Where(c => cases.Contains(c.Id)).Select(c => c.CoordinatorUserId).ToListAsync());
        Assert.All(owners, o => Assert.Equal(coordinatorId, o));
        await context.CloseAsync();
    }
}

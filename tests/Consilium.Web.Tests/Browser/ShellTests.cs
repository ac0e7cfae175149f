using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>The UI shell in a real Chromium: sign-in, each role's navigation, the coordinator's case list and case page.</summary>
public sealed class ShellTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Coordinator_SignsInSeesTheCaseListAndMovesACaseForward()
    {
        var page = await browser.SignedInPageAsync("coordinator@demo.consilium.test");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/cases$"));
        await Assertions.Expect(page.GetByTestId("case-list").Locator("tbody tr")).ToHaveCountAsync(12);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "shell-01-coordinator-case-list.png"), FullPage = true });

        await page.GetByLabel("Stage").SelectOptionAsync("Referred");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.GetByTestId("case-list").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await rows.First.GetByRole(AriaRole.Link).ClickAsync();

        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Referred");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move to Intake" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Intake");
        await Assertions.Expect(page.GetByTestId("timeline").Locator("li").Last).ToContainTextAsync("Referred → Intake");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "shell-02-coordinator-case-page.png"), FullPage = true });

        await page.GetByLabel("Reason for “On hold”").FillAsync("Member travelling until next week");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move to On hold" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("On hold");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Move to Intake" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task WrongPassword_IsRefusedWithoutSayingWhichPartWasWrong()
    {
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync("auditor@demo.consilium.test");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("signin-error")).ToHaveTextAsync("The email or password is not right.");
        await page.GotoAsync("/cases");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"));
    }

    [Theory]
    [InlineData("patient", "/my", "My requests")]
    [InlineData("reviewer", "/cases", "My assignments")]
    [InlineData("program-admin", "/cases", "Cases")]
    [InlineData("sponsor-analyst", "/programs", "Programs")]
    [InlineData("auditor", "/audit", "Audit trail")]
    public async Task EachRole_LandsOnItsOwnStartPageWithOnlyItsNavigation(string role, string home, string firstLink)
    {
        var page = await browser.SignedInPageAsync($"{role}@demo.consilium.test", role == "patient" ? new ViewportSize { Width = 390, Height = 844 } : null);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(home) + "$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, $"shell-role-{role}.png"), FullPage = true });
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Assertions.Expect(nav.GetByRole(AriaRole.Link).First).ToHaveTextAsync(firstLink);
        if (role != "auditor") await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Audit trail" })).ToHaveCountAsync(0);

        if (role == "patient")
        {
            await Assertions.Expect(page.GetByTestId("my-case")).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByTestId("my-case")).ToContainTextAsync("The specialist is reviewing your records.");
            await page.GotoAsync("/cases");
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/denied"));
        }
        if (role == "sponsor-analyst")
        {
            await Assertions.Expect(page.GetByTestId("program-list")).ToContainTextAsync("Northwind Expert Opinion");
            await Assertions.Expect(page.GetByTestId("program-list")).Not.ToContainTextAsync("Contoso");
        }
    }
}

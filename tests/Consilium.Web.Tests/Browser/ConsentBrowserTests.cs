using System.Text.RegularExpressions;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>A member on a phone signs the authorization with a finger-drawn signature; the coordinator then sees it.</summary>
public sealed class ConsentBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Member_SignsOnAPhone_AndTheCaseMovesToCollectingRecords()
    {
        var app = browser.App;
        var scenario = await app.SeedScenarioAsync();
        var caseId = await app.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId);
        var page = await browser.SignedInPageAsync(patient.Email, new ViewportSize { Width = 390, Height = 844 }, TestApp.Password);

        await page.GetByTestId("sign-consent").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Permission to collect your medical records" })).ToBeVisibleAsync();
        await page.GetByLabel("From which doctors").FillAsync("Riverside Orthopedics\nMercy Imaging Center");
        await page.GetByLabel("Type your full name to sign").FillAsync("Zelda Quintero-Test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and give permission" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signature-error")).ToBeVisibleAsync();

        var pad = await page.Locator("#signature-pad").BoundingBoxAsync();
        await page.Mouse.MoveAsync(pad!.X + 20, pad.Y + 60);
        await page.Mouse.DownAsync();
        foreach (var (dx, dy) in new[] { (60, 30), (120, 70), (180, 20), (240, 80) }) await page.Mouse.MoveAsync(pad.X + dx, pad.Y + dy, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "consent-01-member-signs-on-phone.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and give permission" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/my\\?signed=1$"));
        await Assertions.Expect(page.GetByTestId("signed")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("my-case")).ToContainTextAsync("We are gathering your records");
        Assert.Equal(CaseStatus.CollectingRecords, await app.WithDbAsync(d => d.Cases.Where(c => c.Id == caseId).Select(c => c.Status).SingleAsync()));
        var signature = await app.WithDbAsync(d => d.Set<Consilium.Features.Consents.Consent>().Where(c => c.CaseId == caseId).Select(c => c.PdfBlobId).SingleAsync());
        Assert.NotNull(signature);
    }
}

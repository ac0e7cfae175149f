using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>Phone intake by a nurse and the public self-request, in a real Chromium, on the demo data.</summary>
public sealed class IntakeBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Coordinator_TakesAPhoneIntakeAndLandsOnTheNewCaseWithTheQuestionsInOrder()
    {
        var page = await browser.SignedInPageAsync("coordinator@demo.consilium.test");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Phone intake" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/intake$"));

        await page.GetByLabel("Program", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Northwind Expert Opinion — Paid by your plan or employer: $0 to you" });
        await page.GetByLabel("Member id").FillAsync("DEMO0013");
        await page.GetByLabel("Date of birth").FillAsync("1981-02-14");
        await page.GetByLabel("Condition category").SelectOptionAsync("Oncology");
        await page.GetByLabel("Clinical concern").FillAsync("New diagnosis of breast cancer; the surgeon proposes a mastectomy next month.");
        await page.GetByLabel("Questions for the expert").FillAsync("Is a mastectomy necessary?\nWould a lumpectomy with radiation be as safe?\nShould I have genetic testing first?");
        await page.GetByLabel("Current diagnosis").FillAsync("Invasive ductal carcinoma, left breast");
        await page.GetByLabel("Diagnosis codes (ICD-10-CM, optional)").FillAsync("c50.912");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dr. Helen Marsh");
        await page.GetByLabel("NPI (optional)").FillAsync("1234567893");
        await page.GetByLabel("Practice or hospital").FillAsync("Columbus Breast Center");
        await page.GetByLabel("How soon is a decision needed?").SelectOptionAsync("Urgent");
        await page.GetByLabel("State of residence").SelectOptionAsync("OH");
        await page.GetByLabel("How did the member hear of the program?").SelectOptionAsync(new SelectOptionValue { Label = "A notice after a diagnosis" });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "intake-01-phone-form.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the case" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/cases/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Intake");
        await Assertions.Expect(page.GetByTestId("questions").Locator("li")).ToHaveTextAsync(
            ["Is a mastectomy necessary?", "Would a lumpectomy with radiation be as safe?", "Should I have genetic testing first?"]);
        await Assertions.Expect(page.GetByTestId("diagnosis-codes")).ToContainTextAsync("C50.912");
        await Assertions.Expect(page.GetByTestId("treating-physician")).ToContainTextAsync("NPI 1234567893");
        await Assertions.Expect(page.GetByTestId("coordinator")).ToContainTextAsync("Nurse Casey Morgan");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "intake-02-new-case.png"), FullPage = true });
    }

    [Fact]
    public async Task Coordinator_WithABadNpi_SeesTheErrorBesideTheFieldAndKeepsWhatWasTyped()
    {
        var page = await browser.SignedInPageAsync("coordinator@demo.consilium.test");
        await page.GotoAsync("/intake");
        await page.GetByLabel("Program", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Contoso Health Second Opinion — Paid by your plan or employer: $0 to you" });
        await page.GetByLabel("Member id").FillAsync("DEMO0015");
        await page.GetByLabel("Date of birth").FillAsync("1969-11-23");
        await page.GetByLabel("Condition category").SelectOptionAsync("Cardiac");
        await page.GetByLabel("Clinical concern").FillAsync("Stent or bypass?");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dr. Wrong Number");
        await page.GetByLabel("NPI (optional)").FillAsync("1234567890");
        await page.GetByLabel("State of residence").SelectOptionAsync("NJ");
        await page.GetByLabel("How did the member hear of the program?").SelectOptionAsync(new SelectOptionValue { Label = "A physician" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the case" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("form-errors")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("error-PhysicianNpi")).ToContainTextAsync("check digit");
        await Assertions.Expect(page.GetByLabel("NPI (optional)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Clinical concern")).ToHaveValueAsync("Stent or bypass?");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "intake-03-phone-error.png"), FullPage = true });
    }

    [Fact]
    public async Task Member_RequestsFromThePublicPortal_SeesThePriceFirstAndFollowsTheRequest()
    {
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.BaseUrl, ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/request");
        var riverside = page.GetByTestId("program-choices").Locator("li").Filter(new() { HasText = "Riverside Second Opinion" });
        await Assertions.Expect(riverside.GetByTestId("price")).ToHaveTextAsync("Self-pay: $750.00");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "request-01-programs.png"), FullPage = true });
        await riverside.GetByRole(AriaRole.Link, new() { Name = "Riverside Second Opinion" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("price")).ToHaveTextAsync("Self-pay: $750.00");
        await page.GetByLabel("First name").FillAsync("Imani");
        await page.GetByLabel("Last name").FillAsync("Okoro");
        await page.GetByLabel("Date of birth").FillAsync("1977-05-03");
        await page.GetByLabel("Sex").SelectOptionAsync("Female");
        await page.GetByLabel("State of your address").FillAsync("GA");
        await page.GetByLabel("Condition category").SelectOptionAsync("Neurological");
        await page.GetByLabel("Clinical concern").FillAsync("My neurologist suggests deep brain stimulation for tremor.");
        await page.GetByLabel("Questions for the expert").FillAsync("Am I a good candidate?\nWhat are the alternatives?");
        await page.GetByLabel("State of residence").SelectOptionAsync("GA");
        await page.GetByLabel("How did you hear of the program?").SelectOptionAsync(new SelectOptionValue { Label = "Found it myself" });
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("imani.okoro@example.test");
        await page.GetByLabel("Password").FillAsync("Quiet-River-Stone-58");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "request-02-form.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send my request" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/request/received/"));
        await Assertions.Expect(page.GetByTestId("case-number")).ToHaveTextAsync(new Regex("^C-[0-9A-Z]{8}$"));
        await Assertions.Expect(page.GetByTestId("amount-due")).ToContainTextAsync("$750.00");
        await Assertions.Expect(page.GetByTestId("questions").Locator("li")).ToHaveTextAsync(["Am I a good candidate?", "What are the alternatives?"]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "request-03-received.png"), FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "Follow your requests" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("my-case")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("my-case")).ToContainTextAsync("We have your request");
    }

    [Fact]
    public async Task Member_WhoseCoverageEnded_IsToldSoAndNothingIsCreated()
    {
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/request");
        await page.GetByRole(AriaRole.Link, new() { Name = "Northwind Expert Opinion" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("governance")).ToContainTextAsync("free expert second opinion");

        await page.GetByLabel("Member id").FillAsync("DEMO0014");
        await page.GetByLabel("Date of birth").FillAsync("1974-07-08");
        await page.GetByLabel("Condition category").SelectOptionAsync("Spine");
        await page.GetByLabel("Clinical concern").FillAsync("Fusion proposed.");
        await page.GetByLabel("State of residence").SelectOptionAsync("PA");
        await page.GetByLabel("How did you hear of the program?").SelectOptionAsync(new SelectOptionValue { Label = "Open enrollment" });
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("oscar.diaz@example.test");
        await page.GetByLabel("Password").FillAsync("Quiet-River-Stone-58");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send my request" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("error-MemberId")).ToHaveTextAsync("Coverage under this program has ended.");
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("oscar.diaz@example.test");
        await page.GetByLabel("Password").FillAsync("Quiet-River-Stone-58");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signin-error")).ToBeVisibleAsync();
    }
}

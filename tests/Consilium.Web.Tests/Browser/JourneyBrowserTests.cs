using System.Globalization;
using System.Text.RegularExpressions;
using Consilium.Documents;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Records;
using Consilium.Features.Demo;
using Consilium.Features.Programs;
using Consilium.Tests.Documents;
using Consilium.Tests.Outcomes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>
/// The whole journey across roles, each step through the pages by the role that does it, one browser per role, from a
/// fresh database with the demo data: a member requests an opinion → the coordinator completes intake → the member signs
/// the consent and uploads a DICOM study and a PDF → the packet is complete → the case is matched, offered and accepted →
/// the reviewer writes and signs the opinion → the member reads the report, books the video consult and (30 days on) answers the
/// follow-up survey → the sponsor's
/// dashboard counts the case. A screenshot of every step (artifacts/screenshots/journey-NN-…) and axe-core on every page.
/// </summary>
public sealed class JourneyBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    const string MemberEmail = "lena.park@example.test";
    const string MemberPassword = "Lakeside-Maple-Orbit-73";
    const string Facility = "Buckeye Orthopedic Surgeons";

    readonly List<string> _axeFailures = [];
    int _step;

    async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = browser.BaseUrl,
            // axe is injected as an inline script, which the app's Content-Security-Policy rightly refuses.
            BypassCSP = Axe.Script is not null,
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    async Task<IPage> SignedInAsync(string email, string password = BrowserFixture.DemoPassword)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>A screenshot of the step, and axe on the page as the step left it.</summary>
    async Task StepAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, $"journey-{++_step:00}-{name}.png"), FullPage = true });
        if (Axe.Script is null) return;
        var route = Regex.Replace(new Uri(page.Url).AbsolutePath, "[0-9a-f]{8}-[0-9a-f-]{27}", "{id}");
        var violations = await Axe.AuditAsync(page);
        if (violations.Count > 0) _axeFailures.Add($"step {_step} ({name}) " + Axe.Describe(route, violations));
    }

    static ILocator Navigation(IPage page) => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    async Task<int> CasesWithOpinionAsync(IPage sponsor)
    {
        await Navigation(sponsor).GetByRole(AriaRole.Link, new() { Name = "Outcomes" }).ClickAsync();
        await sponsor.GetByLabel("Program").SelectOptionAsync(new SelectOptionValue { Label = "Northwind Expert Opinion" });
        await sponsor.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var text = await sponsor.Locator("[data-metric=casesWithOpinion]").InnerTextAsync();
        Assert.True(int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n), $"cases with an opinion shows “{text}”");
        return n;
    }

    [Fact]
    public async Task TheWholeJourney_AcrossRoles_ThroughThePages()
    {
        var dicomPath = DocumentTestData.PathOf("dicom/mr/pydicom__MR_small_explicitLE.dcm");
        var app = browser.App;

        // Northwind's history from its previous vendor (./consilium import cases): enough closed cases that the
        // dashboard's count of cases with an opinion is shown rather than suppressed (cells under 11).
        var northwind = await app.WithDbAsync(d => d.Programs.Where(p => p.Name == "Northwind Expert Opinion").Select(p => p.Id).SingleAsync());
        var history = Enumerable.Range(1, 11).Select(i => new HistoryLine($"NW-2025-{i:000}", $"DEMO{(i % 5) + 1:0000}", "spine",
            new DateOnly(2025, 3, i), new DateOnly(2025, 3, i + 5), new DateOnly(2025, 3, i + 10), i % 3 == 0 ? "refined" : "confirmed",
            i % 2 == 0 ? "change" : "agree", true, i % 2 != 0, false, false, false, 95_000m, i % 2 == 0 ? 12_000m : 95_000m, 9));
        Assert.Equal(11, (await OutcomeTestData.ImportAsync(app, northwind, OutcomeTestData.Csv(history))).Added);

        var sponsor = await SignedInAsync("sponsor-analyst@demo.consilium.test");
        var openingCount = await CasesWithOpinionAsync(sponsor);

        // 1. The member requests an opinion from the public portal; the request makes her login.
        var member = await NewPageAsync();
        await member.GotoAsync("/request");
        await StepAsync(member, "member-programs");
        await member.GetByRole(AriaRole.Link, new() { Name = "Northwind Expert Opinion" }).ClickAsync();
        await member.GetByLabel("Member id").FillAsync("DEMO0013");
        await member.GetByLabel("Date of birth").FillAsync("1981-02-14");
        await member.GetByLabel("Condition category").SelectOptionAsync("Spine");
        await member.GetByLabel("Clinical concern").FillAsync("Low back and left leg pain for a year; my surgeon proposes an L4-L5 fusion next month.");
        await member.GetByLabel("Questions for the expert").FillAsync("Do I need the fusion now?\nWould more physical therapy or an injection help first?");
        await member.GetByLabel("Current diagnosis").FillAsync("Lumbar disc herniation with radiculopathy");
        await member.GetByLabel("Diagnosis codes (ICD-10-CM, optional)").FillAsync("M51.16");
        await member.GetByLabel("Proposed treatment").FillAsync("L4-L5 lumbar fusion");
        await member.GetByLabel("State of residence").SelectOptionAsync("OH");
        await member.GetByLabel("How did you hear of the program?").SelectOptionAsync(new SelectOptionValue { Label = "Open enrollment" });
        await member.GetByLabel("Email", new() { Exact = true }).FillAsync(MemberEmail);
        await member.GetByLabel("Password").FillAsync(MemberPassword);
        await StepAsync(member, "member-request-form");
        await member.GetByRole(AriaRole.Button, new() { Name = "Send my request" }).ClickAsync();
        await Assertions.Expect(member).ToHaveURLAsync(new Regex("/request/received/[0-9a-f-]{36}$"));
        var caseId = Guid.Parse(member.Url[^36..]);
        var number = await member.GetByTestId("case-number").InnerTextAsync();
        await StepAsync(member, "member-request-received");
        await member.GetByRole(AriaRole.Link, new() { Name = "Follow your requests" }).ClickAsync();
        await Assertions.Expect(member.GetByTestId("my-case")).ToContainTextAsync("We have your request");
        await StepAsync(member, "member-tracker-requested");

        // 2. The coordinator finds the new case in the worklist and completes intake on the case page.
        var coordinator = await SignedInAsync("coordinator@demo.consilium.test");
        await Navigation(coordinator).GetByRole(AriaRole.Link, new() { Name = "Cases" }).ClickAsync();
        await coordinator.GetByLabel("Search").FillAsync(number);
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await StepAsync(coordinator, "coordinator-worklist");
        await coordinator.GetByTestId("case-list").GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("case-status")).ToHaveTextAsync("Referred");
        await Assertions.Expect(coordinator.GetByTestId("questions").Locator("li")).ToHaveTextAsync(["Do I need the fusion now?", "Would more physical therapy or an injection help first?"]);
        await StepAsync(coordinator, "coordinator-case-referred");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Move to Intake" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("case-status")).ToHaveTextAsync("Intake");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Move to Awaiting consent" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("case-status")).ToHaveTextAsync("Awaiting consent");
        await StepAsync(coordinator, "coordinator-intake-complete");

        // 3. The member signs the authorization and drops her MRI (DICOM) and its report (PDF) on the upload zone.
        await member.ReloadAsync();
        await member.GetByTestId("sign-consent").ClickAsync();
        await member.GetByLabel("From which doctors").FillAsync(Facility + "\nMercy Imaging Center");
        await member.GetByLabel("Type your full name to sign").FillAsync("Lena Park");
        await member.Locator("#signature-pad").ScrollIntoViewIfNeededAsync();
        var pad = await member.Locator("#signature-pad").BoundingBoxAsync();
        await member.Mouse.MoveAsync(pad!.X + 20, pad.Y + 60);
        await member.Mouse.DownAsync();
        foreach (var (dx, dy) in new[] { (60, 30), (120, 70), (180, 20), (240, 80) }) await member.Mouse.MoveAsync(pad.X + dx, pad.Y + dy, new() { Steps = 4 });
        await member.Mouse.UpAsync();
        await StepAsync(member, "member-consent");
        await member.GetByRole(AriaRole.Button, new() { Name = "Sign and give permission" }).ClickAsync();
        await Assertions.Expect(member.GetByTestId("signed")).ToBeVisibleAsync();
        await Assertions.Expect(member.GetByTestId("my-case")).ToContainTextAsync("We are gathering your records");
        await StepAsync(member, "member-consent-signed");

        await member.GetByTestId("send-records").ClickAsync();
        var report = PdfDocumentWriter.Create(PageSize.Letter).Title("MRI lumbar spine without contrast")
            .Paragraph("Patient: Lena Park. Findings: left paracentral disc extrusion at L4-L5 contacting the descending L5 nerve root.")
            .Paragraph("Impression: L4-L5 disc herniation with left L5 radiculopathy correlate.").Build();
        var files = await member.EvaluateHandleAsync("""
            ([dicom, pdf]) => {
              const bytes = b64 => Uint8Array.from(atob(b64), ch => ch.charCodeAt(0));
              const dt = new DataTransfer();
              dt.items.add(new File([bytes(dicom)], 'mri-lumbar.dcm', { type: 'application/dicom' }));
              dt.items.add(new File([bytes(pdf)], 'mri-report.pdf', { type: 'application/pdf' }));
              return dt;
            }
            """, new[] { Convert.ToBase64String(await File.ReadAllBytesAsync(dicomPath)), Convert.ToBase64String(report) });
        await member.DispatchEventAsync("[data-testid=dropzone]", "dragover", new { dataTransfer = files });
        await member.DispatchEventAsync("[data-testid=dropzone]", "drop", new { dataTransfer = files });
        var uploads = member.Locator("li.upload");
        await Assertions.Expect(uploads).ToHaveCountAsync(2);
        await Assertions.Expect(uploads.Nth(0)).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        await Assertions.Expect(uploads.Nth(1)).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        await StepAsync(member, "member-uploaded");
        await member.GetByTestId("upload-refresh").ClickAsync();
        await Assertions.Expect(member.GetByTestId("my-document")).ToHaveCountAsync(2);

        // 4. The coordinator completes the packet: the images' patient confirmed, the report filed, the surgeon's note and
        // the therapy history requested from the surgeon's office and received; the meter reaches 100%.
        await coordinator.GotoAsync($"/cases/{caseId}");
        await coordinator.GetByTestId("records-link").ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("consent-status")).ToContainTextAsync("signed by Lena Park");
        await Assertions.Expect(coordinator.GetByTestId("completeness")).ToHaveAttributeAsync("value", "0");
        await StepAsync(coordinator, "coordinator-records-incoming");
        await coordinator.GetByTestId("packet-warnings").GetByRole(AriaRole.Link, new() { Name = "Review" }).First.ClickAsync();
        await coordinator.GetByLabel("It is the member's: how do you know?").FillAsync("Called Ms. Park: the anonymised name is the imaging center's export; study date matches her MRI.");
        await StepAsync(coordinator, "coordinator-dicom-document");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Confirm it is the member's" }).ClickAsync();
        await coordinator.GotoAsync($"/cases/{caseId}/records");
        await coordinator.GetByTestId("document-row").Filter(new() { HasText = "mri-report.pdf" }).GetByRole(AriaRole.Link, new() { Name = "mri-report.pdf" }).ClickAsync();
        await coordinator.GetByLabel("Counts toward the packet as").SelectOptionAsync("RadiologyReport");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await coordinator.GotoAsync($"/cases/{caseId}/records");
        await Assertions.Expect(coordinator.GetByTestId("completeness")).ToHaveAttributeAsync("value", "50");

        await coordinator.GetByLabel("Facility (as named in the authorization)").SelectOptionAsync(Facility);
        await coordinator.GetByLabel("Fax").FillAsync("+1 216 555 0143");
        await coordinator.GetByLabel("Consult note").CheckAsync();
        await coordinator.GetByLabel("Conservative therapy history (PT, injections, medication)").CheckAsync();
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Create request" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("record-request")).ToHaveCountAsync(1);
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Mark letter sent" }).ClickAsync();
        foreach (var item in new[] { "Consult note", "Conservative therapy history (PT, injections, medication)" })
        {
            var row = coordinator.GetByTestId("record-request").Locator("tr").Filter(new() { Has = coordinator.GetByLabel($"Status of {item}") });
            await row.GetByLabel($"Status of {item}").SelectOptionAsync("Received");
            await row.GetByLabel($"Note for {item}").FillAsync("Received by fax");
            await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(coordinator.GetByTestId("record-request").Locator("tr").Filter(new() { HasText = item }).Locator("td").Nth(1)).ToHaveTextAsync("Received");
        }
        await Assertions.Expect(coordinator.GetByTestId("completeness")).ToHaveAttributeAsync("value", "100");
        await Assertions.Expect(coordinator.GetByTestId("missing")).ToHaveCountAsync(0);
        await StepAsync(coordinator, "coordinator-packet-complete");

        // 5. Ready for review; the coordinator matches the case and offers it to the spine surgeon, who accepts.
        await coordinator.GotoAsync($"/cases/{caseId}");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Move to Ready for review" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("case-status")).ToHaveTextAsync("Ready for review");
        await coordinator.GetByTestId("match-link").ClickAsync();
        var okafor = coordinator.GetByTestId("ranked").Locator("tbody tr").Filter(new() { HasText = "Dr. Maya Okafor" });
        await Assertions.Expect(okafor).ToHaveCountAsync(1);
        await StepAsync(coordinator, "coordinator-matching");
        await okafor.GetByRole(AriaRole.Button, new() { Name = "Offer as lead" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("offers").Locator("tbody tr").Filter(new() { HasText = "Dr. Maya Okafor" })).ToContainTextAsync("Pending");
        await StepAsync(coordinator, "coordinator-offered");

        var reviewer = await SignedInAsync("reviewer@demo.consilium.test");
        await Navigation(reviewer).GetByRole(AriaRole.Link, new() { Name = "Offers" }).ClickAsync();
        var offer = reviewer.GetByTestId("offer").Filter(new() { HasText = number });
        await Assertions.Expect(offer).ToContainTextAsync("Direct opinion (member in OH)");
        await StepAsync(reviewer, "reviewer-offer");
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await reviewer.GetByTestId("offer").Filter(new() { HasText = number }).GetByRole(AriaRole.Link, new() { Name = "Open the case" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("case-status")).ToHaveTextAsync("Assigned");
        await StepAsync(reviewer, "reviewer-case-assigned");

        // 6. The reviewer writes the structured opinion in the workspace and signs it.
        await reviewer.GetByTestId("open-workspace").ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("questions").Locator("li")).ToHaveCountAsync(2);
        var form = reviewer.GetByTestId("opinion-form");
        await form.GetByLabel("Original diagnosis (ICD-10-CM, comma-separated)").FillAsync("M51.16");
        await form.GetByLabel("Your diagnosis (ICD-10-CM)").FillAsync("M51.16");
        await form.GetByLabel("Agreement", new() { Exact = true }).SelectOptionAsync("Confirmed");
        await form.GetByLabel("Confidence").SelectOptionAsync("High");
        var proposed = form.Locator("fieldset").Filter(new() { HasText = "Treatment originally proposed" });
        await proposed.GetByLabel("Surgery", new() { Exact = true }).CheckAsync();
        await proposed.GetByLabel("Procedure code (CPT, HCPCS or ICD-10-PCS)").FillAsync("22630");
        await proposed.GetByLabel("Procedure", new() { Exact = true }).FillAsync("L4-L5 posterior lumbar interbody fusion");
        var recommended = form.Locator("fieldset").Filter(new() { HasText = "Treatment you recommend" });
        await recommended.GetByLabel("Physical therapy").CheckAsync();
        await recommended.GetByLabel("Description").FillAsync("Twelve weeks of structured physical therapy, then reassess; an epidural steroid injection if the leg pain persists.");
        await form.GetByLabel("Against the proposed plan").SelectOptionAsync("Change");
        await form.GetByLabel("Site of care").SelectOptionAsync("SameProvider");
        await form.GetByLabel("Option 1").FillAsync("Structured physical therapy");
        await form.GetByLabel("Benefits").First.FillAsync("Most disc herniations improve without surgery within months.");
        await form.GetByLabel("Risks").First.FillAsync("Pain may persist; surgery remains possible later.");
        await form.GetByLabel("Rationale").First.FillAsync("No motor deficit and no instability on imaging.");
        await form.GetByLabel("Recommended").First.CheckAsync();
        await form.GetByLabel("Do I need the fusion now?").FillAsync("No. Your MRI shows a disc herniation without instability, which usually settles without a fusion.");
        await form.GetByLabel("Would more physical therapy or an injection help first?").FillAsync("Yes: twelve weeks of therapy, and an injection if the leg pain persists.");
        await form.GetByLabel("Summary in plain language").FillAsync("A fusion is not needed now. Try physical therapy first; surgery stays an option if it does not help.");
        await form.GetByLabel("Next steps (one per line)").FillAsync("Book physical therapy twice a week for twelve weeks\nSee your surgeon again in three months");
        await form.GetByLabel("Urgency").SelectOptionAsync("Routine");
        await StepAsync(reviewer, "reviewer-writes-opinion");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("review-done")).ToHaveTextAsync("Draft saved.");
        await reviewer.GetByLabel("I reviewed the records provided and this is my opinion.").CheckAsync();
        await reviewer.GetByTestId("sign").ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("review-done")).ToContainTextAsync("Signed.");
        await StepAsync(reviewer, "reviewer-signed");

        // The reviewer offers times for the video consult (in the app's time, a few days ahead).
        await Navigation(reviewer).GetByRole(AriaRole.Link, new() { Name = "Video consults" }).ClickAsync();
        var day = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(3);
        await reviewer.GetByLabel("Date").FillAsync(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await reviewer.GetByLabel("From").FillAsync("10:00");
        await reviewer.GetByLabel("To", new() { Exact = true }).FillAsync("11:00");
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("slots").Locator("tbody tr")).ToHaveCountAsync(2);
        await StepAsync(reviewer, "reviewer-consult-times");

        // 7. The member reads the report and books the video consult.
        await member.GotoAsync("/my");
        await Assertions.Expect(member.GetByTestId("my-case")).ToContainTextAsync(number);
        await StepAsync(member, "member-tracker-opinion");
        await member.GetByTestId("my-opinion").ClickAsync();
        await Assertions.Expect(member.GetByTestId("member-report")).ToContainTextAsync("A fusion is not needed now.");
        await Assertions.Expect(member.GetByTestId("answer")).ToHaveCountAsync(2);
        await StepAsync(member, "member-reads-report");
        await member.GetByRole(AriaRole.Radio).First.CheckAsync();
        await member.GetByTestId("book").ClickAsync();
        await Assertions.Expect(member.GetByTestId("booking")).ToContainTextAsync("Booked");
        await StepAsync(member, "member-booked-consult");

        // 7b. Thirty days on (the 30-day follow-up's due date brought to today), the member answers the follow-up survey.
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>().Where(f => f.CaseId == caseId && f.DayMark == 30)
            .ExecuteUpdateAsync(u => u.SetProperty(f => f.DueOn, today)));
        await member.ReloadAsync();
        var survey = member.GetByTestId("survey");
        await StepAsync(member, "member-survey");
        await survey.GetByLabel("Partly").CheckAsync();
        await survey.GetByLabel("How likely are you to recommend").SelectOptionAsync("9");
        await survey.GetByLabel("Anything you would like to tell us?").FillAsync("Physical therapy first, as advised.");
        await member.GetByTestId("survey-submit").ClickAsync();
        await Assertions.Expect(member.GetByTestId("opinion-done")).ToContainTextAsync("Thank you for your answers");
        await Assertions.Expect(member.GetByTestId("survey")).ToHaveCountAsync(0);
        Assert.Equal((Features.CareNavigation.FollowUpStatus.Completed, 9), await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>()
            .Where(f => f.CaseId == caseId && f.DayMark == 30).Select(f => new ValueTuple<Features.CareNavigation.FollowUpStatus, int>(f.Status, f.Satisfaction!.Value)).SingleAsync()));

        // 8. The sponsor's dashboard counts the case.
        Assert.Equal(openingCount + 1, await CasesWithOpinionAsync(sponsor));
        await StepAsync(sponsor, "sponsor-outcomes");

        var state = await app.WithDbAsync(d => d.Cases.Where(c => c.Id == caseId).Select(c => new { c.Status, c.MemberId }).SingleAsync());
        Assert.Equal(CaseStatus.OpinionDelivered, state.Status);
        Assert.True(_axeFailures.Count == 0, "serious accessibility violations on the journey's pages\n" + string.Join("\n", _axeFailures));
    }

    static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>A screenshot at phone size, and no horizontal scrolling: the page fits the phone's width.</summary>
    async Task PhoneStepAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, $"journey-phone-{++_step:00}-{name}.png"), FullPage = true });
        var (scroll, width) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        if (scroll <= width) return;
        var wide = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
              .slice(-5).map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).replace(/ /g, '.') : ''} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`)
            """);
        Assert.Fail($"{name} ({new Uri(page.Url).AbsolutePath}) scrolls sideways on a phone: {scroll} px of content in a {width} px wide window; too wide: {string.Join(", ", wide)}");
    }

    [Fact]
    public async Task MemberPortal_OnAPhone_FitsTheScreenAtEveryStep()
    {
        var member = await NewPageAsync(Phone);
        await member.GotoAsync("/request");
        await PhoneStepAsync(member, "programs");
        await member.GetByRole(AriaRole.Link, new() { Name = "Contoso Health Second Opinion" }).ClickAsync();
        await member.GetByLabel("Member id").FillAsync("DEMO0015");
        await member.GetByLabel("Date of birth").FillAsync("1969-11-23");
        await member.GetByLabel("Condition category").SelectOptionAsync("Cardiac");
        await member.GetByLabel("Clinical concern").FillAsync("My cardiologist proposes bypass surgery; I would like to know whether stents are an option.");
        await member.GetByLabel("Questions for the expert").FillAsync("Are stents an option for me?");
        await member.GetByLabel("State of residence").SelectOptionAsync("NJ");
        await member.GetByLabel("How did you hear of the program?").SelectOptionAsync(new SelectOptionValue { Label = "A physician" });
        await member.GetByLabel("Email", new() { Exact = true }).FillAsync("nadia.haddad@example.test");
        await member.GetByLabel("Password").FillAsync(MemberPassword);
        await PhoneStepAsync(member, "request-form");
        await member.GetByRole(AriaRole.Button, new() { Name = "Send my request" }).ClickAsync();
        await Assertions.Expect(member).ToHaveURLAsync(new Regex("/request/received/[0-9a-f-]{36}$"));
        var caseId = Guid.Parse(member.Url[^36..]);
        await PhoneStepAsync(member, "request-received");
        await member.GetByRole(AriaRole.Link, new() { Name = "Follow your requests" }).ClickAsync();
        await Assertions.Expect(member.GetByTestId("my-case")).ToContainTextAsync("We have your request");
        await PhoneStepAsync(member, "tracker");

        var coordinator = await SignedInAsync("coordinator@demo.consilium.test");
        await coordinator.GotoAsync($"/cases/{caseId}");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Move to Intake" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("case-status")).ToHaveTextAsync("Intake");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Move to Awaiting consent" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByTestId("case-status")).ToHaveTextAsync("Awaiting consent");

        await member.ReloadAsync();
        await PhoneStepAsync(member, "tracker-consent-asked");
        await member.GetByTestId("sign-consent").ClickAsync();
        await member.GetByLabel("From which doctors").FillAsync("Garden State Heart Associates");
        await member.GetByLabel("Type your full name to sign").FillAsync("Nadia Haddad");
        await member.GetByLabel("I can't draw here: use my typed name as my signature").CheckAsync();
        await PhoneStepAsync(member, "consent");
        await member.GetByRole(AriaRole.Button, new() { Name = "Sign and give permission" }).ClickAsync();
        await Assertions.Expect(member.GetByTestId("signed")).ToBeVisibleAsync();
        await PhoneStepAsync(member, "consent-signed");
        await member.GetByTestId("send-records").ClickAsync();
        await member.SetInputFilesAsync("#upload-files", new FilePayload
        {
            Name = "cath-report.pdf", MimeType = "application/pdf",
            Buffer = PdfDocumentWriter.Create(PageSize.Letter).Title("Cardiac catheterization report").Paragraph("Three-vessel disease.").Build(),
        });
        await Assertions.Expect(member.Locator("li.upload")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        await PhoneStepAsync(member, "upload");
        await member.GetByTestId("upload-refresh").ClickAsync();
        await Assertions.Expect(member.GetByTestId("my-document")).ToHaveCountAsync(1);
        await PhoneStepAsync(member, "received-list");
    }

    [Fact]
    public async Task OpinionForm_RefusesToSignWithoutTheRequiredParts_NamingThem_ThenSigns()
    {
        // The demo reviewer's case in review (Jordan Avery's spine case) carries her authorization from the demo data.
        var reviewer = await SignedInAsync("reviewer@demo.consilium.test");
        await Navigation(reviewer).GetByRole(AriaRole.Link, new() { Name = "My assignments" }).ClickAsync();
        await reviewer.GetByTestId("case-list").Locator("tbody tr").Filter(new() { HasText = "In review" }).First.GetByRole(AriaRole.Link).First.ClickAsync();
        await reviewer.GetByTestId("open-workspace").ClickAsync();
        await reviewer.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "opinion-form-00-workspace.png"), FullPage = true });
        await Assertions.Expect(reviewer.GetByTestId("opinion-form")).ToBeVisibleAsync();
        var questions = await reviewer.GetByTestId("questions").Locator("li").AllInnerTextsAsync();
        Assert.NotEmpty(questions);
        var form = reviewer.GetByTestId("opinion-form");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("review-done")).ToHaveTextAsync("Draft saved.");

        // The attestation is required before the browser even sends the form.
        await reviewer.GetByTestId("sign").ClickAsync();
        Assert.False(await reviewer.GetByLabel("I reviewed the records provided and this is my opinion.").EvaluateAsync<bool>("e => e.validity.valid"));
        await reviewer.GetByLabel("I reviewed the records provided and this is my opinion.").CheckAsync();
        await reviewer.GetByTestId("sign").ClickAsync();
        var problems = reviewer.GetByTestId("review-problems");
        await Assertions.Expect(reviewer.GetByTestId("review-error")).ToContainTextAsync("not saved");
        foreach (var (field, message) in new[]
        {
            ("diagnosis.agreement", "Say whether the diagnosis is confirmed"), ("treatment.proposed", "Describe the plan originally proposed"),
            ("treatment.recommended", "Describe the plan you recommend"), ("treatment.agreement", "agree with, modify or change"),
            ("siteOfCare.recommendation", "Recommend where to get care"), ("options", "List the options considered"),
            ("answers[0]", "Answer the member's question 1"), ("nextSteps", "at least one next step"), ("urgency", "how soon"),
            ("summaryForMember", "summary in plain language"),
        })
            await Assertions.Expect(problems.Locator("li").Filter(new() { Has = reviewer.Locator("code", new() { HasTextString = field }) })).ToContainTextAsync(message);
        await Assertions.Expect(form.Locator("#DiagnosisAgreement + p.alert")).ToContainTextAsync("Say whether the diagnosis is confirmed");
        await reviewer.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "opinion-form-01-refused.png"), FullPage = true });
        if (Axe.Script is not null)
        {
            var violations = await Axe.AuditAsync(reviewer);
            Assert.True(violations.Count == 0, Axe.Describe(reviewer.Url, violations));
        }

        await form.GetByLabel("Original diagnosis (ICD-10-CM, comma-separated)").FillAsync("M51.16");
        await form.GetByLabel("Your diagnosis (ICD-10-CM)").FillAsync("M51.16");
        await form.GetByLabel("Agreement", new() { Exact = true }).SelectOptionAsync("Confirmed");
        await form.GetByLabel("Confidence").SelectOptionAsync("Moderate");
        var proposed = form.Locator("fieldset").Filter(new() { HasText = "Treatment originally proposed" });
        await proposed.GetByLabel("Surgery", new() { Exact = true }).CheckAsync();
        await proposed.GetByLabel("Procedure", new() { Exact = true }).FillAsync("Lumbar fusion");
        var recommended = form.Locator("fieldset").Filter(new() { HasText = "Treatment you recommend" });
        await recommended.GetByLabel("Surgery", new() { Exact = true }).CheckAsync();
        await recommended.GetByLabel("Procedure", new() { Exact = true }).FillAsync("Lumbar fusion");
        await form.GetByLabel("Against the proposed plan").SelectOptionAsync("Agree");
        await form.GetByLabel("Site of care").SelectOptionAsync("SameProvider");
        await form.GetByLabel("Option 1").FillAsync("Fusion now");
        await form.GetByLabel("Benefits").First.FillAsync("Relief of instability.");
        await form.GetByLabel("Risks").First.FillAsync("Adjacent segment disease.");
        await form.GetByLabel("Rationale").First.FillAsync("Eight months of failed conservative care.");
        await form.GetByLabel("Recommended").First.CheckAsync();
        for (var i = 0; i < questions.Count; i++) await form.Locator($"#answer-{i}").FillAsync($"Answer to question {i + 1}.");
        await form.GetByLabel("Summary in plain language").FillAsync("The fusion your surgeon proposes is reasonable.");
        await form.GetByLabel("Next steps (one per line)").FillAsync("Schedule the surgery");
        await form.GetByLabel("Urgency").SelectOptionAsync("Soon");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("review-done")).ToHaveTextAsync("Draft saved.");
        await reviewer.GetByLabel("I reviewed the records provided and this is my opinion.").CheckAsync();
        await reviewer.GetByTestId("sign").ClickAsync();
        await Assertions.Expect(reviewer.GetByTestId("review-done")).ToContainTextAsync("Signed.");
        await Assertions.Expect(reviewer.Locator(".page-head .stage")).ToHaveTextAsync("Opinion delivered");
        await Assertions.Expect(reviewer.GetByTestId("opinion-form")).ToHaveCountAsync(0);
        await reviewer.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "opinion-form-02-signed.png"), FullPage = true });
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Features.Records;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Records;
using Consilium.Triggers;
using Consilium.X12.Generation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>
/// The coordinator's worklists. On the case worklist a row changes in place when the case moves on elsewhere (here
/// through the API) — stage and SLA badges as a reload would show them — with a polite announcement, the filter and the
/// ticked box kept; a case created elsewhere enters the filtered list with its badge; then the whole page is taken with
/// "select all" and a bulk "Assign to me". On the retrieval worklist one follow-up is logged on two record requests.
/// On the triggers page a program admin backtests a draft rule set.
/// </summary>
public sealed class WorklistBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Coordinator_SeesRowsAndBadgesUpdateLive_AssignsThePage_ThenChasesRecordsInBulk()
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
        // Referred three days ago under the default targets: first contact (two days) overdue, the packet (seven) not yet.
        var cases = new List<Guid>();
        for (var i = 0; i < 3; i++) cases.Add(await SeedPastFirstContactAsync(app, scenario));
        var numbers = await app.WithDbAsync(db => db.Cases.Where(c => cases.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Number));
        var colleague = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", colleague.Token);

        var (context, page) = await SignedInAsync("coordinator@demo.consilium.test");
        await page.GotoAsync($"/cases?program={scenario.ProgramId}&status=Referred");
        await Assertions.Expect(page.GetByTestId("worklist-stream")).ToHaveTextAsync("Live: changes appear as they happen.");
        var first = page.GetByLabel($"Select case {numbers[cases[0]]}");
        await first.CheckAsync();
        var moved = page.Locator($"tr[data-case-id='{cases[1]}']");
        var taken = page.Locator($"tr[data-case-id='{cases[2]}']");
        await Assertions.Expect(moved.GetByTestId("overdue")).ToHaveTextAsync("First contact overdue");
        await Assertions.Expect(taken.GetByTestId("mine")).ToHaveCountAsync(0);

        // A colleague moves the second case on, then gives the third to this coordinator, through the API.
        (await api.PostJsonAsync($"/api/cases/{cases[1]}/transitions", new { to = "Intake" })).EnsureSuccessStatusCode();
        await Assertions.Expect(moved.Locator("[data-stage]")).ToHaveTextAsync("Intake");
        await Assertions.Expect(page.GetByTestId("worklist-live")).ToHaveTextAsync($"Case {numbers[cases[1]]} moved to Intake");
        // Past Referred, first contact is no longer chased: the badge and the row's flag go without a reload.
        await Assertions.Expect(moved.GetByTestId("overdue")).ToHaveCountAsync(0);
        await Assertions.Expect(moved).Not.ToHaveClassAsync(new Regex(@"\bflag\b"));
        (await api.PostJsonAsync($"/api/cases/{cases[2]}/coordinator", new { coordinatorUserId = coordinatorId })).EnsureSuccessStatusCode();
        await Assertions.Expect(taken.GetByTestId("mine")).ToHaveTextAsync("Mine");
        await Assertions.Expect(taken.GetByTestId("overdue")).ToHaveTextAsync("First contact overdue");

        // A case the colleague opens is referred: it enters the filtered list, with its first-contact due time.
        var opened = await (await api.PostJsonAsync("/api/cases", new { programId = scenario.ProgramId, memberId = scenario.MemberId, category = "Spine", concern = "Neck pain" }))
            .JsonAsync(HttpStatusCode.Created);
        var newId = Guid.Parse((string)opened["id"]!);
        var entered = page.Locator($"tr[data-case-id='{newId}']");
        await Assertions.Expect(entered.GetByTestId("first-contact-due")).ToContainTextAsync("first contact due");
        await Assertions.Expect(page.GetByTestId("worklist-live")).ToHaveTextAsync($"Case {(string?)opened["number"]} now matches the filter: Referred");

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
        cases.Add(newId);
        await page.GetByLabel("Select all on this page").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        foreach (var id in cases) await Assertions.Expect(page.Locator($"input[name='caseIds'][value='{id}']")).ToBeCheckedAsync();
        await page.GetByTestId("bulk-assign-me").ClickAsync();

        await Assertions.Expect(page.GetByTestId("bulk-result")).ToContainTextAsync("4 done, 0 refused");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "worklist-02-bulk-assigned.png"), FullPage = true });
        var owners = await app.WithDbAsync(db => db.Cases.Where(c => cases.Contains(c.Id)).Select(c => c.CoordinatorUserId).ToListAsync());
        Assert.All(owners, o => Assert.Equal(coordinatorId, o));

        // The retrieval worklist: two facilities chased for one case, one follow-up logged on both requests at once.
        var recordsCase = await app.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        using (var member = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) })
        {
            member.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId)).Token);
            (await member.PostJsonAsync($"/api/cases/{recordsCase}/consents", ConsentAndRecordsTests.ConsentBody())).EnsureSuccessStatusCode();
        }
        var riverside = await CreateRequestAsync(api, recordsCase, "Riverside Orthopedics", "ConsultNote", "ImagingFiles");
        var mercy = await CreateRequestAsync(api, recordsCase, "Mercy Imaging Center", "ImagingFiles");
        var recordsNumber = await app.WithDbAsync(db => db.Cases.Where(c => c.Id == recordsCase).Select(c => c.Number).SingleAsync());

        await page.GotoAsync("/records");
        // Riverside has two open items, so two rows: ticking one ticks the request's other row too (one follow-up per request).
        var riversideBoxes = page.Locator($"input[name='requestIds'][value='{riverside}']");
        await Assertions.Expect(riversideBoxes).ToHaveCountAsync(2);
        await page.GetByLabel($"Select the request to Riverside Orthopedics for case {recordsNumber} (Consult note)").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        for (var i = 0; i < 2; i++) await Assertions.Expect(riversideBoxes.Nth(i)).ToBeCheckedAsync();
        await page.GetByLabel($"Select the request to Mercy Imaging Center for case {recordsNumber} (Imaging files (DICOM))").CheckAsync();
        await page.GetByLabel("Follow-up by").SelectOptionAsync("Fax");
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("Re-faxed the request");
        await page.GetByTestId("follow-up-submit").ClickAsync();

        var result = page.GetByTestId("follow-up-result");
        await Assertions.Expect(result).ToContainTextAsync("Follow-up logged on 2 requests, 0 refused");
        await Assertions.Expect(result.GetByTestId("follow-up-done")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("follow-up-status")).ToHaveAttributeAsync("aria-live", "polite");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "worklist-03-records-follow-up.png"), FullPage = true });
        if (Axe.Script is not null)
        {
            var violations = await Axe.AuditAsync(page);
            Assert.True(violations.Count == 0, Axe.Describe("/records", violations));
        }
        var followUps = await app.WithDbAsync(db => db.Set<RecordRequest>().AsNoTracking().Where(r => r.Id == riverside || r.Id == mercy).ToListAsync());
        Assert.All(followUps, r => Assert.Equal("Re-faxed the request", Assert.Single(r.FollowUps).Note));
        await context.CloseAsync();
    }

    /// <summary>
    /// A due time passing changes a row with no change to the case: the page asks for the row again when its first-contact
    /// time comes (browser and platform clocks both moved on two minutes), the overdue badge appears with a polite
    /// announcement, and the row's ticked box stays ticked.
    /// </summary>
    [Fact]
    public async Task ARowWhoseFirstContactFallsDue_GetsItsOverdueBadgeWithoutAReload()
    {
        var app = browser.App;
        var scenario = await app.SeedScenarioAsync();
        await app.WithDbAsync(async db =>
        {
            var id = await db.Users.Where(u => u.Email == "coordinator@demo.consilium.test").Select(u => u.Id).SingleAsync();
            db.ProgramStaff.Add(new ProgramStaff(scenario.ProgramId, id));
            await db.SaveChangesAsync();
        });
        // Referred under the default targets (first contact within two days) two days less a minute ago.
        var (caseId, number) = await app.WithDbAsync(async d =>
        {
            var @case = Case.Open(scenario.ProgramId, scenario.MemberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Knee replacement proposed",
                CaseStatus.Referred, new Actor(null, "test", Roles.Coordinator), app.Clock.GetUtcNow().AddDays(-2).AddMinutes(1), sla: SlaTargets.Default);
            d.Cases.Add(@case);
            await d.SaveChangesAsync();
            return (@case.Id, @case.Number);
        });

        var (context, page) = await SignedInAsync("coordinator@demo.consilium.test");
        await page.Clock.InstallAsync();
        await page.GotoAsync($"/cases?program={scenario.ProgramId}&status=Referred");
        var row = page.Locator($"tr[data-case-id='{caseId}']");
        await Assertions.Expect(row.GetByTestId("first-contact-due")).ToBeVisibleAsync();
        await Assertions.Expect(row.GetByTestId("overdue")).ToHaveCountAsync(0);
        await page.GetByLabel($"Select case {number}").CheckAsync();

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await page.Clock.FastForwardAsync("02:00");

        await Assertions.Expect(row.GetByTestId("overdue")).ToHaveTextAsync("First contact overdue");
        await Assertions.Expect(row).ToHaveClassAsync(new Regex("flag"));
        await Assertions.Expect(page.GetByLabel($"Select case {number}")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("worklist-live")).ToHaveTextAsync($"Case {number}: First contact overdue");
        // What changes it next by time alone is the packet's due date (seven days after the referral).
        var packetDue = await app.WithDbAsync(d => d.Cases.Where(c => c.Id == caseId).Select(c => c.PacketDueAt).SingleAsync());
        await Assertions.Expect(row).ToHaveAttributeAsync("data-sla-next", packetDue!.Value.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        await context.CloseAsync();
    }

    /// <summary>
    /// A program admin tries a draft on the triggers page before saving it: the period and the draft (the shipped rules
    /// with one trigger kept) go in by keyboard, the backtest reads the program's scanned file and shows that trigger's
    /// line; axe finds nothing serious on the page with the result.
    /// </summary>
    [Fact]
    public async Task ProgramAdmin_BacktestsADraftOnTheTriggersPage()
    {
        var app = browser.App;
        var scenario = await app.SeedScenarioAsync();
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [scenario.ProgramId]);
        // The demo program admin (two-factor set up by the demo data) serves the program too.
        await app.WithDbAsync(async db =>
        {
            var id = await db.Users.Where(u => u.Email == "program-admin@demo.consilium.test").Select(u => u.Id).SingleAsync();
            db.ProgramStaff.Add(new ProgramStaff(scenario.ProgramId, id));
            await db.SaveChangesAsync();
        });
        var path = Path.Combine(Path.GetTempPath(), $"consilium-backtest-{Guid.NewGuid():N}.x12");
        var manifest = ClaimsGenerator.GenerateFile(path, new ClaimsGeneratorOptions { TargetBytes = 300_000, Seed = 37, PlantedClaimCount = 8, ClaimsPerTransaction = 50 });
        using (var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin.Token);
            using var content = new StreamContent(File.OpenRead(path));
            var job = await (await api.PostAsync($"/api/programs/{scenario.ProgramId}/claims-files?fileName=history.x12", content)).JsonAsync(HttpStatusCode.Accepted);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((string?)(await (await api.GetAsync($"/api/scan-jobs/{job["id"]}")).JsonAsync(HttpStatusCode.OK))["status"] != "Succeeded")
            {
                Assert.True(DateTime.UtcNow < deadline, "the scan finishes");
                await Task.Delay(100);
            }
        }
        var engine = new TriggerEngine(RuleSet.Default);
        ClaimsScanner.Scan(engine, [new ScanInput(path, "history.x12")]);
        var kept = Backtest.Run(engine, new DateOnly(2000, 1, 1), new DateOnly(2100, 12, 31)).Triggers[0];
        var draft = JsonNode.Parse(RuleSet.DefaultJson)!;
        draft["triggers"] = new JsonArray([.. draft["triggers"]!.AsArray().Where(t => (string)t!["id"]! == kept.TriggerId).Select(t => t!.DeepClone())]);

        var (context, page) = await SignedInAsync("program-admin@demo.consilium.test");
        await page.GotoAsync($"/triggers?program={scenario.ProgramId}");
        var from = page.Locator("#backtest-from");
        var to = page.Locator("#backtest-to");
        await Assertions.Expect(from).ToHaveAccessibleNameAsync("From");
        await Assertions.Expect(to).ToHaveAccessibleNameAsync("To");
        await from.FillAsync("2000-01-01");
        await to.FillAsync("2100-12-31");
        await page.GetByLabel("Draft rules (JSON, optional)").FillAsync(draft.ToJsonString());
        await page.GetByLabel("Draft rules (JSON, optional)").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");

        var summary = page.GetByTestId("backtest-summary");
        await Assertions.Expect(summary).ToContainTextAsync($"Draft, {RuleSet.Default.Name}");
        await Assertions.Expect(summary).ToContainTextAsync($"{kept.Candidates} episodes, {kept.Members} members flagged");
        await Assertions.Expect(summary).ToContainTextAsync($"1 file, {manifest.Claims} claims");
        var rows = page.GetByTestId("backtest").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(kept.TriggerId);
        await Assertions.Expect(page.GetByLabel("Draft rules (JSON, optional)")).ToHaveValueAsync(draft.ToJsonString());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "triggers-01-backtest.png"), FullPage = true });
        if (Axe.Script is not null)
        {
            var violations = await Axe.AuditAsync(page);
            Assert.True(violations.Count == 0, Axe.Describe("/triggers", violations));
        }
        await context.CloseAsync();
        File.Delete(path);
    }

    /// <summary>A demo user signed in, in a context where axe may be injected.</summary>
    async Task<(IBrowserContext Context, IPage Page)> SignedInAsync(string email)
    {
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.BaseUrl, BypassCSP = Axe.Script is not null, ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(BrowserFixture.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return (context, page);
    }

    static Task<Guid> SeedPastFirstContactAsync(TestApp app, Scenario scenario) => app.WithDbAsync(async d =>
    {
        var @case = Case.Open(scenario.ProgramId, scenario.MemberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Lumbar fusion proposed",
            CaseStatus.Referred, new Actor(null, "test", Roles.Coordinator), app.Clock.GetUtcNow().AddDays(-3), sla: SlaTargets.Default);
        d.Cases.Add(@case);
        await d.SaveChangesAsync();
        return @case.Id;
    });

    static async Task<Guid> CreateRequestAsync(HttpClient staff, Guid caseId, string facility, params string[] kinds) =>
        Guid.Parse((string)(await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility, items = kinds }))
            .JsonAsync(HttpStatusCode.Created))["id"]!);
}

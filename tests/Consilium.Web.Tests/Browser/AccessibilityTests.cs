using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>
/// axe-core (from npm; ./test installs it and sets CONSILIUM_TEST_AXE to its axe.min.js) run inside Chromium on every page
/// each role reaches from its navigation, on the public pages and on a case page: no serious or critical violation.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    async Task<IPage> PageAsync(string? role, ViewportSize? viewport = null)
    {
        var context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = browser.BaseUrl,
            // The app's Content-Security-Policy rightly refuses inline scripts; axe is injected as one.
            BypassCSP = true,
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        if (role is null) return page;
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync($"{role}@demo.consilium.test");
        await page.GetByLabel("Password").FillAsync(BrowserFixture.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>The pages the role's main navigation links to, plus its start page.</summary>
    static async Task<List<string>> NavigationAsync(IPage page)
    {
        var links = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link);
        var hrefs = new List<string> { new Uri(page.Url).PathAndQuery };
        foreach (var link in await links.AllAsync())
            if (await link.GetAttributeAsync("href") is { } href && href.StartsWith('/') && !hrefs.Contains(href)) hrefs.Add(href);
        return hrefs;
    }

    [Theory]
    [InlineData("patient")]
    [InlineData("coordinator")]
    [InlineData("reviewer")]
    [InlineData("program-admin")]
    [InlineData("sponsor-analyst")]
    [InlineData("auditor")]
    public async Task EveryPageOfARolesNavigation_HasNoSeriousViolation(string role)
    {
        Assert.SkipWhen(Axe.Script is null, Axe.SkipReason);
        var page = await PageAsync(role, role == "patient" ? new ViewportSize { Width = 390, Height = 844 } : null);
        var pages = await NavigationAsync(page);
        if (role == "coordinator")
        {
            await page.GotoAsync("/cases");
            var first = await page.GetByTestId("case-list").Locator("tbody tr a").First.GetAttributeAsync("href");
            pages.Add(first!);
        }
        Assert.True(pages.Count >= 1, $"{role}: expected a start page");

        var failures = new List<string>();
        foreach (var url in pages)
        {
            var response = await page.GotoAsync(url);
            Assert.True(response is { Ok: true }, $"{role}: {url} answered {response?.Status}");
            var violations = await Axe.AuditAsync(page);
            if (violations.Count > 0) failures.Add(Axe.Describe(url, violations));
        }
        Assert.True(failures.Count == 0, $"{role}: serious accessibility violations\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/request")]
    public async Task PublicPages_HaveNoSeriousViolation(string url)
    {
        Assert.SkipWhen(Axe.Script is null, Axe.SkipReason);
        var page = await PageAsync(null, new ViewportSize { Width = 390, Height = 844 });
        var response = await page.GotoAsync(url);
        Assert.True(response is { Ok: true }, $"{url} answered {response?.Status}");
        var violations = await Axe.AuditAsync(page);
        Assert.True(violations.Count == 0, Axe.Describe(url, violations));
    }

    [Fact]
    public async Task TheCheckItself_FindsAnUnlabelledFieldAndLowContrast()
    {
        Assert.SkipWhen(Axe.Script is null, Axe.SkipReason);
        var page = await PageAsync(null);
        await page.SetContentAsync("""
            <!doctype html><html lang="en"><head><title>Bad form</title></head>
            <body><main><h1>Bad form</h1><input type="text"><p style="color:#bbb;background:#fff">Faint text</p></main></body></html>
            """);
        var ids = (await Axe.AuditAsync(page)).Select(v => v.Id).ToList();
        Assert.Contains("label", ids);
        Assert.Contains("color-contrast", ids);
    }

    [Fact]
    public async Task SignIn_WorksFromTheKeyboardAlone_WithAVisibleFocus()
    {
        var page = await PageAsync(null);
        await page.GotoAsync("/signin");
        await page.Keyboard.PressAsync("Tab");
        // Tab until the email field has the focus (a skip link may come first).
        for (var i = 0; i < 5 && await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''") is not "email"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("email", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        var outline = await page.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; }");
        Assert.False(outline.StartsWith("none 0px none", StringComparison.Ordinal), $"the focused field shows no focus ring: {outline}");
        await page.Keyboard.TypeAsync("auditor@demo.consilium.test");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(BrowserFixture.DemoPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.EndsWith("/audit", StringComparison.Ordinal));
    }
}

using Consilium.Features.Demo;
using Consilium.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>
/// The platform on Kestrel over PostgreSQL with the demo data, and the system Chromium driven by Playwright.
/// Screenshots of each step land in artifacts/screenshots.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string DemoPassword = "Demo-Browser-Pass-42";

    IPlaywright? _playwright;

    public TestApp App { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public static string Screenshots
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Consilium.slnx"))) dir = Path.GetDirectoryName(dir);
            var path = Path.Combine(dir ?? Path.GetTempPath(), "artifacts", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium package (./test does this).");

        App = await TestApp.StartAsync(DatabaseKind.Postgres, app =>
        {
            app.UseKestrel(0);
            Configure(app);
        });
        if (SeedsDemo)
        {
            await using var scope = App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(DemoPassword, CancellationToken.None);
        }
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Whether the demo data (and its users, password <see cref="DemoPassword"/>) is seeded; a class that arranges its own data can skip it.</summary>
    protected virtual bool SeedsDemo => true;

    /// <summary>Settings a test class needs on its own app (a derived fixture), before it starts.</summary>
    protected virtual void Configure(TestApp app)
    {
    }

    public async Task<IPage> SignedInPageAsync(string email, ViewportSize? viewport = null, string password = DemoPassword)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (App is not null) await App.DisposeAsync();
    }
}

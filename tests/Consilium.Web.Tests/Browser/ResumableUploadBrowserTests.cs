using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Consilium.Features.Documents;
using Consilium.Tests.Documents;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>The browser app with small upload pieces, so that a few MiB make a dozen PATCHes to cut between.</summary>
public sealed class SmallPieceBrowserFixture : BrowserFixture
{
    public const int Piece = 256 * 1024;

    protected override bool SeedsDemo => false;

    protected override void Configure(TestApp app) => app.With("Documents:ResumableChunkBytes", Piece.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// The issue's "a dropped connection resumes where it stopped", in Chromium through tus-js-client and the page's script
/// (docs/uploads.md). Playwright stands between the page and the server: it records every tus request, and cuts the
/// connection by failing PATCHes before they reach the server, so the server holds exactly the pieces before the cut.
/// </summary>
public sealed class ResumableUploadBrowserTests(SmallPieceBrowserFixture browser) : IClassFixture<SmallPieceBrowserFixture>
{
    const int Piece = SmallPieceBrowserFixture.Piece;
    const long CutAt = 2 * Piece;

    sealed record TusRequest(string Method, string Url, long? Offset, bool Failed);

    /// <summary>
    /// One member, two files of 3 MiB. (1) The network drops during the third piece: the row says "Paused", the server
    /// holds two pieces, axe finds nothing serious, the "Continue now" button is reached with Tab; back online, the upload
    /// continues from the server's offset, not from 0. (2) The server becomes unreachable during the third piece: the row
    /// says it is trying again; the member reloads the page and chooses the same file (with the keyboard): no new upload is
    /// created, the first PATCH starts at the server's offset. Both stored documents are byte-identical to the files.
    /// </summary>
    [Fact]
    public async Task DroppedConnection_PausesThenResumesFromTheServersOffset_AlsoAfterAReload_AndTheStoredFilesAreIdentical()
    {
        var app = browser.App;
        var c = await DocumentCase.ArrangeAsync(app, clientFor: ClientFor);
        using var api = ClientFor(c.Patient);
        var folder = Directory.CreateTempSubdirectory("consilium-tus-browser-");
        try
        {
            var first = WritePdf(folder, "ct-chest-archive.pdf");
            var second = WritePdf(folder, "mri-knee-archive.pdf");

            var context = await browser.Browser.NewContextAsync(new()
            {
                BaseURL = browser.BaseUrl,
                BypassCSP = Axe.Script is not null, // axe is injected as an inline script
                ViewportSize = new() { Width = 1280, Height = 900 },
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/signin");
            await page.GetByLabel("Email").FillAsync(c.Patient.Email);
            await page.GetByLabel("Password").FillAsync(TestApp.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));

            // Every tus request the page makes; a PATCH of the third piece goes offline (1) or fails while online (2).
            var requests = new List<TusRequest>();
            var goOfflineAtCut = true;
            var failFromCut = false;
            await page.RouteAsync(new Regex($"/api/cases/{c.CaseId}/uploads"), async route =>
            {
                var request = route.Request;
                long? offset = request.Headers.TryGetValue("upload-offset", out var value) ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;
                var cut = request.Method == "PATCH" && offset >= CutAt && (failFromCut || (goOfflineAtCut && offset == CutAt));
                lock (requests) requests.Add(new TusRequest(request.Method, request.Url, offset, cut));
                if (!cut)
                {
                    await route.ContinueAsync();
                    return;
                }
                if (goOfflineAtCut)
                {
                    goOfflineAtCut = false;
                    await context.SetOfflineAsync(true);
                    await route.AbortAsync("internetdisconnected");
                }
                else
                {
                    await route.AbortAsync("connectionreset");
                }
            });
            TusRequest[] Requests() { lock (requests) return [.. requests]; }

            await page.GotoAsync($"/my/cases/{c.CaseId}/documents");
            var row = page.Locator("li.upload");

            // (1) Offline during the third piece.
            await page.Locator("#upload-files").SetInputFilesAsync(first.Path);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "paused", new() { Timeout = 30_000 });
            await Assertions.Expect(row.Locator(".upload-status")).ToHaveTextAsync("Paused — we'll keep going when you're back online");
            var firstUrl = Requests().First(r => r.Method == "PATCH").Url;
            Assert.Equal(CutAt, await ServerOffsetAsync(api, firstUrl));
            // The status is inside the list's live region, so a screen reader hears "Paused" and, later, "Received".
            Assert.Equal("polite", await page.Locator("[data-upload-list]").GetAttributeAsync("aria-live"));
            if (Axe.Script is not null)
            {
                var violations = await Axe.AuditAsync(page);
                Assert.True(violations.Count == 0, Axe.Describe(page.Url, violations));
            }
            await page.EvaluateAsync(@"() => { window.__statuses = []; new MutationObserver(() => {
                    const s = document.querySelector('li.upload .upload-status'); if (s) window.__statuses.push(s.textContent); })
                .observe(document.querySelector('[data-upload-list]'), { subtree: true, childList: true, characterData: true }); }");
            var continueNow = page.GetByRole(AriaRole.Button, new() { Name = "Continue now: ct-chest-archive.pdf" });
            await page.Locator("#upload-files").FocusAsync();
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(continueNow).ToBeFocusedAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "uploads-01-paused-offline.png"), FullPage = true });
            // Enter tries at once; still offline, so the row is paused again, with its button.
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "paused");
            await Assertions.Expect(continueNow).ToBeVisibleAsync();
            Assert.Contains("Continuing…", await page.EvaluateAsync<string[]>("() => window.__statuses"));
            Assert.Equal(CutAt, await ServerOffsetAsync(api, firstUrl));

            var beforeOnline = Requests().Length;
            await context.SetOfflineAsync(false);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
            await Assertions.Expect(row.Locator(".upload-status")).ToContainTextAsync("Received: PDF, 3.0 MB");
            var resumed = Requests()[beforeOnline..];
            Assert.DoesNotContain(resumed, r => r.Method == "POST");
            Assert.Equal(CutAt, resumed.First(r => r.Method == "PATCH").Offset);
            Assert.All(resumed.Where(r => r.Method == "PATCH"), r => Assert.Equal(firstUrl, r.Url));
            Assert.Equal(first.Length / Piece - 2, resumed.Count(r => r.Method == "PATCH"));
            Assert.Single(Requests(), r => r.Method == "POST");

            // (2) The server unreachable from the third piece on, then a reload.
            failFromCut = true;
            var beforeSecond = Requests().Length;
            await page.Locator("#upload-files").SetInputFilesAsync(second.Path);
            var secondRow = row.Nth(1);
            await Assertions.Expect(secondRow).ToHaveAttributeAsync("data-state", "retrying", new() { Timeout = 30_000 });
            await Assertions.Expect(secondRow.Locator(".upload-status")).ToHaveTextAsync("Connection lost — trying again…");
            var secondUrl = Requests()[beforeSecond..].First(r => r.Method == "PATCH").Url;
            Assert.NotEqual(firstUrl, secondUrl);
            Assert.Equal(CutAt, await ServerOffsetAsync(api, secondUrl));

            await page.ReloadAsync();
            failFromCut = false;
            var afterReload = Requests().Length;
            await page.EvaluateAsync(@"() => { window.__statuses = []; new MutationObserver(() => {
                    const s = document.querySelector('li.upload .upload-status'); if (s) window.__statuses.push(s.textContent); })
                .observe(document.querySelector('[data-upload-list]'), { subtree: true, childList: true, characterData: true }); }");
            // The member chooses the same file again, with the keyboard.
            await page.Locator("#upload-files").FocusAsync();
            var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Keyboard.PressAsync("Space"));
            await chooser.SetFilesAsync(second.Path);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
            await Assertions.Expect(row.Locator(".upload-status")).ToContainTextAsync("Received: PDF, 3.0 MB");
            Assert.Contains("Continuing where it stopped…", await page.EvaluateAsync<string[]>("() => window.__statuses"));
            var afterwards = Requests()[afterReload..];
            Assert.DoesNotContain(afterwards, r => r.Method == "POST");
            Assert.Equal(CutAt, afterwards.First(r => r.Method == "PATCH").Offset);
            Assert.All(afterwards, r => Assert.Equal(secondUrl, r.Url));
            Assert.Equal(second.Length / Piece - 2, afterwards.Count(r => r.Method == "PATCH"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "uploads-02-resumed-after-reload.png"), FullPage = true });

            // What the server stored is the files, byte for byte.
            foreach (var file in new[] { first, second })
            {
                var documentId = await app.WithDbAsync(db => db.Set<CaseDocument>()
                    .Where(d => d.CaseId == c.CaseId && d.FileName == Path.GetFileName(file.Path)).Select(d => d.Id).SingleAsync());
                var stored = await api.GetByteArrayAsync($"/api/documents/{documentId}/content");
                Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
            }
            await context.CloseAsync();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    HttpClient ClientFor(TestUser user)
    {
        var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return client;
    }

    /// <summary>The tus HEAD: how many bytes of the upload the server holds.</summary>
    static async Task<long> ServerOffsetAsync(HttpClient api, string uploadUrl)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, uploadUrl);
        head.Headers.Add("Tus-Resumable", "1.0.0");
        using var response = await api.SendAsync(head);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A 3 MiB PDF whose body is random, so that a piece sent twice, skipped or shifted changes its SHA-256.</summary>
    static (string Path, long Length, string Sha256) WritePdf(DirectoryInfo folder, string name)
    {
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        DocumentTestData.Pdf("Imaging archive").CopyTo(bytes, 0);
        var tail = "\n%%EOF\n"u8;
        tail.CopyTo(bytes.AsSpan(bytes.Length - tail.Length));
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllBytes(path, bytes);
        return (path, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}

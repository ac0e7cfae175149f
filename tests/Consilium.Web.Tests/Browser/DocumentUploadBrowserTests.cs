using Consilium.Features.Documents;
using Consilium.Tests.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>The member drops files on the records page: each shows its progress, then what the server made of it or why it was refused.</summary>
public sealed class DocumentUploadBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    HttpClient ClientFor(Infrastructure.TestUser user)
    {
        var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
        return client;
    }

    [Fact]
    public async Task Member_DropsFiles_SeesProgressThenTheResult_AndTheListUpdates()
    {
        var app = browser.App;
        var c = await DocumentCase.ArrangeAsync(app, clientFor: ClientFor);
        var page = await browser.SignedInPageAsync(c.Patient.Email, password: Infrastructure.TestApp.Password);
        await page.GotoAsync($"/my/cases/{c.CaseId}/documents");
        await Assertions.Expect(page.GetByTestId("dropzone")).ToBeVisibleAsync();
        // Big enough (6 MB) that the browser reports upload progress before the end.
        var pdf = new byte[6 * 1024 * 1024];
        DocumentTestData.Pdf("MRI lumbar spine report").CopyTo(pdf, 0);
        var tail = "\n%%EOF\n"u8.ToArray();
        tail.CopyTo(pdf, pdf.Length - tail.Length);
        // Every status the first file's row passes through, as the member would have seen them.
        await page.EvaluateAsync(@"() => { window.__statuses = []; new MutationObserver(() => {
                const s = document.querySelector('li.upload .upload-status'); if (s) window.__statuses.push(s.textContent); })
            .observe(document.querySelector('[data-upload-list]'), { subtree: true, attributes: true, childList: true, characterData: true }); }");

        var files = await page.EvaluateHandleAsync(@"([pdf, gif]) => {
            const bytes = b64 => Uint8Array.from(atob(b64), ch => ch.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes(pdf)], 'mri-report.pdf', { type: 'application/pdf' }));
            dt.items.add(new File([bytes(gif)], 'photo.gif', { type: 'image/gif' }));
            return dt;
        }", new[] { Convert.ToBase64String(pdf), Convert.ToBase64String([.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x3B]) });
        await page.DispatchEventAsync("[data-testid=dropzone]", "dragover", new { dataTransfer = files });
        await page.DispatchEventAsync("[data-testid=dropzone]", "drop", new { dataTransfer = files });

        var uploads = page.Locator("li.upload");
        await Assertions.Expect(uploads).ToHaveCountAsync(2);
        await Assertions.Expect(uploads.Nth(0)).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await Assertions.Expect(uploads.Nth(1)).ToHaveAttributeAsync("data-state", "failed", new() { Timeout = 60_000 });
        await Assertions.Expect(uploads.Nth(0).Locator(".upload-status")).ToContainTextAsync("Received: PDF, 6.0 MB");
        await Assertions.Expect(uploads.Nth(1).Locator(".upload-status")).ToContainTextAsync("GIF image");
        Assert.Equal(100, await uploads.Nth(0).Locator("progress").EvaluateAsync<int>("p => p.value"));
        var statuses = await page.EvaluateAsync<string[]>("() => window.__statuses");
        Assert.Contains(statuses, s => s.StartsWith("Uploading ", StringComparison.Ordinal) || s == "Checking the file…");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "documents-01-member-drops-files.png"), FullPage = true });

        await page.GetByTestId("upload-refresh").ClickAsync();
        await Assertions.Expect(page.GetByTestId("my-document")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("my-document")).ToContainTextAsync("mri-report.pdf");
        var stored = await app.WithDbAsync(d => d.Set<CaseDocument>().Where(x => x.CaseId == c.CaseId).Select(x => new { x.Type, x.Length }).SingleAsync());
        Assert.Equal((DocumentType.Pdf, (long)pdf.Length), (stored.Type, stored.Length));
    }

    [Fact]
    public async Task Member_WithoutPermission_IsAskedToGiveItInsteadOfAnUploadZone()
    {
        var c = await DocumentCase.ArrangeAsync(browser.App, signed: false, clientFor: ClientFor);
        var page = await browser.SignedInPageAsync(c.Patient.Email, password: Infrastructure.TestApp.Password);

        await page.GotoAsync($"/my/cases/{c.CaseId}/documents");

        await Assertions.Expect(page.GetByTestId("upload-needs-consent")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("dropzone")).ToHaveCountAsync(0);
    }
}

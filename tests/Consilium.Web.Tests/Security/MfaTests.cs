using System.Net;
using System.Text.RegularExpressions;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using OtpNet;

namespace Consilium.Tests.Security;

/// <summary>
/// Two-factor authentication with TOTP, checked with an independent TOTP implementation (Otp.NET) playing the
/// member's authenticator app.
/// </summary>
public sealed partial class MfaTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task StaffWithoutTwoFactor_IsHeldAtEnrollmentUntilACorrectCode_ThenNeedsItAtEverySignIn(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        using var browser = CookieClient(app);

        var first = await PostFormAsync(browser, "/signin", new() { ["email"] = coordinator.Email, ["password"] = TestApp.Password });
        Assert.Equal("/cases", first.Headers.Location?.ToString());
        var held = await browser.GetAsync("/cases");
        var api = await browser.GetAsync("/api/cases");
        Assert.Equal("/account/mfa", held.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);

        var setup = await browser.GetStringAsync("/account/mfa");
        var key = MfaKey().Match(setup).Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        var wrong = await PostFormAsync(browser, "/account/mfa", new() { ["code"] = "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var enabled = await PostFormAsync(browser, "/account/mfa", new() { ["code"] = Code(key, app) });
        var recovery = RecoveryCodes().Matches(await enabled.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, recovery.Count);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/cases")).StatusCode);
        var stored = await app.WithDbAsync(d => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            d.UserTokens.Where(t => t.UserId == coordinator.Id).Select(t => t.Value)));
        Assert.Equal(2, stored.Count);
        Assert.All(stored, value =>
        {
            Assert.DoesNotContain(key, value ?? "", StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(recovery[0], value ?? "");
        });

        using var again = CookieClient(app);
        var password = await PostFormAsync(again, "/signin", new() { ["email"] = coordinator.Email, ["password"] = TestApp.Password });
        Assert.StartsWith("/signin/mfa", password.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/cases")).StatusCode);
        var badCode = await PostFormAsync(again, "/signin/mfa", new() { ["code"] = "123456" });
        Assert.Equal(HttpStatusCode.BadRequest, badCode.StatusCode);
        var withRecovery = await PostFormAsync(again, "/signin/mfa", new() { ["code"] = recovery[0] });
        Assert.Equal("/cases", withRecovery.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/cases")).StatusCode);

        using var third = CookieClient(app);
        await PostFormAsync(third, "/signin", new() { ["email"] = coordinator.Email, ["password"] = TestApp.Password });
        var reused = await PostFormAsync(third, "/signin/mfa", new() { ["code"] = recovery[0] });
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        var totp = await PostFormAsync(third, "/signin/mfa", new() { ["code"] = Code(key, app) });
        Assert.Equal("/cases", totp.Headers.Location?.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Patient_SignsInWithoutTwoFactor(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId);
        using var browser = CookieClient(app);

        var signIn = await PostFormAsync(browser, "/signin", new() { ["email"] = patient.Email, ["password"] = TestApp.Password });

        Assert.Equal("/my", signIn.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/my")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task WrongPasswords_LockTheAccountAndAreAudited(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var user = await app.CreateUserAsync(Roles.Auditor);
        using var browser = CookieClient(app);

        for (var i = 0; i < 5; i++) await PostFormAsync(browser, "/signin", new() { ["email"] = user.Email, ["password"] = "wrong-password-" + i });
        var locked = await PostFormAsync(browser, "/signin", new() { ["email"] = user.Email, ["password"] = TestApp.Password });

        Assert.Contains("locked", await locked.Content.ReadAsStringAsync());
        var failures = await app.WithDbAsync(d => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
            d.AuditEntries, e => e.UserId == user.Id && e.Action == Consilium.Features.Audit.AuditAction.FailedSignIn));
        Assert.Equal(6, failures);
    }

    /// <summary>What the member's authenticator app shows now (Identity checks codes against the real clock).</summary>
    static string Code(string key, TestApp app)
    {
        _ = app;
        return new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(DateTime.UtcNow);
    }

    internal static HttpClient CookieClient(TestApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Posts a form the way a browser does: fetching the page first for its antiforgery token.</summary>
    internal static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var page = await client.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        var token = Antiforgery().Match(html);
        if (token.Success) fields["__RequestVerificationToken"] = token.Groups[1].Value;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex(@"data-testid=""mfa-key"">([a-z2-7 ]+)<")]
    private static partial Regex MfaKey();

    [GeneratedRegex(@"<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCodes();

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex Antiforgery();
}

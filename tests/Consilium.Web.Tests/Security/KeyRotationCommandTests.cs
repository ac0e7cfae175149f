using System.Net;
using System.Security.Cryptography;
using Consilium.Documents;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Records;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Security;

/// <summary>Master key rotation end to end: the command re-wraps stored documents so the old key can be retired.</summary>
public sealed class KeyRotationCommandTests
{
    [Fact]
    public async Task KeysRotate_RewrapsEveryDocument_SoTheOldKeyCanBeRemoved()
    {
        var (k1, k2) = (Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await using var before = await TestApp.StartAsync(DatabaseKind.Postgres, a => a
            .With("Storage:Documents:MasterKeys:0:Id", "k1").With("Storage:Documents:MasterKeys:0:Key", k1)
            .With("Storage:Documents:ActiveMasterKeyId", "k1"));
        var scenario = await before.SeedScenarioAsync();
        var caseId = await before.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        var patient = await before.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId);
        string consentId;
        using (var client = before.ClientFor(patient))
            consentId = (string)(await (await client.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentAndRecordsTests.ConsentBody())).JsonAsync(HttpStatusCode.Created))["id"]!;

        var environment = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = before.DataDirectory,
            ["Storage__Documents__MasterKeys__0__Id"] = "k1", ["Storage__Documents__MasterKeys__0__Key"] = k1,
            ["Storage__Documents__MasterKeys__1__Id"] = "k2", ["Storage__Documents__MasterKeys__1__Key"] = k2,
            ["Storage__Documents__ActiveMasterKeyId"] = "k2",
        };
        var rotate = await ConsiliumProcess.RunAsync(Path.GetTempPath(), environment, "keys", "rotate", "--db", before.Database.ConnectionString);
        var again = await ConsiliumProcess.RunAsync(Path.GetTempPath(), environment, "keys", "rotate", "--db", before.Database.ConnectionString);

        Assert.True(rotate.ExitCode == 0, rotate.Output);
        Assert.Contains("1 re-wrapped", rotate.StdOut);
        Assert.Contains("0 re-wrapped, 1 already current, 0 failed", again.StdOut);

        await using var after = await TestApp.StartOnAsync(before, a => a
            .With("Storage:Documents:MasterKeys:0:Id", "k2").With("Storage:Documents:MasterKeys:0:Key", k2)
            .With("Storage:Documents:ActiveMasterKeyId", "k2"));
        using var reader = after.ClientFor(patient);
        var pdf = await reader.GetByteArrayAsync($"/api/cases/{caseId}/consents/{consentId}/pdf");
        Assert.Contains("Zelda Quintero-Test", string.Join(" ", PdfText.Extract(pdf)));
    }

    [Fact]
    public async Task DataProtectionKeys_AreStoredEncryptedWithTheMasterKey()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite);
        using var browser = MfaTests.CookieClient(app);
        await browser.GetAsync("/signin"); // issues an antiforgery token, which creates the key ring

        var xml = await app.WithDbAsync(d => d.DataProtectionKeys.Select(k => k.Xml).ToListAsync());

        Assert.NotEmpty(xml);
        Assert.All(xml, x =>
        {
            Assert.Contains("consiliumEncryptedKey", x);
            Assert.DoesNotContain("<masterKey", x);
        });
    }
}

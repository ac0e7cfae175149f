using System.Net;
using System.Text.RegularExpressions;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Opinions;

/// <summary>The member's and the physician's reports, generated from the signed opinion, and their delivery.</summary>
public sealed class ReportTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Reports_SayTheDiagnosisTheRecommendationAndEachAnswer_AndDownloadsAreAudited(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        await OpinionTestData.SignAsync(app, c);
        using var patient = app.ClientFor(c.Patient);
        using var coordinator = app.ClientFor(c.Coordinator);

        var memberPdf = await patient.GetAsync($"/api/cases/{c.CaseId}/opinion/report.pdf?kind=Member");
        var member = OpinionTestData.Text(await memberPdf.Content.ReadAsByteArrayAsync());
        var clinical = OpinionTestData.Text(await coordinator.GetByteArrayAsync($"/api/cases/{c.CaseId}/opinion/report.pdf?kind=Clinical"));

        Assert.Equal("application/pdf", memberPdf.Content.Headers.ContentType?.MediaType);
        foreach (var expected in new[] { OpinionTestData.ReviewerDiagnosis, "M51.17", "Surgery is not recommended at this time", OpinionTestData.Recommendation,
                     "physical therapy", OpinionTestData.Questions[0], OpinionTestData.AnswerOne, OpinionTestData.Questions[1], OpinionTestData.AnswerTwo,
                     "Ask your doctor for a referral to physical therapy", "center of excellence" })
            Assert.Contains(expected, member, StringComparison.OrdinalIgnoreCase);
        foreach (var expected in new[] { "M51.16", "M51.17", OpinionTestData.ReviewerDiagnosis, "Posterior lumbar fusion (22612)", OpinionTestData.Recommendation,
                     "Refined", "Change the plan", OpinionTestData.AnswerOne, OpinionTestData.AnswerTwo, "Weinstein", "1970-05-17" })
            Assert.Contains(expected, clinical, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("educational", member, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("educational", clinical, StringComparison.OrdinalIgnoreCase);
        var prints = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.PatientId == c.MemberId && e.ObjectType == "OpinionReport" && e.Action == AuditAction.Print).OrderBy(e => e.Sequence)
            .Select(e => e.Role).ToListAsync());
        Assert.Equal([Roles.Patient, Roles.Coordinator], prints);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task EducationalConsult_BothReportsCarryTheEducationalWording(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app, mode: ConsultMode.EducationalConsult);
        var signed = await OpinionTestData.SignAsync(app, c);
        using var coordinator = app.ClientFor(c.Coordinator);

        var member = OpinionTestData.Text(await coordinator.GetByteArrayAsync($"/api/cases/{c.CaseId}/opinion/report.pdf?kind=Member"));
        var clinical = OpinionTestData.Text(await coordinator.GetByteArrayAsync($"/api/cases/{c.CaseId}/opinion/report.pdf?kind=Clinical"));

        Assert.True((bool)signed["educationalConsult"]!);
        Assert.Contains("This was an educational consultation between doctors", member);
        Assert.Contains("not licensed to practice medicine in OH", member);
        Assert.Contains("Dr. Lena Ortiz", member);
        Assert.Contains("Physician-to-physician educational consultation", clinical);
        Assert.Contains("EDUCATIONAL CONSULTATION", clinical);
        Assert.Contains("remains the physician of record", clinical);
        Assert.Contains(OpinionTestData.AnswerTwo, member);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SendToPhysician_RefusedWhenTheAuthorizationDoesNotNameTheLocalPhysician(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app, recipients: ConsentRecipients.Program | ConsentRecipients.ReviewingPhysician);
        await OpinionTestData.SignAsync(app, c);
        using var coordinator = app.ClientFor(c.Coordinator);

        var bad = await (await coordinator.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/deliveries", new { recipientName = "Dr. Ortiz", email = "not-an-address" })).JsonAsync(HttpStatusCode.BadRequest);
        var refused = await (await coordinator.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/deliveries", new { recipientName = "Dr. Ortiz", email = "ortiz@riverside.example" })).JsonAsync(HttpStatusCode.Conflict);

        Assert.Equal(["email"], bad.ErrorFields());
        Assert.Contains("local physician", (string?)refused["detail"]);
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<OpinionDelivery>().CountAsync(x => x.CaseId == c.CaseId && x.Channel == DeliveryChannel.PhysicianLink)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task PickupDelivery_WritesTheEmailToTheOutboxFolderAndTheOutboxListsIt(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [c.ProgramId]);

        await OpinionTestData.SignAsync(app, c);

        var folder = Path.Combine(app.DataDirectory, "outbox");
        string? file = null;
        for (var i = 0; i < 100 && file is null; i++)
        {
            file = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.eml").FirstOrDefault(f => File.ReadAllText(f).Contains(c.MemberEmail)) : null;
            if (file is null) await Task.Delay(100);
        }
        Assert.NotNull(file);
        var message = await MimeKit.MimeMessage.LoadAsync(file);
        Assert.Equal("Your report is ready", message.Subject);
        Assert.DoesNotContain("M51", message.TextBody);
        using var client = app.ClientFor(admin);
        var outbox = await (await client.GetAsync("/api/outbox")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(outbox["items"]!.AsArray(), m => ((string?)m!["summary"])!.Contains(c.MemberEmail) && (string?)m["status"] == "Sent");
        Assert.DoesNotContain("herniation", outbox.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task PhysicianLink_ByRealSmtp_DownloadsWhileValid_RefusesWhenRevokedOrExpired_AndAuditsEachAttempt(DatabaseKind db)
    {
        await using var smtp = new SmtpTestServer();
        await using var app = await TestApp.StartAsync(db, a => a
            .With("Mail:Smtp:Host", "127.0.0.1").With("Mail:Smtp:Port", smtp.Port.ToString()).With("Mail:Smtp:Security", "None")
            .With("Mail:PublicBaseUrl", "https://consilium.example.org"));
        var c = await OpinionTestData.ArrangeAsync(app);
        await OpinionTestData.SignAsync(app, c);
        using var coordinator = app.ClientFor(c.Coordinator);
        using var anonymous = app.AnonymousClient();

        var toMember = await smtp.WaitForAsync(m => m.To.Mailboxes.Any(x => x.Address == c.MemberEmail));
        Assert.Contains("https://consilium.example.org/my", toMember.TextBody);
        Assert.DoesNotContain("herniation", toMember.TextBody);

        await (await coordinator.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/deliveries", new { recipientName = "Dr. Lena Ortiz", email = "ortiz@riverside.example" })).JsonAsync(HttpStatusCode.Created);
        var first = Token(await smtp.WaitForAsync(m => m.To.Mailboxes.Any(x => x.Address == "ortiz@riverside.example")));
        var second = await (await coordinator.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/deliveries", new { email = "partner@riverside.example" })).JsonAsync(HttpStatusCode.Created);
        var secondToken = Token(await smtp.WaitForAsync(m => m.To.Mailboxes.Any(x => x.Address == "partner@riverside.example")));
        Assert.True(smtp.Connections >= 3);

        var download = await anonymous.GetAsync($"/reports/{first}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var text = OpinionTestData.Text(await download.Content.ReadAsByteArrayAsync());
        Assert.Contains("clinical report", text);
        Assert.Contains(OpinionTestData.ReviewerDiagnosis, text);

        await (await coordinator.PostJsonAsync($"/api/opinion-deliveries/{second["id"]}/revoke", new { reason = "Wrong physician" })).JsonAsync(HttpStatusCode.OK);
        var revoked = await (await anonymous.GetAsync($"/reports/{secondToken}/download")).JsonAsync(HttpStatusCode.Gone);
        Assert.Equal("Revoked", (string?)revoked["state"]);

        app.Clock.Advance(TimeSpan.FromDays(15));
        var expired = await (await anonymous.GetAsync($"/reports/{first}/download")).JsonAsync(HttpStatusCode.Gone);
        Assert.Equal("Expired", (string?)expired["state"]);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/reports/not-a-real-token/download")).StatusCode);

        var audit = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.PatientId == c.MemberId && e.ObjectType == "OpinionReport" && e.Action == AuditAction.Export)
            .OrderBy(e => e.Sequence).Select(e => new { e.Outcome, ActorRole = e.Role, e.Reason }).ToListAsync());
        Assert.Equal([AuditOutcome.Success, AuditOutcome.Denied, AuditOutcome.Denied], audit.Select(a => a.Outcome));
        Assert.All(audit, a => Assert.Equal("link-recipient", a.ActorRole));
        var deliveries = await app.WithDbAsync(d => d.Set<OpinionDelivery>().Where(x => x.CaseId == c.CaseId && x.Channel == DeliveryChannel.PhysicianLink).ToListAsync());
        // Both were sent at the same (fake) instant: tell them apart by recipient, not by creation order.
        Assert.Equal([1, 0], deliveries.OrderBy(x => x.RecipientEmail, StringComparer.Ordinal).Select(x => x.Downloads));
        Assert.Equal(2, await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.PatientId == c.MemberId && e.ObjectType == "OpinionDelivery" && e.Action == AuditAction.Create
            && e.Reason!.Contains("secure link"))));
    }

    static string Token(MimeKit.MimeMessage message) =>
        Regex.Match(message.TextBody ?? "", @"https://consilium\.example\.org/reports/([A-Za-z0-9_-]+)").Groups[1].Value is { Length: > 20 } token
            ? token
            : throw new InvalidOperationException("No report link in: " + message.TextBody);
}

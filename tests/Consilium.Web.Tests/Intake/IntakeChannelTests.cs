using System.Net;
using Consilium.Features.Cases;
using Consilium.Features.Funding;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Intake;

/// <summary>The phone intake form and the public self-request, each opening a case with the member's questions in order.</summary>
public sealed class IntakeChannelTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task PhoneIntake_OpensTheCaseAtIntakeWithTheQuestionsInOrderForTheCoordinatorOnTheCall(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var nurse = await app.CreateUserAsync(Roles.Coordinator, [program]);
        await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var client = app.BrowserLikeClient(nurse);

        var response = await client.PostFormAsync("/intake", PhoneFields(program, "E1001", "1971-04-12"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var caseId = response.Headers.Location!.ToString()["/cases/".Length..];
        var intake = await (await client.GetAsync($"/api/cases/{caseId}/intake")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("Intake", "Coordinator", nurse.Id.ToString()), ((string?)intake["status"], (string?)intake["channel"], (string?)intake["coordinatorUserId"]));
        Assert.Equal(["Can I avoid surgery?", "How long is recovery?", "Is my surgeon's plan standard?"], intake["questions"]!.AsArray().Select(q => (string?)q));
        Assert.Equal(["C50.911"], intake["diagnosis"]!["codes"]!.AsArray().Select(q => (string?)q));
        Assert.NotNull(intake["sla"]!["firstContact"]!["metAt"]);
        var page = await (await client.GetAsync($"/cases/{caseId}")).Content.ReadAsStringAsync();
        Assert.Contains("How long is recovery?", page);
        Assert.Contains("NPI 1234567893", page);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task PhoneIntake_BadNpiAndIneligibleMember_AreShownBesideTheirFieldsAndNothingIsWritten(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var nurse = await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var client = app.BrowserLikeClient(nurse);
        var fields = PhoneFields(program, "E4004", "1966-11-23").Select(f => f.Key == "Form.PhysicianNpi" ? new KeyValuePair<string, string>(f.Key, "1234567890") : f);

        var response = await client.PostFormAsync("/intake", fields);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data-testid=\"error-PhysicianNpi\"", html);
        Assert.Contains("data-testid=\"error-MemberId\"", html);
        Assert.Contains("Coverage under this program has ended.", html);
        Assert.Contains("How long is recovery?", html);
        Assert.Equal(0, await app.WithDbAsync(d => d.Cases.CountAsync(c => c.ProgramId == program)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SelfRequest_Sponsored_ChecksEligibilityCreatesTheLoginAndTheCaseWithQuestionsInOrder(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var member = app.BrowserLikeClient();
        var email = $"ana-{Guid.NewGuid():N}@example.test";

        var response = await member.PostFormAsync($"/request/{program}", MemberFields(email)
            .Append(new("Form.MemberId", "E1001")).Append(new("Form.DateOfBirth", "1971-04-12")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var received = response.Headers.Location!.ToString();
        Assert.StartsWith("/request/received/", received);
        var confirmation = await member.GetAsync(received);
        var html = await confirmation.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, confirmation.StatusCode);
        Assert.True(html.IndexOf("Is the mastectomy necessary?", StringComparison.Ordinal) < html.IndexOf("Should I get genetic testing first?", StringComparison.Ordinal));
        var caseId = Guid.Parse(received["/request/received/".Length..]);
        var (status, channel, memberId, assigned, questions) = await app.WithDbAsync(async d =>
        {
            var c = await d.Cases.SingleAsync(x => x.Id == caseId);
            return (c.Status, c.Channel, c.MemberId, c.CoordinatorUserId, c.Questions.ToList());
        });
        Assert.Equal((CaseStatus.Referred, IntakeChannel.Portal, coordinator.Id), (status, channel, assigned));
        Assert.Equal(["Is the mastectomy necessary?", "Should I get genetic testing first?"], questions);
        var login = await app.WithDbAsync(d => d.Users.SingleAsync(u => u.Email == email));
        Assert.Equal(memberId, login.MemberId);
        Assert.Equal("E1001", await app.WithDbAsync(d => d.Members.Where(m => m.Id == memberId).Select(m => m.ExternalId).SingleAsync()));

        // Signed in by the request: the member follows it on their own page.
        var mine = await (await member.GetAsync("/my")).Content.ReadAsStringAsync();
        Assert.Contains("We have your request", mine);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SelfRequest_CoverageEndedOrWeakPassword_IsRefusedAndCreatesNeitherCaseNorLogin(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        using var member = app.BrowserLikeClient();
        var email = $"omar-{Guid.NewGuid():N}@example.test";

        var ended = await member.PostFormAsync($"/request/{program}", MemberFields(email)
            .Append(new("Form.MemberId", "E4004")).Append(new("Form.DateOfBirth", "1966-11-23")));
        var weak = await member.PostFormAsync($"/request/{program}", MemberFields(email, password: "short")
            .Append(new("Form.MemberId", "E1001")).Append(new("Form.DateOfBirth", "1971-04-12")));

        var endedPage = await ended.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, ended.StatusCode);
        Assert.Contains("Coverage under this program has ended.", endedPage);
        Assert.DoesNotContain("Sign out", endedPage);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("data-testid=\"error-Password\"", await weak.Content.ReadAsStringAsync());
        Assert.Equal(0, await app.WithDbAsync(d => d.Cases.CountAsync(c => c.ProgramId == program)));
        Assert.False(await app.WithDbAsync(d => d.Users.AnyAsync(u => u.Email == email)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SelfRequest_SelfPay_ShowsThePriceFirstThenOpensTheCaseWithAPendingPayment(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync(FundingModel.SelfPay, 680m)).ProgramId;
        using var member = app.BrowserLikeClient();
        var email = $"kim-{Guid.NewGuid():N}@example.test";

        var form = await (await member.GetAsync($"/request/{program}")).Content.ReadAsStringAsync();
        var response = await member.PostFormAsync($"/request/{program}", MemberFields(email).Concat(
        [
            new("Form.FirstName", "Kim"), new("Form.LastName", "Nguyen"), new("Form.DateOfBirth", "1980-02-29"), new("Form.Sex", "Female"),
            new("Form.State", "wa"), new("Form.Phone", "+1 206 555 0134"),
        ]));

        Assert.Contains("Self-pay: $680.00", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var caseId = Guid.Parse(response.Headers.Location!.ToString()["/request/received/".Length..]);
        var confirmation = await (await member.GetAsync($"/request/received/{caseId}")).Content.ReadAsStringAsync();
        Assert.Contains("$680.00", confirmation);
        var (payment, externalId, state) = await app.WithDbAsync(async d =>
        {
            var p = await d.Set<Payment>().SingleAsync(x => x.CaseId == caseId);
            var m = await d.Members.SingleAsync(x => d.Cases.Any(c => c.Id == caseId && c.MemberId == x.Id));
            return (p, m.ExternalId, m.State);
        });
        Assert.Equal((680m, PaymentStatus.Pending, "offline"), (payment.Amount, payment.Status, payment.Provider));
        Assert.StartsWith("SR-", externalId);
        Assert.Equal("WA", state);
    }

    [Fact]
    public async Task SelfRequest_IsRateLimitedPerClient()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, a => a.With("RateLimits:SensitivePerMinute", "3"));
        using var client = app.BrowserLikeClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) statuses.Add((await client.GetAsync("/request")).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    static IEnumerable<KeyValuePair<string, string>> PhoneFields(Guid program, string memberId, string birth) =>
    [
        new("Form.ProgramId", program.ToString()), new("Form.MemberId", memberId), new("Form.DateOfBirth", birth),
        new("Form.Category", "Oncology"), new("Form.Concern", "New diagnosis of breast cancer; surgeon proposes mastectomy."),
        new("Form.Questions", "Can I avoid surgery?\r\nHow long is recovery?\r\n\r\nIs my surgeon's plan standard?"),
        new("Form.DiagnosisText", "Invasive ductal carcinoma, right breast"), new("Form.DiagnosisCodes", "c50.911"),
        new("Form.TreatmentText", "Mastectomy"), new("Form.TreatmentCodes", "19303"),
        new("Form.PhysicianName", "Dr. Lee Park"), new("Form.PhysicianNpi", "1234567893"), new("Form.PhysicianOrganization", "Mercy Breast Center"),
        new("Form.PhysicianContact", "614 555 0199"), new("Form.Urgency", "Urgent"), new("Form.PreferredLanguage", "en"),
        new("Form.StateOfResidence", "OH"), new("Form.HeardVia", "DiagnosisNotification"),
    ];

    static IEnumerable<KeyValuePair<string, string>> MemberFields(string email, string password = "Blue-Harbor-Lantern-72") =>
    [
        new("Form.Category", "Oncology"), new("Form.Concern", "I was told I need a mastectomy and want to be sure."),
        new("Form.Questions", "Is the mastectomy necessary?\nShould I get genetic testing first?"),
        new("Form.DiagnosisText", "Breast cancer"), new("Form.Urgency", "Routine"), new("Form.PreferredLanguage", "en"),
        new("Form.StateOfResidence", "OH"), new("Form.HeardVia", "OpenEnrollment"), new("AccountEmail", email), new("Password", password),
    ];
}

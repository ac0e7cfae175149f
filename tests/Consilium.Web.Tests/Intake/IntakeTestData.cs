using System.Net;
using System.Text.RegularExpressions;
using Consilium.Features.Cases;
using Consilium.Features.Eligibility;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Programs;
using Consilium.Features.Sponsors;
using Consilium.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Intake;

public sealed record ProgramScenario(Guid SponsorId, Guid ProgramId);

/// <summary>Programs, rosters and form posts for the intake, eligibility and funding tests.</summary>
public static partial class IntakeTestData
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Eligibility", "Fixtures", name);

    /// <summary>A sponsor and a program of the given funding, covering every category, with the given SLA targets.</summary>
    public static Task<ProgramScenario> CreateProgramAsync(this TestApp app, FundingModel funding = FundingModel.SponsorPaid, decimal? price = null,
        SlaTargets? sla = null) =>
        app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var sponsor = Sponsor.Create("Sponsor " + Guid.NewGuid().ToString("N")[..8], SponsorKind.Employer, now);
            var program = CareProgram.Create(new ProgramSettings("Program " + Guid.NewGuid().ToString("N")[..8], sponsor.Id, funding,
                funding == FundingModel.SelfPay ? price ?? 750m : null, Enum.GetValues<ConditionCategory>(), 1200m, sla ?? SlaTargets.Default,
                "Described to members."), now);
            db.AddRange(sponsor, program);
            if (funding == FundingModel.GrantFund) db.Add(Features.Funding.GrantFund.Open(program.Id, program.Name + " fund", now));
            await db.SaveChangesAsync();
            return new ProgramScenario(sponsor.Id, program.Id);
        });

    /// <summary>A member enrolled directly (no roster dates: covered).</summary>
    public static Task<Guid> EnrollAsync(this TestApp app, Guid programId, string externalId, DateOnly? birth = null) =>
        app.WithDbAsync(async db =>
        {
            var member = Member.Enroll(programId, externalId, "Test", "Member", birth ?? new DateOnly(1970, 5, 17), Sex.Female, "OH", null, null, "en",
                app.Clock.GetUtcNow());
            db.Add(member);
            await db.SaveChangesAsync();
            return member.Id;
        });

    /// <summary>Imports a roster as the command line does (the system actor).</summary>
    public static async Task<RosterImportView> ImportRosterAsync(this TestApp app, Guid programId, string fixture)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("test"), "test");
        await using var stream = File.OpenRead(Fixture(fixture));
        return await scope.ServiceProvider.GetRequiredService<RosterHandlers>().ImportAsync(programId, stream, fixture, null, CancellationToken.None);
    }

    /// <summary>Opens a case directly through the domain with <paramref name="coordinator"/> as its coordinator.</summary>
    public static Task<Guid> OpenCaseAsync(this TestApp app, Guid programId, Guid memberId, Guid? coordinator, CaseStatus stage = CaseStatus.Referred) =>
        app.WithDbAsync(async db =>
        {
            var actor = new Actor(null, "test", Roles.Coordinator);
            var now = app.Clock.GetUtcNow();
            var @case = Case.Open(programId, memberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Fusion proposed", CaseStatus.Referred, actor, now, coordinator);
            foreach (var next in TestApp.MainPath[1..(Array.IndexOf(TestApp.MainPath, stage) + 1)]) @case.TransitionTo(next, actor, null, now);
            db.Add(@case);
            await db.SaveChangesAsync();
            return @case.Id;
        });

    /// <summary>
    /// Posts a Razor Pages form as a browser would: reads the page for its antiforgery token (the client keeps the
    /// cookie), then posts the fields with it.
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string page, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var form = await client.GetAsync(page);
        Assert.True(form.StatusCode == HttpStatusCode.OK, $"GET {page}: {(int)form.StatusCode}");
        var token = AntiforgeryToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), $"{page} has no antiforgery token");
        return await client.PostAsync(page, new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token))));
    }

    /// <summary>A client that keeps cookies (sign-in, antiforgery) and does not follow redirects.</summary>
    public static HttpClient BrowserLikeClient(this TestApp app, TestUser? user = null)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (user is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
        return client;
    }

    public static object Referral(Guid programId, string memberId, string dateOfBirth, params string[] questions) => new
    {
        programId,
        member = new { memberId, dateOfBirth },
        category = "Spine",
        concern = "Surgeon proposes an L4-L5 fusion after eight months of low back pain.",
        questions,
        diagnosis = new { codes = new[] { "m5116" }, text = "Lumbar disc herniation with radiculopathy" },
        proposedTreatment = new { codes = new[] { "22612", "0SG00A0" }, text = "Posterior lumbar fusion" },
        treatingPhysician = new { name = "Dr. Ada Quinn", npi = "1234567893", organization = "Lakeside Spine", contact = "+1 614 555 0100" },
        urgency = "Urgent",
        preferredLanguage = "es",
        stateOfResidence = "OH",
        heardVia = "Physician",
    };

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

using Consilium.Features;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Physicians;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Physicians;

public sealed record TestPhysician(Guid Id, string Name, TestUser? Reviewer);

public sealed record TestCase(Guid Id, Scenario Scenario);

/// <summary>Physicians, cases with intake, and offers for the network tests. The app's clock starts on Monday 2026-03-02 09:00 UTC.</summary>
public static class NetworkTestData
{
    /// <summary>With the default SLA of five business days, a case ready for review on 2026-03-02 is due on this day.</summary>
    public static readonly DateOnly Due = new(2026, 3, 9);

    public static string NewNpi()
    {
        var nine = "1" + Random.Shared.Next(0, 100_000_000).ToString("D8");
        return nine + Npi.CheckDigit(nine);
    }

    public static async Task<TestPhysician> PhysicianAsync(this TestApp app, string name, string specialty, string? subspecialty,
        (string State, DateOnly Expires)[] licenses, string[]? languages = null, string[]? affiliations = null, int capacity = 3,
        decimal stipend = 400m, bool account = true, string? npi = null)
    {
        var reviewer = account ? await app.CreateUserAsync(Roles.Reviewer) : null;
        var id = await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var p = Physician.Create(name, npi ?? NewNpi(), specialty, subspecialty, now);
            foreach (var (state, expires) in licenses) p.License(state, $"{state}-{Random.Shared.Next(10000, 99999)}", expires, new DateOnly(2015, 1, 1));
            p.SetLanguages(languages ?? ["en"]);
            p.SetAffiliations(affiliations ?? []);
            p.SetCapacity(capacity, stipend, now);
            if (reviewer is not null)
            {
                p.LinkUser(reviewer.Id);
                (await db.Users.SingleAsync(u => u.Id == reviewer.Id)).PhysicianId = p.Id;
            }
            db.Physicians.Add(p);
            await db.SaveChangesAsync();
            return p.Id;
        });
        return new TestPhysician(id, name, reviewer);
    }

    public static Task<TestPhysician> SpineSurgeonAsync(this TestApp app, string name, params (string State, DateOnly Expires)[] licenses) =>
        app.PhysicianAsync(name, "Orthopaedic Surgery", "Spine Surgery", licenses);

    /// <summary>A lumbar fusion case ready for review in <paramref name="state"/>, with the given intake.</summary>
    public static async Task<TestCase> CaseAsync(this TestApp app, string state = "OH", string language = "en",
        string? treatingName = "Dr. Lena Ortiz", string? treatingOrganization = "Riverside Orthopedics", string? treatingNpi = null,
        ConditionCategory category = ConditionCategory.Spine, string[]? diagnoses = null, string[]? procedures = null)
    {
        var scenario = await app.SeedScenarioAsync(state);
        var id = await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var actor = new Actor(null, "test", Roles.Coordinator);
            var intake = new CaseIntake(["Do I need the fusion now?"], diagnoses ?? ["M51.16"], "Lumbar disc disorder with radiculopathy",
                procedures ?? ["22630"], "Posterior lumbar interbody fusion",
                treatingName is null ? null : new TreatingPhysician(treatingName, treatingNpi, treatingOrganization, null),
                Urgency.Routine, language, state, ReferralSource.Physician);
            var @case = Case.Open(scenario.ProgramId, scenario.MemberId, category, IntakeChannel.Coordinator, "Fusion proposed", CaseStatus.Referred, actor, now, intake: intake);
            foreach (var next in TestApp.MainPath[1..(Array.IndexOf(TestApp.MainPath, CaseStatus.ReadyForReview) + 1)]) @case.TransitionTo(next, actor, null, now);
            db.Cases.Add(@case);
            await db.SaveChangesAsync();
            return @case.Id;
        });
        return new TestCase(id, scenario);
    }

    /// <summary>A coordinator serving the case's program.</summary>
    public static async Task<HttpClient> CoordinatorAsync(this TestApp app, TestCase @case) =>
        app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [@case.Scenario.ProgramId]));

    /// <summary>Takes a place of the physician's weekly capacity: a pending offer of another case.</summary>
    public static async Task OccupyAsync(this TestApp app, TestPhysician physician)
    {
        var other = await app.CaseAsync();
        await app.WithDbAsync(async db =>
        {
            db.Add(ReviewerOffer.Make(other.Id, physician.Id, physician.Reviewer!.Id, PanelRole.Panelist, ConsultMode.DirectOpinion, 0,
                Actor.System("test"), TimeSpan.FromDays(30), app.Clock.GetUtcNow()));
            await db.SaveChangesAsync();
        });
    }
}

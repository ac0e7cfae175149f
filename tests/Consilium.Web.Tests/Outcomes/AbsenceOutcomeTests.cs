using System.Globalization;
using System.Net;
using System.Text;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Outcomes;
using Consilium.Features.Triggers;
using Consilium.Infrastructure;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Outcomes;

/// <summary>
/// Disability episodes imported from a carrier's CSV, and days away / return to work of engaged members against the
/// matched non-engaged targeted members, over a member set whose answer is worked out by hand (docs/metrics.md).
/// </summary>
public sealed class AbsenceOutcomeTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    const string Header = "member_id,start_on,days_away,reason,return_to_work_on,episode_id";

    /// <summary>The <see cref="MatchedCohort"/> members, all in Ohio; their value is the days away (59 still away).</summary>
    static (Sex Sex, string State, string Language, DateOnly Birth) Who(int i)
    {
        var (sex, birth) = MatchedCohort.Who(i);
        return (sex, "OH", "en", birth);
    }

    static bool Engaged(int i) => MatchedCohort.Engaged(i);

    static int DaysAway(int i) => MatchedCohort.Value(i);

    static string Episodes(DateOnly index)
    {
        var csv = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < 66; i++)
        {
            var days = DaysAway(i);
            if (days == 0) continue;
            var start = index.AddDays(30);
            var back = i == 59 ? "" : start.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"M{i:D4},{start:yyyy-MM-dd},{days},musculoskeletal,{back},E-{i:D3}\n");
        }
        // Outside the 365 days after the index date: before it, and after it.
        csv.Append(CultureInfo.InvariantCulture, $"M0000,{index.AddDays(-100):yyyy-MM-dd},99,surgery,{index.AddDays(-1):yyyy-MM-dd},E-900\n");
        csv.Append(CultureInfo.InvariantCulture, $"M0012,{index.AddDays(366):yyyy-MM-dd},99,injury,,E-901\n");
        return csv.ToString();
    }

    static async Task<HistoryImportResult> ImportAsync(TestApp app, Guid programId, string csv)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("test"), "test");
        return await scope.ServiceProvider.GetRequiredService<DisabilityImport>()
            .ImportAsync(programId, new MemoryStream(Encoding.UTF8.GetBytes(csv)), "std.csv", CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task DaysAwayAndReturnToWork_EngagedAgainstMatchedNonEngaged_WithA95PercentInterval(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (sponsorId, programId, members) = await OutcomeTestData.ProgramAsync(app, caseFee: 500m, members: 66, who: Who);
        var found = app.Clock.GetUtcNow().AddDays(-400);
        var index = DateOnly.FromDateTime(found.UtcDateTime);
        await app.WithDbAsync(async db =>
        {
            var actor = new Actor(null, "test", Roles.Coordinator);
            var job = ScanJob.Submit(programId, "claims.csv", "blob", new string('0', 64), 1, false, "test", found);
            db.Add(job);
            for (var i = 0; i < 66; i++)
            {
                var candidate = TriggerCandidate.Found(programId, job.Id, members[i], new Consilium.Triggers.Candidate
                {
                    MemberId = $"M{i:D4}", TriggerId = "spine-fusion", Category = "spine", TriggerName = "Spinal fusion", Interceptable = true,
                    Sentence = "Fusion authorized", FirstDate = index, LastDate = index, ClaimIds = ["C1"],
                    AuthorizationIds = [], Codes = ["22612"], Evidence = [], Currency = "USD", Priority = 50, RulesVersion = "1",
                }, "[]", null, found);
                if (Engaged(i))
                {
                    var @case = Case.Open(programId, members[i], ConditionCategory.Spine, IntakeChannel.Trigger, "From a trigger", CaseStatus.Referred, actor, found);
                    db.Add(@case);
                    candidate.StartOutreach(@case.Id);
                }
                db.Add(candidate);
            }
            await db.SaveChangesAsync();
        });
        var csv = Episodes(index);
        var first = await ImportAsync(app, programId, csv);
        Assert.Equal((62, 62, 0), (first.Rows, first.Added, first.Unchanged));
        var again = await ImportAsync(app, programId, csv);
        Assert.Equal((62, 0, 62), (again.Rows, again.Added, again.Unchanged));

        using var analyst = app.ClientFor(await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: sponsorId));
        var r = await (await analyst.GetAsync($"/api/programs/{programId}/outcomes/absence")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(66, (int)r["membersWithFullFollowUp"]!);
        var away = r["daysAway"]!;
        Assert.Equal(24, (int)away["engagedMembers"]!);
        Assert.Equal(36, (int)away["comparisonMembers"]!);
        Assert.Equal(2, (int)away["strata"]!);
        Assert.Equal(1, (int)away["unmatchedEngaged"]!);
        Assert.Equal(10.0, (double)away["engagedMean"]!);
        Assert.Equal(25.0, (double)away["comparisonMean"]!);
        Assert.Equal(-15.0, (double)away["difference"]!);
        Assert.Equal(-17.76, (double)away["ci95Low"]!);
        Assert.Equal(-12.24, (double)away["ci95High"]!);
        var back = r["daysToReturn"]!;
        Assert.Equal(18, (int)back["engagedMembers"]!);
        Assert.Equal(35, (int)back["comparisonMembers"]!);
        Assert.Equal(13.33, (double)back["engagedMean"]!);
        Assert.Equal(28.26, (double)back["comparisonMean"]!);
        Assert.Equal(-14.93, (double)back["difference"]!);
        Assert.Equal(-17.8, (double)back["ci95Low"]!);
        Assert.Equal(-12.06, (double)back["ci95High"]!);
        Assert.Null(r["stillAway"]); // one member: suppressed
        Assert.DoesNotContain("M00", r.ToJsonString());

        // A period whose candidates are too few to compare: figures suppressed, not shown small.
        var none = await (await analyst.GetAsync($"/api/programs/{programId}/outcomes/absence?from=2020-01-01&to=2020-12-31")).JsonAsync(HttpStatusCode.OK);
        Assert.Null(none["daysAway"]!["difference"]);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.ObjectType == "ProgramAbsence" && e.ObjectId == programId.ToString()
            && e.Reason!.Contains("start..now"))));

        // The dashboard and its exports show the same figures; the hospital view is not there for an employer's program.
        var page = await analyst.GetStringAsync($"/outcomes?programId={programId}");
        Assert.Contains("data-metric=\"daysAway\">10.0 days · 25.0 days<", page);
        Assert.Contains("data-metric=\"daysToReturnDifference\">-14.9 days (-17.8 days to -12.1 days)<", page);
        var csvExport = await analyst.GetStringAsync($"/api/programs/{programId}/outcomes/export?format=csv");
        Assert.Contains("daysAway.difference,-15\r\n", csvExport);
        Assert.Contains("daysToReturn.ci95High,-12.06\r\n", csvExport);
        Assert.Contains("stillAway,\r\n", csvExport);
        Assert.DoesNotContain("Hospital view", csvExport);
        Assert.DoesNotContain("M00", csvExport);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task BadDisabilityFile_IsRefusedNamingLineAndColumn_AndWritesNothing(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (_, programId, _) = await OutcomeTestData.ProgramAsync(app, 0m, 0);
        var good = "M0001,2025-02-01,10,surgery,2025-02-11,E-1\n";
        async Task<string> Refused(string csv) => (await Assert.ThrowsAsync<RuleViolationException>(() => ImportAsync(app, programId, csv))).Message;

        Assert.StartsWith("line 3, column reason:", await Refused(Header + "\n" + good + "M0002,2025-02-01,10,flu,,E-2\n"));
        Assert.StartsWith("line 3, column return_to_work_on: before start_on", await Refused(Header + "\n" + good + "M0002,2025-02-01,10,other,2025-01-31,E-2\n"));
        Assert.StartsWith("line 2, column days_away:", await Refused(Header + "\n" + "M0002,2025-02-01,-3,other,,E-2\n"));
        Assert.StartsWith("line 2, column start_on:", await Refused(Header + "\n" + "M0002,01/02/2025,3,other,,E-2\n"));
        Assert.StartsWith("line 3, column episode_id: the same episode id is already on line 2", await Refused(Header + "\n" + good + good));
        Assert.Contains("'days_away'", await Refused("member_id,start_on,reason,return_to_work_on,episode_id\n"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<DisabilityEpisode>().CountAsync(e => e.ProgramId == programId)));
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.ObjectType == "DisabilityImport" && e.Outcome == Consilium.Features.Audit.AuditOutcome.Failure)));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Consilium.Features.CareNavigation;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Features.Triggers;
using Consilium.Infrastructure;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Outcomes;

/// <summary>
/// Outcomes over a case set whose true rates are known in advance (docs/metrics.md): 100 imported cases built so that
/// each metric has a round answer, 40 targeted members of whom 12 engaged, 200 eligible members.
/// </summary>
public sealed class OutcomeMetricsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    static readonly DateOnly March = new(2025, 3, 3);  // a Monday
    static readonly DateOnly May = new(2025, 5, 5);    // a Monday

    static string CategoryOf(int i) => i < 40 ? "oncology" : i < 65 ? "musculoskeletal" : i < 80 ? "spine" : "cardiac";

    static IEnumerable<HistoryLine> KnownCases() => Enumerable.Range(0, 100).Select(i =>
    {
        var packet = i < 60 ? March : May;
        var original = i < 50 ? 20_000m : 5_000m;
        return new HistoryLine($"H-{i:D3}", $"M{i:D4}", CategoryOf(i), packet.AddDays(-5), packet, packet.AddDays(1 + i % 10),
            (i % 10) switch { 0 or 1 => "refined", 2 => "changed", 3 => "undetermined", _ => "confirmed" },
            (i % 5) switch { 0 => "change", 1 => "modify", _ => "agree" },
            SurgeryProposed: i < 60, SurgeryRecommended: i < 60 && i % 5 != 0, HospitalizationProposed: i % 4 == 0, HospitalizationRecommended: i % 8 == 0,
            SiteChange: i % 10 == 7, original, i % 5 == 0 ? original / 2 : original,
            Satisfaction: (i % 4) switch { 0 => 10, 1 => 9, 2 => 2, _ => null },
            Triggered: i % 2 == 0 ? packet.AddDays(-15) : null,
            Npi: i < 60 ? "1234567893" : i < 90 ? "1982736450" : "1111111112", Organization: "Riverside Orthopedics");
    });

    /// <summary>40 candidates for members M0100–M0139; 12 reached by outreach that opened a case (11 reached, 1 declined).</summary>
    static async Task TargetAsync(TestApp app, Guid programId, List<Guid> members)
    {
        await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var actor = new Actor(null, "test", Roles.Coordinator);
            var job = ScanJob.Submit(programId, "claims.csv", "blob", new string('0', 64), 1, false, "test", now);
            db.Add(job);
            for (var i = 100; i < 140; i++)
            {
                var candidate = TriggerCandidate.Found(programId, job.Id, members[i], new Consilium.Triggers.Candidate
                {
                    MemberId = $"M{i:D4}", TriggerId = "spine-fusion", Category = "spine", TriggerName = "Spinal fusion", Interceptable = true,
                    Sentence = "Fusion authorized", FirstDate = new DateOnly(2026, 2, 1), LastDate = new DateOnly(2026, 2, 1), ClaimIds = ["C1"],
                    AuthorizationIds = [], Codes = ["22612"], Evidence = [], Currency = "USD", Priority = 50, RulesVersion = "1",
                }, "[]", null, now);
                if (i < 112)
                {
                    var @case = Case.Open(programId, members[i], ConditionCategory.Spine, IntakeChannel.Trigger, "From a trigger", CaseStatus.Referred, actor, now);
                    db.Add(@case);
                    candidate.StartOutreach(@case.Id);
                    candidate.RecordOutcome(i < 111 ? OutreachOutcome.Reached : OutreachOutcome.Declined, "test", now);
                }
                db.Add(candidate);
            }
            await db.SaveChangesAsync();
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task KnownCaseSet_EveryMetricMatchesItsTrueValue(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (sponsorId, programId, members) = await OutcomeTestData.ProgramAsync(app, caseFee: 1_000m, members: 200);
        var csv = OutcomeTestData.Csv(KnownCases());
        var first = await OutcomeTestData.ImportAsync(app, programId, csv);
        Assert.Equal((100, 100, 0), (first.Rows, first.Added, first.Unchanged));
        await TargetAsync(app, programId, members);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [programId]);
        using var client = app.ClientFor(admin);

        var r = await (await client.GetAsync($"/api/programs/{programId}/outcomes")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(40, (int)r["membersTargeted"]!);
        Assert.Equal(11, (int)r["reached"]!);
        Assert.Equal(12, (int)r["engaged"]!);
        Assert.Equal(0.3, (double)r["engagementRate"]!);
        Assert.Equal(200, (int)r["eligibleMembers"]!);
        Assert.Equal(112, (int)r["casesOpened"]!);
        Assert.Equal(0.56, (double)r["utilizationRate"]!);
        Assert.Equal(100, (int)r["casesWithOpinion"]!);
        var mix = r["caseMix"]!.AsArray().ToDictionary(c => (string)c!["category"]!, c => ((int?)c!["cases"], (double?)c["share"]));
        Assert.Equal((40, 0.4), mix["Oncology"]);
        Assert.Equal((25, 0.25), mix["Musculoskeletal"]);
        Assert.Equal((15, 0.15), mix["Spine"]);
        Assert.Equal((20, 0.2), mix["Cardiac"]);
        Assert.Equal((0, 0.0), mix["Neurological"]);
        Assert.Equal(0.3, (double)r["diagnosisChangeRate"]!);
        Assert.Equal(0.4, (double)r["treatmentChangeRate"]!);
        Assert.Equal(0.5, (double)r["anyChangeRate"]!);
        Assert.Equal(0.2, (double)r["surgeryAlternativeRate"]!);
        Assert.Equal(0.48, (double)r["hospitalizationReduction"]!);
        Assert.Equal(0.1, (double)r["siteOfCareChangeRate"]!);
        Assert.Equal(10.5, (double)r["medianDaysToOpinion"]!);
        Assert.Equal(14.1, (double)r["p90DaysToOpinion"]!);
        Assert.Equal(20, (double)r["medianDaysFromTrigger"]!);
        Assert.Equal(24, (double)r["p90DaysFromTrigger"]!);
        Assert.Equal(5, (double)r["stageTurnaround"]!["medianDaysRequestToPacket"]!);
        Assert.Equal(5.5, (double)r["stageTurnaround"]!["medianDaysPacketToOpinion"]!);
        Assert.Equal(0.7, (double)r["slaCompliance"]!);
        Assert.Equal(33, (int)r["nps"]!);
        Assert.Null(r["recommendationFollowedRate"]);
        var s = r["savings"]!;
        Assert.Equal(100, (int)s["casesPriced"]!);
        Assert.Equal(125_000m, (decimal)s["totalSavings"]!);
        Assert.Equal(1_250m, (decimal)s["avgSavingsPerCase"]!);
        Assert.Equal(50, (int)s["highCostCases"]!);
        Assert.Equal(2_000m, (decimal)s["avgSavingsHighCost"]!);
        var byCategory = s["avgSavingsByCategory"]!.AsArray().ToDictionary(c => (string)c!["category"]!, c => (decimal?)c!["avgSavings"]);
        Assert.Equal(2_000m, byCategory["Oncology"]);
        Assert.Equal(1_100m, byCategory["Musculoskeletal"]);
        Assert.Equal(500m, byCategory["Spine"]);
        Assert.Equal(500m, byCategory["Cardiac"]);
        Assert.Null(byCategory["Neurological"]);
        Assert.Equal(100_000m, (decimal)s["programCost"]!);
        Assert.Equal(1.25, (double)s["roi"]!);
        var series = r["series"]!.AsArray();
        Assert.Equal(["2025-03", "2025-05"], series.Select(m => (string)m!["month"]!));
        Assert.Equal([60, 40], series.Select(m => (int)m!["cases"]!));
        Assert.All(series, m => Assert.Equal(0.3, (double)m!["diagnosisChangeRate"]!));
        Assert.Equal(0.5, (double)series[0]!["anyChangeRate"]!);
        Assert.Equal(10.5, (double)series[0]!["medianDaysToOpinion"]!);
        Assert.DoesNotContain(r["suppressed"]!.AsArray(), x => !((string)x!).StartsWith("caseMix", StringComparison.Ordinal));
        Assert.Contains(r["methods"]!.AsArray(), m => (string)m!["metric"]! == "anyChangeRate");
        Assert.NotEmpty(r["assumptions"]!.AsArray());
        var body = r.ToJsonString();
        Assert.DoesNotContain("M0000", body);
        Assert.DoesNotContain(members[0].ToString(), body);

        // The same case ids again change nothing.
        var again = await OutcomeTestData.ImportAsync(app, programId, csv);
        Assert.Equal((100, 0, 100), (again.Rows, again.Added, again.Unchanged));
        var after = await (await client.GetAsync($"/api/programs/{programId}/outcomes")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(100, (int)after["casesWithOpinion"]!);
        Assert.Equal(125_000m, (decimal)after["savings"]!["totalSavings"]!);

        // A period of one day holds 6 opinions: every figure drawn from them is suppressed, not shown small.
        var day = await (await client.GetAsync($"/api/programs/{programId}/outcomes?from=2025-03-04&to=2025-03-04")).JsonAsync(HttpStatusCode.OK);
        Assert.Null(day["casesWithOpinion"]);
        Assert.Null(day["anyChangeRate"]);
        Assert.Null(day["medianDaysToOpinion"]);
        Assert.Null(day["savings"]!["avgSavingsPerCase"]);
        Assert.Null(day["series"]![0]!["cases"]);
        var suppressed = day["suppressed"]!.AsArray().Select(x => (string)x!).ToList();
        Assert.Contains("casesWithOpinion", suppressed);
        Assert.Contains("anyChangeRate", suppressed);
        Assert.Contains("medianDaysToOpinion", suppressed);
        var may = await (await client.GetAsync($"/api/programs/{programId}/outcomes?from=2025-05-01&to=2025-05-31")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(40, (int)may["casesWithOpinion"]!);
        Assert.Equal(0.3, (double)may["diagnosisChangeRate"]!);

        // Exports carry the same figures.
        var csvExport = await client.GetStringAsync($"/api/programs/{programId}/outcomes/export?format=csv");
        Assert.Contains("anyChangeRate,0.5", csvExport);
        Assert.Contains("roi,1.25", csvExport);
        Assert.DoesNotContain("M0000", csvExport);
        using (var xlsx = new XLWorkbook(await client.GetStreamAsync($"/api/programs/{programId}/outcomes/export?format=xlsx")))
        {
            var sheet = xlsx.Worksheet("Outcomes");
            var row = sheet.RowsUsed().Single(x => x.Cell(1).GetString() == "surgeryAlternativeRate");
            Assert.Equal(0.2, row.Cell(2).GetDouble());
            Assert.Equal(40, xlsx.Worksheet("Case mix").RowsUsed().Single(x => x.Cell(1).GetString() == "oncology").Cell(2).GetDouble());
        }

        // Provider discordance: per NPI and organization, the 10-case NPI suppressed.
        var d = await (await client.GetAsync($"/api/programs/{programId}/provider-discordance")).JsonAsync(HttpStatusCode.OK);
        var physicians = d["physicians"]!.AsArray().ToDictionary(p => (string)p!["provider"]!);
        Assert.Equal(60, (int)physicians["1234567893"]!["cases"]!);
        Assert.Equal(0.3, (double)physicians["1234567893"]!["diagnosisChangeRate"]!);
        Assert.Equal(0.4, (double)physicians["1234567893"]!["treatmentChangeRate"]!);
        Assert.Equal(30, (int)physicians["1982736450"]!["cases"]!);
        Assert.True((bool)physicians["1111111112"]!["suppressed"]!);
        Assert.Null(physicians["1111111112"]!["cases"]);
        Assert.Null(physicians["1111111112"]!["diagnosisChangeRate"]);
        Assert.Equal(100, (int)d["organizations"]![0]!["cases"]!);
        Assert.Contains("never to rank", (string)d["governanceNote"]!);

        // Fair access by category: the 40 targeted members are all spine candidates, 12 engaged; spine cases are the 15
        // imported ones plus the 12 opened from outreach (no opinion yet), against oncology's 40 of 40.
        var fair = await (await client.GetAsync($"/api/programs/{programId}/fair-access")).JsonAsync(HttpStatusCode.OK);
        var byCategory2 = fair["dimensions"]!.AsArray().Single(x => (string)x!["dimension"]! == "category")!["groups"]!.AsArray()
            .ToDictionary(g => (string)g!["group"]!);
        Assert.Equal(40, (int)byCategory2["spine"]!["membersTargeted"]!);
        Assert.Equal(0.3, (double)byCategory2["spine"]!["engagementRate"]!);
        Assert.Equal(27, (int)byCategory2["spine"]!["casesOpened"]!);
        Assert.Equal(0.5556, (double)byCategory2["spine"]!["completionRate"]!);
        Assert.True((bool)byCategory2["spine"]!["completionFlagged"]!);
        Assert.False((bool)byCategory2["oncology"]!["completionFlagged"]!);

        // Who may look: the sponsor's analyst sees aggregates; another sponsor's analyst does not; discordance is the admins'.
        using var analyst = app.ClientFor(await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: sponsorId));
        using var stranger = app.ClientFor(await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: Guid.NewGuid()));
        using var coordinator = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [programId]));
        Assert.Equal(0.5, (double)(await (await analyst.GetAsync($"/api/programs/{programId}/outcomes")).JsonAsync(HttpStatusCode.OK))["anyChangeRate"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/programs/{programId}/outcomes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync($"/api/programs/{programId}/provider-discordance")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"/api/programs/{programId}/outcomes")).StatusCode);

        // Every computation is audited against the program, without a member.
        var audited = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.ObjectType == "ProgramOutcomes" && e.ObjectId == programId.ToString()).ToListAsync());
        Assert.True(audited.Count >= 5);
        Assert.All(audited, e => Assert.Null(e.PatientId));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task BadInput_IsRefusedNamingWhereAndWritesNothing(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (_, programId, _) = await OutcomeTestData.ProgramAsync(app, 0m, 0);
        var lines = KnownCases().Take(5).ToList();
        var csv = OutcomeTestData.Csv(lines).Split('\n');
        // Line 4 (the third case) gets an unknown dx_agreement.
        csv[3] = csv[3].Replace(",refined,", ",maybe,").Replace(",changed,", ",maybe,").Replace(",confirmed,", ",maybe,").Replace(",undetermined,", ",maybe,");
        var e = await Assert.ThrowsAsync<RuleViolationException>(() => OutcomeTestData.ImportAsync(app, programId, string.Join('\n', csv)));
        Assert.StartsWith("line 4, column dx_agreement:", e.Message);
        var badCost = OutcomeTestData.Csv(lines).Replace("20000.00,10000.00", "20000.00,$10000");
        Assert.StartsWith("line 2, column recommended_plan_cost:", (await Assert.ThrowsAsync<RuleViolationException>(() => OutcomeTestData.ImportAsync(app, programId, badCost))).Message);
        var missing = OutcomeTestData.Csv(lines).Replace("site_of_care_change,", "");
        Assert.Contains("'site_of_care_change'", (await Assert.ThrowsAsync<RuleViolationException>(() => OutcomeTestData.ImportAsync(app, programId, missing))).Message);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Consilium.Features.Outcomes.CaseOutcome>().CountAsync(o => o.ProgramId == programId)));

        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [programId]);
        using var client = app.ClientFor(admin);
        var period = await (await client.GetAsync($"/api/programs/{programId}/outcomes?from=2025-05-01&to=2025-04-01")).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("from", period.ErrorFields());
        var date = await (await client.GetAsync($"/api/programs/{programId}/outcomes?to=31/12/2025")).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("to", date.ErrorFields());
        var format = await (await client.GetAsync($"/api/programs/{programId}/outcomes/export?format=pdf")).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("format", format.ErrorFields());
        var costs = await (await client.PutAsJsonAsync($"/api/programs/{programId}/cost-table",
            new { entries = new object[] { new { key = "surgery:spine", cost = 30000 }, new { key = "surgery:knees", cost = 1 }, new { key = "hospitalization", cost = -5 } } }))
            .JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["entries[1].key", "entries[2].cost"], costs.ErrorFields().Order());
        Assert.Empty((await (await client.GetAsync($"/api/programs/{programId}/cost-table")).JsonAsync(HttpStatusCode.OK)).AsArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task LiveCasesWithSignedOpinions_CountLikeImportedOnes_PricedFromTheCostTable(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (_, programId, members) = await OutcomeTestData.ProgramAsync(app, caseFee: 500m, members: 11);
        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [programId]);
        using var client = app.ClientFor(admin);
        var table = await (await client.PutAsJsonAsync($"/api/programs/{programId}/cost-table", new
        {
            entries = new object[] { new { key = "procedure:22612", cost = 30000, label = "Lumbar fusion" }, new { key = "nonsurgical:spine", cost = 5000 } },
        })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, table.AsArray().Count);

        await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var actor = new Actor(null, "test", Roles.Coordinator);
            var content = new OpinionContent(
                new DiagnosisSection(["M51.16"], null, ["M54.16"], null, DiagnosisAgreement.Changed, null, Confidence.High),
                new TreatmentSection(new TreatmentPlan(true, "22612", "Lumbar fusion", false, [], null, null),
                    new TreatmentPlan(false, null, null, false, [TreatmentAlternative.PhysicalTherapy], null, null), TreatmentAgreement.Change),
                new SiteOfCareSection(SiteOfCare.CenterOfExcellence, null), [], [], [], [], OpinionUrgency.Routine, null, null);
            foreach (var memberId in members)
            {
                var @case = Case.Open(programId, memberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Fusion proposed", CaseStatus.Referred, actor, now);
                foreach (var next in TestApp.MainPath[1..(Array.IndexOf(TestApp.MainPath, CaseStatus.OpinionDelivered) + 1)])
                    @case.TransitionTo(next, actor, null, now);
                var opinion = Opinion.StartDraft(@case.Id, content, Guid.NewGuid(), "Dr. Test", now);
                opinion.Sign(1, "Dr. Test", null, null, false, now);
                var followUp = OutcomeFollowUp.Schedule(@case.Id, opinion.Id, 30, now);
                followUp.Complete(FollowUpStatus.Completed, FollowedRecommendation.Yes, 10, null, actor, now);
                db.AddRange(@case, opinion, followUp);
            }
            await db.SaveChangesAsync();
        });

        var r = await (await client.GetAsync($"/api/programs/{programId}/outcomes")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(11, (int)r["casesWithOpinion"]!);
        Assert.Equal(11, (int)r["casesOpened"]!);
        Assert.Equal(1.0, (double)r["diagnosisChangeRate"]!);
        Assert.Equal(1.0, (double)r["surgeryAlternativeRate"]!);
        Assert.Equal(1.0, (double)r["siteOfCareChangeRate"]!);
        Assert.Equal(1.0, (double)r["recommendationFollowedRate"]!);
        Assert.Equal(100, (int)r["nps"]!);
        Assert.Equal(0, (double)r["medianDaysToOpinion"]!);
        Assert.Equal(25_000m, (decimal)r["savings"]!["avgSavingsPerCase"]!);
        Assert.Equal(50.0, (double)r["savings"]!["roi"]!);

        // A cost-table edit reprices the live cases at the next computation; a second computation adds no rows.
        await client.PutAsJsonAsync($"/api/programs/{programId}/cost-table",
            new { entries = new object[] { new { key = "procedure:22612", cost = 40000 }, new { key = "nonsurgical:spine", cost = 5000 } } });
        var repriced = await (await client.GetAsync($"/api/programs/{programId}/outcomes")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(35_000m, (decimal)repriced["savings"]!["avgSavingsPerCase"]!);
        Assert.Equal(11, await app.WithDbAsync(db => db.Set<Consilium.Features.Outcomes.CaseOutcome>().CountAsync(o => o.ProgramId == programId)));
    }
}

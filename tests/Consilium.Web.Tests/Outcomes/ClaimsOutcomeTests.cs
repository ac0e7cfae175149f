using ClosedXML.Excel;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Opinions;
using Consilium.Features.Programs;
using Consilium.Features.Sponsors;
using Consilium.Features.Triggers;
using Consilium.Infrastructure;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Outcomes;

/// <summary>
/// Claims kept from scan jobs (one row per member and claim, replacements and voids superseding, re-scans adding
/// nothing) and the outcomes read from them: the planned procedure within 6 and 12 months of the opinion, downstream
/// cost against the matched non-engaged group, and a hospital's conversion and reach, over a member set whose answers
/// are worked out by hand (docs/metrics.md).
/// </summary>
public sealed class ClaimsOutcomeTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    const string Header = "member_id,claim_id,claim_type,service_from,procedure_code,diagnosis_codes,billing_npi,total_charge,frequency_code,icd_procedure_codes\n";
    const string HostNpi = "1234567893";
    const string OtherNpi = "1245319599";

    static string Row(string member, string claim, DateOnly on, string code, string npi, decimal charge, string frequency = "1", string type = "professional",
        string pcs = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{member},{claim},{type},{on:yyyy-MM-dd},{code},M51.16|M54.16,{npi},{charge:0.00},{frequency},{pcs}\n");

    static async Task<JsonNode> ScanAsync(HttpClient client, Guid program, string csv)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var job = await (await client.PostAsync($"/api/programs/{program}/claims-files?fileName=claims.csv", content)).JsonAsync(HttpStatusCode.Accepted);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var now = await (await client.GetAsync($"/api/scan-jobs/{job["id"]}")).JsonAsync(HttpStatusCode.OK);
            if ((string?)now["status"] is "Succeeded" or "Failed") return now;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The scan did not finish: {now.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ScannedClaims_AreKeptOncePerClaim_ReplacementsAndVoidsSupersede_AndARescanChangesNothing(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var (_, program, _) = await OutcomeTestData.ProgramAsync(app, 0m, 0);
        using var admin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin, [program]));
        var day = new DateOnly(2026, 3, 2);
        var first = Header + Row("M1", "C1", day, "22612", HostNpi, 100m) + Row("M1", "C2", day, "99213", HostNpi, 200m)
            + Row("M2", "C3", day.AddDays(1), "27447", OtherNpi, 300m, type: "institutional", pcs: "0SG00ZZ")
            // The same claim id of another member is another claim.
            + Row("M2", "C1", day, "99214", OtherNpi, 50m);
        var second = Header + Row("M1", "C1", day.AddDays(2), "22630", HostNpi, 150m, frequency: "7") + Row("M1", "C2", day, "99213", HostNpi, 0m, frequency: "8")
            + Row("M3", "C4", day, "99213", OtherNpi, 75m);

        Assert.Equal("Succeeded", (string?)(await ScanAsync(admin, program, first))["status"]);
        Assert.Equal("Succeeded", (string?)(await ScanAsync(admin, program, second))["status"]);
        async Task<List<StoredClaim>> Stored() => await app.WithDbAsync(db => db.Set<StoredClaim>().AsNoTracking().Where(c => c.ProgramId == program)
            .OrderBy(c => c.MemberExternalId).ThenBy(c => c.ClaimId).ToListAsync());
        var after = await Stored();
        // The original again, after its replacement and void: nothing changes.
        Assert.Equal("Succeeded", (string?)(await ScanAsync(admin, program, first))["status"]);
        var again = await Stored();

        string Show(StoredClaim c) => $"{c.MemberExternalId}/{c.ClaimId}/{c.FrequencyCode}/{c.Voided}/{c.ServiceFrom:yyyy-MM-dd}/{c.Procedures}/{c.PrincipalDiagnosis}/{c.BillingNpi}/{c.ChargeCents}";
        string[] expected =
        [
            $"M1/C1/7/False/2026-03-04/22630/M5116/{HostNpi}/15000",
            $"M1/C2/8/True/2026-03-02/99213/M5116/{HostNpi}/0",
            $"M2/C1/1/False/2026-03-02/99214/M5116/{OtherNpi}/5000",
            $"M2/C3/1/False/2026-03-03/27447|0SG00ZZ/M5116/{OtherNpi}/30000",
            $"M3/C4/1/False/2026-03-02/99213/M5116/{OtherNpi}/7500",
        ];
        Assert.Equal(string.Join('\n', expected), string.Join('\n', after.Select(Show)));
        Assert.Equal(string.Join('\n', expected), string.Join('\n', again.Select(Show)));

        // A file that fails its (strict) scan keeps none of its claims.
        var bad = Header + Row("M4", "C5", day, "99213", OtherNpi, 10m) + "M4,C6,professional,not-a-date,99213,,,1.00,1,\n";
        Assert.Equal("Failed", (string?)(await ScanAsync(admin, program, bad))["status"]);
        Assert.Equal(5, (await Stored()).Count);
    }

    /// <summary>
    /// The <see cref="MatchedCohort"/> members: 0–23 and 60–64 in Ohio, 24–59 in Pennsylvania, 65 in West Virginia. Every
    /// engaged member's case has a signed opinion 10 days after the index date; the trigger planned 22612 (lumbar fusion).
    /// </summary>
    static (Sex Sex, string State, string Language, DateOnly Birth) Who(int i)
    {
        var (sex, birth) = MatchedCohort.Who(i);
        return (sex, i switch { < 24 or (>= 60 and < 65) => "OH", < 60 => "PA", _ => "WV" }, "en", birth);
    }

    static bool Engaged(int i) => MatchedCohort.Engaged(i);

    /// <summary>Downstream charges in the 365 days from the index date, in hundreds of dollars.</summary>
    static int Cost(int i) => MatchedCohort.Value(i);

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task PlannedProcedure_DownstreamCost_AndHospitalView_MatchTheAnswersWorkedOutByHand(DatabaseKind kind)
    {
        var app = await fixture.AppAsync(kind);
        var now = app.Clock.GetUtcNow();
        var (sponsorId, program, members) = await app.WithDbAsync(async db =>
        {
            var sponsor = Sponsor.Create("Hospital " + Guid.NewGuid().ToString("N")[..8], SponsorKind.Hospital, now);
            var p = CareProgram.Create(new ProgramSettings("Program " + Guid.NewGuid().ToString("N")[..8], sponsor.Id, FundingModel.SponsorPaid, null,
                Enum.GetValues<ConditionCategory>(), 500m), now);
            db.AddRange(sponsor, p);
            var ids = new List<Guid>();
            for (var i = 0; i < 66; i++)
            {
                var (sex, state, language, birth) = Who(i);
                var m = Member.Enroll(p.Id, $"M{i:D4}", "Test", "Member" + i, birth, sex, state, null, null, language, now);
                db.Add(m);
                ids.Add(m.Id);
            }
            await db.SaveChangesAsync();
            return (sponsor.Id, p.Id, ids);
        });
        var found = now.AddDays(-400);
        var index = DateOnly.FromDateTime(found.UtcDateTime);
        var opinionOn = index.AddDays(10);
        await app.WithDbAsync(async db =>
        {
            var actor = new Actor(null, "test", Roles.Coordinator);
            var job = ScanJob.Submit(program, "claims.csv", "blob", new string('0', 64), 1, false, "test", found);
            db.Add(job);
            var content = new OpinionContent(
                new DiagnosisSection(["M51.16"], null, ["M51.16"], null, DiagnosisAgreement.Confirmed, null, Confidence.High),
                new TreatmentSection(new TreatmentPlan(true, "22612", "Lumbar fusion", false, [], null, null),
                    new TreatmentPlan(false, null, null, false, [TreatmentAlternative.PhysicalTherapy], null, null), TreatmentAgreement.Change),
                new SiteOfCareSection(SiteOfCare.SameProvider, null), [], [], [], [], OpinionUrgency.Routine, null, null);
            const string evidence = """[{"source":"prior-auth","id":"A1","code":"22612","codeSystem":"CPT/HCPCS","date":"2025-01-01","role":"procedure"},""" +
                """{"source":"claim","id":"C0","code":"M4316","codeSystem":"ICD-10-CM","date":"2025-01-01","role":"diagnosis"}]""";
            for (var i = 0; i < 66; i++)
            {
                var candidate = TriggerCandidate.Found(program, job.Id, members[i], new Consilium.Triggers.Candidate
                {
                    MemberId = $"M{i:D4}", TriggerId = "spine-fusion", Category = "spine", TriggerName = "Spinal fusion", Interceptable = true,
                    Sentence = "Fusion authorized", FirstDate = index, LastDate = index, ClaimIds = ["A1"],
                    AuthorizationIds = [], Codes = ["22612", "M4316"], Evidence = [], Currency = "USD", Priority = 50, RulesVersion = "1",
                }, evidence, null, found);
                if (Engaged(i))
                {
                    var @case = Case.Open(program, members[i], ConditionCategory.Spine, IntakeChannel.Trigger, "From a trigger", CaseStatus.Referred, actor, found);
                    foreach (var next in TestApp.MainPath[1..(Array.IndexOf(TestApp.MainPath, CaseStatus.OpinionDelivered) + 1)])
                        @case.TransitionTo(next, actor, null, found.AddDays(10));
                    var opinion = Opinion.StartDraft(@case.Id, content, Guid.NewGuid(), "Dr. Test", found.AddDays(10));
                    opinion.Sign(1, "Dr. Test", null, null, false, found.AddDays(10));
                    db.AddRange(@case, opinion);
                    candidate.StartOutreach(@case.Id);
                }
                db.Add(candidate);
            }
            await db.SaveChangesAsync();
        });

        // Claims: each member's downstream charges 5 days after the index date (billed elsewhere); the planned fusion for
        // 0–9 a month after the opinion at the host (within 6 months) and for 24–28 250 days after it at the host (within 12
        // months, not 6); 11's fusion before the opinion, 30's voided, 0's charges past the 365 days: none of these count.
        var csv = new StringBuilder(Header);
        for (var i = 0; i < 66; i++)
            if (Cost(i) > 0) csv.Append(Row($"M{i:D4}", $"D{i}", index.AddDays(5), "99213", OtherNpi, Cost(i) * 100m));
        for (var i = 0; i < 10; i++) csv.Append(Row($"M{i:D4}", $"F{i}", opinionOn.AddDays(30), "22612", HostNpi, 0m));
        for (var i = 24; i < 29; i++) csv.Append(Row($"M{i:D4}", $"F{i}", opinionOn.AddDays(250), "22612", HostNpi, 0m));
        csv.Append(Row("M0011", "F11", opinionOn.AddDays(-1), "22612", HostNpi, 0m));
        csv.Append(Row("M0030", "F30", opinionOn.AddDays(20), "22612", HostNpi, 0m));
        csv.Append(Row("M0000", "LATE", index.AddDays(365), "99213", OtherNpi, 99_999m));
        // Not next to the original: consecutive rows with one claim id are one claim's lines (docs/claims-csv.md).
        csv.Append(Row("M0030", "F30", opinionOn.AddDays(20), "22612", HostNpi, 0m, frequency: "8"));

        var admin = await app.CreateUserAsync(Roles.ProgramAdmin, [program]);
        using var adminClient = app.ClientFor(admin);
        Assert.Equal("Succeeded", (string?)(await ScanAsync(adminClient, program, csv.ToString()))["status"]);

        using var analyst = app.ClientFor(await app.CreateUserAsync(Roles.SponsorAnalyst, sponsorId: sponsorId));
        var r = await (await analyst.GetAsync($"/api/programs/{program}/outcomes/claims")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(25, (int)r["opinionsWithPlannedProcedure"]!);
        Assert.Equal((25, 10, 0.4), ((int)r["within6Months"]!["opinions"]!, (int)r["within6Months"]!["procedureClaimed"]!, (double)r["within6Months"]!["rate"]!));
        Assert.Equal((25, 15, 0.6), ((int)r["within12Months"]!["opinions"]!, (int)r["within12Months"]!["procedureClaimed"]!, (double)r["within12Months"]!["rate"]!));
        var cost = r["downstreamCost"]!;
        Assert.Equal((24, 36, 2, 1), ((int)cost["engagedMembers"]!, (int)cost["comparisonMembers"]!, (int)cost["strata"]!, (int)cost["unmatchedEngaged"]!));
        Assert.Equal((1000.0, 2500.0, -1500.0), ((double)cost["engagedMean"]!, (double)cost["comparisonMean"]!, (double)cost["difference"]!));
        Assert.Equal((-1776.0, -1224.0), (Math.Round((double)cost["ci95Low"]!), Math.Round((double)cost["ci95High"]!)));
        Assert.NotEmpty(r["methods"]!.AsArray());
        Assert.DoesNotContain("M00", r.ToJsonString());

        // Too few opinions in a period: suppressed, not shown small.
        var early = await (await analyst.GetAsync($"/api/programs/{program}/outcomes/claims?from=2020-01-01&to=2020-12-31")).JsonAsync(HttpStatusCode.OK);
        Assert.Null(early["within6Months"]!["rate"]);
        Assert.Null(early["downstreamCost"]!["difference"]);

        // The hospital view: the host institution set by a program admin (a bad NPI named by its index), then read by the hospital's analyst.
        var refused = await (await adminClient.PutAsJsonAsync($"/api/programs/{program}/host-institution", new { npis = new[] { HostNpi, "1234567890" }, state = "OH" }))
            .JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["npis[1]"], refused.ErrorFields());
        await (await adminClient.PutAsJsonAsync($"/api/programs/{program}/host-institution", new { npis = new[] { HostNpi }, state = "oh" })).JsonAsync(HttpStatusCode.OK);
        var h = await (await analyst.GetAsync($"/api/programs/{program}/outcomes/hospital")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((25, 10, 0.4), ((int)h["opinions"]!, (int)h["converted"]!, (double)h["conversionRate"]!));
        Assert.Equal(25, (int)h["patientsWithState"]!);
        Assert.Equal("OH=12 PA=12 WV=", string.Join(' ', h["states"]!.AsArray().Select(s => $"{s!["state"]}={s["patients"]}")));
        Assert.Equal(0.52, (double)h["shareOutsideHostState"]!);

        // The dashboard and its exports show the same figures (a suppressed state empty, never small).
        var page = await analyst.GetStringAsync($"/outcomes?programId={program}");
        Assert.Contains("data-metric=\"within12Months\">25 · 15 · 60.0%<", page);
        Assert.Contains("data-metric=\"conversionRate\">25 · 10 · 40.0%<", page);
        var csvExport = await analyst.GetStringAsync($"/api/programs/{program}/outcomes/export?format=csv");
        Assert.Contains("plannedProcedureWithin6Months.rate,0.4\r\n", csvExport);
        Assert.Contains("downstreamCost.difference,-1500\r\n", csvExport);
        Assert.Contains("conversionRate,0.4\r\n", csvExport);
        Assert.Contains("patients:OH,12\r\npatients:PA,12\r\npatients:WV,\r\n", csvExport);
        Assert.DoesNotContain("M00", csvExport);
        using (var xlsx = new XLWorkbook(await analyst.GetStreamAsync($"/api/programs/{program}/outcomes/export?format=xlsx")))
        {
            Assert.Equal(0.6, xlsx.Worksheet("Verified by claims").RowsUsed().Single(x => x.Cell(1).GetString() == "plannedProcedureWithin12Months.rate").Cell(2).GetDouble());
            Assert.Equal(0.52, xlsx.Worksheet("Hospital view").RowsUsed().Single(x => x.Cell(1).GetString() == "shareOutsideHostState").Cell(2).GetDouble());
        }

        var (_, employerProgram, _) = await OutcomeTestData.ProgramAsync(app, 0m, 0);
        using var otherAdmin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin, [employerProgram]));
        await (await otherAdmin.GetAsync($"/api/programs/{employerProgram}/outcomes/hospital")).JsonAsync(HttpStatusCode.Conflict);
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.ObjectType == "ProgramHospitalView" && e.ObjectId == program.ToString())));
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.ObjectType == "ProgramClaimsOutcomes" && e.ObjectId == program.ToString())));
    }
}

using System.Globalization;
using System.Text;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Outcomes;
using Consilium.Features.Programs;
using Consilium.Features.Sponsors;
using Consilium.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Outcomes;

/// <summary>One history-file row, written as the CSV the import reads.</summary>
public sealed record HistoryLine(
    string CaseId, string MemberId, string Category, DateOnly Requested, DateOnly Packet, DateOnly Opinion, string DxAgreement, string TxAgreement,
    bool SurgeryProposed, bool SurgeryRecommended, bool HospitalizationProposed, bool HospitalizationRecommended, bool SiteChange,
    decimal OriginalCost, decimal RecommendedCost, int? Satisfaction, DateOnly? Triggered = null, string? Npi = null, string? Organization = null);

public static class OutcomeTestData
{
    // Deliberately not in the issue's order: the header may list the columns in any order.
    const string Header = "member_id,case_id,category,requested_on,packet_complete_on,opinion_on,original_dx,reviewer_dx,dx_agreement,tx_agreement," +
        "surgery_proposed,surgery_recommended,hospitalization_proposed,hospitalization_recommended,site_of_care_change,original_plan_cost," +
        "recommended_plan_cost,satisfaction,triggered_on,treating_npi,treating_organization";

    public static string Csv(IEnumerable<HistoryLine> lines)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var l in lines)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{l.MemberId},{l.CaseId},{l.Category},{l.Requested:yyyy-MM-dd},{l.Packet:yyyy-MM-dd},{l.Opinion:yyyy-MM-dd},M51.16," +
                $"{(l.DxAgreement == "undetermined" ? "" : "M51.17")},{l.DxAgreement},{l.TxAgreement},{B(l.SurgeryProposed)},{B(l.SurgeryRecommended)}," +
                $"{B(l.HospitalizationProposed)},{B(l.HospitalizationRecommended)},{B(l.SiteChange)},{l.OriginalCost:0.00},{l.RecommendedCost:0.00}," +
                $"{l.Satisfaction},{l.Triggered:yyyy-MM-dd},{l.Npi},{l.Organization}\n");
        }
        return text.ToString();
    }

    static string B(bool b) => b ? "true" : "false";

    public static async Task<HistoryImportResult> ImportAsync(TestApp app, Guid programId, string csv)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("test"), "test");
        return await scope.ServiceProvider.GetRequiredService<CaseHistoryImport>()
            .ImportAsync(programId, new MemoryStream(Encoding.UTF8.GetBytes(csv)), "history.csv", CancellationToken.None);
    }

    /// <summary>A sponsor and a program (per-case fee given) with <paramref name="members"/> roster members M0000…</summary>
    public static async Task<(Guid SponsorId, Guid ProgramId, List<Guid> Members)> ProgramAsync(TestApp app, decimal caseFee, int members,
        Func<int, (Sex Sex, string State, string Language, DateOnly Birth)>? who = null)
    {
        return await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var sponsor = Sponsor.Create("Sponsor " + Guid.NewGuid().ToString("N")[..8], SponsorKind.Employer, now);
            var program = CareProgram.Create(new ProgramSettings("Program " + Guid.NewGuid().ToString("N")[..8], sponsor.Id, FundingModel.SponsorPaid, null,
                Enum.GetValues<ConditionCategory>(), caseFee), now);
            db.AddRange(sponsor, program);
            var ids = new List<Guid>();
            for (var i = 0; i < members; i++)
            {
                var (sex, state, language, birth) = who?.Invoke(i) ?? (Sex.Female, "OH", "en", new DateOnly(1970, 5, 17));
                var member = Member.Enroll(program.Id, $"M{i:D4}", "Test", "Member" + i, birth, sex, state, null, null, language, now);
                db.Add(member);
                ids.Add(member.Id);
            }
            await db.SaveChangesAsync();
            return (sponsor.Id, program.Id, ids);
        });
    }
}

/// <summary>
/// The 66 targeted members of the matched-comparison tests (absence, claims), whose answers are worked out by hand.
/// Stratum A (45-54, female): 0–11 engaged, 12–23 not. Stratum B (55-64, male): 24–35 engaged, 36–59 not. 60–64 (18-34,
/// female) are not engaged and have no engaged peer; 65 (18-34, male) is engaged without a peer: both left out.
/// </summary>
public static class MatchedCohort
{
    public const int Members = 66;

    public static (Sex Sex, DateOnly Birth) Who(int i) => i switch
    {
        < 24 => (Sex.Female, new DateOnly(1975, 5, 17)),
        < 60 => (Sex.Male, new DateOnly(1965, 5, 17)),
        < 65 => (Sex.Female, new DateOnly(1995, 5, 17)),
        _ => (Sex.Male, new DateOnly(1995, 5, 17)),
    };

    public static bool Engaged(int i) => i < 12 || i is >= 24 and < 36 || i == 65;

    /// <summary>The member's outcome: days away in the absence test, hundreds of dollars of downstream charges in the claims test.</summary>
    public static int Value(int i) => i switch
    {
        < 12 => i < 6 ? 10 : 20,
        < 24 => i < 18 ? 30 : 40,
        < 36 => i < 30 ? 0 : 10,
        < 60 => i < 48 ? 10 : 20,
        < 65 => 50,
        _ => 5,
    };
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Consilium.Documents;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Programs;
using Consilium.Features.Records;
using Consilium.Features.Sponsors;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Opinions;

public sealed record OpinionCase(Guid CaseId, Guid ProgramId, Guid MemberId, TestUser Reviewer, TestUser Coordinator, TestUser Patient, string MemberEmail);

/// <summary>
/// A case ready for the review workspace: a program, a member with an email address, the member's two questions, an
/// authorization naming the program, the reviewing physician and the local physician, and a reviewer assigned through the
/// domain (Case.AssignReviewer), as the matching feature will do.
/// </summary>
public static class OpinionTestData
{
    public static readonly string[] Questions =
    [
        "Do I really need the fusion surgery now?",
        "What happens if I wait and try therapy first?",
    ];

    public const string AnswerOne = "Not now. Your images and symptoms point to a disc problem that most often settles without surgery.";
    public const string AnswerTwo = "Most people in your situation improve within twelve weeks of therapy, and surgery stays available if you do not.";
    public const string ReviewerDiagnosis = "Lumbosacral disc herniation with radiculopathy";
    public const string Recommendation = "Twelve weeks of structured physical therapy with an epidural injection if the leg pain persists";

    public static async Task<OpinionCase> ArrangeAsync(TestApp app, CaseStatus stage = CaseStatus.Assigned, ConsultMode? mode = ConsultMode.DirectOpinion,
        ConsentRecipients recipients = ConsentRecipients.Program | ConsentRecipients.ReviewingPhysician | ConsentRecipients.LocalPhysician,
        int? opinionBusinessDays = null)
    {
        var email = $"member-{Guid.NewGuid():N}@example.test";
        var (programId, memberId) = await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow();
            var sponsor = Sponsor.Create("Sponsor " + Guid.NewGuid().ToString("N")[..8], SponsorKind.Employer, now);
            var program = CareProgram.Create("Program " + Guid.NewGuid().ToString("N")[..8], sponsor.Id, FundingModel.SponsorPaid, null,
                Enum.GetValues<ConditionCategory>(), now);
            var member = Member.Enroll(program.Id, "M" + Guid.NewGuid().ToString("N")[..10], "Zelda", "Quintero-Test",
                new DateOnly(1970, 5, 17), Sex.Female, "OH", email, null, "en", now);
            db.AddRange(sponsor, program, member);
            await db.SaveChangesAsync();
            return (program.Id, member.Id);
        });
        var reviewer = await app.CreateUserAsync(Roles.Reviewer);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [programId]);
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: memberId);
        var caseId = await app.WithDbAsync(async db =>
        {
            var actor = new Actor(coordinator.Id, "Test coordinator", Roles.Coordinator);
            var now = app.Clock.GetUtcNow();
            var intake = new CaseIntake(Questions, ["M51.16"], "Lumbar disc herniation with radiculopathy", ["22612"], "Posterior lumbar fusion",
                new TreatingPhysician("Dr. Lena Ortiz", null, "Riverside Orthopedics", null), Urgency.Routine, "en", "OH", null);
            var @case = Case.Open(programId, memberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Lumbar fusion proposed for leg pain",
                CaseStatus.Intake, actor, now, coordinator.Id, intake, opinionBusinessDays is { } days ? new SlaTargets(2, 7, days) : null);
            foreach (var next in TestApp.MainPath[2..(Array.IndexOf(TestApp.MainPath, stage) + 1)])
            {
                if (next == CaseStatus.Assigned) @case.AssignReviewer(reviewer.Id, now);
                @case.TransitionTo(next, actor, null, now);
            }
            @case.SetConsultMode(mode, now);
            db.Cases.Add(@case);
            db.Add(Consent.Sign(@case.Id, memberId, [RecordCategory.Imaging, RecordCategory.ClinicalNotes], ["Riverside Orthopedics"], recipients, null,
                DateOnly.FromDateTime(now.UtcDateTime).AddDays(300), "Zelda Quintero-Test", "Zelda Quintero-Test", patient.Id, "127.0.0.1", now));
            await db.SaveChangesAsync();
            return @case.Id;
        });
        return new OpinionCase(caseId, programId, memberId, reviewer, coordinator, patient, email);
    }

    /// <summary>A complete, coherent opinion: refined diagnosis, surgery not recommended, a center of excellence.</summary>
    public static JsonObject Draft() => new()
    {
        ["diagnosis"] = new JsonObject
        {
            ["originalCodes"] = new JsonArray("M51.16"),
            ["originalText"] = "Lumbar disc herniation with radiculopathy",
            ["reviewerCodes"] = new JsonArray("M51.17"),
            ["reviewerText"] = ReviewerDiagnosis,
            ["agreement"] = "Refined",
            ["confidence"] = "High",
        },
        ["treatment"] = new JsonObject
        {
            ["proposed"] = new JsonObject { ["surgery"] = true, ["procedureCode"] = "22612", ["procedureText"] = "Posterior lumbar fusion", ["hospitalization"] = true },
            ["recommended"] = new JsonObject
            {
                ["surgery"] = false, ["hospitalization"] = false, ["alternatives"] = new JsonArray("PhysicalTherapy", "Medication"),
                ["description"] = Recommendation,
            },
            ["agreement"] = "Change",
        },
        ["siteOfCare"] = new JsonObject { ["recommendation"] = "CenterOfExcellence", ["reason"] = "A spine center with a nonoperative program" },
        ["options"] = new JsonArray(
            new JsonObject { ["name"] = "Physical therapy", ["benefits"] = "Relieves pain in most patients", ["risks"] = "Slow", ["rationale"] = "First line", ["recommended"] = true },
            new JsonObject { ["name"] = "Lumbar fusion", ["benefits"] = "Stabilizes the spine", ["risks"] = "Adjacent segment disease", ["rationale"] = "No instability shown", ["recommended"] = false }),
        ["evidence"] = new JsonArray(new JsonObject { ["citation"] = "Weinstein JN et al. Surgical vs nonoperative treatment for lumbar disk herniation. JAMA 2006", ["url"] = "https://jamanetwork.com/journals/jama/fullarticle/204279" }),
        ["answers"] = new JsonArray(AnswerOne, AnswerTwo),
        ["nextSteps"] = new JsonArray("Ask your doctor for a referral to physical therapy", "Call your care coordinator to find a spine center"),
        ["urgency"] = "Routine",
        ["summaryForMember"] = "Surgery is not needed now; therapy first.",
        ["clinicalDiscussion"] = "MRI shows an L5 S1 extrusion without instability; conservative care is indicated.",
    };

    public static async Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, JsonNode body) =>
        await client.PutAsync(url, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

    /// <summary>Drafts and signs <see cref="Draft"/> as the reviewer.</summary>
    public static async Task<JsonNode> SignAsync(TestApp app, OpinionCase c, JsonObject? draft = null)
    {
        using var reviewer = app.ClientFor(c.Reviewer);
        await (await reviewer.PutJsonAsync($"/api/cases/{c.CaseId}/opinion/draft", draft ?? Draft())).JsonAsync(System.Net.HttpStatusCode.OK);
        return await (await reviewer.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/sign", new { attest = true })).JsonAsync(System.Net.HttpStatusCode.OK);
    }

    /// <summary>The PDF's text with all runs of white space made single spaces, so wrapped lines read as sentences.</summary>
    public static string Text(byte[] pdf) => Regex.Replace(string.Join(" ", PdfText.Extract(pdf)), @"\s+", " ");

    /// <summary>The first email the pickup delivery wrote into the app's outbox folder that satisfies <paramref name="match"/>.</summary>
    public static async Task<MimeKit.MimeMessage> PickedUpAsync(TestApp app, Func<MimeKit.MimeMessage, bool> match)
    {
        var folder = Path.Combine(app.DataDirectory, "outbox");
        for (var i = 0; i < 200; i++)
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.GetFiles(folder, "*.eml"))
                {
                    var message = await MimeKit.MimeMessage.LoadAsync(file);
                    if (match(message)) return message;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("No matching email in " + folder);
    }

    public static IEnumerable<MimeKit.MimeMessage> PickedUp(TestApp app)
    {
        var folder = Path.Combine(app.DataDirectory, "outbox");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.eml").Select(f => MimeKit.MimeMessage.Load(f)).ToList() : [];
    }
}

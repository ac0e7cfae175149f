using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Opinions;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Opinions;

/// <summary>The structured opinion: coherence rules, signing through the case lifecycle, immutability, amendments and who may see what.</summary>
public sealed class OpinionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string>> Incoherent() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new[]
        {
            ("changed-same-code", "diagnosis.reviewerCodes"),
            ("confirmed-other-code", "diagnosis.reviewerCodes"),
            ("cannot-determine-with-confidence", "diagnosis.confidence"),
            ("agree-with-other-plan", "treatment.agreement"),
            ("modify-but-surgery-dropped", "treatment.agreement"),
            ("procedure-without-surgery", "treatment.recommended.surgery"),
            ("other-provider-without-reason", "siteOfCare.reason"),
            ("answer-to-no-question", "answers[2]"),
            ("not-an-icd-code", "diagnosis.reviewerCodes[0]"),
        }
        select new TheoryDataRow<DatabaseKind, string, string>(db, row.Item1, row.Item2);

    [Theory]
    [MemberData(nameof(Incoherent))]
    public async Task SaveDraft_IncoherentOpinion_Is400NamingTheFieldAndNothingIsStored(DatabaseKind db, string kind, string field)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        var draft = OpinionTestData.Draft();
        var diagnosis = draft["diagnosis"]!.AsObject();
        var treatment = draft["treatment"]!.AsObject();
        switch (kind)
        {
            case "changed-same-code": diagnosis["agreement"] = "Changed"; diagnosis["reviewerCodes"] = new JsonArray("M51.16", "G57.00"); break;
            case "confirmed-other-code": diagnosis["agreement"] = "Confirmed"; break;
            case "cannot-determine-with-confidence":
                diagnosis["agreement"] = "CannotDetermine"; diagnosis["reviewerCodes"] = new JsonArray(); diagnosis["additionalInformationNeeded"] = "An MRI";
                break;
            case "agree-with-other-plan": treatment["agreement"] = "Agree"; break;
            case "modify-but-surgery-dropped": treatment["agreement"] = "Modify"; break;
            case "procedure-without-surgery": treatment["recommended"]!["procedureCode"] = "22612"; break;
            case "other-provider-without-reason": draft["siteOfCare"] = new JsonObject { ["recommendation"] = "DifferentProvider" }; break;
            case "answer-to-no-question": draft["answers"]!.AsArray().Add("An answer to a question nobody asked"); break;
            default: diagnosis["reviewerCodes"] = new JsonArray("lumbar"); break;
        }
        using var reviewer = app.ClientFor(c.Reviewer);

        var problem = await (await reviewer.PutJsonAsync($"/api/cases/{c.CaseId}/opinion/draft", draft)).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Contains(field, problem.ErrorFields());
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<Opinion>().CountAsync(o => o.CaseId == c.CaseId)));
        Assert.Equal(CaseStatus.Assigned, await app.WithDbAsync(d => d.Cases.Where(x => x.Id == c.CaseId).Select(x => x.Status).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Sign_WithAQuestionUnanswered_Is400NamingTheAnswerAndTheCaseStaysInReview(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        var draft = OpinionTestData.Draft();
        draft["answers"] = new JsonArray(OpinionTestData.AnswerOne);
        using var reviewer = app.ClientFor(c.Reviewer);

        await (await reviewer.PutJsonAsync($"/api/cases/{c.CaseId}/opinion/draft", draft)).JsonAsync(HttpStatusCode.OK);
        var problem = await (await reviewer.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/sign", new { attest = true })).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["answers[1]"], problem.ErrorFields());
        Assert.Equal(CaseStatus.InReview, await app.WithDbAsync(d => d.Cases.Where(x => x.Id == c.CaseId).Select(x => x.Status).SingleAsync()));
        Assert.False(await app.WithDbAsync(d => d.Set<Opinion>().AnyAsync(o => o.CaseId == c.CaseId && o.Status == OpinionStatus.Signed)));
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<OpinionReport>().CountAsync(r => r.CaseId == c.CaseId)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Sign_MovesTheCaseToOpinionDeliveredThroughTheLifecycle_AndABareTransitionThereIsRefused(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app, CaseStatus.InReview);
        using var coordinator = app.ClientFor(c.Coordinator);

        var bare = await (await coordinator.PostJsonAsync($"/api/cases/{c.CaseId}/transitions", new { to = "OpinionDelivered" })).JsonAsync(HttpStatusCode.Conflict);
        var signed = await OpinionTestData.SignAsync(app, c);

        Assert.Contains("signs the opinion", (string?)bare["detail"]);
        Assert.Equal(1, (int?)signed["number"]);
        var last = await app.WithDbAsync(d => d.CaseTransitions.Where(t => t.CaseId == c.CaseId).OrderByDescending(t => t.Sequence).FirstAsync());
        Assert.Equal((CaseStatus.InReview, CaseStatus.OpinionDelivered, c.Reviewer.Id), (last.From!.Value, last.To, last.ActorUserId!.Value));
        Assert.Equal(2, await app.WithDbAsync(d => d.Set<OpinionReport>().CountAsync(r => r.CaseId == c.CaseId)));
        // The care plan follows: a center of excellence was recommended, so navigation opens; follow-ups at 30 and 90 days.
        Assert.Equal(1, await app.WithDbAsync(d => d.Set<Features.CareNavigation.NavigationTask>().CountAsync(t => t.CaseId == c.CaseId)));
        Assert.Equal([30, 90], await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>().Where(f => f.CaseId == c.CaseId).OrderBy(f => f.DayMark).Select(f => f.DayMark).ToListAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SignedOpinion_IsImmutable_AndAnAmendmentIsANewVersionWithItsReasonAndHistory(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        await OpinionTestData.SignAsync(app, c);
        using var reviewer = app.ClientFor(c.Reviewer);

        // Neither the API nor the database lets a signed version change.
        var edit = await reviewer.PutJsonAsync($"/api/cases/{c.CaseId}/opinion/draft", OpinionTestData.Draft());
        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => app.WithDbAsync(d =>
            d.Database.ExecuteSqlRawAsync("UPDATE \"Opinions\" SET \"ContentJson\" = '{}' WHERE \"CaseId\" = {0}", c.CaseId)));
        await Assert.ThrowsAnyAsync<Exception>(() => app.WithDbAsync(d =>
            d.Database.ExecuteSqlRawAsync("DELETE FROM \"OpinionReports\" WHERE \"CaseId\" = {0}", c.CaseId)));

        var noReason = await (await reviewer.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/amendments", new { reason = " " })).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["reason"], noReason.ErrorFields());
        var amendment = await (await reviewer.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/amendments", new { reason = "Pathology report arrived late" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(1, (int?)amendment["amendsNumber"]);
        var changed = OpinionTestData.Draft();
        changed["diagnosis"]!["confidence"] = "Moderate";
        changed["siteOfCare"] = new JsonObject { ["recommendation"] = "SameProvider" };
        var v2 = await OpinionTestData.SignAsync(app, c, changed);

        using var coordinator = app.ClientFor(c.Coordinator);
        var opinion = await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/opinion")).JsonAsync(HttpStatusCode.OK);
        var v1 = await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/opinion?version=1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int?)v2["number"]);
        Assert.Equal(2, (int?)opinion["current"]!["number"]);
        Assert.Equal("Moderate", (string?)opinion["current"]!["content"]!["diagnosis"]!["confidence"]);
        Assert.Equal("High", (string?)v1["content"]!["diagnosis"]!["confidence"]);
        Assert.Equal([null, "Pathology report arrived late"], opinion["history"]!.AsArray().Select(h => (string?)h!["amendmentReason"]));
        Assert.All(opinion["history"]!.AsArray(), h => Assert.True((bool)h!["intact"]!));
        Assert.Equal(CaseStatus.OpinionDelivered, await app.WithDbAsync(d => d.Cases.Where(x => x.Id == c.CaseId).Select(x => x.Status).SingleAsync()));
        // The amendment no longer recommends another provider: the navigation task is cancelled, not left open.
        Assert.Equal(Features.CareNavigation.NavigationStatus.Cancelled,
            await app.WithDbAsync(d => d.Set<Features.CareNavigation.NavigationTask>().Where(t => t.CaseId == c.CaseId).Select(t => t.Status).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Workspace_IsOnlyForTheAssignedReviewerWhileConsentIsValid_AndNobodyElseSeesADraft(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        var otherReviewer = await app.CreateUserAsync(Features.Identity.Roles.Reviewer);
        using var reviewer = app.ClientFor(c.Reviewer);
        using var other = app.ClientFor(otherReviewer);
        using var coordinator = app.ClientFor(c.Coordinator);
        using var patient = app.ClientFor(c.Patient);

        var workspace = await (await reviewer.GetAsync($"/api/cases/{c.CaseId}/workspace")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(OpinionTestData.Questions, workspace["questions"]!.AsArray().Select(q => (string?)q));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/cases/{c.CaseId}/workspace")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutJsonAsync($"/api/cases/{c.CaseId}/opinion/draft", OpinionTestData.Draft())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"/api/cases/{c.CaseId}/workspace")).StatusCode);

        await (await reviewer.PutJsonAsync($"/api/cases/{c.CaseId}/opinion/draft", OpinionTestData.Draft())).JsonAsync(HttpStatusCode.OK);
        var own = await (await reviewer.GetAsync($"/api/cases/{c.CaseId}/opinion")).JsonAsync(HttpStatusCode.OK);
        Assert.NotNull(own["draft"]);
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.GetAsync($"/api/cases/{c.CaseId}/opinion")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await patient.GetAsync($"/api/cases/{c.CaseId}/opinion")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.GetAsync($"/api/cases/{c.CaseId}/opinion/report.pdf?kind=Member")).StatusCode);

        // The member revokes the authorization: the reviewer is cut off at once.
        await app.WithDbAsync(async d =>
        {
            var consent = await d.Set<Consent>().SingleAsync(x => x.CaseId == c.CaseId);
            consent.Revoke("Zelda Quintero-Test", "Changed my mind", app.Clock.GetUtcNow());
            await d.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync($"/api/cases/{c.CaseId}/workspace")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/sign", new { attest = true })).StatusCode);

        // Unassigned: nothing at all.
        await app.WithDbAsync(async d =>
        {
            var @case = await d.Cases.SingleAsync(x => x.Id == c.CaseId);
            @case.AssignReviewer(otherReviewer.Id, app.Clock.GetUtcNow());
            await d.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync($"/api/cases/{c.CaseId}/workspace")).StatusCode);

        var refusals = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.PatientId == c.MemberId && e.Outcome == AuditOutcome.Denied).Select(e => e.Reason).ToListAsync());
        Assert.Contains("not the case's assigned reviewer", refusals);
        Assert.Contains("no active authorization naming the reviewer", refusals);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task AfterSigning_CoordinatorAndMemberSeeTheSignedVersionButNeverTheNextDraft(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        await OpinionTestData.SignAsync(app, c);
        using var reviewer = app.ClientFor(c.Reviewer);
        await (await reviewer.PostJsonAsync($"/api/cases/{c.CaseId}/opinion/amendments", new { reason = "Typo in the summary" })).JsonAsync(HttpStatusCode.Created);
        using var coordinator = app.ClientFor(c.Coordinator);
        using var patient = app.ClientFor(c.Patient);

        var seenByCoordinator = await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/opinion")).JsonAsync(HttpStatusCode.OK);
        var seenByMember = await (await patient.GetAsync($"/api/cases/{c.CaseId}/opinion")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, (int?)seenByCoordinator["current"]!["number"]);
        Assert.Null(seenByCoordinator["draft"]);
        Assert.Null(seenByMember["draft"]);
        var reads = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.PatientId == c.MemberId && e.ObjectType == "Opinion" && e.Action == AuditAction.Read).CountAsync());
        Assert.True(reads >= 2);
    }
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task FollowUpSurvey_OpensToTheMemberWhenDue_IsAnsweredOnce_AuditedAndRefusedToStaff(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await OpinionTestData.ArrangeAsync(app);
        await OpinionTestData.SignAsync(app, c);
        using var member = app.ClientFor(c.Patient);
        using var coordinator = app.ClientFor(c.Coordinator);
        var page = $"/my/cases/{c.CaseId}/opinion";

        // The antiforgery token of a page the user has a form on (the member's: this page while the survey is open).
        var tokens = new Dictionary<HttpClient, string>();
        async Task TokenAsync(HttpClient client, string from)
        {
            var form = await (await client.GetAsync(from)).Content.ReadAsStringAsync();
            tokens[client] = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            Assert.NotEmpty(tokens[client]);
        }
        async Task<(HttpStatusCode Status, string Html)> AnswerAsync(HttpClient client, Guid followUpId, params (string Name, string Value)[] fields)
        {
            using var content = new FormUrlEncodedContent([new("__RequestVerificationToken", tokens[client]), new("followUpId", followUpId.ToString()),
                .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
            var response = await client.PostAsync($"{page}?handler=Survey", content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var followUps = await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>().Where(f => f.CaseId == c.CaseId).OrderBy(f => f.DayMark).Select(f => f.Id).ToListAsync());

        // Not due yet: no survey on the page.
        Assert.DoesNotContain("data-testid=\"survey\"", await (await member.GetAsync(page)).Content.ReadAsStringAsync());

        // Thirty days on (the follow-up's due date brought to today), the member sees the survey; the 90-day one stays closed.
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>().Where(f => f.Id == followUps[0]).ExecuteUpdateAsync(s => s.SetProperty(f => f.DueOn, today)));
        Assert.Contains("data-testid=\"survey\"", await (await member.GetAsync(page)).Content.ReadAsStringAsync());
        await TokenAsync(member, page);
        await TokenAsync(coordinator, $"/cases/{c.CaseId}");
        var early = await AnswerAsync(member, followUps[1], ("followed", "Yes"));
        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.Contains("This survey opens on", early.Html);
        var outOfRange = await AnswerAsync(member, followUps[0], ("followed", "Partly"), ("satisfaction", "11"));
        var staff = await AnswerAsync(coordinator, followUps[0], ("followed", "Yes"));
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.Status);
        Assert.Contains("0 to 10", outOfRange.Html);
        Assert.Equal(HttpStatusCode.Forbidden, staff.Status);
        Assert.Equal(Features.CareNavigation.FollowUpStatus.Due,
            await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>().Where(f => f.Id == followUps[0]).Select(f => f.Status).SingleAsync()));

        var answered = await AnswerAsync(member, followUps[0], ("followed", "Partly"), ("satisfaction", "9"), ("comment", "Physical therapy first, as advised."));
        var again = await AnswerAsync(member, followUps[0], ("followed", "Yes"));

        Assert.Equal(HttpStatusCode.Redirect, answered.Status);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        var stored = await app.WithDbAsync(d => d.Set<Features.CareNavigation.OutcomeFollowUp>().AsNoTracking().SingleAsync(f => f.Id == followUps[0]));
        Assert.Equal((Features.CareNavigation.FollowUpStatus.Completed, Features.CareNavigation.FollowedRecommendation.Partly, 9, "Physical therapy first, as advised."),
            (stored.Status, stored.Followed, stored.Satisfaction!.Value, stored.Notes));
        Assert.Equal(1, await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.ObjectId == followUps[0].ToString() && e.PatientId == c.MemberId
            && e.Action == AuditAction.Update && e.Reason!.Contains("answered by the member"))));
        Assert.DoesNotContain("data-testid=\"survey\"", await (await member.GetAsync(page)).Content.ReadAsStringAsync());
    }
}

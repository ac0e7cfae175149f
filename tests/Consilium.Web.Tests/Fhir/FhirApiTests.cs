// The SDK's model marks every element nullable; the assertions here are what checks them.
#nullable disable warnings
using System.Net;
using System.Net.Http.Headers;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Tests.Documents;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Consilium.Tests.Opinions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using FhirTask = Hl7.Fhir.Model.Task;
using Task = System.Threading.Tasks.Task;

namespace Consilium.Tests.Fhir;

/// <summary>
/// The FHIR R4 API with Firely's FhirClient as the EHR or payer would use it, against the running app on both databases.
/// The client parses every answer with the SDK's strict deserializer; raw answers are parsed strictly by the tests.
/// </summary>
public sealed class FhirApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Transaction_OpensOneCase_AResendDoesNotDuplicate_AndTheTaskFollowsTheStagesToTheSignedOpinion(DatabaseKind db)
    {
        var (app, program, partner, coordinator) = await ArrangeAsync(db);
        var payer = app.FhirClientFor(partner);
        var referral = FhirTestData.Referral(program, "R-" + Guid.NewGuid().ToString("N")[..8], questions: ["Is surgery needed now?", "What if I wait?"]);

        var created = await payer.TransactionAsync(referral);
        var resent = await payer.TransactionAsync(referral);

        Assert.Equal(["201 Created", "200 OK", "200 OK"], created!.Entry.Select(e => e.Response.Status));
        Assert.Equal("200 OK", resent!.Entry[0].Response.Status);
        var request = Assert.IsType<ServiceRequest>(created.Entry[0].Resource);
        Assert.Equal(request.Id, Assert.IsType<ServiceRequest>(resent.Entry[0].Resource).Id);
        Assert.Equal(1, await app.WithDbAsync(d => d.Cases.CountAsync(c => c.ProgramId == program)));
        Assert.Contains(request.Identifier, i => i.System == FhirTestData.ReferralSystem && i.Value == ((ServiceRequest)referral.Entry[0].Resource).Identifier[0].Value);
        Assert.Equal(["Lumbar fusion proposed for leg pain", "Is surgery needed now?", "What if I wait?"], request.Note.Select(n => n.Text));
        Assert.Equal("M51.16", request.ReasonCode.Single().Coding.Single().Code);
        Assert.Equal(("Dr. Ada Quinn", "1234567893"), (request.Requester.Display, request.Requester.Identifier.Value));

        // The coordinator follows the Task: the case stage in businessStatus, the opinion in output once signed.
        var staff = app.FhirClientFor(coordinator);
        var caseId = Guid.Parse(request.Id);
        var task = await staff.ReadAsync<FhirTask>($"Task/{caseId}");
        Assert.Equal((FhirTask.TaskStatus.Requested, "Referred"), (task!.Status, task.BusinessStatus.Coding.Single().Code));
        Assert.Equal($"ServiceRequest/{caseId}", task.Focus.Reference);
        Assert.Empty(task.Output);

        var reviewer = await app.CreateUserAsync(Roles.Reviewer);
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: Guid.Parse(request.Subject.Reference["Patient/".Length..]));
        await MoveAsync(app, caseId, coordinator, CaseStatus.Intake);
        Assert.Equal((FhirTask.TaskStatus.Accepted, "Intake"), await StageAsync(staff, caseId));
        await MoveAsync(app, caseId, coordinator, CaseStatus.Assigned, reviewer, patient);
        Assert.Equal((FhirTask.TaskStatus.InProgress, "Assigned"), await StageAsync(staff, caseId));

        await OpinionTestData.SignAsync(app, new OpinionCase(caseId, program, Guid.Parse(request.Subject.Reference["Patient/".Length..]), reviewer, coordinator, patient, ""));
        task = await staff.ReadAsync<FhirTask>($"Task/{caseId}");
        Assert.Equal((FhirTask.TaskStatus.Completed, "OpinionDelivered"), (task!.Status, task.BusinessStatus.Coding.Single().Code));
        var output = Assert.IsType<ResourceReference>(Assert.Single(task.Output).Value);

        var report = await staff.ReadAsync<DiagnosticReport>(output.Reference);
        Assert.Equal(DiagnosticReport.DiagnosticReportStatus.Final, report!.Status);
        Assert.Equal($"ServiceRequest/{caseId}", report.BasedOn.Single().Reference);
        var codes = report.ConclusionCode.SelectMany(c => c.Coding).Select(c => (c.System, c.Code)).ToList();
        Assert.Contains(("urn:consilium:diagnosis-agreement", "Refined"), codes);
        Assert.Contains(("urn:consilium:treatment-agreement", "Change"), codes);
        Assert.Contains(("urn:consilium:recommendation", "surgery-not-recommended"), codes);
        Assert.Contains(("urn:consilium:site-of-care", "CenterOfExcellence"), codes);
        Assert.Contains(("http://hl7.org/fhir/sid/icd-10-cm", "M51.17"), codes);
        var composition = await staff.ReadAsync<Composition>($"Composition/{report.Id}");
        Assert.Contains(composition!.Section, s => s.Title == "Diagnosis");
        Assert.Contains(composition.Section, s => s.Entry.Any(e => e.Reference == $"DiagnosticReport/{report.Id}"));
        // The member reads their own opinion through FHIR too; the partner's role does not read opinions in any API.
        Assert.Equal(report.Id, (await app.FhirClientFor(patient).ReadAsync<DiagnosticReport>(output.Reference))!.Id);
        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => payer.ReadAsync<DiagnosticReport>(output.Reference));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.NotNull(refused.Outcome);

        var audited = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.UserId == coordinator.Id && e.ObjectType == "Opinion" && e.Action == AuditAction.Read)
            .Select(e => e.Reason).ToListAsync());
        Assert.Contains(audited, r => r != null && r.StartsWith("FHIR API (DiagnosticReport", StringComparison.Ordinal));
        Assert.Contains(audited, r => r != null && r.StartsWith("FHIR API (Composition", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Search_PagesWithNextLinks_AndFiltersByIdentifierPatientStatusAndLastUpdated(DatabaseKind db)
    {
        var (app, program, partner, coordinator) = await ArrangeAsync(db);
        var payer = app.FhirClientFor(partner);
        var ids = new List<string>();
        var start = app.Clock.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(10));
            var response = await payer.TransactionAsync(FhirTestData.Referral(program, $"P{i}-{Guid.NewGuid():N}"));
            ids.Add(response!.Entry[0].Resource.Id);
        }
        var memberId = (await payer.TransactionAsync(FhirTestData.Referral(program, $"P0-x"))).Entry[1].Resource.Id;
        ids.Add((await payer.TransactionAsync(FhirTestData.Referral(program, "P0-x")))!.Entry[0].Resource.Id);
        ids = ids.Distinct().ToList();
        var staff = app.FhirClientFor(coordinator);

        var page = await staff.SearchAsync<FhirTask>(new SearchParams().Where($"patient=Patient/{memberId}").LimitTo(2));
        Assert.Equal(6, page!.Total);
        var seen = new List<string>();
        var pages = 0;
        while (page is not null)
        {
            pages++;
            Assert.True(page.Entry.Count <= 2);
            seen.AddRange(page.Entry.Select(e => e.Resource.Id));
            page = await staff.ContinueAsync(page);
        }
        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), seen.Order());

        var byIdentifier = await staff.SearchAsync<ServiceRequest>(new SearchParams().Where($"identifier={FhirTestData.ReferralSystem}|P0-x"));
        Assert.Equal(ids[^1], Assert.Single(byIdentifier!.Entry).Resource.Id);
        var recent = await staff.SearchAsync<FhirTask>(new SearchParams().Where($"patient={memberId}")
            .Where($"_lastUpdated=gt{start.AddMinutes(35):yyyy-MM-ddTHH:mm:ssZ}"));
        Assert.Equal(new[] { ids[3], ids[4], ids[5] }.Order(), recent!.Entry.Select(e => e.Resource.Id).Order());
        await MoveAsync(app, Guid.Parse(ids[2]), coordinator, CaseStatus.Intake);
        var accepted = await staff.SearchAsync<FhirTask>(new SearchParams().Where($"patient={memberId}").Where("status=accepted"));
        Assert.Equal(ids[2], Assert.Single(accepted!.Entry).Resource.Id);
        var requested = await staff.SearchAsync<FhirTask>(new SearchParams().Where($"patient={memberId}").Where("status=requested"));
        Assert.Equal(5, requested!.Total);

        // Another program's coordinator finds none of them, and reading one is refused as not found (and audited).
        var outsider = await app.CreateUserAsync(Roles.Coordinator, [(await app.CreateProgramAsync()).ProgramId]);
        var other = app.FhirClientFor(outsider);
        Assert.Equal(0, (await other.SearchAsync<FhirTask>(new SearchParams().Where($"patient={memberId}")))!.Total);
        var missing = await Assert.ThrowsAsync<FhirOperationException>(() => other.ReadAsync<FhirTask>($"Task/{ids[0]}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.UserId == outsider.Id && e.ObjectId == ids[0] && e.Outcome == AuditOutcome.Denied)));
        // Every Task the coordinator's searches returned was an audited access.
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.UserId == coordinator.Id && e.Action == AuditAction.Query && e.ObjectType == "Case")) >= 6);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Errors_AreOperationOutcomesWithTheRightStatus_AndABadReferralWritesNothing(DatabaseKind db)
    {
        var (app, program, partner, coordinator) = await ArrangeAsync(db);
        using var staff = app.ClientFor(coordinator);
        using var anonymous = app.AnonymousClient();
        using var auditorClient = app.ClientFor(await app.CreateUserAsync(Roles.Auditor));

        await OutcomeAsync(await staff.GetAsync("/fhir/Task?colour=blue"), HttpStatusCode.BadRequest, "colour");
        await OutcomeAsync(await staff.GetAsync("/fhir/Task?_lastUpdated=yesterday"), HttpStatusCode.BadRequest, "_lastUpdated");
        await OutcomeAsync(await staff.GetAsync($"/fhir/Task/{Guid.NewGuid()}"), HttpStatusCode.NotFound, null);
        await OutcomeAsync(await anonymous.GetAsync("/fhir/Task"), HttpStatusCode.Unauthorized, null);
        await OutcomeAsync(await auditorClient.GetAsync("/fhir/Task"), HttpStatusCode.Forbidden, null);
        await OutcomeAsync(await staff.GetAsync("/fhir/AuditEvent"), HttpStatusCode.Forbidden, null);
        await OutcomeAsync(await staff.GetAsync("/fhir/Observation"), HttpStatusCode.NotFound, null);

        using var payer = app.ClientFor(partner);
        var noIdentifier = FhirTestData.Referral(program, "X1");
        ((ServiceRequest)noIdentifier.Entry[0].Resource).Identifier.Clear();
        noIdentifier.Entry[0].Request.IfNoneExist = null;
        await OutcomeAsync(await PostAsync(payer, noIdentifier), HttpStatusCode.BadRequest, "ServiceRequest.identifier");
        await OutcomeAsync(await PostAsync(payer, FhirTestData.Referral(program, "X2", birthDate: "1971-04-13")), HttpStatusCode.BadRequest, "Patient.identifier");
        var badCode = FhirTestData.Referral(program, "X3");
        ((ServiceRequest)badCode.Entry[0].Resource).ReasonCode[0].Coding[0].Code = "5116M";
        await OutcomeAsync(await PostAsync(payer, badCode), HttpStatusCode.BadRequest, "ServiceRequest.reasonCode[0].coding[0]");
        var withDocument = FhirTestData.Referral(program, "X4");
        withDocument.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = "urn:uuid:5e0a6c1e-4f4b-4d61-9d0c-3c0a1d2b7f09",
            Resource = new DocumentReference { Status = DocumentReferenceStatus.Current, Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "application/pdf", Data = [1, 2, 3] } }] },
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "DocumentReference" },
        });
        await OutcomeAsync(await PostAsync(payer, withDocument), (HttpStatusCode)422, "Bundle.entry[3].resource");
        var notFhir = await payer.PostAsync("/fhir", new StringContent("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"colour\":1}", null, "application/fhir+json"));
        await OutcomeAsync(notFhir, HttpStatusCode.BadRequest, null);
        Assert.Equal(0, await app.WithDbAsync(d => d.Cases.CountAsync(c => c.ProgramId == program)));

        // The CapabilityStatement names exactly what is served.
        var metadata = await anonymous.GetAsync("/fhir/metadata");
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var statement = FhirTestData.Parse<CapabilityStatement>(await metadata.Content.ReadAsStringAsync());
        Assert.Equal(["AuditEvent", "Binary", "Composition", "Consent", "DiagnosticReport", "DocumentReference", "ImagingStudy", "Patient", "ServiceRequest", "Task"],
            statement.Rest.Single().Resource.Select(r => r.Type).Order());
        Assert.Equal(FHIRVersion.N4_0_1, statement.FhirVersion);

        // Auditors read the trail as AuditEvents.
        var events = await app.FhirClientFor(await app.CreateUserAsync(Roles.Auditor)).SearchAsync<AuditEvent>(new SearchParams().LimitTo(5));
        Assert.Equal(5, events!.Entry.Count);
        Assert.Contains(events.Link, l => l.Relation == "next");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task DocumentsAndBinary_FollowTheAuthorization_AndImagingStudiesComeFromTheDicomIndex(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await DocumentCase.ArrangeAsync(app);
        using var coordinatorHttp = app.ClientFor(c.Coordinator);
        var pdf = DocumentTestData.Pdf("Operative note for the FHIR test.");
        Assert.Equal(HttpStatusCode.Created, (await coordinatorHttp.UploadAsync(c.CaseId, pdf, "note.pdf")).StatusCode);
        var dicom = DocumentTestData.SharedRoot is null ? null : DocumentTestData.ValidDicom().FirstOrDefault();
        if (dicom is not null)
            Assert.Equal(HttpStatusCode.Created, (await coordinatorHttp.UploadAsync(c.CaseId, File.ReadAllBytes(DocumentTestData.PathOf(dicom)), "image.dcm")).StatusCode);
        var staff = app.FhirClientFor(c.Coordinator);

        var documents = await staff.SearchAsync<DocumentReference>(new SearchParams().Where($"patient=Patient/{c.Scenario.MemberId}"));
        var note = documents!.Entry.Select(e => (DocumentReference)e.Resource).Single(d => d.Content[0].Attachment.ContentType == "application/pdf");
        Assert.Equal($"Binary/{note.Id}", note.Content[0].Attachment.Url);
        using var raw = await coordinatorHttp.GetAsync($"/fhir/Binary/{note.Id}");
        Assert.Equal(pdf, await raw.Content.ReadAsByteArrayAsync());
        using var asResource = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Binary/{note.Id}");
        asResource.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        var binary = FhirTestData.Parse<Binary>(await (await coordinatorHttp.SendAsync(asResource)).Content.ReadAsStringAsync());
        Assert.Equal(pdf, binary.Data);
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.UserId == c.Coordinator.Id && e.ObjectId == note.Id && e.Action == AuditAction.Export)));

        if (dicom is not null)
        {
            var study = Assert.Single((await staff.SearchAsync<ImagingStudy>(new SearchParams().Where($"patient={c.Scenario.MemberId}")))!.Entry).Resource as ImagingStudy;
            Assert.NotEmpty(study!.Series);
            Assert.Equal(study.Id, (await staff.ReadAsync<ImagingStudy>($"ImagingStudy/{study.Id}"))!.Id);
        }

        // A reviewer not assigned to the case sees nothing; once the member revokes, the coordinator is cut off too.
        var stranger = app.FhirClientFor(await app.CreateUserAsync(Roles.Reviewer));
        Assert.Equal(0, (await stranger.SearchAsync<DocumentReference>(new SearchParams()))!.Total);
        using var member = app.ClientFor(c.Patient);
        await (await member.PostJsonAsync($"/api/cases/{c.CaseId}/consents/{c.ConsentId}/revoke", new { reason = "changed my mind" })).JsonAsync(HttpStatusCode.OK);
        var cut = await Assert.ThrowsAsync<FhirOperationException>(() => staff.ReadAsync<DocumentReference>($"DocumentReference/{note.Id}"));
        Assert.Equal(HttpStatusCode.NotFound, cut.Status);
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(e => e.UserId == c.Coordinator.Id && e.ObjectId == note.Id && e.Outcome == AuditOutcome.Denied)));
        if (dicom is null) Assert.Skip(DocumentTestData.SkipMessage + " (the ImagingStudy part of this test did not run)");
    }

    async Task<(TestApp App, Guid Program, TestUser Partner, TestUser Coordinator)> ArrangeAsync(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync()).ProgramId;
        await app.ImportRosterAsync(program, "roster-initial.csv");
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [program]);
        var partner = await app.CreateUserAsync(Roles.Integration, [program]);
        return (app, program, partner, coordinator);
    }

    static async Task<(FhirTask.TaskStatus?, string)> StageAsync(FhirClient client, Guid caseId)
    {
        var task = await client.ReadAsync<FhirTask>($"Task/{caseId}");
        return (task!.Status, task.BusinessStatus.Coding.Single().Code);
    }

    /// <summary>Moves the case along the main path through the domain, as the coordinator's and matching steps do; at Assigned with a signed authorization.</summary>
    static Task MoveAsync(TestApp app, Guid caseId, TestUser coordinator, CaseStatus to, TestUser? reviewer = null, TestUser? patient = null) =>
        app.WithDbAsync(async d =>
        {
            var @case = await d.Cases.Include(x => x.Transitions).SingleAsync(x => x.Id == caseId);
            var actor = new Actor(coordinator.Id, "Test coordinator", Roles.Coordinator);
            var now = app.Clock.GetUtcNow();
            foreach (var next in TestApp.MainPath[(Array.IndexOf(TestApp.MainPath, @case.Status) + 1)..(Array.IndexOf(TestApp.MainPath, to) + 1)])
            {
                if (next == CaseStatus.Assigned) @case.AssignReviewer(reviewer!.Id, now);
                @case.TransitionTo(next, actor, null, now);
            }
            if (to == CaseStatus.Assigned)
            {
                @case.SetConsultMode(ConsultMode.DirectOpinion, now);
                d.Add(Features.Consents.Consent.Sign(caseId, @case.MemberId, [RecordCategory.Imaging], ["Riverside Orthopedics"],
                    ConsentRecipients.Program | ConsentRecipients.ReviewingPhysician, null, DateOnly.FromDateTime(now.UtcDateTime).AddDays(300),
                    "Ana Rivera", "Ana Rivera", patient!.Id, "127.0.0.1", now));
            }
            await d.SaveChangesAsync();
        });

    static Task<HttpResponseMessage> PostAsync(HttpClient client, Bundle bundle) =>
        client.PostAsync("/fhir", new StringContent(FhirTestData.Json(bundle), null, "application/fhir+json"));

    /// <summary>The answer is an OperationOutcome (parsed strictly) with the status, and an issue at <paramref name="expression"/> when given.</summary>
    static async Task OutcomeAsync(HttpResponseMessage response, HttpStatusCode status, string? expression)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.StartsWith("application/fhir+json", response.Content.Headers.ContentType?.ToString());
        var outcome = FhirTestData.Parse<OperationOutcome>(body);
        Assert.NotEmpty(outcome.Issue);
        if (expression is not null) Assert.True(outcome.Issue.Any(i => i.Expression.Contains(expression)), $"no issue at {expression}: {body}");
    }
}

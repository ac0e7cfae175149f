using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Documents;

/// <summary>The member's authorization gates receiving and showing documents; images of someone else are flagged on the case.</summary>
public sealed class DocumentAccessTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_WithoutAnAuthorization_Is403ForStaffAndMemberAndNothingIsKept(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db), signed: false);
        using var coordinator = c.App.ClientFor(c.Coordinator);
        using var member = c.App.ClientFor(c.Patient);
        var before = await DocumentTestData.FootprintAsync(c.App, c.CaseId);

        var byStaff = await coordinator.UploadAsync(c.CaseId, DocumentTestData.Pdf(), "report.pdf");
        var byMember = await member.UploadAsync(c.CaseId, DocumentTestData.Pdf(), "report.pdf");
        var list = await coordinator.GetAsync($"/api/cases/{c.CaseId}/documents", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, byStaff.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byMember.StatusCode);
        Assert.Contains("authorization", (string?)JsonNode.Parse(await byMember.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["detail"]);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(before, await DocumentTestData.FootprintAsync(c.App, c.CaseId));
        var denied = await c.App.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.PatientId == c.Scenario.MemberId && e.Outcome == AuditOutcome.Denied && e.ObjectType == "Document"));
        Assert.Equal(2, denied);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Revocation_CutsTheReviewerOffTheDocumentsAtOnce_TheMemberKeepsSeeingThem(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        var reviewer = await c.App.CreateUserAsync(Roles.Reviewer);
        await c.App.WithDbAsync(async d =>
        {
            var @case = await d.Cases.SingleAsync(x => x.Id == c.CaseId);
            @case.AssignReviewer(reviewer.Id, c.App.Clock.GetUtcNow());
            await d.SaveChangesAsync();
        });
        using var coordinator = c.App.ClientFor(c.Coordinator);
        using var reviewing = c.App.ClientFor(reviewer);
        using var member = c.App.ClientFor(c.Patient);
        var document = await (await coordinator.UploadAsync(c.CaseId, DocumentUploadTests.SmallBundle(), "history.json")).JsonAsync(HttpStatusCode.Created);
        var id = (string)document["id"]!;
        string[] urls = [$"/api/documents/{id}", $"/api/documents/{id}/content", $"/api/cases/{c.CaseId}/documents", $"/api/cases/{c.CaseId}/clinical-timeline"];
        var ct = TestContext.Current.CancellationToken;

        var before = new List<HttpStatusCode>();
        foreach (var url in urls) before.Add((await reviewing.GetAsync(url, ct)).StatusCode);
        await (await member.PostJsonAsync($"/api/cases/{c.CaseId}/consents/{c.ConsentId}/revoke", new { reason = "changed my mind" })).JsonAsync(HttpStatusCode.OK);
        var after = new List<HttpStatusCode>();
        foreach (var url in urls) after.Add((await reviewing.GetAsync(url, ct)).StatusCode);
        var staffAfter = (await coordinator.GetAsync(urls[1], ct)).StatusCode;
        var memberAfter = await member.GetAsync(urls[1], ct);
        var uploadAfter = await coordinator.UploadAsync(c.CaseId, DocumentTestData.Pdf(), "late.pdf");

        Assert.All(before, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.All(after, s => Assert.Equal(HttpStatusCode.Forbidden, s));
        Assert.Equal(HttpStatusCode.Forbidden, staffAfter);
        Assert.Equal(HttpStatusCode.OK, memberAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, uploadAfter.StatusCode);
        // The records stay in the legal record: the row and its encrypted bytes are kept.
        Assert.Equal(1, await c.App.WithDbAsync(d => d.Set<Consilium.Features.Documents.CaseDocument>().CountAsync(x => x.CaseId == c.CaseId)));
        var denied = await c.App.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.UserId == reviewer.Id && e.Outcome == AuditOutcome.Denied));
        Assert.Equal(urls.Length, denied);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Reviewer_NotNamedByTheAuthorization_CannotSeeTheDocuments(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db), recipients: ["Program"]);
        var reviewer = await c.App.CreateUserAsync(Roles.Reviewer);
        await c.App.WithDbAsync(async d =>
        {
            var @case = await d.Cases.SingleAsync(x => x.Id == c.CaseId);
            @case.AssignReviewer(reviewer.Id, c.App.Clock.GetUtcNow());
            await d.SaveChangesAsync();
        });
        using var coordinator = c.App.ClientFor(c.Coordinator);
        var document = await (await coordinator.UploadAsync(c.CaseId, DocumentTestData.Pdf(), "note.pdf")).JsonAsync(HttpStatusCode.Created);
        using var reviewing = c.App.ClientFor(reviewer);

        var content = await reviewing.GetAsync($"/api/documents/{document["id"]}/content", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, content.StatusCode);
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string, string, string?>> Patients() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new (string Label, string Name, string Birth, string Expected, string? Reason)[]
        {
            ("same person", "QUINTERO-TEST^ZELDA", "19700517", "Match", null),
            ("other name", "DOE^JANE", "19700517", "Mismatch", "name"),
            ("other birth date", "Quintero-Test^Zelda", "19700518", "Mismatch", "birth date"),
        }
        select new TheoryDataRow<DatabaseKind, string, string, string, string?>(db, row.Name, row.Birth, row.Expected, row.Reason) { Label = row.Label };

    [Theory]
    [MemberData(nameof(Patients))]
    public async Task Upload_DicomOfAnotherPatient_IsFlaggedOnTheCaseNamingWhatDiffers(DatabaseKind db, string patientName, string birthDate, string expected, string? reason)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var coordinator = c.App.ClientFor(c.Coordinator);
        var uid = "1.2.826.0.1.3680043.9.7433." + Random.Shared.Next(1, int.MaxValue);
        var dicom = DocumentTestData.Dicom(patientName, birthDate, study: uid, series: uid + ".1", instance: uid + ".1.1");

        var document = await (await coordinator.UploadAsync(c.CaseId, dicom, "IM0001")).JsonAsync(HttpStatusCode.Created);
        var index = await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/documents", TestContext.Current.CancellationToken)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(expected, (string?)document["patientCheck"]);
        var warnings = index["warnings"]!.AsArray().Where(w => (string?)w!["code"] == "patient-mismatch").ToList();
        if (reason is null)
        {
            Assert.Empty(warnings);
            return;
        }
        Assert.Contains(reason, (string?)document["patientCheckReason"]);
        var warning = Assert.Single(warnings)!;
        Assert.Equal((string?)document["id"], (string?)warning["documentId"]);
        Assert.Contains(reason, (string?)warning["message"]);
        Assert.Equal("Mismatch", (string?)index["studies"]![0]!["patientCheck"]);
        // The reason names the field that differs, never the values themselves.
        Assert.DoesNotContain(patientName.Split('^')[0], (string?)document["patientCheckReason"], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_SharedSampleOfAnotherPatient_IsHiddenFromTheMemberUntilConfirmed(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        var bytes = await File.ReadAllBytesAsync(DocumentTestData.PathOf("dicom/ct/pydicom__CT_small.dcm"), TestContext.Current.CancellationToken);
        using var coordinator = c.App.ClientFor(c.Coordinator);
        using var member = c.App.ClientFor(c.Patient);

        var document = await (await coordinator.UploadAsync(c.CaseId, bytes, "CT.dcm")).JsonAsync(HttpStatusCode.Created);
        var memberView = await (await member.GetAsync($"/api/cases/{c.CaseId}/documents", TestContext.Current.CancellationToken)).JsonAsync(HttpStatusCode.OK);
        var memberContent = await member.GetAsync($"/api/documents/{document["id"]}/content", TestContext.Current.CancellationToken);
        var confirmed = await (await coordinator.PostJsonAsync($"/api/documents/{document["id"]}/patient-confirmation", new { reason = "Maiden name on the CD", version = 1 })).JsonAsync(HttpStatusCode.OK);
        var index = await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/documents", TestContext.Current.CancellationToken)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Mismatch", (string?)document["patientCheck"]);
        Assert.Equal(0, (int)memberView["documentCount"]!);
        Assert.Empty(memberView["warnings"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, memberContent.StatusCode);
        Assert.NotNull(confirmed["patientConfirmed"]);
        Assert.DoesNotContain(index["warnings"]!.AsArray(), w => (string?)w!["code"] == "patient-mismatch");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ImagesOfAnotherPatient_CountTowardCompletenessOnlyOnceConfirmed(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var coordinator = c.App.ClientFor(c.Coordinator);
        var ct = TestContext.Current.CancellationToken;
        async Task<int> PercentAsync() => (int)(await (await coordinator.GetAsync($"/api/cases/{c.CaseId}/records", ct)).JsonAsync(HttpStatusCode.OK))["completeness"]!["percent"]!;
        var uid = "1.2.826.0.1.3680043.9.7433." + Random.Shared.Next(1, int.MaxValue);

        var empty = await PercentAsync();
        var document = await (await coordinator.UploadAsync(c.CaseId, DocumentTestData.Dicom("DOE^JANE", "19700517", uid, uid + ".1", uid + ".1.1"), "IM0001")).JsonAsync(HttpStatusCode.Created);
        var suspect = await PercentAsync();
        await (await coordinator.PostJsonAsync($"/api/documents/{document["id"]}/patient-confirmation", new { reason = "Name changed at marriage", version = 1 })).JsonAsync(HttpStatusCode.OK);
        var confirmed = await PercentAsync();

        Assert.Equal("ImagingFiles", (string?)document["kind"]);
        Assert.Equal(empty, suspect);
        Assert.True(confirmed > empty, $"imaging files should now count: {empty}% → {confirmed}%");
    }
}

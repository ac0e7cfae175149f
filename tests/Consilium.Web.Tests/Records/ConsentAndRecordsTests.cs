using System.Net;
using System.Text.Json.Nodes;
using Consilium.Documents;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Records;

/// <summary>The HIPAA authorization gates every record request and every reviewer's view of the records.</summary>
public sealed class ConsentAndRecordsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    /// <summary>A 1×1 PNG, as the signing page's canvas would send (in a data URL).</summary>
    public const string SignaturePng = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    public static object ConsentBody(string typedName = "Zelda Quintero-Test", string expiresOn = "2026-09-01", string[]? sources = null, string[]? recipients = null) => new
    {
        scope = new[] { "Imaging", "ClinicalNotes", "TreatmentHistory" },
        sources = sources ?? ["Riverside Orthopedics", "Mercy Imaging Center"],
        recipients = recipients ?? ["Program", "ReviewingPhysician"],
        purpose = (string?)null,
        expiresOn,
        typedName,
        signaturePng = SignaturePng,
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Patient_SignsTheAuthorization_CaseMovesOnAndTheSignedPdfSaysWhatWasAuthorized(DatabaseKind db)
    {
        var (app, scenario, caseId, _, patient) = await ArrangeAsync(db);
        using var client = app.ClientFor(patient);

        var consent = await (await client.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody())).JsonAsync(HttpStatusCode.Created);
        var pdf = await client.GetByteArrayAsync($"/api/cases/{caseId}/consents/{consent["id"]}/pdf");
        var status = await app.WithDbAsync(d => d.Cases.Where(c => c.Id == caseId).Select(c => c.Status).SingleAsync());

        Assert.Equal("Active", (string?)consent["status"]);
        Assert.Equal(CaseStatus.CollectingRecords, status);
        var text = System.Text.RegularExpressions.Regex.Replace(string.Join(" ", PdfText.Extract(pdf)), @"\s+", " ");
        foreach (var expected in new[] { "Zelda Quintero-Test", "1970-05-17", "Riverside Orthopedics", "Mercy Imaging Center", "Imaging",
                     "assigned to review the case", "September 1, 2026", "revoke", "164.508", consent["id"]!.ToString() })
            Assert.Contains(expected, text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)), (string?)consent["pdfSha256"]);
        var audited = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.ObjectType == "Consent" && e.PatientId == scenario.MemberId).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditAction.ConsentChange, AuditAction.Print], audited);
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string, string>> BadConsents() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from row in new[] { ("wrong-name", "typedName"), ("past-expiry", "expiresOn"), ("no-sources", "sources"), ("not-png", "signaturePng"), ("no-program", "recipients") }
        select new TheoryDataRow<DatabaseKind, string, string>(db, row.Item1, row.Item2);

    [Theory]
    [MemberData(nameof(BadConsents))]
    public async Task Sign_InvalidAuthorization_Is400NamingTheFieldAndNothingIsStored(DatabaseKind db, string kind, string field)
    {
        var (app, _, caseId, _, patient) = await ArrangeAsync(db);
        using var client = app.ClientFor(patient);
        object body = kind switch
        {
            "wrong-name" => ConsentBody(typedName: "Someone Else"),
            "past-expiry" => ConsentBody(expiresOn: "2026-01-01"),
            "no-sources" => ConsentBody(sources: []),
            "no-program" => ConsentBody(recipients: ["ReviewingPhysician"]),
            _ => new { scope = new[] { "Imaging" }, sources = new[] { "X" }, recipients = new[] { "Program" }, expiresOn = "2026-09-01", typedName = "Zelda Quintero-Test", signaturePng = "aGVsbG8=" },
        };

        var problem = await (await client.PostJsonAsync($"/api/cases/{caseId}/consents", body)).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.ErrorFields());
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<Consilium.Features.Consents.Consent>().CountAsync(c => c.CaseId == caseId)));
        Assert.Equal(CaseStatus.AwaitingConsent, await app.WithDbAsync(d => d.Cases.Where(c => c.Id == caseId).Select(c => c.Status).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task RecordRequests_NeedAnAuthorizationNamingTheFacilityAndCategory(DatabaseKind db)
    {
        var (app, _, caseId, coordinator, patient) = await ArrangeAsync(db);
        using var staff = app.ClientFor(coordinator);
        var request = new { facility = "Riverside Orthopedics", fax = "+1 614 555 0100", items = new[] { "ImagingFiles", "RadiologyReport", "ConsultNote" } };

        var beforeConsent = await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", request);
        using (var member = app.ClientFor(patient)) await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody());
        var wrongFacility = await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Other Hospital", items = new[] { "ConsultNote" } })).JsonAsync(HttpStatusCode.BadRequest);
        var outsideScope = await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Riverside Orthopedics", items = new[] { "Labs" } })).JsonAsync(HttpStatusCode.BadRequest);
        var created = await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", request)).JsonAsync(HttpStatusCode.Created);
        var sent = await (await staff.PostJsonAsync($"/api/record-requests/{created["id"]}/sent", new { })).JsonAsync(HttpStatusCode.OK);
        var letter = System.Text.RegularExpressions.Regex.Replace(string.Join(" ", PdfText.Extract(await staff.GetByteArrayAsync($"/api/record-requests/{created["id"]}/letter.pdf"))), @"\s+", " ");

        Assert.Equal(HttpStatusCode.Conflict, beforeConsent.StatusCode);
        Assert.Equal(["facility"], wrongFacility.ErrorFields());
        Assert.Equal(["items"], outsideScope.ErrorFields());
        Assert.All(created["items"]!.AsArray(), i => Assert.Equal("ToRequest", (string?)i!["status"]));
        Assert.All(sent["items"]!.AsArray(), i => Assert.Equal("Requested", (string?)i!["status"]));
        foreach (var expected in new[] { "Riverside Orthopedics", "Zelda Quintero-Test", "Radiology report", "Consult note", (string)created["consentId"]!, "164.508" })
            Assert.Contains(expected, letter);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Revocation_StopsNewRequestsAndCutsTheReviewerOffButKeepsTheRecords(DatabaseKind db)
    {
        var (app, scenario, caseId, coordinator, patient) = await ArrangeAsync(db);
        using var member = app.ClientFor(patient);
        using var staff = app.ClientFor(coordinator);
        var consent = await (await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody())).JsonAsync(HttpStatusCode.Created);
        var request = await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Riverside Orthopedics", items = new[] { "ConsultNote" } })).JsonAsync(HttpStatusCode.Created);
        var reviewer = await app.CreateUserAsync(Roles.Reviewer);
        await app.WithDbAsync(async d =>
        {
            var c = await d.Cases.SingleAsync(x => x.Id == caseId);
            c.AssignReviewer(reviewer.Id, app.Clock.GetUtcNow());
            await d.SaveChangesAsync();
        });
        using var reviewing = app.ClientFor(reviewer);
        var before = await reviewing.GetAsync($"/api/cases/{caseId}/records");

        var revoked = await (await member.PostJsonAsync($"/api/cases/{caseId}/consents/{consent["id"]}/revoke", new { reason = "I changed my mind" })).JsonAsync(HttpStatusCode.OK);
        var after = await reviewing.GetAsync($"/api/cases/{caseId}/records");
        var newRequest = await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Riverside Orthopedics", items = new[] { "ConsultNote" } });
        var followUp = await staff.PostJsonAsync($"/api/record-requests/{request["id"]}/follow-ups", new { channel = "Phone", note = "called" });
        var again = await member.PostJsonAsync($"/api/cases/{caseId}/consents/{consent["id"]}/revoke", new { reason = "twice" });
        var kept = await (await staff.GetAsync($"/api/cases/{caseId}/records")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal("Revoked", (string?)revoked["status"]);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, newRequest.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, followUp.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Single(kept["requests"]!.AsArray());
        Assert.False((bool)kept["mayRequestRecords"]!);
        var denied = await app.WithDbAsync(d => d.AuditEntries.CountAsync(e => e.UserId == reviewer.Id && e.Outcome == AuditOutcome.Denied && e.PatientId == scenario.MemberId));
        Assert.Equal(1, denied);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ExpiredAuthorization_AllowsNoMoreRequests(DatabaseKind db)
    {
        var (app, _, caseId, coordinator, patient) = await ArrangeAsync(db);
        var expires = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(8).ToString("yyyy-MM-dd");
        using (var member = app.ClientFor(patient)) await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody(expiresOn: expires));
        using var staff = app.ClientFor(coordinator);

        var inTime = await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Riverside Orthopedics", items = new[] { "ConsultNote" } });
        app.Clock.Advance(TimeSpan.FromDays(9));
        var late = await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Riverside Orthopedics", items = new[] { "ImagingFiles" } });
        var consents = await (await staff.GetAsync($"/api/cases/{caseId}/consents")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Created, inTime.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("Expired", (string?)consents[0]!["status"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SpinePacket_GoesToReviewOnlyWhenCompleteOrOnAnOverrideWithAReason(DatabaseKind db)
    {
        var (app, _, caseId, coordinator, patient) = await ArrangeAsync(db);
        using (var member = app.ClientFor(patient)) await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody());
        using var staff = app.ClientFor(coordinator);
        var request = await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new
        {
            facility = "Riverside Orthopedics", items = new[] { "ImagingFiles", "RadiologyReport", "ConsultNote", "ConservativeTherapyHistory" },
        })).JsonAsync(HttpStatusCode.Created);
        var items = request["items"]!.AsArray().ToDictionary(i => (string)i!["kind"]!, i => (string)i!["id"]!);

        async Task<JsonNode> Receive(string kind, string status = "Received") =>
            await (await staff.PostJsonAsync($"/api/record-requests/{request["id"]}/items/{items[kind]}", new { status, note = status == "Received" ? null : "CD unreadable" })).JsonAsync(HttpStatusCode.OK);
        await Receive("ImagingFiles");
        await Receive("RadiologyReport");
        await Receive("ConsultNote", "Partial");
        var half = await (await staff.GetAsync($"/api/cases/{caseId}/records")).JsonAsync(HttpStatusCode.OK);
        var refused = await (await staff.PostJsonAsync($"/api/cases/{caseId}/transitions", new { to = "ReadyForReview" })).JsonAsync(HttpStatusCode.Conflict);
        var noReason = await staff.PostJsonAsync($"/api/cases/{caseId}/transitions", new { to = "ReadyForReview", @override = true });

        Assert.Equal(50, (int)half["completeness"]!["percent"]!);
        Assert.Equal(["Consult note", "Conservative therapy history (PT, injections, medication)"], half["completeness"]!["missing"]!.AsArray().Select(m => (string?)m));
        Assert.Contains("Consult note", (string?)refused["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);

        var overridden = await staff.PostJsonAsync($"/api/cases/{caseId}/transitions", new { to = "ReadyForReview", @override = true, reason = "Surgery date moved up; reviewer agreed to start" });
        Assert.Equal(HttpStatusCode.OK, overridden.StatusCode);
        var auditReason = await app.WithDbAsync(d => d.AuditEntries.Where(e => e.ObjectId == caseId.ToString() && e.Action == AuditAction.Update && e.Outcome == AuditOutcome.Success)
            .OrderByDescending(e => e.Sequence).Select(e => e.Reason).FirstAsync());
        Assert.Contains("override: packet 50% complete", auditReason);

        await staff.PostJsonAsync($"/api/cases/{caseId}/transitions", new { to = "CollectingRecords", reason = "back for the rest" });
        await Receive("ConsultNote");
        await Receive("ConservativeTherapyHistory");
        var complete = await staff.PostJsonAsync($"/api/cases/{caseId}/transitions", new { to = "ReadyForReview" });
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task RetrievalWorklist_PutsOverdueItemsFirstAndFollowUpsMoveTheDueDate(DatabaseKind db)
    {
        var (app, _, caseId, coordinator, patient) = await ArrangeAsync(db);
        using (var member = app.ClientFor(patient)) await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody());
        using var staff = app.ClientFor(coordinator);
        // Other tests of this class move the shared clock: dates here are relative to it.
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var early = await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Riverside Orthopedics", items = new[] { "ConsultNote" }, dueOn = today.AddDays(2) })).JsonAsync(HttpStatusCode.Created);
        await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility = "Mercy Imaging Center", items = new[] { "ImagingFiles" }, dueOn = today.AddDays(18) });

        app.Clock.Advance(TimeSpan.FromDays(5));
        var worklist = (await (await staff.GetAsync("/api/records/worklist")).JsonAsync(HttpStatusCode.OK)).AsArray();
        var overdueOnly = (await (await staff.GetAsync("/api/records/worklist?overdue=true")).JsonAsync(HttpStatusCode.OK)).AsArray();
        await staff.PostJsonAsync($"/api/record-requests/{early["id"]}/follow-ups", new { channel = "Fax", note = "Re-faxed request", nextDueOn = today.AddDays(10) });
        var afterFollowUp = (await (await staff.GetAsync("/api/records/worklist?overdue=true")).JsonAsync(HttpStatusCode.OK)).AsArray();
        var records = await (await staff.GetAsync($"/api/cases/{caseId}/records")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(["Riverside Orthopedics", "Mercy Imaging Center"], worklist.Select(i => (string?)i!["facility"]));
        Assert.True((bool)worklist[0]!["overdue"]!);
        Assert.Single(overdueOnly);
        Assert.Empty(afterFollowUp);
        var chased = records["requests"]!.AsArray().Single(r => (string?)r!["facility"] == "Riverside Orthopedics")!;
        Assert.Equal("Fax", (string?)chased["followUps"]![0]!["channel"]);
        Assert.Equal(today.AddDays(7).ToString("yyyy-MM-dd"), (string?)records["packetDueOn"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task BulkFollowUp_LogsOnEachRequest_RefusalsDecidedAndAuditedAlone_WithoutStoppingTheOthers(DatabaseKind db)
    {
        var (app, scenario, caseId, coordinator, patient) = await ArrangeAsync(db);
        using var member = app.ClientFor(patient);
        using var staff = app.ClientFor(coordinator);
        await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody());
        var riverside = await CreateRequestAsync(staff, caseId, "Riverside Orthopedics", "ConsultNote");
        var mercy = await CreateRequestAsync(staff, caseId, "Mercy Imaging Center", "ImagingFiles");
        // A second case of the member whose authorization was revoked: no more chasing under it (409).
        var revokedCase = await app.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        var consent = await (await member.PostJsonAsync($"/api/cases/{revokedCase}/consents", ConsentBody())).JsonAsync(HttpStatusCode.Created);
        var revoked = await CreateRequestAsync(staff, revokedCase, "Riverside Orthopedics", "ConsultNote");
        await member.PostJsonAsync($"/api/cases/{revokedCase}/consents/{consent["id"]}/revoke", new { reason = "changed my mind" });
        // A request of another program's case: out of this coordinator's reach, answered as unknown.
        var other = await app.SeedScenarioAsync();
        var otherCase = await app.SeedCaseAsync(other, CaseStatus.AwaitingConsent);
        using (var otherMember = app.ClientFor(await app.CreateUserAsync(Roles.Patient, memberId: other.MemberId)))
            await otherMember.PostJsonAsync($"/api/cases/{otherCase}/consents", ConsentBody());
        using var otherStaff = app.ClientFor(await app.CreateUserAsync(Roles.Coordinator, [other.ProgramId]));
        var foreign = await CreateRequestAsync(otherStaff, otherCase, "Riverside Orthopedics", "ConsultNote");
        var unknown = Guid.NewGuid();
        var nextDue = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(3);

        var body = await (await staff.PostJsonAsync("/api/record-requests/follow-ups", new
        {
            requestIds = new[] { riverside, revoked, unknown, foreign, mercy, riverside },
            followUp = new { channel = "Fax", note = "Re-faxed the request", nextDueOn = nextDue },
        })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal((2, 3), ((int?)body["succeeded"], (int?)body["refused"]));
        var results = body["results"]!.AsArray().ToDictionary(r => Guid.Parse((string)r!["requestId"]!), r => r!);
        Assert.Equal(5, results.Count);
        Assert.True((bool)results[riverside]["succeeded"]! && (bool)results[mercy]["succeeded"]!);
        Assert.Equal((2, "Mercy Imaging Center"), ((int?)results[mercy]["version"], (string?)results[mercy]["facility"]));
        Assert.Equal((409, "Riverside Orthopedics"), ((int?)results[revoked]["status"], (string?)results[revoked]["facility"]));
        Assert.Contains("authorization", (string?)results[revoked]["error"]);
        Assert.Equal(404, (int?)results[unknown]["status"]);
        Assert.Equal((404, null), ((int?)results[foreign]["status"], (string?)results[foreign]["facility"]));

        var (requests, audits) = await app.WithDbAsync(async d =>
        {
            var all = await d.Set<RecordRequest>().AsNoTracking().Where(r => r.Id == riverside || r.Id == mercy || r.Id == revoked || r.Id == foreign).ToListAsync();
            var ids = new[] { riverside, mercy, revoked, foreign }.Select(g => g.ToString()).ToList();
            var entries = await d.AuditEntries.AsNoTracking()
                .Where(a => a.UserId == coordinator.Id && a.ObjectType == "RecordRequest" && a.Action == AuditAction.Update && ids.Contains(a.ObjectId!)).ToListAsync();
            return (all.ToDictionary(r => r.Id), entries.ToLookup(a => Guid.Parse(a.ObjectId!), a => a.Outcome));
        });
        foreach (var done in new[] { riverside, mercy })
        {
            var chased = Assert.Single(requests[done].FollowUps);
            Assert.Equal(("Re-faxed the request", 2), (chased.Note, requests[done].Version));
            Assert.All(requests[done].Items, i => Assert.Equal(nextDue, i.DueOn));
            Assert.Equal([AuditOutcome.Success], audits[done]);
        }
        Assert.Equal((0, 1), (requests[revoked].FollowUps.Count, requests[revoked].Version));
        Assert.Equal([AuditOutcome.Failure], audits[revoked]);
        Assert.Equal((0, 1), (requests[foreign].FollowUps.Count, requests[foreign].Version));
        Assert.Equal([AuditOutcome.Denied], audits[foreign]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task BulkFollowUp_BadInput_Is400NamingTheField_AndNothingIsLogged(DatabaseKind db)
    {
        var (app, scenario, caseId, coordinator, patient) = await ArrangeAsync(db);
        using (var member = app.ClientFor(patient)) await member.PostJsonAsync($"/api/cases/{caseId}/consents", ConsentBody());
        using var staff = app.ClientFor(coordinator);
        var request = await CreateRequestAsync(staff, caseId, "Riverside Orthopedics", "ConsultNote");
        var yesterday = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(-1);

        var empty = await (await staff.PostJsonAsync("/api/record-requests/follow-ups", new { requestIds = Array.Empty<Guid>() })).JsonAsync(HttpStatusCode.BadRequest);
        var badFollowUp = await (await staff.PostJsonAsync("/api/record-requests/follow-ups", new
        {
            requestIds = new[] { request },
            followUp = new { note = new string('x', 1001), nextDueOn = yesterday },
        })).JsonAsync(HttpStatusCode.BadRequest);
        var tooMany = await (await staff.PostJsonAsync("/api/record-requests/follow-ups", new
        {
            requestIds = Enumerable.Range(0, 101).Select(_ => Guid.NewGuid()).Prepend(request),
            followUp = new { channel = "Phone" },
        })).JsonAsync(HttpStatusCode.BadRequest);
        var badChannel = await staff.PostJsonAsync("/api/record-requests/follow-ups", new { requestIds = new[] { request }, followUp = new { channel = "Pigeon" } });
        using var reviewer = app.ClientFor(await app.CreateUserAsync(Roles.Reviewer, [scenario.ProgramId]));
        var forbidden = await reviewer.PostJsonAsync("/api/record-requests/follow-ups", new { requestIds = new[] { request }, followUp = new { channel = "Phone" } });

        Assert.Equal(["followUp", "requestIds"], empty.ErrorFields().Order());
        Assert.Equal(["followUp.channel", "followUp.nextDueOn", "followUp.note"], badFollowUp.ErrorFields().Order());
        Assert.Equal(["requestIds"], tooMany.ErrorFields());
        Assert.Equal(HttpStatusCode.BadRequest, badChannel.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var unchanged = await app.WithDbAsync(d => d.Set<RecordRequest>().AsNoTracking().SingleAsync(r => r.Id == request));
        Assert.Equal((0, 1), (unchanged.FollowUps.Count, unchanged.Version));
    }

    static async Task<Guid> CreateRequestAsync(HttpClient staff, Guid caseId, string facility, string kind) =>
        Guid.Parse((string)(await (await staff.PostJsonAsync($"/api/cases/{caseId}/record-requests", new { facility, items = new[] { kind } }))
            .JsonAsync(HttpStatusCode.Created))["id"]!);

    async Task<(TestApp App, Scenario Scenario, Guid CaseId, TestUser Coordinator, TestUser Patient)> ArrangeAsync(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        var caseId = await app.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId);
        return (app, scenario, caseId, coordinator, patient);
    }
}

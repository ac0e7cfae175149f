using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Documents;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Documents;

/// <summary>Uploads through the real HTTP API: typed by content, described, deduplicated, encrypted at rest.</summary>
public sealed class DocumentUploadTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A FHIR R4 collection bundle the test writes itself: a patient, a condition and a lab.</summary>
    internal static byte[] SmallBundle(string family = "Quintero-Test", string given = "Zelda", string birthDate = "1970-05-17") => Encoding.UTF8.GetBytes($$"""
        { "resourceType": "Bundle", "type": "collection", "entry": [
          { "fullUrl": "urn:uuid:p1", "resource": { "resourceType": "Patient", "id": "p1", "name": [ { "use": "official", "family": "{{family}}", "given": [ "{{given}}" ] } ], "birthDate": "{{birthDate}}" } },
          { "fullUrl": "urn:uuid:c1", "resource": { "resourceType": "Condition", "id": "c1", "code": { "coding": [ { "system": "http://snomed.info/sct", "code": "279039007", "display": "Low back pain" } ] }, "onsetDateTime": "2025-11-02T10:00:00Z", "subject": { "reference": "urn:uuid:p1" } } },
          { "fullUrl": "urn:uuid:o1", "resource": { "resourceType": "Observation", "id": "o1", "status": "final", "category": [ { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory" } ] } ], "code": { "coding": [ { "system": "http://loinc.org", "code": "2339-0", "display": "Glucose" } ] }, "effectiveDateTime": "2025-12-01T08:00:00Z", "valueQuantity": { "value": 98, "unit": "mg/dL" }, "subject": { "reference": "urn:uuid:p1" } } }
        ] }
        """);

    public static IEnumerable<TheoryDataRow<DatabaseKind, string>> SimpleTypes() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from type in new[] { "Pdf", "Png", "Jpeg", "FhirBundle" }
        select new TheoryDataRow<DatabaseKind, string>(db, type);

    [Theory]
    [MemberData(nameof(SimpleTypes))]
    public async Task Upload_TypeIsDecidedByContentNotByNameOrContentType(DatabaseKind db, string type)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        var bytes = type switch
        {
            "Pdf" => DocumentTestData.Pdf(),
            "Png" => DocumentTestData.Png(),
            "Jpeg" => DocumentTestData.Jpeg(),
            _ => SmallBundle(),
        };
        using var client = c.App.ClientFor(c.Coordinator);

        // Every file is misnamed and mislabelled on purpose.
        var document = await (await client.UploadAsync(c.CaseId, bytes, "holiday.docx", contentType: "text/plain")).JsonAsync(HttpStatusCode.Created);

        Assert.Equal(type, (string?)document["type"]);
        Assert.Equal(bytes.Length, (long)document["length"]!);
        Assert.Equal(Sha256(bytes), (string?)document["sha256"]);
        Assert.Equal("holiday.docx", (string?)document["fileName"]);
        Assert.False((bool)document["duplicate"]!);
        Assert.Equal(DocumentTypes.MediaType(Enum.Parse<DocumentType>(type)), (string?)document["mediaType"]);
        if (type == "Png") Assert.Equal(1, (int)document["summary"]!["width"]!);
        if (type == "Jpeg") Assert.Equal((3, 2), ((int)document["summary"]!["width"]!, (int)document["summary"]!["height"]!));
        if (type == "FhirBundle")
        {
            Assert.Equal(2, (int)document["clinicalEntries"]!);
            Assert.Equal("Match", (string?)document["patientCheck"]);
        }
        var content = await client.GetByteArrayAsync($"/api/documents/{document["id"]}/content?download=true", TestContext.Current.CancellationToken);
        Assert.Equal(bytes, content);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_DicomFile_DescribesStudySeriesInstanceAndModalityAsDcmdumpReadsThem(DatabaseKind db)
    {
        Assert.SkipUnless(Dcmtk.Installed, Dcmtk.Missing);
        var path = DocumentTestData.PathOf("dicom/mr/pydicom__MR_small_implicitLE.dcm");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);

        var document = await (await client.UploadAsync(c.CaseId, bytes, "report.pdf", contentType: "application/pdf")).JsonAsync(HttpStatusCode.Created);

        Assert.Equal("Dicom", (string?)document["type"]);
        Assert.Equal(bytes.Length, (long)document["length"]!);
        Assert.Equal(Sha256(bytes), (string?)document["sha256"]);
        var instance = Assert.Single(document["instances"]!.AsArray())!;
        Assert.Equal(Dcmtk.Value(path, "0020,000d"), (string?)instance["studyInstanceUid"]);
        Assert.Equal(Dcmtk.Value(path, "0020,000e"), (string?)instance["seriesInstanceUid"]);
        Assert.Equal(Dcmtk.Value(path, "0008,0018"), (string?)instance["sopInstanceUid"]);
        Assert.Equal(Dcmtk.Value(path, "0008,0060"), (string?)instance["modality"]);
        Assert.Equal("1.2.840.10008.1.2", (string?)instance["transferSyntaxUid"]);
        Assert.Equal("ImagingFiles", (string?)document["kind"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_ZipOfAnImagingCdWithDicomdir_IndexesEveryInstanceIntoStudies(DatabaseKind db)
    {
        Assert.SkipUnless(Dcmtk.Installed, Dcmtk.Missing);
        string[] files = ["dicom/ct/pydicom__CT_small.dcm", "dicom/mr/pydicom__MR_small_explicitLE.dcm", "dicom/cr/pydicom__CR_77654033_CR1_6154.dcm"];
        var zip = Dcmtk.ImagingCd(files);
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);

        var document = await (await client.UploadAsync(c.CaseId, zip, "CD.bin")).JsonAsync(HttpStatusCode.Created);
        var index = await (await client.GetAsync($"/api/cases/{c.CaseId}/documents", TestContext.Current.CancellationToken)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("DicomArchive", (string?)document["type"]);
        Assert.Equal(Sha256(zip), (string?)document["sha256"]);
        Assert.True((bool)document["summary"]!["hasDicomDirectory"]!);
        Assert.Equal(4, (int)document["summary"]!["archiveEntries"]!); // three images and the DICOMDIR
        var instances = document["instances"]!.AsArray().Select(i => i!).OrderBy(i => (string?)i["entry"], StringComparer.Ordinal).ToList();
        Assert.Equal(["DICOM/IM0", "DICOM/IM1", "DICOM/IM2"], instances.Select(i => (string?)i["entry"]));
        for (var i = 0; i < files.Length; i++)
        {
            var path = DocumentTestData.PathOf(files[i]);
            Assert.Equal(Dcmtk.Value(path, "0020,000d"), (string?)instances[i]["studyInstanceUid"]);
            Assert.Equal(Dcmtk.Value(path, "0020,000e"), (string?)instances[i]["seriesInstanceUid"]);
            Assert.Equal(Dcmtk.Value(path, "0008,0018"), (string?)instances[i]["sopInstanceUid"]);
            Assert.Equal(Dcmtk.Value(path, "0008,0060"), (string?)instances[i]["modality"]);
        }
        Assert.Equal(instances.Select(i => (string?)i["studyInstanceUid"]).Distinct().Order(), index["studies"]!.AsArray().Select(s => (string?)s!["studyInstanceUid"]).Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_SameFileTwice_IsRecognizedAsTheSameDocumentAndStoredOnce(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var coordinator = c.App.ClientFor(c.Coordinator);
        using var member = c.App.ClientFor(c.Patient);
        var pdf = DocumentTestData.Pdf("Operative note " + Guid.NewGuid());
        var blobsBefore = DocumentTestData.BlobFiles(c.App).Length;

        var first = await (await coordinator.UploadAsync(c.CaseId, pdf, "op-note.pdf")).JsonAsync(HttpStatusCode.Created);
        var again = await (await member.UploadAsync(c.CaseId, pdf, "scan from my phone.pdf")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal((string?)first["id"], (string?)again["id"]);
        Assert.True((bool)again["duplicate"]!);
        Assert.Equal("op-note.pdf", (string?)again["fileName"]);
        Assert.Equal(1, await c.App.WithDbAsync(d => d.Set<CaseDocument>().CountAsync(x => x.CaseId == c.CaseId)));
        Assert.Equal(blobsBefore + 1, DocumentTestData.BlobFiles(c.App).Length);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_MultipartFormData_TakesTheFilePartAndItsName(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);
        var pdf = DocumentTestData.Pdf("Consult note " + Guid.NewGuid());
        using var form = new MultipartFormDataContent
        {
            { new StringContent("ignored field"), "note" },
            { new ByteArrayContent(pdf), "file", "consult-2026-02.pdf" },
        };

        var document = await (await client.PostAsync($"/api/cases/{c.CaseId}/documents?kind=ConsultNote", form, TestContext.Current.CancellationToken)).JsonAsync(HttpStatusCode.Created);

        Assert.Equal("Pdf", (string?)document["type"]);
        Assert.Equal("consult-2026-02.pdf", (string?)document["fileName"]);
        Assert.Equal(Sha256(pdf), (string?)document["sha256"]);
        Assert.Equal(pdf.Length, (long)document["length"]!);
        Assert.Equal("ConsultNote", (string?)document["kind"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_StoredBytesAreNotThePlaintext_AndATamperedBlobIsRefusedNotServed(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);
        var marker = "PATHOLOGY-" + Guid.NewGuid().ToString("N");
        var pdf = DocumentTestData.Pdf(marker + " invasive ductal carcinoma, grade 2");
        var before = DocumentTestData.BlobFiles(c.App).ToHashSet();

        var document = await (await client.UploadAsync(c.CaseId, pdf, "pathology.pdf")).JsonAsync(HttpStatusCode.Created);
        var blob = Assert.Single(DocumentTestData.BlobFiles(c.App), f => !before.Contains(f));
        var stored = await File.ReadAllBytesAsync(blob, TestContext.Current.CancellationToken);
        var served = await client.GetByteArrayAsync($"/api/documents/{document["id"]}/content", TestContext.Current.CancellationToken);

        Assert.Equal(pdf, served);
        Assert.True(stored.Length > pdf.Length, "the blob holds a header and an authentication tag besides the ciphertext");
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)));
        Assert.Equal(-1, stored.AsSpan().IndexOf("%PDF-"u8));
        Assert.DoesNotContain(Path.GetFileName(blob), new[] { "pathology.pdf" });

        // One bit of the ciphertext flipped, as a disk error or an attacker with file access would.
        stored[^20] ^= 0x01;
        await File.WriteAllBytesAsync(blob, stored, TestContext.Current.CancellationToken);
        using var tampered = await client.GetAsync($"/api/documents/{document["id"]}/content", TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await tampered.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.InternalServerError, tampered.StatusCode);
        Assert.Equal("document-integrity", (string?)problem["code"]);
        Assert.DoesNotContain(marker, problem.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_IsAuditedWithoutTheFileName(DatabaseKind db)
    {
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);

        var document = await (await client.UploadAsync(c.CaseId, DocumentTestData.Pdf("audit " + Guid.NewGuid()), "Zelda biopsy.pdf")).JsonAsync(HttpStatusCode.Created);
        var entries = await c.App.WithDbAsync(d => d.AuditEntries
            .Where(e => e.ObjectType == "Document" && e.PatientId == c.Scenario.MemberId && e.Action == AuditAction.Create).ToListAsync());

        var created = Assert.Single(entries);
        Assert.Equal(AuditOutcome.Success, created.Outcome);
        Assert.Contains((string)document["id"]!, created.ObjectId ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Zelda", created.Reason ?? "");
    }
}

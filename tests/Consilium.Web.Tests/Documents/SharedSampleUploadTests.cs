using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Documents;

/// <summary>The public sample files through the upload: every Synthea bundle imports, every malformed DICOM file is refused or flagged.</summary>
public sealed class SharedSampleUploadTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static IEnumerable<TheoryDataRow<DatabaseKind, string>> Bundles() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from file in DocumentTestData.SyntheaBundles()
        select new TheoryDataRow<DatabaseKind, string>(db, file);

    /// <summary>
    /// What the timeline should hold per kind, counted straight from the JSON (not with the FHIR SDK the importer uses):
    /// conditions, procedures, medication requests/statements/administrations, laboratory observations, diagnostic
    /// reports, imaging studies and encounters.
    /// </summary>
    static Dictionary<string, int> ExpectedCounts(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var counts = new Dictionary<string, int>();
        foreach (var entry in json.RootElement.GetProperty("entry").EnumerateArray())
        {
            if (!entry.TryGetProperty("resource", out var resource)) continue;
            var kind = resource.GetProperty("resourceType").GetString() switch
            {
                "Condition" => "Condition",
                "Procedure" => "Procedure",
                "MedicationRequest" or "MedicationStatement" or "MedicationAdministration" => "Medication",
                "Observation" when IsLaboratory(resource) => "Lab",
                "DiagnosticReport" => "DiagnosticReport",
                "ImagingStudy" => "ImagingStudy",
                "Encounter" => "Encounter",
                _ => null,
            };
            if (kind is not null) counts[kind] = counts.GetValueOrDefault(kind) + 1;
        }
        return counts;
    }

    static bool IsLaboratory(JsonElement observation) =>
        observation.TryGetProperty("category", out var categories) && categories.EnumerateArray()
            .Any(c => c.TryGetProperty("coding", out var codings) && codings.EnumerateArray()
                .Any(x => x.TryGetProperty("code", out var code) && code.GetString() == "laboratory"));

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task Upload_SyntheaBundle_ImportsEveryClinicalResourceOntoTheTimelineLinkedToIt(DatabaseKind db, string file)
    {
        var path = DocumentTestData.PathOf(file);
        var expected = ExpectedCounts(path);
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);
        var name = Path.GetFileName(path);
        var ct = TestContext.Current.CancellationToken;

        var document = await (await client.UploadAsync(c.CaseId, await File.ReadAllBytesAsync(path, ct), name)).JsonAsync(HttpStatusCode.Created);
        var timeline = await (await client.GetAsync($"/api/cases/{c.CaseId}/clinical-timeline", ct)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("FhirBundle", (string?)document["type"]);
        Assert.Equal("transaction", (string?)document["summary"]!["bundleType"]);
        Assert.Equal(expected.Values.Sum(), (int)document["clinicalEntries"]!);
        Assert.Equal(expected.OrderBy(k => k.Key), Counts(document["summary"]!["imported"]).OrderBy(k => k.Key));
        Assert.Equal(expected.OrderBy(k => k.Key), Counts(timeline["counts"]).OrderBy(k => k.Key));
        var entries = timeline["entries"]!.AsArray();
        Assert.Equal(expected.Values.Sum(), entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal((string?)document["id"], (string?)e!["documentId"]);
            Assert.Equal(name, (string?)e["documentName"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)e["display"]));
        });
        if (expected.Count > 0)
        {
            // A patient's bundle: dated entries newest first, and the patient in it is not the test member.
            var dates = entries.Select(e => (string?)e!["occurredAt"]).OfType<string>().Select(DateTimeOffset.Parse).ToList();
            Assert.Equal(dates.OrderByDescending(d => d), dates);
            Assert.Equal("Mismatch", (string?)document["patientCheck"]);
        }
    }

    static Dictionary<string, int> Counts(JsonNode? node) =>
        node?.AsObject().ToDictionary(kv => kv.Key, kv => (int)kv.Value!) ?? [];

    public static IEnumerable<TheoryDataRow<DatabaseKind, string>> Malformed() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from file in DocumentTestData.MalformedDicom()
        select new TheoryDataRow<DatabaseKind, string>(db, file);

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Upload_MalformedDicom_IsRefusedWithAReasonOrKeptWithAWarning(DatabaseKind db, string file)
    {
        var path = DocumentTestData.PathOf(file);
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);
        var before = await DocumentTestData.FootprintAsync(c.App, c.CaseId);
        var ct = TestContext.Current.CancellationToken;

        using var response = await client.UploadAsync(c.CaseId, await File.ReadAllBytesAsync(path, ct), Path.GetFileName(path), contentType: "application/dicom");
        var text = await response.Content.ReadAsStringAsync(ct);
        var body = JsonNode.Parse(text)!;

        // What each sample must do, decided per file, so a new sample fails here until someone decides.
        var outcome = Path.GetFileName(path) switch
        {
            "pydicom__MR_truncated.dcm" => "dicom-invalid",
            "pydicom__rtplan_truncated.dcm" => "dicom-invalid",
            "pydicom__no_meta.dcm" => "dicom-not-dicom",
            "pydicom__meta_missing_tsyntax.dcm" => "dicom-invalid",
            // Readable (its UN sequence is flagged by the reader) but it has no Study, Series or SOP Instance UID to file it under.
            "pydicom__UN_sequence.dcm" => "dicom-missing-uids",
            var other => throw new InvalidOperationException($"No decided outcome for {other}"),
        };
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, text);
        Assert.True(outcome == (string?)body["code"], text);
        Assert.Contains("DICOM", (string?)body["detail"]);
        Assert.Equal(before, await DocumentTestData.FootprintAsync(c.App, c.CaseId));
    }
}

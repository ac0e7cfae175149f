using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Documents;

/// <summary>One platform per database with small, configured intake limits, so limit tests need only megabytes.</summary>
public sealed class LimitedAppFixture : IAsyncDisposable
{
    public const long MaxUploadBytes = 8 * 1024 * 1024;
    public const long MaxArchiveUncompressedBytes = 4 * 1024 * 1024;
    public const int MaxArchiveEntries = 50;

    readonly Dictionary<DatabaseKind, Lazy<Task<TestApp>>> _apps = Enum.GetValues<DatabaseKind>().ToDictionary(k => k, k => new Lazy<Task<TestApp>>(() =>
        TestApp.StartAsync(k, app => app
            .With("Documents:MaxUploadBytes", MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Documents:MaxArchiveUncompressedBytes", MaxArchiveUncompressedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Documents:MaxArchiveEntries", MaxArchiveEntries.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

    public Task<TestApp> AppAsync(DatabaseKind kind) => _apps[kind].Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.Values.Where(a => a.IsValueCreated && a.Value.IsCompletedSuccessfully)) await (await app.Value).DisposeAsync();
    }
}

/// <summary>Every kind of bad upload gets a 4xx naming the problem, and leaves no blob and no row behind.</summary>
public sealed class BadUploadTests(LimitedAppFixture fixture) : IClassFixture<LimitedAppFixture>
{
    public static readonly (string Case, int Status, string? Code, string Names)[] Cases =
    [
        ("truncated DICOM", 422, "dicom-invalid", "(7fe0,0010)"),
        ("text named and sent as DICOM", 422, "dicom-not-dicom", "not a DICOM Part 10 file"),
        ("DICOMDIR without its images", 422, "dicom-directory-alone", "DICOMDIR"),
        ("archive entry ../", 422, "archive-path-traversal", "'..'"),
        ("archive entry absolute", 422, "archive-path-traversal", "absolute path"),
        ("archive entry backslashes", 422, "archive-path-traversal", "'..'"),
        ("archive entry drive letter", 422, "archive-path-traversal", "drive path"),
        ("zip bomb: compression ratio", 422, "archive-compression-ratio", "compressed"),
        ("zip bomb: too many entries", 422, "archive-too-many-entries", "Documents:MaxArchiveEntries"),
        ("zip bomb: too large expanded", 422, "archive-too-large", "Documents:MaxArchiveUncompressedBytes"),
        // .NET's ZIP reader stops an entry at the size its headers declare, so the lie shows as an entry cut short.
        ("zip bomb: entry lies about its size", 422, "dicom-invalid", "archive entry 'DICOM/IM0'"),
        ("archive without DICOM", 415, "unsupported-type", "without any DICOM"),
        ("GIF image", 415, "unsupported-type", "GIF"),
        ("text file", 415, "unsupported-type", "text file"),
        ("truncated PDF", 422, "pdf-truncated", "%%EOF"),
        ("invalid JSON", 422, "json-invalid", "line"),
        ("FHIR resource that is not a Bundle", 422, "fhir-not-bundle", "Patient"),
        ("empty body", 400, "empty", "empty"),
        ("body over the limit, length declared", 413, null, "8,388,608"),
        ("body over the limit, chunked", 413, "too-large", "8,388,608"),
        ("multipart without a boundary", 400, "multipart-malformed", "boundary"),
        ("multipart cut short", 400, "multipart-malformed", "boundary"),
        ("multipart without a file part", 400, "multipart-malformed", "no file part"),
        ("file name with ../", 400, "file-name", "folder separator"),
        ("file name with backslashes", 400, "file-name", "folder separator"),
        ("multipart file name with a path", 400, "file-name", "folder separator"),
        ("file name with control characters", 400, "file-name", "control characters"),
    ];

    public static IEnumerable<TheoryDataRow<DatabaseKind, string>> Rows() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from c in Cases
        select new TheoryDataRow<DatabaseKind, string>(db, c.Case);

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Upload_BadInput_Is4xxNamingTheProblem_AndLeavesNothingBehind(DatabaseKind db, string kind)
    {
        var expected = Cases.Single(c => c.Case == kind);
        var c = await DocumentCase.ArrangeAsync(await fixture.AppAsync(db));
        using var client = c.App.ClientFor(c.Coordinator);
        var before = await DocumentTestData.FootprintAsync(c.App, c.CaseId);
        var ct = TestContext.Current.CancellationToken;

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{c.CaseId}/documents") { Content = Body(kind, out var fileName) };
        if (fileName is not null) request.Headers.Add(Consilium.Features.Documents.DocumentsApi.FileNameHeader, Uri.EscapeDataString(fileName));
        using var response = await client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var problem = JsonNode.Parse(text)!;

        Assert.True((int)response.StatusCode == expected.Status, $"{kind}: expected {expected.Status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (expected.Code is { } code) Assert.Equal(code, (string?)problem["code"]);
        else if (kind.Contains("zip", StringComparison.Ordinal)) Assert.True(((string?)problem["code"])?.StartsWith("archive-", StringComparison.Ordinal), text);
        Assert.True(((string?)problem["detail"])?.Contains(expected.Names, StringComparison.OrdinalIgnoreCase), $"{kind}: the detail should name '{expected.Names}': {text}");
        Assert.Equal(before, await DocumentTestData.FootprintAsync(c.App, c.CaseId));
    }

    static HttpContent Body(string kind, out string? fileName)
    {
        fileName = "upload.bin";
        var dicom = DocumentTestData.Dicom("QUINTERO-TEST^ZELDA", "19700517", pixelBytes: 4096);
        switch (kind)
        {
            case "truncated DICOM": return Bytes(dicom[..(dicom.Length - 1000)]);
            case "text named and sent as DICOM":
                fileName = "IM0001.dcm";
                return Bytes(Encoding.ASCII.GetBytes("Patient: Zelda Quintero-Test\nMRI lumbar spine, report to follow.\n"), "application/dicom");
            case "DICOMDIR without its images": return Bytes(DicomDir());
            case "archive entry ../": return Bytes(DocumentTestData.Zip(("DICOM/IM0", dicom), ("../../evil.dcm", dicom)));
            case "archive entry absolute": return Bytes(DocumentTestData.Zip(("/etc/cron.d/evil", dicom)));
            case "archive entry backslashes": return Bytes(DocumentTestData.Zip(("DICOM\\..\\..\\evil.dcm", dicom)));
            case "archive entry drive letter": return Bytes(DocumentTestData.Zip(("C:\\Windows\\evil.dcm", dicom)));
            case "zip bomb: compression ratio": return Bytes(DocumentTestData.ZipOfZeros("IM0", 3 * 1024 * 1024));
            case "zip bomb: too many entries":
                return Bytes(DocumentTestData.Zip(Enumerable.Range(0, LimitedAppFixture.MaxArchiveEntries + 1).Select(i => ($"DICOM/IM{i}", dicom)).ToArray()));
            case "zip bomb: too large expanded":
                // Incompressible entries, so only the expanded total is over its limit, not the ratio.
                var random = new Random(7);
                return Bytes(DocumentTestData.Zip(Enumerable.Range(0, 3).Select(i =>
                {
                    var noise = new byte[1536 * 1024];
                    random.NextBytes(noise);
                    return ($"DICOM/IM{i}", noise);
                }).ToArray()));
            case "zip bomb: entry lies about its size": return Bytes(LyingZip());
            case "archive without DICOM": return Bytes(DocumentTestData.Zip(("readme.txt", Encoding.ASCII.GetBytes("hello")), ("viewer.exe", [0x4D, 0x5A, 0, 0])));
            case "GIF image": return Bytes([.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x3B], "image/gif");
            case "text file": return Bytes(Encoding.UTF8.GetBytes("Discharge summary: patient stable.\n"), "text/plain");
            case "truncated PDF":
                var pdf = DocumentTestData.Pdf();
                return Bytes(pdf[..(pdf.Length - 12)]);
            case "invalid JSON": return Bytes(Encoding.UTF8.GetBytes("{ \"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [ "), "application/fhir+json");
            case "FHIR resource that is not a Bundle":
                return Bytes(Encoding.UTF8.GetBytes("{ \"resourceType\": \"Patient\", \"id\": \"x\", \"birthDate\": \"1970-05-17\" }"), "application/fhir+json");
            case "empty body": return Bytes([]);
            case "body over the limit, length declared": return Bytes(new byte[LimitedAppFixture.MaxUploadBytes + 1]);
            case "body over the limit, chunked":
                return new StreamContent(new UnseekableStream(new MemoryStream(Pdf(LimitedAppFixture.MaxUploadBytes + 4096))));
            case "multipart without a boundary":
                fileName = null;
                return Bytes(Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n"), "multipart/form-data");
            case "multipart cut short":
                fileName = null;
                return Bytes([.. Encoding.ASCII.GetBytes("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"),
                    .. DocumentTestData.Pdf()], "multipart/form-data; boundary=b0undary");
            case "multipart without a file part":
                fileName = null;
                return new MultipartFormDataContent { { new StringContent("just a note"), "note" } };
            case "file name with ../":
                fileName = "../../etc/passwd";
                return Bytes(DocumentTestData.Pdf());
            case "file name with backslashes":
                fileName = "C:\\Users\\zelda\\Documents\\mri.pdf";
                return Bytes(DocumentTestData.Pdf());
            case "multipart file name with a path":
                fileName = null;
                return new MultipartFormDataContent { { new ByteArrayContent(DocumentTestData.Pdf()), "file", "../records/mri.pdf" } };
            case "file name with control characters":
                fileName = "mri\u0000.pdf";
                return Bytes(DocumentTestData.Pdf());
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    static ByteArrayContent Bytes(byte[] bytes, string contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>A real PDF header followed by filler: sniffed as a PDF, then cut off by the limit while streaming.</summary>
    static byte[] Pdf(long length)
    {
        var bytes = new byte[length];
        DocumentTestData.Pdf().CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>A DICOMDIR alone: a Part 10 file whose SOP class is the Media Storage Directory Storage.</summary>
    static byte[] DicomDir()
    {
        var bytes = DocumentTestData.Dicom("QUINTERO-TEST^ZELDA", "19700517");
        // Both the meta and the dataset SOP class UIDs are the MR storage class, 26 characters: swap in 1.2.840.10008.1.3.10 (padded).
        var mr = Encoding.ASCII.GetBytes("1.2.840.10008.5.1.4.1.1.4\0");
        var dir = Encoding.ASCII.GetBytes("1.2.840.10008.1.3.10\0\0\0\0\0\0");
        for (var at = bytes.AsSpan().IndexOf(mr); at >= 0; at = bytes.AsSpan().IndexOf(mr)) dir.CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>One DICOM entry with 3 MB of zero pixels whose headers claim 2,000 bytes: only inflating it shows the lie.</summary>
    static byte[] LyingZip()
    {
        var zip = DocumentTestData.Zip(("DICOM/IM0", DocumentTestData.Dicom("QUINTERO-TEST^ZELDA", "19700517", pixelBytes: 3 * 1024 * 1024)));
        var span = zip.AsSpan();
        // Local header: uncompressed size at offset 22; central directory header: at offset 24.
        var local = span.IndexOf("PK\u0003\u0004"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(local + 22)..], 2000);
        var central = span.IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(central + 24)..], 2000);
        return zip;
    }
}

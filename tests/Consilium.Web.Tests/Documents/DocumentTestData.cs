using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Consilium.Features.Documents;
using Consilium.Infrastructure.Storage;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Consilium.Tests.Documents;

/// <summary>
/// The public sample files in ../shared/data (read in place, never copied into the repository) and files the tests
/// make themselves: small DICOM instances, PDFs, PNGs, archives.
/// </summary>
internal static class DocumentTestData
{
    public const string Absent = "(shared data absent)";

    public static string? SharedRoot { get; } = Locate();

    public static string SkipMessage => "Shared sample data not found: expected ../shared/data relative to the folder holding Consilium.slnx.";

    public static string PathOf(string relative)
    {
        Assert.SkipWhen(SharedRoot is null || relative == Absent, SkipMessage);
        return Path.Combine(SharedRoot!, relative);
    }

    /// <summary>Files under a shared folder, relative to ../shared/data, or one placeholder row that skips.</summary>
    public static IReadOnlyList<string> Files(string folder, Func<string, bool>? where = null)
    {
        if (SharedRoot is null || !Directory.Exists(Path.Combine(SharedRoot, folder))) return [Absent];
        return Directory.EnumerateFiles(Path.Combine(SharedRoot, folder), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SharedRoot, f).Replace('\\', '/'))
            .Where(f => where?.Invoke(f) ?? true)
            .Order(StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyList<string> ValidDicom() => Files("dicom", f => !f.StartsWith("dicom/malformed/", StringComparison.Ordinal));
    public static IReadOnlyList<string> MalformedDicom() => Files("dicom/malformed");
    public static IReadOnlyList<string> SyntheaBundles() => Files("fhir/synthea", f => f.EndsWith(".json", StringComparison.Ordinal));

    static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Consilium.slnx")))
            {
                var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                return Directory.Exists(data) ? data : null;
            }
        }
        return null;
    }

    /// <summary>A minimal but complete PDF (header, one object, trailer and %%EOF).</summary>
    public static byte[] Pdf(string text = "Radiology report: no acute findings.") => Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
        $"% {text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

    /// <summary>A 1×1 PNG.</summary>
    public static byte[] Png() => Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>A tiny baseline JPEG header (SOI, APP0, SOF0 of 3×2 pixels, EOI): enough for the frame header walk.</summary>
    public static byte[] Jpeg() =>
    [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xD9,
    ];

    /// <summary>
    /// A DICOM Part 10 instance in explicit VR little endian with the given patient and UIDs, and
    /// <paramref name="pixelBytes"/> of pixel data (OW). Used for patient matching, archives and the large upload.
    /// </summary>
    public static byte[] Dicom(string patientName, string birthDate, string study = "1.2.826.0.1.3680043.9.7433.1", string series = "1.2.826.0.1.3680043.9.7433.1.1",
        string instance = "1.2.826.0.1.3680043.9.7433.1.1.1", string modality = "MR", int pixelBytes = 64)
    {
        using var output = new MemoryStream();
        WriteDicomHeader(output, patientName, birthDate, study, series, instance, modality, (uint)pixelBytes);
        output.Write(new byte[pixelBytes]);
        return output.ToArray();
    }

    /// <summary>Everything of <see cref="Dicom"/> up to the pixel data's value, which the caller streams.</summary>
    public static void WriteDicomHeader(Stream output, string patientName, string birthDate, string study, string series, string instance,
        string modality, uint pixelBytes)
    {
        output.Write(new byte[128]);
        output.Write("DICM"u8);
        var meta = new MemoryStream();
        Element(meta, 0x0002, 0x0001, "OB", [0, 1]);
        Element(meta, 0x0002, 0x0002, "UI", Text("1.2.840.10008.5.1.4.1.1.4", pad: 0));
        Element(meta, 0x0002, 0x0003, "UI", Text(instance, pad: 0));
        Element(meta, 0x0002, 0x0010, "UI", Text("1.2.840.10008.1.2.1", pad: 0));
        Element(output, 0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)meta.Length));
        meta.WriteTo(output);
        Element(output, 0x0008, 0x0016, "UI", Text("1.2.840.10008.5.1.4.1.1.4", pad: 0));
        Element(output, 0x0008, 0x0018, "UI", Text(instance, pad: 0));
        Element(output, 0x0008, 0x0020, "DA", Text("20260210"));
        Element(output, 0x0008, 0x0060, "CS", Text(modality));
        Element(output, 0x0008, 0x1030, "LO", Text("MRI LUMBAR SPINE"));
        Element(output, 0x0010, 0x0010, "PN", Text(patientName));
        Element(output, 0x0010, 0x0020, "LO", Text("MRN-4471"));
        Element(output, 0x0010, 0x0030, "DA", Text(birthDate));
        Element(output, 0x0020, 0x000D, "UI", Text(study, pad: 0));
        Element(output, 0x0020, 0x000E, "UI", Text(series, pad: 0));
        Element(output, 0x0020, 0x0011, "IS", Text("1"));
        Element(output, 0x0020, 0x0013, "IS", Text("1"));
        // (7FE0,0010) OW with a 32-bit length: the value follows.
        Span<byte> pixel = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(pixel, 0x7FE0);
        BinaryPrimitives.WriteUInt16LittleEndian(pixel[2..], 0x0010);
        pixel[4] = (byte)'O';
        pixel[5] = (byte)'W';
        BinaryPrimitives.WriteUInt32LittleEndian(pixel[8..], pixelBytes);
        output.Write(pixel);
    }

    static byte[] Text(string value, byte pad = (byte)' ')
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        return bytes.Length % 2 == 0 ? bytes : [.. bytes, pad];
    }

    static void Element(Stream output, ushort group, ushort element, string vr, byte[] value)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(head, group);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], element);
        head[4] = (byte)vr[0];
        head[5] = (byte)vr[1];
        if (vr is "OB" or "OW" or "SQ" or "UN" or "UT")
        {
            output.Write(head[..6]);
            output.Write([0, 0]);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)value.Length);
            output.Write(length);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(head[6..], (ushort)value.Length);
            output.Write(head);
        }
        output.Write(value);
    }

    /// <summary>A ZIP archive of the given entries (name → bytes), deflated.</summary>
    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                using var stream = entry.Open();
                stream.Write(bytes);
            }
        }
        return output.ToArray();
    }

    /// <summary>A ZIP with one entry of <paramref name="zeros"/> zero bytes: tiny compressed, huge inflated.</summary>
    public static byte[] ZipOfZeros(string name, long zeros, int copies = 1)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            var block = new byte[1024 * 1024];
            for (var c = 0; c < copies; c++)
            {
                using var stream = zip.CreateEntry(copies == 1 ? name : $"{c}-{name}", CompressionLevel.SmallestSize).Open();
                for (long left = zeros; left > 0; left -= block.Length) stream.Write(block, 0, (int)Math.Min(block.Length, left));
            }
        }
        return output.ToArray();
    }

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, Guid caseId, byte[] bytes, string? fileName, string? query = null,
        string contentType = "application/octet-stream")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/documents{query}") { Content = content };
        if (fileName is not null) request.Headers.Add(DocumentsApi.FileNameHeader, Uri.EscapeDataString(fileName));
        return await client.SendAsync(request);
    }

    /// <summary>Every file in the app's document store, temporary ones included.</summary>
    public static string[] BlobFiles(TestApp app)
    {
        var root = app.Services.GetRequiredService<IOptions<DocumentStorageOptions>>().Value.FullRoot;
        return Directory.Exists(root)
            ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray()
            : [];
    }

    /// <summary>Rows and blobs an upload to <paramref name="caseId"/> could leave: what a rejected upload must not change.</summary>
    public static async Task<(int Documents, int Instances, int Entries, int Blobs)> FootprintAsync(TestApp app, Guid caseId) => (
        await app.WithDbAsync(d => d.Set<CaseDocument>().CountAsync(x => x.CaseId == caseId)),
        await app.WithDbAsync(d => d.Set<CaseDocument>().Where(x => x.CaseId == caseId).SelectMany(x => x.Instances).CountAsync()),
        await app.WithDbAsync(d => d.Set<ClinicalEntry>().CountAsync(x => x.CaseId == caseId)),
        BlobFiles(app).Length);
}

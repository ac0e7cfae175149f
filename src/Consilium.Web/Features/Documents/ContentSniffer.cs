using System.Text;

namespace Consilium.Features.Documents;

/// <summary>
/// Decides a document's type from its first bytes (magic numbers, structure), never from its name or the declared
/// content type. The full structure is checked after the bytes are stored (<see cref="DocumentAnalyzer"/>).
/// </summary>
internal static class ContentSniffer
{
    /// <summary>Enough for every signature: DICOM's is at 128, a PDF header may follow up to 1 KB of junk.</summary>
    public const int PrefixLength = 4096;

    public static DocumentType? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 132 && head.Slice(128, 4).SequenceEqual("DICM"u8)) return DocumentType.Dicom;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return DocumentType.Png;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return DocumentType.Jpeg;
        if (head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0) return DocumentType.Pdf;
        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8)) return DocumentType.DicomArchive;
        var json = SkipBomAndWhitespace(head);
        if (json.Length > 0 && json[0] == (byte)'{') return DocumentType.FhirBundle;
        return null;
    }

    /// <summary>What an unsupported file looks like, in a few words for the error message.</summary>
    public static string Describe(ReadOnlySpan<byte> head)
    {
        if (head.Length == 0) return "an empty file";
        if (head.StartsWith("GIF8"u8)) return "a GIF image (convert it to PNG or JPEG)";
        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8)) return "a TIFF image (convert it to PNG, JPEG or PDF)";
        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8)) return "an HEIC/MP4 file (convert it to JPEG)";
        if (head.StartsWith("BM"u8) && head.Length > 26) return "a BMP image (convert it to PNG)";
        if (head.StartsWith("Rar!"u8)) return "a RAR archive (send a ZIP archive instead)";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C])) return "a 7-Zip archive (send a ZIP archive instead)";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return "a gzip file (send a ZIP archive instead)";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0])) return "an old Microsoft Office document (save it as PDF)";
        if (head.StartsWith("MZ"u8) || head.StartsWith("\u007FELF"u8)) return "a program";
        var json = SkipBomAndWhitespace(head);
        if (json.Length > 0 && json[0] == (byte)'[') return "a JSON array (a FHIR Bundle is one JSON object)";
        if (json.Length > 0 && json[0] == (byte)'<') return "XML or HTML (FHIR bundles are accepted as JSON only)";
        if (LooksLikeText(head)) return "a text file";
        return "binary data of an unknown kind";
    }

    static ReadOnlySpan<byte> SkipBomAndWhitespace(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) head = head[3..];
        var start = head.IndexOfAnyExcept((ReadOnlySpan<byte>)[(byte)' ', (byte)'\t', (byte)'\r', (byte)'\n']);
        return start < 0 ? [] : head[start..];
    }

    static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        var sample = head[..Math.Min(head.Length, 512)];
        if (sample.Contains((byte)0)) return false;
        // Valid UTF-8 without control characters other than whitespace reads as text; a few bytes cut at the end are fine.
        var text = Encoding.UTF8.GetString(sample);
        return text.Count(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t') || c == '\uFFFD') <= 3;
    }
}

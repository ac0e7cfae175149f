using System.Text;

namespace Consilium.Dicom;

/// <summary>
/// Decodes string values per Specific Character Set (0008,0005). Only single-code-page sets are supported;
/// ISO 2022 code extensions (escape sequences, used by Japanese and Korean data) fall back to the first
/// set named, with a warning.
/// </summary>
internal sealed class DicomTextDecoder
{
    // The default repertoire is ASCII, but files in the wild put Latin-1 bytes in it; Latin-1 decodes
    // ASCII identically and never loses a byte, so it is the safer default.
    public static readonly DicomTextDecoder Default = new(Encoding.Latin1, null);

    private readonly Encoding _encoding;

    private DicomTextDecoder(Encoding encoding, string? unsupportedReason)
    {
        _encoding = encoding;
        UnsupportedReason = unsupportedReason;
    }

    /// <summary>Set when the character set could not be honoured exactly; the caller turns it into a warning.</summary>
    public string? UnsupportedReason { get; }

    public static DicomTextDecoder FromSpecificCharacterSet(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Default;

        var terms = value.Split('\\', StringSplitOptions.TrimEntries);
        // A leading empty value means "default repertoire, then extensions"; the first named set is what
        // single-byte data is written in.
        var first = Array.Find(terms, t => t.Length > 0) ?? "";
        var encoding = Map(first);
        string? reason = null;
        if (encoding is null)
        {
            encoding = Encoding.Latin1;
            reason = $"character set '{first}' is not supported; values decoded as Latin-1";
        }
        else if (terms.Count(t => t.Length > 0) > 1)
        {
            reason = $"ISO 2022 code extensions ('{value}') are not supported; values decoded as '{first}'";
        }
        return new DicomTextDecoder(encoding, reason);
    }

    private static Encoding? Map(string term)
    {
        // "ISO 2022 IR n" names the same code page as "ISO_IR n", with escape sequences allowed.
        var key = term.StartsWith("ISO 2022 IR ", StringComparison.Ordinal) ? "ISO_IR " + term[12..] : term;
        return key switch
        {
            "" or "ISO_IR 6" or "ISO_IR 100" => Encoding.Latin1,
            "ISO_IR 192" => Encoding.UTF8,
            "ISO_IR 101" => CodePage(28592),
            "ISO_IR 109" => CodePage(28593),
            "ISO_IR 110" => CodePage(28594),
            "ISO_IR 144" => CodePage(28595),
            "ISO_IR 127" => CodePage(28596),
            "ISO_IR 126" => CodePage(28597),
            "ISO_IR 138" => CodePage(28598),
            "ISO_IR 148" => CodePage(28599),
            "ISO_IR 203" => CodePage(28605),
            "ISO_IR 166" => CodePage(874),
            "ISO_IR 13" => CodePage(932),
            "GB18030" => CodePage(54936),
            "GBK" => CodePage(936),
            _ => null,
        };
    }

    // Used without registering the provider globally: a library should not change process-wide encoding state.
    private static Encoding? CodePage(int codePage) => CodePagesEncodingProvider.Instance.GetEncoding(codePage);

    /// <summary>Decodes and strips the padding the VR allows (trailing spaces/NULs; leading spaces unless text).</summary>
    public string Decode(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        bytes = bytes.TrimEnd(Padding);
        if (!vr.KeepsLeadingSpaces())
            bytes = bytes.TrimStart((byte)' ');
        if (bytes.IsEmpty)
            return "";
        var encoding = vr.UsesSpecificCharacterSet() ? _encoding : Encoding.Latin1;
        return encoding.GetString(bytes);
    }

    private static ReadOnlySpan<byte> Padding => " \0"u8;
}

namespace Consilium.Dicom;

/// <summary>Transfer syntax UIDs the reader treats specially. Every other standard one is explicit VR little endian.</summary>
public static class DicomTransferSyntax
{
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";

    /// <summary>JPIP Referenced Deflate: the only other syntax whose dataset is deflated.</summary>
    public const string JpipReferencedDeflate = "1.2.840.10008.1.2.4.95";

    internal static DatasetEncoding Resolve(string uid, out bool deflated, out bool known)
    {
        deflated = uid is DeflatedExplicitVRLittleEndian or JpipReferencedDeflate;
        // All standard syntaxes (uncompressed, encapsulated JPEG/JPEG-LS/J2K/RLE/MPEG/HTJ2K...) live under
        // 1.2.840.10008.1.2; apart from the two above every one is explicit VR little endian.
        known = uid == ImplicitVRLittleEndian || uid.StartsWith(ImplicitVRLittleEndian + ".", StringComparison.Ordinal);
        return uid switch
        {
            ImplicitVRLittleEndian => DatasetEncoding.ImplicitLittleEndian,
            ExplicitVRBigEndian => DatasetEncoding.ExplicitBigEndian,
            _ => DatasetEncoding.ExplicitLittleEndian,
        };
    }
}

internal readonly record struct DatasetEncoding(bool ExplicitVR, bool LittleEndian)
{
    public static readonly DatasetEncoding ExplicitLittleEndian = new(true, true);
    public static readonly DatasetEncoding ImplicitLittleEndian = new(false, true);
    public static readonly DatasetEncoding ExplicitBigEndian = new(true, false);
}

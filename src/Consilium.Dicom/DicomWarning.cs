namespace Consilium.Dicom;

public enum DicomWarningKind
{
    /// <summary>An element with an odd length; DICOM requires even lengths, readers tolerate them.</summary>
    OddLength,
    /// <summary>An explicit VR this reader does not know; read as UN with a 32-bit length.</summary>
    UnknownValueRepresentation,
    /// <summary>A UN element of undefined length, read as an implicit VR little endian sequence (CP-246).</summary>
    SequenceEncodedAsUnknown,
    /// <summary>A string value longer than <see cref="DicomReadOptions.MaxStringLength"/>; skipped, not decoded.</summary>
    ValueTooLong,
    /// <summary>A character set this reader cannot decode; values decoded as Latin-1.</summary>
    UnsupportedCharacterSet,
    /// <summary>A transfer syntax UID this reader does not know; read as explicit VR little endian.</summary>
    UnknownTransferSyntax,
    /// <summary>The file has no preamble, DICM prefix or file meta group; it was read as a raw dataset.</summary>
    RawDataset,
    /// <summary>Something the standard forbids but that does not stop reading (e.g. a wrong group length).</summary>
    Nonconformance,
}

/// <summary>A deviation from the standard that the reader tolerated. Never contains element values.</summary>
public sealed record DicomWarning(DicomWarningKind Kind, long Offset, DicomTag? Tag, string Message)
{
    public override string ToString() => Tag is { } tag
        ? $"{Kind} at byte offset {Offset}, element {tag}: {Message}"
        : $"{Kind} at byte offset {Offset}: {Message}";
}

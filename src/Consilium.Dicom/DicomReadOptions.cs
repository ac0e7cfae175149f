namespace Consilium.Dicom;

public enum DicomReadScope
{
    /// <summary>
    /// Stop at the first top-level element after the last attribute <see cref="DicomHeader"/> extracts,
    /// so pixel data is never reached. Damage after that point (a truncated upload) goes unnoticed.
    /// </summary>
    HeaderOnly,
    /// <summary>
    /// Walk the whole file, sequences and encapsulated fragments included, skipping every value it does not
    /// need. Proves the file is structurally complete; pixel data is seeked over (or read and discarded on a
    /// non-seekable stream), never held in memory.
    /// </summary>
    WholeFile,
}

/// <summary>Limits that keep hostile input from costing unbounded memory or time. The defaults suit uploads.</summary>
public sealed record DicomReadOptions
{
    public static DicomReadOptions Default { get; } = new();

    public DicomReadScope Scope { get; init; } = DicomReadScope.HeaderOnly;

    /// <summary>
    /// Accept a file that has no preamble, "DICM" prefix and file meta group, sniffing explicit or implicit VR
    /// little endian from its first element. Off by default: Part 10 is what the platform accepts, and raw
    /// datasets carry no transfer syntax, so the sniffing is a guess.
    /// </summary>
    public bool AllowRawDataset { get; init; }

    /// <summary>String values longer than this are skipped with a <see cref="DicomWarningKind.ValueTooLong"/> warning.</summary>
    public int MaxStringLength { get; init; } = 1024 * 1024;

    /// <summary>
    /// Non-bulk elements (anything but OB/OD/OF/OL/OV/OW/UN, sequences and pixel data) longer than this are
    /// rejected: no real header holds a 64 MB date, and a huge length is how garbage usually shows.
    /// </summary>
    public long MaxElementLength { get; init; } = 64L * 1024 * 1024;

    public int MaxSequenceDepth { get; init; } = 32;

    /// <summary>Caps top-level elements collected by ReadElements and records collected from a DICOMDIR.</summary>
    public int MaxElementCount { get; init; } = 1_000_000;

    /// <summary>A deflated dataset may not inflate beyond this; deflate bombs reach ratios of 1000:1.</summary>
    public long MaxInflatedLength { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Further warnings are counted but not kept.</summary>
    public int MaxWarnings { get; init; } = 100;
}

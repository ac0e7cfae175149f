namespace Consilium.X12;

public enum X12ErrorMode
{
    /// <summary>The first error fails the whole read with an <see cref="X12FormatException"/>.</summary>
    Strict,
    /// <summary>A transaction (ST..SE) with an error is skipped as a unit and reported in <see cref="X12ReadResult.Errors"/>;
    /// nothing from it is emitted. Errors that leave the file unreadable (no ISA, UTF-16, truncation) still throw.</summary>
    Lenient,
}

public sealed record X12ReaderOptions
{
    public static X12ReaderOptions Strict { get; } = new();
    public static X12ReaderOptions Lenient { get; } = new() { ErrorMode = X12ErrorMode.Lenient };

    public X12ErrorMode ErrorMode { get; init; } = X12ErrorMode.Strict;

    /// <summary>
    /// Check SE01 (segments in the transaction), GE01 (transactions in the group) and IEA01 (groups in the
    /// interchange). When false a wrong count is only a warning: some senders (imsweb's samples, for one)
    /// write a constant SE01.
    /// </summary>
    public bool ValidateCounts { get; init; } = true;

    /// <summary>
    /// A transaction's events are held until its SE validates; a transaction larger than this fails instead
    /// of growing memory without bound (a missing SE would otherwise buffer the rest of the file).
    /// </summary>
    public long MaxTransactionBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Per-interchange summaries kept in <see cref="X12ReadResult.Interchanges"/>; totals are always complete.</summary>
    public int MaxInterchangeSummaries { get; init; } = 10_000;

    public int BufferSize { get; init; } = X12SegmentReader.DefaultBufferSize;

    /// <summary>
    /// When set, 837 claims are still validated in full but a <see cref="ClaimEvent"/> is built only for claims carrying a
    /// code the filter matches (HI diagnoses and ICD procedures, SV1/SV2 procedure codes); the others are counted in
    /// <see cref="X12ReadResult.ClaimCount"/> and <see cref="X12ReadResult.ClaimsFilteredOut"/> and dropped. 278 and
    /// 834 events are not filtered.
    /// </summary>
    public ClaimCodeFilter? ClaimFilter { get; init; }
}

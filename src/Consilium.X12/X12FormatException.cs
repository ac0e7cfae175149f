namespace Consilium.X12;

/// <summary>
/// A malformed input, located by file, byte offset and segment number so an operator can open the file
/// at the right place. The message reads like
/// <c>claims.edi: byte 1234, segment 57 (CLM): expected CLM02 to be a decimal amount</c>.
/// </summary>
public sealed class X12FormatException : FormatException
{
    public X12FormatException(X12Error error)
        : base(error.ToString()) => Error = error;

    public X12Error Error { get; }
    public string FileName => Error.FileName;
    public long ByteOffset => Error.ByteOffset;
    public long SegmentNumber => Error.SegmentNumber;
    public string? SegmentId => Error.SegmentId;
    public string Detail => Error.Message;
}

/// <summary>One located problem. <see cref="SegmentNumber"/> is 1-based and counts every segment of the file,
/// ISA included; 0 means the problem precedes the first segment (an unreadable header, an empty file).</summary>
public sealed record X12Error(
    string FileName,
    long ByteOffset,
    long SegmentNumber,
    string? SegmentId,
    string Message,
    string? InterchangeControlNumber = null,
    string? TransactionControlNumber = null)
{
    public override string ToString()
    {
        var where = SegmentNumber > 0
            ? $"byte {ByteOffset}, segment {SegmentNumber}{(SegmentId is null ? "" : $" ({SegmentId})")}"
            : $"byte {ByteOffset}";
        return $"{FileName}: {where}: {Message}";
    }
}

namespace Consilium.X12;

/// <summary>A bad row of a claims CSV or a bad record of an EOB NDJSON file, located by its 1-based line.</summary>
public sealed record ClaimFileError(string FileName, long LineNumber, string Message)
{
    public override string ToString() => $"{FileName}: line {LineNumber}: {Message}";
}

public sealed class ClaimFileFormatException(ClaimFileError error) : FormatException(error.ToString())
{
    public ClaimFileError Error { get; } = error;
    public long LineNumber => Error.LineNumber;
}

/// <summary>Outcome of reading a claims CSV or EOB NDJSON file. In lenient mode a claim with a bad row or record
/// is skipped whole and reported in <see cref="Errors"/>.</summary>
public sealed class ClaimFileResult
{
    internal readonly List<ClaimFileError> errors = [];

    internal ClaimFileResult(string fileName) => FileName = fileName;

    public string FileName { get; }
    /// <summary>Data rows (CSV) or non-blank lines (NDJSON) read.</summary>
    public long RecordCount { get; internal set; }
    public long ClaimCount { get; internal set; }
    public long ServiceLineCount { get; internal set; }
    public long SkippedClaimCount { get; internal set; }
    /// <summary>NDJSON records of another resource type (Patient, Coverage …), which are passed over.</summary>
    public long OtherResourceCount { get; internal set; }
    public IReadOnlyList<ClaimFileError> Errors => errors;
}

namespace Consilium.X12;

/// <summary>What a read saw: totals, per-interchange counts, and in lenient mode the errors and skipped transactions.</summary>
public sealed class X12ReadResult
{
    internal readonly List<X12InterchangeSummary> interchanges = [];
    internal readonly List<X12Error> errors = [];
    internal readonly List<X12Error> warnings = [];
    internal readonly Dictionary<string, int> transactionsBySetId = new(StringComparer.Ordinal);

    internal X12ReadResult(string fileName) => FileName = fileName;

    public string FileName { get; }
    public long BytesRead { get; internal set; }
    public long SegmentCount { get; internal set; }
    public int InterchangeCount { get; internal set; }
    public int GroupCount { get; internal set; }
    /// <summary>Transactions read and emitted (skipped ones excluded).</summary>
    public int TransactionCount { get; internal set; }
    public int SkippedTransactionCount { get; internal set; }
    public long ClaimCount { get; internal set; }
    public long ServiceLineCount { get; internal set; }
    /// <summary>Claims read, validated and counted but not emitted because <see cref="X12ReaderOptions.ClaimFilter"/> matched none of their codes.</summary>
    public long ClaimsFilteredOut { get; internal set; }
    public long AuthorizationCount { get; internal set; }
    public long EnrollmentCount { get; internal set; }
    /// <summary>Accepted transactions per ST01 (837, 278, 834 …); other transaction sets are counted but not parsed.</summary>
    public IReadOnlyDictionary<string, int> TransactionsBySetId => transactionsBySetId;
    public IReadOnlyList<X12InterchangeSummary> Interchanges => interchanges;
    /// <summary>Errors of a lenient read; each skipped transaction has one (its first).</summary>
    public IReadOnlyList<X12Error> Errors => errors;
    /// <summary>Problems that did not skip anything, such as wrong counts when <see cref="X12ReaderOptions.ValidateCounts"/> is off.</summary>
    public IReadOnlyList<X12Error> Warnings => warnings;
}

public sealed class X12InterchangeSummary
{
    internal X12InterchangeSummary(string controlNumber, string senderId, string receiverId, string version, long byteOffset)
    {
        ControlNumber = controlNumber;
        SenderId = senderId;
        ReceiverId = receiverId;
        Version = version;
        ByteOffset = byteOffset;
    }

    /// <summary>ISA13.</summary>
    public string ControlNumber { get; }
    public string SenderId { get; }
    public string ReceiverId { get; }
    /// <summary>ISA12: 00401, 00501 …</summary>
    public string Version { get; }
    public long ByteOffset { get; }
    public int GroupCount { get; internal set; }
    public int TransactionCount { get; internal set; }
    public int SkippedTransactionCount { get; internal set; }
    public long ClaimCount { get; internal set; }
    public long ServiceLineCount { get; internal set; }
    public long AuthorizationCount { get; internal set; }
    public long EnrollmentCount { get; internal set; }
}

using System.Text;
using Consilium.X12.Transactions;

namespace Consilium.X12;

/// <summary>
/// Envelope state machine (ISA/GS/ST … SE/GE/IEA) over the tokenizer; hands transaction segments to the
/// parser for the transaction set and releases a transaction's events only once its SE has validated.
/// </summary>
sealed class X12Engine : IEventSink
{
    readonly X12SegmentReader reader;
    readonly X12ReaderOptions options;
    readonly bool lenient;
    readonly ParseCaches caches = new();
    readonly Action<X12Event>? directSink;
    readonly X12ReadResult result;

    // Events of the open transaction, then of committed transactions waiting for the caller to drain them.
    readonly List<X12Event> pending = [];
    readonly List<X12Event> ready = [];
    long txClaims, txLines, txAuthorizations, txEnrollments, txFiltered;

    readonly Claim837Parser claims;
    readonly Authorization278Parser authorizations;
    readonly Enrollment834Parser enrollments;

    bool interchangeOpen;
    string isaControl = "";
    string isaSender = "";
    string isaReceiver = "";
    X12InterchangeSummary? interchange;
    int groupsInInterchange;

    bool groupOpen;
    string gsControl = "";
    string gsFunctional = "";
    string? gsVersion;
    int transactionsInGroup;

    bool inTransaction;
    bool skipping;
    // An 837 transaction read with a claim filter, not failed: its segments take the claim checker's one-switch path
    // (Claim837Parser.Check) instead of OnSegment and the parser's own dispatch.
    bool checkingClaims;
    readonly long maxTransactionBytes;
    TransactionParser? parser;
    X12TransactionInfo? transaction;
    long segmentsInTransaction;
    long transactionStart;

    /// <param name="sink">
    /// In strict mode events go straight to it as they are parsed, since the first error fails the whole read
    /// anyway; holding them back would only keep them alive past gen0. Lenient reads always buffer per transaction.
    /// </param>
    public X12Engine(X12SegmentReader reader, X12ReaderOptions options, Action<X12Event>? sink = null)
    {
        this.reader = reader;
        this.options = options;
        lenient = options.ErrorMode == X12ErrorMode.Lenient;
        maxTransactionBytes = options.MaxTransactionBytes;
        directSink = lenient ? null : sink;
        result = new X12ReadResult(reader.FileName);
        claims = new Claim837Parser(caches, options.ClaimFilter);
        authorizations = new Authorization278Parser(caches);
        enrollments = new Enrollment834Parser(caches);
    }

    public void Emit(X12Event e)
    {
        switch (e)
        {
            case ClaimEvent c:
                txClaims++;
                txLines += c.Lines.Count;
                break;
            case AuthorizationEvent:
                txAuthorizations++;
                break;
            case EnrollmentEvent:
                txEnrollments++;
                break;
        }
        if (directSink is not null) directSink(e);
        else pending.Add(e);
    }

    public void Filtered(long lines)
    {
        txClaims++;
        txLines += lines;
        txFiltered++;
    }

    public X12ReadResult Result => result;

    /// <summary>Committed events; the caller hands them on and clears the list.</summary>
    public List<X12Event> Ready => ready;

    /// <summary>Processes every segment already buffered; returns when the reader needs more input or is finished.</summary>
    public void ProcessBuffered()
    {
        while (true)
        {
            try
            {
                while (reader.TryReadBuffered())
                {
                    if (checkingClaims)
                    {
                        // Envelope segments, bad identifiers and oversized transactions are left to OnSegment, which
                        // handles them (and counts the segment) exactly as without the checker.
                        int key = reader.SegmentKey;
                        if (reader.SegmentOffset - transactionStart <= maxTransactionBytes)
                        {
                            segmentsInTransaction++;
                            if (claims.Check(key)) continue;
                            segmentsInTransaction--;
                        }
                    }
                    OnSegment();
                }
                if (reader.IsFinished) Finish();
                return;
            }
            // SegmentNumber 0 marks tokenizer errors (no ISA, UTF-16, truncation): nothing after them is readable.
            catch (X12FormatException ex) when (lenient && ex.SegmentNumber > 0)
            {
                if (inTransaction) FailTransaction(ex.Error);
                else result.errors.Add(ex.Error);
            }
        }
    }

    void OnSegment()
    {
        int key = reader.SegmentKey;
        if (inTransaction && key != Seg.SE && key != Seg.ST && key != Seg.GE && key != Seg.GS && key != Seg.IEA && key != Seg.ISA)
        {
            segmentsInTransaction++;
            if (skipping) return;
            if (key == 0) ThrowBadId();
            if (reader.SegmentOffset - transactionStart > options.MaxTransactionBytes) ThrowTooLarge();
            parser?.OnSegment(key);
            return;
        }
        OnEnvelopeSegment(key);
    }

    void OnEnvelopeSegment(int key)
    {
        switch (key)
        {
            case Seg.ISA: OnIsa(); break;
            case Seg.GS: OnGs(); break;
            case Seg.ST: OnSt(); break;
            case Seg.SE: OnSe(); break;
            case Seg.GE: OnGe(); break;
            case Seg.IEA: OnIea(); break;
            case 0: ThrowBadId(); break;
            default:
                Report($"segment {reader.SafeId()} is outside a transaction set: expected ST", transactionFatal: false);
                break;
        }
    }

    void OnIsa()
    {
        if (interchangeOpen) Report($"expected IEA to close interchange {isaControl} before a new ISA", transactionFatal: true);
        CloseTransactionIfOpen("ISA");
        groupOpen = false;
        interchangeOpen = true;
        isaControl = Str(13);
        isaSender = Str(6).Trim();
        isaReceiver = Str(8).Trim();
        groupsInInterchange = 0;
        result.InterchangeCount++;
        interchange = null;
        if (result.interchanges.Count < options.MaxInterchangeSummaries)
        {
            interchange = new X12InterchangeSummary(isaControl, isaSender, isaReceiver, Str(12), reader.SegmentOffset);
            result.interchanges.Add(interchange);
        }
    }

    void OnGs()
    {
        if (!interchangeOpen) Report("GS outside an interchange: expected ISA", transactionFatal: false);
        if (groupOpen) Report($"expected GE to close functional group {gsControl} before a new GS", transactionFatal: false);
        CloseTransactionIfOpen("GS");
        groupOpen = true;
        gsFunctional = Str(1);
        gsControl = Str(6);
        gsVersion = reader.GetString(8);
        transactionsInGroup = 0;
        groupsInInterchange++;
        result.GroupCount++;
        if (interchange is not null) interchange.GroupCount++;
    }

    void OnSt()
    {
        CloseTransactionIfOpen("ST");
        if (!groupOpen) Report("ST outside a functional group: expected GS", transactionFatal: false);
        transactionsInGroup++;
        var setId = Str(1);
        var control = Str(2);
        if (control.Length == 0) Report("expected ST02 (transaction set control number), found nothing", transactionFatal: false);
        transaction = new X12TransactionInfo(isaControl, isaSender, isaReceiver, gsControl, gsFunctional, setId, control,
            reader.GetString(3) ?? gsVersion, reader.SegmentOffset);
        inTransaction = true;
        skipping = false;
        segmentsInTransaction = 1;
        transactionStart = reader.SegmentOffset;
        pending.Clear();
        txClaims = txLines = txAuthorizations = txEnrollments = txFiltered = 0;
        parser = setId switch
        {
            "837" => claims,
            "278" => authorizations,
            "834" => enrollments,
            _ => null,
        };
        parser?.Begin(reader, transaction, this);
        checkingClaims = parser == claims && options.ClaimFilter is not null;
    }

    void OnSe()
    {
        if (!inTransaction)
        {
            Report("SE without a matching ST", transactionFatal: false);
            return;
        }
        segmentsInTransaction++;
        if (!skipping)
        {
            try
            {
                var control = reader.GetElement(2);
                if (!control.SequenceEqual(Encoding.UTF8.GetBytes(transaction!.TransactionControlNumber)))
                    throw reader.SegmentError($"expected SE02 to repeat the ST02 control number '{transaction.TransactionControlNumber}', found '{Parse.Text(control)}'");
                if (!reader.TryGetInt64(1, out long count) || count != segmentsInTransaction)
                {
                    var message = $"expected SE01 to be {segmentsInTransaction} (segments in transaction {transaction.TransactionControlNumber}, ST and SE included), found '{Parse.Text(reader.GetElement(1))}'";
                    if (options.ValidateCounts) throw reader.SegmentError(message);
                    result.warnings.Add(Located(message));
                }
                parser?.End();
            }
            catch (X12FormatException ex) when (lenient)
            {
                FailTransaction(ex.Error);
            }
        }
        EndTransaction();
    }

    void OnGe()
    {
        if (!groupOpen)
        {
            Report("GE without a matching GS", transactionFatal: false);
            return;
        }
        CloseTransactionIfOpen("GE");
        groupOpen = false;
        if (!reader.ElementEquals(2, Encoding.UTF8.GetBytes(gsControl)))
            Report($"expected GE02 to repeat the GS06 control number '{gsControl}', found '{reader.GetString(2)}'", transactionFatal: false);
        CheckCount(1, transactionsInGroup, $"transaction sets in functional group {gsControl}");
    }

    void OnIea()
    {
        if (!interchangeOpen)
        {
            Report("IEA without a matching ISA", transactionFatal: false);
            return;
        }
        CloseTransactionIfOpen("IEA");
        if (groupOpen) Report($"expected GE to close functional group {gsControl} before IEA", transactionFatal: false);
        groupOpen = false;
        interchangeOpen = false;
        if (!reader.ElementEquals(2, Encoding.UTF8.GetBytes(isaControl)))
            Report($"expected IEA02 to repeat the ISA13 control number '{isaControl}', found '{reader.GetString(2)}'", transactionFatal: false);
        CheckCount(1, groupsInInterchange, $"functional groups in interchange {isaControl}");
    }

    void CheckCount(int element, long expected, string what)
    {
        if (reader.TryGetInt64(element, out long count) && count == expected) return;
        var message = $"expected {reader.SafeId()}{element:00} to be {expected} ({what}), found '{reader.GetString(element)}'";
        if (options.ValidateCounts) Report(message, transactionFatal: false);
        else result.warnings.Add(Located(message));
    }

    void CloseTransactionIfOpen(string next)
    {
        if (!inTransaction) return;
        Report($"expected SE to close transaction {transaction!.TransactionControlNumber} before {next}", transactionFatal: true);
        EndTransaction();
    }

    void EndTransaction()
    {
        if (skipping)
        {
            result.SkippedTransactionCount++;
            if (interchange is not null) interchange.SkippedTransactionCount++;
        }
        else Commit();
        pending.Clear();
        inTransaction = false;
        skipping = false;
        checkingClaims = false;
        parser = null;
    }

    void Commit()
    {
        ready.AddRange(pending);
        var setId = transaction!.TransactionSetId;
        result.transactionsBySetId[setId] = result.transactionsBySetId.GetValueOrDefault(setId) + 1;
        result.TransactionCount++;
        result.ClaimCount += txClaims;
        result.ClaimsFilteredOut += txFiltered;
        result.ServiceLineCount += txLines;
        result.AuthorizationCount += txAuthorizations;
        result.EnrollmentCount += txEnrollments;
        if (interchange is { } i)
        {
            i.TransactionCount++;
            i.ClaimCount += txClaims;
            i.ServiceLineCount += txLines;
            i.AuthorizationCount += txAuthorizations;
            i.EnrollmentCount += txEnrollments;
        }
    }

    void FailTransaction(X12Error error)
    {
        if (skipping) return;
        skipping = true;
        checkingClaims = false;
        pending.Clear();
        result.errors.Add(error with { TransactionControlNumber = transaction?.TransactionControlNumber, InterchangeControlNumber = isaControl });
    }

    /// <summary>Strict: throws. Lenient: records the error and, when it concerns the open transaction, skips that transaction.</summary>
    void Report(string message, bool transactionFatal)
    {
        var error = Located(message);
        if (!lenient) throw new X12FormatException(error);
        if (transactionFatal && inTransaction) FailTransaction(error);
        else result.errors.Add(error);
    }

    X12Error Located(string message) => new(reader.FileName, reader.SegmentOffset, reader.SegmentNumber, reader.SafeId(), message,
        interchangeOpen ? isaControl : null, inTransaction ? transaction?.TransactionControlNumber : null);

    void ThrowBadId()
    {
        var id = reader.GetElement(0);
        throw reader.SegmentError(id.IsEmpty
            ? "expected a segment identifier, found an empty one (segment starts with the element separator)"
            : $"expected a segment identifier of 2-3 upper-case letters or digits, found '{Parse.Text(id)}'");
    }

    void ThrowTooLarge() => throw reader.SegmentError(
        $"transaction {transaction!.TransactionControlNumber} exceeds {options.MaxTransactionBytes} bytes without an SE (MaxTransactionBytes)");

    void Finish()
    {
        result.BytesRead = reader.BytesConsumed;
        result.SegmentCount = reader.SegmentNumber;
        if (inTransaction)
        {
            var message = $"unexpected end of file: transaction {transaction!.TransactionControlNumber} is not closed by SE";
            var error = new X12Error(reader.FileName, reader.BytesConsumed, reader.SegmentNumber, reader.SafeId(), message, isaControl, transaction.TransactionControlNumber);
            if (!lenient) throw new X12FormatException(error);
            FailTransaction(error);
            EndTransaction();
        }
        if (interchangeOpen)
        {
            var message = groupOpen
                ? $"unexpected end of file: functional group {gsControl} and interchange {isaControl} are not closed (expected GE and IEA)"
                : $"unexpected end of file: interchange {isaControl} is not closed by IEA";
            var error = new X12Error(reader.FileName, reader.BytesConsumed, reader.SegmentNumber, reader.SafeId(), message, isaControl);
            if (!lenient) throw new X12FormatException(error);
            result.errors.Add(error);
            interchangeOpen = groupOpen = false;
        }
    }

    string Str(int element) => reader.GetString(element) ?? "";
}

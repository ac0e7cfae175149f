using System.Text;

namespace Consilium.X12.Tests;

public class ReaderModeTests
{
    static readonly string BadCharge = EdiEdit.TwoTransactions(t => t.Replace("CLM*CLAIM2*150*", "CLM*CLAIM2*ABC*", StringComparison.Ordinal));

    [Fact]
    public void Read_ValidTransactions_BothEmittedInOrder()
    {
        var (events, result) = SharedData.ReadText(EdiEdit.TwoTransactions());

        Assert.Equal(["CLAIM1", "CLAIM2"], events.Cast<ClaimEvent>().Select(c => c.ClaimId));
        Assert.Equal(2, result.TransactionCount);
        Assert.Equal(2, result.Interchanges[0].TransactionCount);
        Assert.Equal(2, result.TransactionsBySetId["837"]);
    }

    [Fact]
    public void Read_StrictBadAmount_FailsNamingFileOffsetSegmentAndExpectation()
    {
        var offset = Encoding.ASCII.GetBytes(BadCharge).AsSpan().IndexOf("CLM*CLAIM2"u8);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(BadCharge, name: "claims.edi"));

        Assert.Equal($"claims.edi: byte {offset}, segment 41 (CLM): expected CLM02 to be a decimal amount (total claim charge), found 'ABC'", ex.Message);
        Assert.Equal(offset, ex.ByteOffset);
    }

    [Fact]
    public void Read_LenientBadAmount_SkipsOnlyThatTransaction()
    {
        var (events, result) = SharedData.ReadText(BadCharge, X12ReaderOptions.Lenient);

        Assert.Equal("CLAIM1", Assert.IsType<ClaimEvent>(Assert.Single(events)).ClaimId);
        Assert.Equal((1, 1), (result.TransactionCount, result.SkippedTransactionCount));
        var error = Assert.Single(result.Errors);
        Assert.Equal(("CLM", 41, "0002", "000000001"), (error.SegmentId, (int)error.SegmentNumber, error.TransactionControlNumber, error.InterchangeControlNumber));
    }

    [Fact]
    public void Read_LenientErrorAfterClaimsOfSameTransaction_EmitsNothingFromIt()
    {
        // The second transaction's claim is complete before its SE02 turns out wrong.
        var text = EdiEdit.TwoTransactions(t => t.Replace("SE*24*0002", "SE*24*9999", StringComparison.Ordinal));

        var (events, result) = SharedData.ReadText(text, X12ReaderOptions.Lenient);

        Assert.Equal(["CLAIM1"], events.Cast<ClaimEvent>().Select(c => c.ClaimId));
        Assert.Contains("SE02", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Read_WrongSegmentCount_ErrorByDefaultWarningWhenCountsAreOff()
    {
        var text = EdiEdit.TwoTransactions(t => t.Replace("SE*24*0002", "SE*25*0002", StringComparison.Ordinal));

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text));
        var (events, result) = SharedData.ReadText(text, X12ReaderOptions.Lenient with { ValidateCounts = false });

        Assert.Contains("expected SE01 to be 24", ex.Message);
        Assert.Equal(2, events.Count);
        Assert.Contains("expected SE01 to be 24", Assert.Single(result.Warnings).Message);
    }

    [Fact]
    public void Read_WrongGroupCount_IsReported()
    {
        var text = EdiEdit.TwoTransactions().Replace("GE*2*1~", "GE*3*1~", StringComparison.Ordinal);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text));

        Assert.Contains("expected GE01 to be 2 (transaction sets in functional group 1)", ex.Message);
    }

    [Fact]
    public void Read_InterchangeControlMismatch_IsReported()
    {
        var text = Edi.Professional().Replace("IEA*1*000000001", "IEA*1*000000002", StringComparison.Ordinal);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text));

        Assert.Contains("expected IEA02 to repeat the ISA13 control number '000000001'", ex.Message);
    }

    [Fact]
    public void Read_UnterminatedTransactionLargerThanCap_FailsInsteadOfBuffering()
    {
        // A transaction whose SE never comes: without the cap every following claim would be held in memory.
        var body = string.Concat(Enumerable.Range(0, 400).Select(i =>
            $"HL*{i + 2}*1*22*0~\nSBR*P*18*******CI~\nNM1*IL*1*DOE*JANE****MI*M{i}~\nCLM*C{i}*10***11:B:1*Y*A*Y*Y~\nLX*1~\nSV1*HC:99213*10*UN*1~\n"));
        var lines = Edi.Professional().Split('\n').ToList();
        int se = lines.FindIndex(l => l.StartsWith("SE*", StringComparison.Ordinal));
        lines.Insert(se, body.TrimEnd('\n'));
        lines.RemoveAt(se + 1);
        var text = string.Join('\n', lines);

        var options = X12ReaderOptions.Lenient with { MaxTransactionBytes = 4096 };
        var (events, result) = SharedData.ReadText(text, options);

        Assert.Empty(events);
        Assert.Contains(result.Errors, e => e.Message.Contains("exceeds 4096 bytes without an SE", StringComparison.Ordinal));
        Assert.Equal(1, result.SkippedTransactionCount);
    }

    [Fact]
    public async Task ReadAsync_EventStream_YieldsEventsThenResult()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(EdiEdit.TwoTransactions()));
        var events = X12Reader.ReadAsync(stream, "async.edi", X12ReaderOptions.Lenient);

        var claims = new List<string>();
        await foreach (var e in events.WithCancellation(TestContext.Current.CancellationToken)) claims.Add(((ClaimEvent)e).ClaimId);

        Assert.Equal(["CLAIM1", "CLAIM2"], claims);
        Assert.Equal(2, events.Result.ClaimCount);
    }

    [Fact]
    public async Task ReadAsync_Callback_SameAsSync()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(EdiEdit.TwoTransactions()));
        var claims = new List<X12Event>();

        var result = await X12Reader.ReadAsync(stream, "async.edi", claims.Add, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, claims.Count);
        Assert.Equal(4, result.ServiceLineCount);
    }

    [Fact]
    public void Read_SegmentOutsideTransaction_IsAnError()
    {
        var text = Edi.Professional().Replace("GE*1*1~", "REF*XX*1~\nGE*1*1~", StringComparison.Ordinal);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text));

        Assert.Contains("outside a transaction set", ex.Message);
        Assert.Equal("REF", ex.SegmentId);
    }
}

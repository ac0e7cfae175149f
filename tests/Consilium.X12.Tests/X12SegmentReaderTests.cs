using System.Text;

namespace Consilium.X12.Tests;

public class X12SegmentReaderTests
{
    public static TheoryData<char, char, char, char, string> Delimiters => new()
    {
        { '*', ':', '^', '~', "\n" },
        { '*', ':', '^', '~', "" },
        { '|', '^', '`', '~', "\r\n" },
        { '~', '^', '|', '_', "" },
        { '*', '>', '|', '~', "\n      " },
        { '*', ':', '^', '\r', "\n" },
        { '*', ':', '^', '\r', "" },
        { '!', '\\', '{', '}', "\n" },
    };

    [Theory]
    [MemberData(nameof(Delimiters))]
    public void Read_AnyDelimiters_SameClaim(char element, char component, char repetition, char terminator, string lineBreak)
    {
        var (events, result) = SharedData.ReadText(Edi.Professional(element, component, repetition, terminator, lineBreak));

        var claim = Assert.IsType<ClaimEvent>(Assert.Single(events));
        Assert.Equal(1, result.TransactionCount);
        Assert.Equal("MEM001", claim.Member.MemberId);
        Assert.Equal(["M5450", "I10"], claim.Diagnoses.Select(d => d.Code));
        Assert.Equal(2, claim.Lines.Count);
        Assert.Equal(["25"], claim.Lines[0].Modifiers);
        Assert.Equal([1, 2], claim.Lines[0].DiagnosisPointers);
        Assert.Equal(50.5m, claim.Lines[1].Charge);
    }

    [Fact]
    public void Read_DelimitersFromIsa_AreExposed()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(Edi.Professional('|', '^', '`', '~', "\r\n")));
        using var reader = new X12SegmentReader(stream, "x.edi");

        Assert.True(reader.Read());

        Assert.Equal(new X12Delimiters((byte)'|', (byte)'^', (byte)'`', (byte)'~'), reader.Delimiters);
        Assert.Equal("ISA", reader.SegmentId);
        Assert.Equal(17, reader.ElementCount);
        Assert.Equal("00501", reader.GetString(12));
    }

    [Fact]
    public void Read_Segments_ExposeElementsComponentsAndOffsets()
    {
        var text = Edi.Professional();
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text));
        using var reader = new X12SegmentReader(stream, "x.edi");

        while (reader.Read() && reader.SegmentId != "SV1") { }

        Assert.Equal("SV1", reader.SegmentId);
        Assert.Equal(21, reader.SegmentNumber);
        Assert.Equal(text.IndexOf("SV1*", StringComparison.Ordinal), reader.SegmentOffset);
        Assert.Equal("99213", Encoding.ASCII.GetString(reader.GetComponent(1, 2)));
        Assert.Equal("25", Encoding.ASCII.GetString(reader.GetComponent(1, 3)));
        Assert.True(reader.GetComponent(1, 4).IsEmpty);
        Assert.True(reader.TryGetDecimal(2, out var charge));
        Assert.Equal(100m, charge);
        Assert.True(reader.GetElement(40).IsEmpty);
    }

    [Fact]
    public void Read_Utf8Bom_IsSkipped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.ASCII.GetBytes(Edi.Professional())).ToArray();
        using var stream = new MemoryStream(bytes);
        var events = new List<X12Event>();

        X12Reader.Read(stream, "bom.edi", events.Add);

        var claim = Assert.IsType<ClaimEvent>(Assert.Single(events));
        Assert.Equal(bytes.AsSpan().IndexOf("CLM*"u8), claim.ByteOffset);
    }

    [Fact]
    public void Read_Utf16_IsRejectedWithClearError()
    {
        using var stream = new MemoryStream(Encoding.Unicode.GetBytes(Edi.Professional()));

        var ex = Assert.Throws<X12FormatException>(() => X12Reader.Read(stream, "wide.edi", _ => { }));

        Assert.Contains("UTF-16", ex.Message);
        Assert.StartsWith("wide.edi: byte 1", ex.Message);
    }

    [Fact]
    public void Read_SqueezedIsaIn4010_FindsDelimitersByCounting()
    {
        var text = "ISA*00* *00* *ZZ*SUB *ZZ*REC *250101*1200*U*00401*000000007*0*P*:~\n" +
            Edi.Professional().Split('\n', 2)[1].Replace("000000001", "000000007", StringComparison.Ordinal);

        var (events, result) = SharedData.ReadText(text);

        Assert.Single(events);
        Assert.Equal("00401", result.Interchanges[0].Version);
    }

    [Fact]
    public void Read_5010IsaWithWrongWidth_FailsNamingTheElement()
    {
        var text = Edi.Professional().Replace("*00*          *00*", "*00*         *00*", StringComparison.Ordinal);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text, name: "narrow.edi"));

        Assert.Equal(0, ex.ByteOffset);
        Assert.Contains("ISA02 is 9 characters, expected 10", ex.Message);
    }

    [Fact]
    public void Read_LastSegmentWithoutTerminator_IsAccepted()
    {
        var text = Edi.Professional(lineBreak: "\n").TrimEnd('\n', '~');

        var (events, _) = SharedData.ReadText(text);

        Assert.Single(events);
    }

    [Fact]
    public void Read_SeveralInterchangesWithDifferentDelimiters_ReadsAll()
    {
        var text = Edi.Professional(control: "000000001", claimId: "A1")
            + Edi.Professional('|', '^', '`', '~', "\r\n", control: "000000002", claimId: "B1")
            + Edi.Professional('~', '^', '|', '_', "", control: "000000003", claimId: "C1");

        var (events, result) = SharedData.ReadText(text);

        Assert.Equal(["A1", "B1", "C1"], events.Cast<ClaimEvent>().Select(c => c.ClaimId));
        Assert.Equal(["000000001", "000000002", "000000003"], result.Interchanges.Select(i => i.ControlNumber));
        Assert.Equal(3, events.Cast<ClaimEvent>().Select(c => c.Transaction!.InterchangeControlNumber).Distinct().Count());
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(5000)]
    [InlineData(65536)]
    public void Read_SegmentsAcrossBufferBoundaries_SameResult(int bufferSize)
    {
        var text = string.Concat(Enumerable.Range(1, 200).Select(i => Edi.Professional(control: i.ToString("D9"), claimId: $"C{i}")));

        var (events, result) = SharedData.ReadText(text, X12ReaderOptions.Strict with { BufferSize = bufferSize });

        Assert.Equal(200, result.ClaimCount);
        Assert.Equal(400, result.ServiceLineCount);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => $"C{i}"), events.Cast<ClaimEvent>().Select(c => c.ClaimId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public void Read_EmptyInput_Fails(string text)
    {
        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text, name: "empty.edi"));

        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Read_SegmentLongerThanLimit_FailsInsteadOfGrowing()
    {
        var text = Edi.Professional().Split('\n')[0] + "\nGS*HC*" + new string('X', 5 * 1024 * 1024);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text, name: "runaway.edi"));

        Assert.Contains("terminator", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_SmallBuffer_SameSegmentsAsRead()
    {
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, 50).Select(i => Edi.Professional(control: i.ToString("D9")))));
        var expected = new List<string>();
        using (var reader = new X12SegmentReader(new MemoryStream(bytes), "a.edi"))
            while (reader.Read()) expected.Add(reader.SegmentId);

        var actual = new List<string>();
        using (var reader = new X12SegmentReader(new MemoryStream(bytes), "b.edi", bufferSize: 4096))
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) actual.Add(reader.SegmentId);

        Assert.Equal(50 * 28, expected.Count);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The segment key is read from a segment's first four bytes without a branch on the identifier's length; every
    /// identifier shape (2 or 3 characters, digits, lower case, too long, too short, a bare identifier) gets the key (or 0)
    /// that the rule in <see cref="X12SegmentReader.SegmentKey"/> gives, with both a one-byte and a CRLF line break after it.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    public void Read_SegmentIdentifierShapes_KeyFollowsTheRule(string lineBreak)
    {
        string[] segments =
        [
            "HL*1", "N3*1 MAIN", "CLM*A*1", "NM1*IL", "N4", "HL", "SE*", "LX*", "A1*X", "AB1*X", "A11*X",
            "1A*X", "1AB*X", "hl*1", "Hl*1", "ABCD*1", "ABCD", "A*1", "A", "AB*", "ABC", "ABC*", "AB**", "Z9Z*1", "ZZ#*1",
        ];
        var text = "ISA*00*          *00*          *ZZ*SUB            *ZZ*REC            *250101*1200*^*00501*000000007*0*P*:~" + lineBreak
            + string.Join("", segments.Select(s => s + "~" + lineBreak)) + "IEA*1*000000007~";
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text));
        using var reader = new X12SegmentReader(stream, "ids.edi");

        Assert.True(reader.Read());
        foreach (var segment in segments)
        {
            Assert.True(reader.Read());
            Assert.Equal(Encoding.ASCII.GetBytes(segment), reader.SegmentSpan.ToArray());
            Assert.True(ExpectedKey(segment) == reader.SegmentKey, $"'{segment}': expected key {ExpectedKey(segment)}, read {reader.SegmentKey}");
        }
        Assert.True(reader.Read());
        Assert.Equal("IEA", reader.SegmentId);
        Assert.False(reader.Read());

        // 2–3 characters up to the first element separator (or the end), upper-case letter first, then letters or digits.
        static int ExpectedKey(string segment)
        {
            var id = segment.Split('*')[0];
            bool valid = id.Length is 2 or 3 && char.IsAsciiLetterUpper(id[0]) && id.Skip(1).All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
            return valid ? X12SegmentReader.Key(id.AsSpan()) : 0;
        }
    }
}

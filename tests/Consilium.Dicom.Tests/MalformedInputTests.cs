using System.IO.Compression;
using System.Text;
using Consilium.Dicom.Tests.Support;

namespace Consilium.Dicom.Tests;

/// <summary>Hostile and broken input: always a DicomFormatException naming the offset, never another exception.</summary>
public class MalformedInputTests
{
    private static DicomFormatException Reject(byte[] bytes, DicomReadOptions? options = null, bool seekable = true) =>
        Assert.Throws<DicomFormatException>(() => DicomFile.ReadHeader(
            seekable ? new MemoryStream(bytes) : new NonSeekableStream(new MemoryStream(bytes)),
            options ?? new DicomReadOptions { Scope = DicomReadScope.WholeFile }));

    [Fact]
    public void ReadHeader_PdfDocument_RejectedAsPdf()
    {
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + new string(' ', 200));

        var error = Reject(pdf);

        Assert.Equal(DicomFormatError.NotDicom, error.Error);
        Assert.Equal(128, error.Offset);
        Assert.Contains("PDF document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_TextFile_RejectedAsText()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Patient: Jane Doe, MRI knee, see attached images.\n", 5)));

        var error = Reject(text);

        Assert.Equal(DicomFormatError.NotDicom, error.Error);
        Assert.Contains("text file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, "only 10 bytes")]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "ZIP archive")]
    public void ReadHeader_NotDicom_ReasonSaysWhatItIs(byte[] bytes, string expected)
    {
        var error = Reject(bytes, new DicomReadOptions { AllowRawDataset = true });

        Assert.Equal(DicomFormatError.NotDicom, error.Error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_FileCutAtEveryByte_RejectedOrReadNeverCrashes()
    {
        var bytes = Samples.Header("1.2.840.10008.1.2.4.50", w => w
                .BeginSequence(new DicomTag(0x0008, 0x0006)).BeginItem().String(new DicomTag(0x0008, 0x0100), "SH", "en").End().End()
                .BeginSequence(new DicomTag(0x0008, 0x0007), undefinedLength: false).BeginItem(undefinedLength: false).String(new DicomTag(0x0008, 0x0100), "SH", "fr").End().End())
            .Fragments(DicomTag.PixelData, [], new byte[64])
            .ToArray();

        for (var cut = 0; cut < bytes.Length; cut++)
        {
            foreach (var seekable in new[] { true, false })
            {
                var prefix = bytes[..cut];
                // Only a cut exactly between two top-level elements leaves a readable (shorter) file.
                var exception = Record.Exception(() => Samples.ReadWhole(prefix, seekable));
                if (exception is null)
                    continue;
                var error = Assert.IsType<DicomFormatException>(exception);
                Assert.InRange(error.Offset, 0, cut);
                Assert.Contains(error.Error, new[]
                {
                    DicomFormatError.NotDicom, DicomFormatError.Truncated, DicomFormatError.LengthBeyondEndOfData,
                    DicomFormatError.MissingTransferSyntax,
                });
            }
        }
    }

    [Fact]
    public void ReadHeader_RandomlyCorruptedFiles_OnlyFormatExceptions()
    {
        var original = Samples.Image(DicomTransferSyntax.ExplicitVRLittleEndian, w => w
            .BeginSequence(new DicomTag(0x0008, 0x0006)).BeginItem().String(new DicomTag(0x0008, 0x0100), "SH", "en").End().End()).ToArray();
        var random = new Random(20240115);

        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
                bytes[random.Next(128, bytes.Length)] = (byte)random.Next(256);
            var options = new DicomReadOptions { Scope = i % 2 == 0 ? DicomReadScope.WholeFile : DicomReadScope.HeaderOnly, AllowRawDataset = i % 3 == 0 };

            var exception = Record.Exception(() => DicomFile.ReadHeader(new MemoryStream(bytes), options))
                ?? Record.Exception(() => DicomFile.ReadElements(new NonSeekableStream(new MemoryStream(bytes)), options));

            if (exception is not null)
                Assert.IsType<DicomFormatException>(exception);
        }
    }

    [Fact]
    public void ReadHeader_LengthBeyondEndOfFile_RejectedWithElementOffset()
    {
        var writer = Samples.Header().Bytes(DicomTag.PixelData, "OW", new byte[16], declaredLength: 4096);
        var bytes = writer.ToArray();
        var pixelDataOffset = bytes.Length - 16 - 12;

        var seekable = Reject(bytes);
        var streamed = Reject(bytes, seekable: false);

        Assert.Equal(DicomFormatError.LengthBeyondEndOfData, seekable.Error);
        Assert.Equal(pixelDataOffset, seekable.Offset);
        Assert.Contains("only 16 remain", seekable.Message, StringComparison.Ordinal);
        Assert.Equal(DicomFormatError.Truncated, streamed.Error);
    }

    [Fact]
    public void ReadHeader_HugeNonBulkElement_RejectedBeforeReadingIt()
    {
        var bytes = new TestDicomWriter().Bytes(DicomTag.StudyDescription, "UT", [], declaredLength: 0xF0000000).ToArray();

        var error = Reject(bytes, seekable: false);

        Assert.Equal(DicomFormatError.ElementTooLong, error.Error);
        Assert.Contains("(0008,1030)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_ElementOverrunsItsItem_Rejected()
    {
        var bytes = Samples.Image(between: w => w
            .BeginSequence(new DicomTag(0x0008, 0x0006), undefinedLength: false)
                .BeginItem(undefinedLength: false)
                    .Bytes(new DicomTag(0x0008, 0x0100), "SH", "en"u8.ToArray(), declaredLength: 40)
                .End()
            .End()).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.LengthBeyondContainer, error.Error);
    }

    [Fact]
    public void ReadHeader_DelimiterStraddlesSequenceEnd_Rejected()
    {
        // A 12-byte sequence holding an undefined-length item: its 8-byte delimiter ends 4 bytes too late.
        var bytes = Samples.Image(between: w => w.Raw(
        [
            0x08, 0x00, 0x06, 0x00, (byte)'S', (byte)'Q', 0, 0, 12, 0, 0, 0,
            0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0,
        ])).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.LengthBeyondContainer, error.Error);
        Assert.Contains("(0008,0006) runs 4 bytes past", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_SequencesNestedTooDeep_Rejected()
    {
        var bytes = Samples.Image(between: w =>
        {
            for (var i = 0; i < 40; i++)
                w.BeginSequence(new DicomTag(0x0008, 0x0006)).BeginItem();
            for (var i = 0; i < 40; i++)
                w.End().End();
        }).ToArray();

        var error = Reject(bytes, new DicomReadOptions());

        Assert.Equal(DicomFormatError.NestingTooDeep, error.Error);
        Assert.Contains("limit of 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_ItemTagAtTopLevel_Rejected()
    {
        var bytes = Samples.Image(between: w => w.Raw([0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0])).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.UnexpectedDelimiter, error.Error);
        Assert.Contains("top level", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_NonItemInsideSequence_Rejected()
    {
        var bytes = Samples.Image(between: w => w
            .BeginSequence(new DicomTag(0x0008, 0x0006))
                .String(new DicomTag(0x0008, 0x0100), "SH", "en")
            .End()).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.UnexpectedDelimiter, error.Error);
        Assert.Contains("expected an item", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_VRBytesNotLetters_Rejected()
    {
        var bytes = Samples.Image(between: w => w.Raw([0x08, 0x00, 0x06, 0x00, 0x01, 0x02, 0x00, 0x00])).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.InvalidValueRepresentation, error.Error);
    }

    [Fact]
    public void ReadHeader_UndefinedLengthOnString_Rejected()
    {
        var bytes = Samples.Image(between: w => w.Bytes(new DicomTag(0x0009, 0x1010), "UT", [], declaredLength: 0xFFFFFFFF)).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.InvalidUndefinedLength, error.Error);
    }

    [Fact]
    public void ReadHeader_MissingTransferSyntax_Rejected()
    {
        var bytes = Samples.Image().RemoveMeta(DicomTag.TransferSyntaxUid).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.MissingTransferSyntax, error.Error);
        Assert.Equal(132, error.Offset);
    }

    [Fact]
    public void ReadHeader_DeflatedGarbage_Rejected()
    {
        var bytes = Samples.Image(DicomTransferSyntax.DeflatedExplicitVRLittleEndian).ToArray();
        // Keep the meta group, replace the compressed dataset with bytes that are not a deflate stream.
        var metaLength = bytes.AsSpan().IndexOf("1.2.840.10008.1.2.1.99"u8) + 22;
        var garbage = bytes[..metaLength].Concat(Enumerable.Repeat((byte)0xFF, 64)).ToArray();

        var error = Reject(garbage);

        Assert.Equal(DicomFormatError.InvalidDeflateData, error.Error);
        Assert.Contains("inflated dataset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_DeflateBomb_StoppedAtInflatedLimit()
    {
        var bytes = Samples.Header(DicomTransferSyntax.DeflatedExplicitVRLittleEndian)
            .Bytes(DicomTag.PixelData, "OB", new byte[8_000_000])
            .ToArray();
        Assert.True(bytes.Length < 100_000, "the test needs a highly compressible file");

        var error = Reject(bytes, new DicomReadOptions { Scope = DicomReadScope.WholeFile, MaxInflatedLength = 1_000_000 });

        Assert.Equal(DicomFormatError.InflatedDataTooLarge, error.Error);
    }

    [Fact]
    public void ReadElements_MoreElementsThanLimit_Rejected()
    {
        var bytes = Samples.Image().ToArray();

        var error = Assert.Throws<DicomFormatException>(() =>
            DicomFile.ReadElements(new MemoryStream(bytes), new DicomReadOptions { MaxElementCount = 10 }));

        Assert.Equal(DicomFormatError.TooManyElements, error.Error);
    }

    [Fact]
    public void ReadHeader_DeflatedFile_ErrorOffsetSaysInflated()
    {
        var bytes = Samples.Header(DicomTransferSyntax.DeflatedExplicitVRLittleEndian, w => w.Raw([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0])).ToArray();

        var error = Reject(bytes);

        Assert.Equal(DicomFormatError.UnexpectedDelimiter, error.Error);
        Assert.Contains("within the inflated dataset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_StreamFailure_PropagatesUnchanged()
    {
        // An I/O failure is the caller's to handle (retry, 503), not a verdict on the file's content.
        var stream = new FailingStream(Samples.Image().ToArray()[..200]);

        Assert.Throws<IOException>(() => DicomFile.ReadHeader(stream));
    }

    private sealed class FailingStream(byte[] head) : MemoryStream(head)
    {
        public override bool CanSeek => false;

        public override int Read(Span<byte> buffer) =>
            Position < Length ? base.Read(buffer) : throw new IOException("connection reset");
    }
}

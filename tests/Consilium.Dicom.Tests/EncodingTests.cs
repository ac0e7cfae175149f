using System.Text;
using Consilium.Dicom.Tests.Support;

namespace Consilium.Dicom.Tests;

/// <summary>Generated files in every transfer syntax and structure the reader supports.</summary>
public class EncodingTests
{
    public static TheoryData<string> TransferSyntaxes() =>
    [
        DicomTransferSyntax.ImplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRBigEndian,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
    ];

    [Theory]
    [MemberData(nameof(TransferSyntaxes))]
    public void ReadHeader_EachTransferSyntax_ExtractsHeader(string transferSyntax)
    {
        var bytes = Samples.Image(transferSyntax).ToArray();

        var headerOnly = Samples.Read(bytes);
        var seekable = Samples.ReadWhole(bytes);
        var streamed = Samples.ReadWhole(bytes, seekable: false);

        Samples.AssertStandardHeader(headerOnly);
        Assert.Equal(transferSyntax, headerOnly.TransferSyntaxUid);
        Assert.Empty(headerOnly.Warnings);
        Assert.Equal(headerOnly, seekable);
        Assert.Equal(headerOnly, streamed);
    }

    [Theory]
    [MemberData(nameof(TransferSyntaxes))]
    public void ReadHeader_NestedUndefinedLengthSequencesBeforeHeader_ReadsTagsAfterThem(string transferSyntax)
    {
        var bytes = Samples.Image(transferSyntax, w => w
            .BeginSequence(new DicomTag(0x0008, 0x0006)) // Language Code Sequence: before (0008,0016)
                .BeginItem()
                    .String(new DicomTag(0x0008, 0x0100), "SH", "en")
                    .BeginSequence(new DicomTag(0x0008, 0x1115))
                        .BeginItem().End()
                        .BeginItem(undefinedLength: false)
                            .BeginSequence(new DicomTag(0x0008, 0x1199), undefinedLength: false)
                                .BeginItem().String(new DicomTag(0x0008, 0x1155), "UI", "1.2.3").End()
                            .End()
                        .End()
                    .End()
                    .BeginSequence(new DicomTag(0x0040, 0xA730)).End()
                .End()
                .BeginItem(undefinedLength: false).End()
            .End()).ToArray();

        Samples.AssertStandardHeader(Samples.Read(bytes));
        Samples.AssertStandardHeader(Samples.ReadWhole(bytes));
        Samples.AssertStandardHeader(Samples.ReadWhole(bytes, seekable: false));
    }

    [Theory]
    [MemberData(nameof(TransferSyntaxes))]
    public void ReadElements_GeneratedFile_SameTopLevelElementsAsDcmdump(string transferSyntax)
    {
        // Checks the test writer as much as the reader: both must agree with DCMTK on what the bytes say.
        var path = Path.Combine(Path.GetTempPath(), $"consilium-gen-{Guid.NewGuid():N}.dcm");
        try
        {
            File.WriteAllBytes(path, Samples.Image(transferSyntax, w => w
                .BeginSequence(new DicomTag(0x0008, 0x0006))
                    .BeginItem().String(new DicomTag(0x0008, 0x0100), "SH", "en").End()
                .End()).ToArray());

            var dump = Dcmdump.TopLevel(path);
            var elements = DicomFile.ReadElements(path);

            Assert.Equal(dump.Select(l => l.Tag), elements.Select(e => e.Tag));
            Assert.Equal(dump.Single(l => l.Tag == DicomTag.PatientName).Value, elements.Single(e => e.Tag == DicomTag.PatientName).Value);
            Assert.Equal(dump.Single(l => l.Tag == DicomTag.InstitutionName).Value, elements.Single(e => e.Tag == DicomTag.InstitutionName).Value);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("ISO_IR 100", "Müller^Jörg")]
    [InlineData("ISO_IR 192", "山田^太郎=やまだ^たろう")]
    [InlineData("ISO_IR 144", "Иванов^Пётр")]
    public void ReadHeader_CharacterSet_SameTextAsDcmdump(string characterSet, string name)
    {
        var encoding = characterSet switch
        {
            "ISO_IR 192" => Encoding.UTF8,
            "ISO_IR 144" => CodePagesEncodingProvider.Instance.GetEncoding(28595),
            _ => Encoding.Latin1,
        };
        var path = Path.Combine(Path.GetTempPath(), $"consilium-cs-{Guid.NewGuid():N}.dcm");
        try
        {
            File.WriteAllBytes(path, Samples.Header(patientName: name, characterSet: characterSet, encoding: encoding).ToArray());

            var dumped = Dcmdump.TopLevel(path).Single(l => l.Tag == DicomTag.PatientName).Value;
            var header = DicomFile.ReadHeader(path);

            Assert.Equal(name, dumped);
            Assert.Equal(dumped, header.PatientName?.Raw);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadElements_NestedSequences_ListsTopLevelOnly()
    {
        var bytes = Samples.Image(between: w => w
            .BeginSequence(new DicomTag(0x0008, 0x0006), undefinedLength: false)
                .BeginItem(undefinedLength: false).String(DicomTag.PatientName, "PN", "Nested^Name").End()
            .End()).ToArray();

        var elements = DicomFile.ReadElements(new MemoryStream(bytes));

        var sequence = elements.Single(e => e.Tag == new DicomTag(0x0008, 0x0006));
        Assert.True(sequence.IsSequence);
        Assert.Null(sequence.Value);
        Assert.Equal("Müller^Jörg^Peter", elements.Single(e => e.Tag == DicomTag.PatientName).Value);
    }

    [Theory]
    [InlineData(DicomTransferSyntax.ExplicitVRLittleEndian)]
    [InlineData(DicomTransferSyntax.ExplicitVRBigEndian)]
    public void ReadElements_VRsWith32BitLengths_ReadCorrectly(string transferSyntax)
    {
        var longText = new string('x', 70_000); // over the 16-bit length the short header form could hold
        var bytes = new TestDicomWriter(transferSyntax)
            .String(new DicomTag(0x0008, 0x0119), "UC", "Long code value")
            .String(new DicomTag(0x0008, 0x0120), "UR", "https://example.org/code")
            .Bytes(new DicomTag(0x0009, 0x1001), "OD", new byte[16])
            .Bytes(new DicomTag(0x0009, 0x1002), "OL", new byte[8])
            .Bytes(new DicomTag(0x0009, 0x1003), "OV", new byte[8])
            .Bytes(new DicomTag(0x0009, 0x1004), "OF", new byte[4])
            .Bytes(new DicomTag(0x0009, 0x1005), "SV", transferSyntax == DicomTransferSyntax.ExplicitVRBigEndian
                ? [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE] : [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
            .Bytes(new DicomTag(0x0009, 0x1006), "UV", transferSyntax == DicomTransferSyntax.ExplicitVRBigEndian
                ? [0, 0, 0, 1, 0, 0, 0, 0] : [0, 0, 0, 0, 1, 0, 0, 0])
            .String(new DicomTag(0x0040, 0xA160), "UT", longText)
            .String(DicomTag.PatientName, "PN", "After^Them") // out of order on purpose: proves the lengths were right
            .ToArray();

        var elements = DicomFile.ReadElements(new MemoryStream(bytes)).Where(e => e.Tag.Group != 0x0002).ToList();

        Assert.Equal([DicomVR.UC, DicomVR.UR, DicomVR.OD, DicomVR.OL, DicomVR.OV, DicomVR.OF, DicomVR.SV, DicomVR.UV, DicomVR.UT, DicomVR.PN],
            elements.Select(e => e.VR));
        Assert.Equal("Long code value", elements[0].Value);
        Assert.Equal("https://example.org/code", elements[1].Value);
        Assert.Equal("-2", elements[6].Value);
        Assert.Equal("4294967296", elements[7].Value);
        Assert.Equal(longText, elements[8].Value);
        Assert.Equal("After^Them", elements[9].Value);
    }

    [Fact]
    public void ReadElements_BigEndianNumbers_DecodedInFileByteOrder()
    {
        var bytes = new TestDicomWriter(DicomTransferSyntax.ExplicitVRBigEndian)
            .UInt16(new DicomTag(0x0028, 0x0010), 512, 1)
            .UInt32(new DicomTag(0x0028, 0x9001), 70000)
            .ToArray();

        var elements = DicomFile.ReadElements(new MemoryStream(bytes));

        Assert.Equal(@"512\1", elements.Single(e => e.Tag == new DicomTag(0x0028, 0x0010)).Value);
        Assert.Equal("70000", elements.Single(e => e.Tag == new DicomTag(0x0028, 0x9001)).Value);
    }

    [Fact]
    public void ReadHeader_EncapsulatedPixelData_FragmentsWalkedNotLoaded()
    {
        var bytes = Samples.Header("1.2.840.10008.1.2.4.50")
            .Fragments(DicomTag.PixelData, [], new byte[1000], new byte[3000])
            .ToArray();

        var header = Samples.ReadWhole(bytes);
        var streamed = Samples.ReadWhole(bytes, seekable: false);
        var elements = DicomFile.ReadElements(new MemoryStream(bytes));

        Samples.AssertStandardHeader(header);
        Assert.Equal("1.2.840.10008.1.2.4.50", header.TransferSyntaxUid);
        Assert.Equal(header, streamed);
        var pixelData = elements[^1];
        Assert.Equal((DicomTag.PixelData, DicomVR.OB, (uint?)null, (string?)null), (pixelData.Tag, pixelData.VR, pixelData.Length, pixelData.Value));
    }

    [Fact]
    public void ReadHeader_UnknownVRWithUndefinedLength_ReadAsImplicitSequence()
    {
        var bytes = Samples.Image(between: w => w
            .BeginSequence(new DicomTag(0x0009, 0x1010), vr: "UN")
                .BeginItem()
                    .String(new DicomTag(0x0008, 0x1150), "UI", "1.2.840.10008.5.1.4.1.1.2")
                    .BeginSequence(new DicomTag(0x0008, 0x1199))
                        .BeginItem().String(new DicomTag(0x0008, 0x1155), "UI", "1.2.3").End()
                    .End()
                .End()
            .End()).ToArray();

        var header = Samples.ReadWhole(bytes);

        Samples.AssertStandardHeader(header);
        var warning = Assert.Single(header.Warnings);
        Assert.Equal(DicomWarningKind.SequenceEncodedAsUnknown, warning.Kind);
        Assert.Equal(new DicomTag(0x0009, 0x1010), warning.Tag);
    }

    [Fact]
    public void ReadHeader_DeflatedDatasetLargerThanBuffer_Inflated()
    {
        // Bulk data ahead of the header attributes makes the inflater refill the buffer many times.
        var bytes = Samples.Image(DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
            w => w.Bytes(new DicomTag(0x0009, 0x1010), "OB", Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray())).ToArray();

        Samples.AssertStandardHeader(Samples.Read(bytes));
        Samples.AssertStandardHeader(Samples.ReadWhole(bytes, seekable: false));
    }

    [Theory]
    [InlineData("", "Doe^John", "Doe^John")]
    [InlineData("ISO_IR 100", "Müller^Jörg", "Müller^Jörg")]
    [InlineData("ISO_IR 192", "Müller^Jörg", "Müller^Jörg")]
    [InlineData("ISO_IR 192", "山田^太郎=やまだ^たろう", "山田^太郎=やまだ^たろう")]
    [InlineData("ISO_IR 144", "Иванов^Пётр", "Иванов^Пётр")]
    [InlineData("ISO_IR 101", "Dvořák^Antonín", "Dvořák^Antonín")]
    public void ReadHeader_SpecificCharacterSet_DecodesNames(string characterSet, string written, string expected)
    {
        var encoding = characterSet switch
        {
            "ISO_IR 192" => Encoding.UTF8,
            "ISO_IR 144" => CodePagesEncodingProvider.Instance.GetEncoding(28595),
            "ISO_IR 101" => CodePagesEncodingProvider.Instance.GetEncoding(28592),
            _ => Encoding.Latin1,
        };
        var bytes = Samples.Header(patientName: written, characterSet: characterSet, encoding: encoding).ToArray();

        var header = Samples.Read(bytes);

        Assert.Equal(expected, header.PatientName?.Raw);
        Assert.Empty(header.Warnings);
    }

    [Fact]
    public void ReadHeader_Iso2022CodeExtensions_FlaggedAndDecodedWithFirstSet()
    {
        var bytes = Samples.Header(characterSet: @"\ISO 2022 IR 87").ToArray();

        var header = Samples.Read(bytes);

        var warning = Assert.Single(header.Warnings);
        Assert.Equal(DicomWarningKind.UnsupportedCharacterSet, warning.Kind);
        Assert.Equal("Müller^Jörg^Peter", header.PatientName?.Raw);
    }

    [Fact]
    public void ReadHeader_PaddedValues_PaddingStripped()
    {
        var bytes = new TestDicomWriter()
            .String(DicomTag.SopInstanceUid, "UI", "1.2.3\0")
            .String(DicomTag.Modality, "CS", "MR  ")
            .String(DicomTag.StudyDescription, "LO", "  Brain  ")
            .String(DicomTag.PatientName, "PN", "Doe^Jane ")
            .String(DicomTag.PatientId, "LO", "")
            .ToArray();

        var header = Samples.Read(bytes);

        Assert.Equal("1.2.3", header.SopInstanceUid);
        Assert.Equal("MR", header.Modality);
        Assert.Equal("Brain", header.StudyDescription);
        Assert.Equal("Doe^Jane", header.PatientName?.Raw);
        Assert.Null(header.PatientId);
    }

    [Fact]
    public void ReadHeader_StringOverLimit_SkippedAndFlagged()
    {
        var bytes = Samples.Header().ToArray();

        var header = Samples.Read(bytes, new DicomReadOptions { MaxStringLength = 12 });

        Assert.Null(header.PatientName);
        Assert.Equal("CT", header.Modality);
        Assert.Contains(header.Warnings, w => w.Kind == DicomWarningKind.ValueTooLong && w.Tag == DicomTag.PatientName);
    }

    [Fact]
    public void ReadHeader_OddLength_Flagged()
    {
        var bytes = new TestDicomWriter().Bytes(DicomTag.Modality, "CS", "CT "u8.ToArray()[..3]).ToArray();

        var header = Samples.Read(bytes);

        Assert.Equal("CT", header.Modality);
        var warning = Assert.Single(header.Warnings);
        Assert.Equal((DicomWarningKind.OddLength, DicomTag.Modality), (warning.Kind, warning.Tag));
    }

    [Fact]
    public void ReadHeader_UnknownVR_ReadAsUnknownWithLongLength()
    {
        var bytes = Samples.Image(between: w => w.Bytes(new DicomTag(0x0009, 0x1010), "ZZ", new byte[6])).ToArray();

        var header = Samples.ReadWhole(bytes);

        Samples.AssertStandardHeader(header);
        Assert.Equal(DicomWarningKind.UnknownValueRepresentation, Assert.Single(header.Warnings).Kind);
    }

    [Fact]
    public void ReadHeader_UnknownTransferSyntax_FlaggedAndReadAsExplicitLittleEndian()
    {
        var bytes = Samples.Image("1.2.3.4.999").ToArray();

        var header = Samples.ReadWhole(bytes);

        Samples.AssertStandardHeader(header);
        Assert.Equal(DicomWarningKind.UnknownTransferSyntax, Assert.Single(header.Warnings).Kind);
    }

    [Fact]
    public void ReadHeader_MetaWithoutPreamble_ReadWhenRawAllowed()
    {
        var bytes = Samples.Image().ToArray()[128..]; // drop the preamble, keep "DICM"... then drop that too
        bytes = bytes[4..];

        var strict = Assert.Throws<DicomFormatException>(() => Samples.Read(bytes));
        var header = Samples.Read(bytes, new DicomReadOptions { AllowRawDataset = true });

        Assert.Equal(DicomFormatError.NotDicom, strict.Error);
        Samples.AssertStandardHeader(header);
        Assert.Equal(DicomWarningKind.RawDataset, Assert.Single(header.Warnings).Kind);
    }

    [Fact]
    public void ReadHeader_RawImplicitDataset_ReadWhenAllowed()
    {
        var full = new TestDicomWriter(DicomTransferSyntax.ImplicitVRLittleEndian, withMeta: false)
            .String(DicomTag.SpecificCharacterSet, "CS", "ISO_IR 100")
            .String(DicomTag.Modality, "CS", "US")
            .String(DicomTag.PatientName, "PN", "Raw^Dataset")
            .ToArray();

        var header = Samples.Read(full, new DicomReadOptions { AllowRawDataset = true });

        Assert.False(header.HasFileMeta);
        Assert.Equal(DicomTransferSyntax.ImplicitVRLittleEndian, header.TransferSyntaxUid);
        Assert.Equal("Raw^Dataset", header.PatientName?.Raw);
    }

    [Fact]
    public void ReadHeader_HeaderOnly_StopsBeforePixelData()
    {
        var head = Samples.Header().Bytes(DicomTag.PixelData, "OW", [], declaredLength: 100_000_000).ToArray();
        var stream = new ZeroTailStream(head, head.Length + 100_000_000L);

        var header = DicomFile.ReadHeader(stream);

        Samples.AssertStandardHeader(header);
        Assert.True(stream.BytesRead < 128 * 1024, $"read {stream.BytesRead} bytes");
    }
}

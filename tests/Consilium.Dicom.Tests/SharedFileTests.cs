using Consilium.Dicom.Tests.Support;

namespace Consilium.Dicom.Tests;

/// <summary>The public sample files, read and compared with DCMTK's dcmdump.</summary>
public class SharedFileTests
{
    public static TheoryData<string> ValidFiles() => SharedData.ValidFiles();

    private static readonly (DicomTag Tag, Func<DicomHeader, string?> Value)[] TextFields =
    [
        (DicomTag.TransferSyntaxUid, h => h.TransferSyntaxUid),
        (DicomTag.MediaStorageSopClassUid, h => h.MediaStorageSopClassUid),
        (DicomTag.MediaStorageSopInstanceUid, h => h.MediaStorageSopInstanceUid),
        (DicomTag.PatientName, h => h.PatientName?.Raw),
        (DicomTag.PatientId, h => h.PatientId),
        (DicomTag.PatientBirthDate, h => h.PatientBirthDate),
        (DicomTag.PatientSex, h => h.PatientSex),
        (DicomTag.StudyInstanceUid, h => h.StudyInstanceUid),
        (DicomTag.SeriesInstanceUid, h => h.SeriesInstanceUid),
        (DicomTag.SopInstanceUid, h => h.SopInstanceUid),
        (DicomTag.SopClassUid, h => h.SopClassUid),
        (DicomTag.Modality, h => h.Modality),
        (DicomTag.StudyDate, h => h.StudyDate),
        (DicomTag.StudyTime, h => h.StudyTime),
        (DicomTag.StudyDescription, h => h.StudyDescription),
        (DicomTag.SeriesDescription, h => h.SeriesDescription),
        (DicomTag.BodyPartExamined, h => h.BodyPartExamined),
        (DicomTag.AccessionNumber, h => h.AccessionNumber),
        (DicomTag.InstitutionName, h => h.InstitutionName),
        (DicomTag.ReferringPhysicianName, h => h.ReferringPhysicianName?.Raw),
    ];

    private static readonly (DicomTag Tag, Func<DicomHeader, int?> Value)[] IntegerFields =
    [
        (DicomTag.SeriesNumber, h => h.SeriesNumber),
        (DicomTag.InstanceNumber, h => h.InstanceNumber),
        (DicomTag.NumberOfFrames, h => h.NumberOfFrames),
    ];

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void ReadHeader_ValidFile_MatchesDcmdump(string file)
    {
        var path = SharedData.PathOf(file);
        var dump = Dcmdump.TopLevel(path).ToDictionary(l => l.Tag);
        var rawDump = Dcmdump.TopLevel(path, utf8: false).ToDictionary(l => l.Tag);

        var header = DicomFile.ReadHeader(path);

        Assert.True(dump.ContainsKey(DicomTag.TransferSyntaxUid), $"dcmdump listed no transfer syntax for {file}");
        foreach (var (tag, value) in TextFields)
            Assert.True(Expected(dump, tag) == value(header), $"{file} {tag}: dcmdump '{Expected(dump, tag)}', reader '{value(header)}'");
        foreach (var (tag, value) in IntegerFields)
            Assert.True(DicomValue.ParseInteger(Expected(dump, tag)) == value(header), $"{file} {tag}: dcmdump '{Expected(dump, tag)}', reader '{value(header)}'");
        // +U8 rewrites (0008,0005) to ISO_IR 192, so the character set is compared with the unconverted dump.
        Assert.Equal(Expected(rawDump, DicomTag.SpecificCharacterSet), header.SpecificCharacterSet);
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void ReadElements_ValidFile_SameTopLevelElementsAsDcmdump(string file)
    {
        var path = SharedData.PathOf(file);
        // The unconverted listing gives the elements as stored (+U8 adds a (0008,0005) to files without one);
        // the converted one gives comparable text.
        var dump = Dcmdump.TopLevel(path, utf8: false);
        var converted = Dcmdump.TopLevel(path).ToDictionary(l => l.Tag);

        var elements = DicomFile.ReadElements(path);

        Assert.Equal(dump.Select(l => l.Tag), elements.Select(e => e.Tag));
        var implicitVR = elements.Single(e => e.Tag == DicomTag.TransferSyntaxUid).Value == DicomTransferSyntax.ImplicitVRLittleEndian;
        foreach (var (raw, element) in dump.Zip(elements))
        {
            var line = raw.Tag == DicomTag.SpecificCharacterSet ? raw : converted[raw.Tag];
            // Implicit VR files carry no VR: dcmdump shows its dictionary's, the reader UN for tags it does not know.
            if (!implicitVR || element.VR != DicomVR.UN)
                Assert.True(DumpVR(line.VR) == element.VR.ToString(), $"{file} {line.Tag}: dcmdump VR {line.VR}, reader {element.VR}");
            if (line.Value is null)
                continue;
            if (element.VR.IsString())
            {
                Assert.True(Normalize(line.Value, element.VR) == element.Value, $"{file} {line.Tag}: dcmdump '{line.Value}', reader '{element.Value}'");
            }
            else if (element.VR is DicomVR.US or DicomVR.UL or DicomVR.SS or DicomVR.SL)
            {
                Assert.True(line.Value == element.Value, $"{file} {line.Tag}: dcmdump '{line.Value}', reader '{element.Value}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void ReadHeader_WholeFileOrNonSeekable_SameHeaderAsHeaderOnly(string file)
    {
        var path = SharedData.PathOf(file);
        var headerOnly = DicomFile.ReadHeader(path);

        var wholeFile = DicomFile.ReadHeader(path, new DicomReadOptions { Scope = DicomReadScope.WholeFile });
        using var pipe = new NonSeekableStream(File.OpenRead(path));
        var nonSeekable = DicomFile.ReadHeader(pipe, new DicomReadOptions { Scope = DicomReadScope.WholeFile });

        Assert.Equal(headerOnly with { Warnings = [] }, wholeFile with { Warnings = [] });
        Assert.Equal(headerOnly with { Warnings = [] }, nonSeekable with { Warnings = [] });
    }

    [Fact]
    public void ReadHeader_ExplicitImplicitAndBigEndianMr_SameHeader()
    {
        var little = DicomFile.ReadHeader(SharedData.PathOf("mr/pydicom__MR_small_explicitLE.dcm"));
        var implicitVR = DicomFile.ReadHeader(SharedData.PathOf("mr/pydicom__MR_small_implicitLE.dcm"));
        var big = DicomFile.ReadHeader(SharedData.PathOf("mr/pydicom__MR_small_explicitBE.dcm"));

        Assert.Equal("CompressedSamples^MR1", little.PatientName?.Raw);
        Assert.Equal(little with { TransferSyntaxUid = "" }, implicitVR with { TransferSyntaxUid = "" });
        Assert.Equal(little with { TransferSyntaxUid = "" }, big with { TransferSyntaxUid = "" });
        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian, big.TransferSyntaxUid);
    }

    [Fact]
    public void ReadHeader_OddLengthPixelData_Flagged()
    {
        var header = DicomFile.ReadHeader(SharedData.PathOf("dx/highdicom__dx_image.dcm"), new DicomReadOptions { Scope = DicomReadScope.WholeFile });

        var warning = Assert.Single(header.Warnings);
        Assert.Equal(DicomWarningKind.OddLength, warning.Kind);
        Assert.Equal(DicomTag.PixelData, warning.Tag);
    }

    [Fact]
    public void ReadHeader_DeflatedSample_ReadsInflatedDataset()
    {
        var header = DicomFile.ReadHeader(SharedData.PathOf("ot/pydicom__image_dfl_deflated.dcm"), new DicomReadOptions { Scope = DicomReadScope.WholeFile });

        Assert.Equal(DicomTransferSyntax.DeflatedExplicitVRLittleEndian, header.TransferSyntaxUid);
        Assert.Equal("OT", header.Modality);
        Assert.True(header.PatientName!.IsEmpty);
    }

    // ---- malformed/ : each file's outcome is decided, not just "some exception" ----

    [Fact]
    public void ReadHeader_TruncatedPixelData_HeaderReadsButWholeFileRejected()
    {
        var path = SharedData.PathOf("malformed/pydicom__MR_truncated.dcm");

        // The damage is in the pixel data, after every header attribute: header-only reading stops before it.
        var header = DicomFile.ReadHeader(path);
        var seekable = Assert.Throws<DicomFormatException>(() =>
            DicomFile.ReadHeader(path, new DicomReadOptions { Scope = DicomReadScope.WholeFile }));
        using var pipe = new NonSeekableStream(File.OpenRead(path));
        var streamed = Assert.Throws<DicomFormatException>(() =>
            DicomFile.ReadHeader(pipe, new DicomReadOptions { Scope = DicomReadScope.WholeFile }));

        Assert.Equal("CompressedSamples^MR1", header.PatientName?.Raw);
        Assert.Equal(DicomFormatError.LengthBeyondEndOfData, seekable.Error);
        Assert.Contains("(7fe0,0010) declares 8192 bytes", seekable.Message, StringComparison.Ordinal);
        Assert.Equal(PixelDataOffset(path), seekable.Offset);
        // Without a length to compare against, the same damage shows as the data running out.
        Assert.Equal(DicomFormatError.Truncated, streamed.Error);
        Assert.Contains("(7fe0,0010)", streamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_RtPlanTruncatedInsideSequence_WholeFileRejected()
    {
        var path = SharedData.PathOf("malformed/pydicom__rtplan_truncated.dcm");

        var header = DicomFile.ReadHeader(path);
        var error = Assert.Throws<DicomFormatException>(() =>
            DicomFile.ReadHeader(path, new DicomReadOptions { Scope = DicomReadScope.WholeFile }));

        Assert.Equal("RTPLAN", header.Modality);
        Assert.Equal(DicomFormatError.LengthBeyondEndOfData, error.Error);
        Assert.InRange(error.Offset, 132, new FileInfo(path).Length);
    }

    [Fact]
    public void ReadHeader_NoMeta_RejectedAsNotDicom()
    {
        var path = SharedData.PathOf("malformed/pydicom__no_meta.dcm");

        var strict = Assert.Throws<DicomFormatException>(() => DicomFile.ReadHeader(path));
        // Even with raw datasets allowed it is rejected: the dataset starts one stray byte (0x20) in, so its
        // first "tag" is (0820,0500) - dcmdump fails on it the same way.
        var lenient = Assert.Throws<DicomFormatException>(() =>
            DicomFile.ReadHeader(path, new DicomReadOptions { AllowRawDataset = true }));

        Assert.Equal(DicomFormatError.NotDicom, strict.Error);
        Assert.Equal(128, strict.Offset);
        Assert.Contains("'DICM' prefix", strict.Message, StringComparison.Ordinal);
        Assert.Equal(DicomFormatError.NotDicom, lenient.Error);
        Assert.Equal(0, lenient.Offset);
    }

    [Fact]
    public void ReadHeader_NoMetaWithoutStrayByte_ReadsAsRawDatasetWhenAllowed()
    {
        var bytes = File.ReadAllBytes(SharedData.PathOf("malformed/pydicom__no_meta.dcm"))[1..];
        var reference = DicomFile.ReadHeader(SharedData.PathOf("ct/pydicom__CT_small.dcm"));

        var header = DicomFile.ReadHeader(new MemoryStream(bytes), new DicomReadOptions { AllowRawDataset = true, Scope = DicomReadScope.WholeFile });

        Assert.False(header.HasFileMeta);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, header.TransferSyntaxUid);
        Assert.Contains(header.Warnings, w => w.Kind == DicomWarningKind.RawDataset);
        Assert.Equal(reference with { TransferSyntaxUid = "", MediaStorageSopClassUid = null, MediaStorageSopInstanceUid = null, HasFileMeta = false, Warnings = [] },
            header with { TransferSyntaxUid = "", Warnings = [] });
    }

    [Fact]
    public void ReadHeader_MetaWithoutTransferSyntax_Rejected()
    {
        var error = Assert.Throws<DicomFormatException>(() =>
            DicomFile.ReadHeader(SharedData.PathOf("malformed/pydicom__meta_missing_tsyntax.dcm")));

        Assert.Equal(DicomFormatError.MissingTransferSyntax, error.Error);
        Assert.Equal(132, error.Offset);
        Assert.Contains("(0002,0010)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadElements_UnSequence_ReadAsImplicitSequenceAndFlagged()
    {
        // A UN element of undefined length is legal (CP-246): readable, flagged so it can be noticed.
        var path = SharedData.PathOf("malformed/pydicom__UN_sequence.dcm");

        var header = DicomFile.ReadHeader(path, new DicomReadOptions { Scope = DicomReadScope.WholeFile });
        var elements = DicomFile.ReadElements(path);
        var dump = Dcmdump.TopLevel(path, utf8: false);

        Assert.Equal("1.2.840.10008.1.2.4.70", header.TransferSyntaxUid);
        var warning = Assert.Single(header.Warnings);
        Assert.Equal(DicomWarningKind.SequenceEncodedAsUnknown, warning.Kind);
        Assert.Equal(new DicomTag(0x4453, 0x100C), warning.Tag);
        Assert.Equal(dump.Select(l => l.Tag), elements.Select(e => e.Tag));
        Assert.Equal(DicomVR.SQ, elements[^1].VR);
    }

    [Fact]
    public void MalformedFolder_EveryFileHasADecidedOutcome()
    {
        // Guards against a new sample landing in malformed/ without a test saying what should happen to it.
        var decided = new[]
        {
            "malformed/pydicom__MR_truncated.dcm", "malformed/pydicom__UN_sequence.dcm",
            "malformed/pydicom__meta_missing_tsyntax.dcm", "malformed/pydicom__no_meta.dcm",
            "malformed/pydicom__rtplan_truncated.dcm",
        };
        Assert.SkipWhen(SharedData.DicomRoot is null, SharedData.SkipMessage);

        Assert.Equal(decided, SharedData.MalformedFiles().Select(row => row.Data));
    }

    [Fact]
    public void ReadDirectory_DcmmkdirOutput_ListsFilesWithHierarchy()
    {
        var samples = new[] { "ct/pydicom__CT_small.dcm", "mr/pydicom__MR_small_explicitLE.dcm", "cr/pydicom__CR_77654033_CR1_6154.dcm" };
        var root = Directory.CreateTempSubdirectory("dicomdir-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "DICOM"));
            for (var i = 0; i < samples.Length; i++)
                File.Copy(SharedData.PathOf(samples[i]), Path.Combine(root, "DICOM", $"IM{i}"));
            DcmtkTool.Run("dcmmkdir", root, "+r", "+I", "DICOM");

            var directory = DicomFile.ReadDirectory(Path.Combine(root, "DICOMDIR"));

            Assert.Equal(["PATIENT", "PATIENT", "PATIENT"], directory.RootRecords.Select(r => r.RecordType));
            var images = directory.ReferencedFiles.ToList();
            Assert.Equal(["DICOM/IM0", "DICOM/IM1", "DICOM/IM2"], images.Select(r => r.ReferencedFileId).Order());
            foreach (var image in images)
            {
                Assert.Equal("IMAGE", image.RecordType);
                Assert.Equal("SERIES", image.Parent?.RecordType);
                Assert.Equal("STUDY", image.Parent?.Parent?.RecordType);
                Assert.Equal("PATIENT", image.Parent?.Parent?.Parent?.RecordType);
                var resolved = image.ResolvePath(root);
                Assert.NotNull(resolved);
                Assert.Equal(image.ReferencedSopInstanceUid, DicomFile.ReadHeader(resolved).SopInstanceUid);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // The (7FE0,0010) "OW" header of an explicit VR little endian file.
    private static long PixelDataOffset(string path) =>
        File.ReadAllBytes(path).AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W']);

    private static string? Expected(Dictionary<DicomTag, DumpLine> dump, DicomTag tag) =>
        dump.TryGetValue(tag, out var line) && !string.IsNullOrEmpty(line.Value) ? Normalize(line.Value) : null;

    // The padding the reader strips: trailing spaces and NULs, and leading spaces outside free text.
    private static string Normalize(string value, DicomVR vr = DicomVR.LO) =>
        vr.KeepsLeadingSpaces() ? value.TrimEnd(' ', '\0') : value.TrimEnd(' ', '\0').TrimStart(' ');

    private static string DumpVR(string vr) => vr == "up" ? "UL" : vr;
}

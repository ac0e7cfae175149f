using Consilium.Dicom.Tests.Support;

namespace Consilium.Dicom.Tests;

public class DicomDirectoryTests
{
    private sealed record Record(string Key, string Type, string? FileId, string? Parent, params (DicomTag Tag, string VR, string Value)[] Attributes);

    /// <summary>
    /// Writes a DICOMDIR whose records link through byte offsets, which depend on the layout: the file is
    /// written once to learn each item's offset, then again with the offsets filled in.
    /// </summary>
    private static byte[] Build(string transferSyntax, IReadOnlyList<Record> records, bool linkOffsets = true)
    {
        var offsets = new Dictionary<string, uint>();
        byte[] bytes = [];
        for (var pass = 0; pass < 2; pass++)
        {
            var items = new Dictionary<string, TestDicomWriter.ItemNode>();
            uint OffsetOf(string? key) => key is not null && linkOffsets ? offsets.GetValueOrDefault(key) : 0;
            string? Next(Record r) => records.SkipWhile(x => x != r).Skip(1).FirstOrDefault(x => x.Parent == r.Parent)?.Key;
            string? FirstChild(Record r) => records.FirstOrDefault(x => x.Parent == r.Key)?.Key;

            var writer = new TestDicomWriter(transferSyntax, DicomDirectory.MediaStorageSopClassUid)
                .String(new DicomTag(0x0004, 0x1130), "CS", "CONSILIUM")
                .UInt32(new DicomTag(0x0004, 0x1200), OffsetOf(records.FirstOrDefault(r => r.Parent is null)?.Key))
                .BeginSequence(DicomTag.DirectoryRecordSequence, undefinedLength: false);
            foreach (var record in records)
            {
                writer.BeginItem(out var item, undefinedLength: transferSyntax == DicomTransferSyntax.ImplicitVRLittleEndian)
                    .UInt32(DicomTag.OffsetOfTheNextDirectoryRecord, OffsetOf(Next(record)))
                    .UInt32(DicomTag.OffsetOfReferencedLowerLevelDirectoryEntity, OffsetOf(FirstChild(record)))
                    .String(DicomTag.DirectoryRecordType, "CS", record.Type);
                if (record.FileId is not null)
                    writer.String(DicomTag.ReferencedFileId, "CS", record.FileId);
                foreach (var (tag, vr, value) in record.Attributes)
                    writer.String(tag, vr, value);
                writer.End();
                items[record.Key] = item;
            }
            bytes = writer.End().ToArray();
            foreach (var (key, item) in items)
                offsets[key] = (uint)writer.OffsetOf(item);
        }
        return bytes;
    }

    private static readonly Record[] Disc =
    [
        new("p1", "PATIENT", null, null, (DicomTag.PatientName, "PN", "Doe^Jane"), (DicomTag.PatientId, "LO", "P1")),
        new("st1", "STUDY", null, "p1", (DicomTag.StudyInstanceUid, "UI", "1.2.3.1")),
        new("se1", "SERIES", null, "st1", (DicomTag.Modality, "CS", "MR"), (DicomTag.SeriesInstanceUid, "UI", "1.2.3.1.1")),
        new("i1", "IMAGE", @"DICOM\ST1\SE1\IM1", "se1", (DicomTag.ReferencedSopInstanceUidInFile, "UI", "1.2.3.1.1.1")),
        new("i2", "IMAGE", @"DICOM\ST1\SE1\IM2", "se1", (DicomTag.ReferencedSopInstanceUidInFile, "UI", "1.2.3.1.1.2")),
        new("p2", "PATIENT", null, null, (DicomTag.PatientId, "LO", "P2")),
        new("st2", "STUDY", null, "p2"),
        new("se2", "SERIES", null, "st2", (DicomTag.Modality, "CS", "CT")),
        new("i3", "IMAGE", @"DICOM\ST2\SE1\IM1", "se2"),
    ];

    [Theory]
    [InlineData(DicomTransferSyntax.ExplicitVRLittleEndian)]
    [InlineData(DicomTransferSyntax.ImplicitVRLittleEndian)]
    public void ReadDirectory_LinkedRecords_HierarchyAndFileIds(string transferSyntax)
    {
        var bytes = Build(transferSyntax, Disc);

        var directory = DicomFile.ReadDirectory(new MemoryStream(bytes));

        Assert.Equal(9, directory.Records.Count);
        Assert.Equal(["P1", "P2"], directory.RootRecords.Select(r => r.Attributes[DicomTag.PatientId]));
        var series = directory.RootRecords[0].Children.Single().Children.Single();
        Assert.Equal("MR", series.Attributes[DicomTag.Modality]);
        Assert.Equal(["DICOM/ST1/SE1/IM1", "DICOM/ST1/SE1/IM2"], series.Children.Select(r => r.ReferencedFileId));
        Assert.Equal("1.2.3.1.1.2", series.Children[1].ReferencedSopInstanceUid);
        Assert.All(directory.ReferencedFiles, r => Assert.True(r.IsReferencedFileIdSafe));
        Assert.Equal(3, directory.ReferencedFiles.Count());
        Assert.Empty(directory.Warnings);
    }

    [Fact]
    public void ReadDirectory_OffsetsLeftAtZero_RecordsListedAsRoots()
    {
        var bytes = Build(DicomTransferSyntax.ExplicitVRLittleEndian, Disc, linkOffsets: false);

        var directory = DicomFile.ReadDirectory(new MemoryStream(bytes));

        Assert.Equal(9, directory.RootRecords.Count);
        Assert.Equal(["PATIENT", "STUDY", "SERIES", "IMAGE", "IMAGE", "PATIENT", "STUDY", "SERIES", "IMAGE"],
            directory.Records.Select(r => r.RecordType));
    }

    [Theory]
    [InlineData(@"DICOM\IM1", null)]
    [InlineData(@"..\..\ETC\PASSWD", "'..'")]
    [InlineData(@"DICOM\..\..\SECRET", "'..'")]
    [InlineData(@"\ABSOLUTE\IM1", "absolute")]
    [InlineData(@"C:\WINDOWS\IM1", "drive")]
    [InlineData(@"DICOM\\IM1", "empty")]
    [InlineData("DICOM/IM1", "'/'")]
    public void ReadDirectory_ReferencedFileId_UnsafePathsFlagged(string fileId, string? reason)
    {
        var bytes = Build(DicomTransferSyntax.ExplicitVRLittleEndian, [new Record("i", "IMAGE", fileId, null)]);
        var root = Path.Combine(Path.GetTempPath(), "disc");

        var record = DicomFile.ReadDirectory(new MemoryStream(bytes)).Records.Single();

        if (reason is null)
        {
            Assert.True(record.IsReferencedFileIdSafe);
            Assert.Equal(Path.Combine(root, "DICOM", "IM1"), record.ResolvePath(root));
        }
        else
        {
            Assert.False(record.IsReferencedFileIdSafe);
            Assert.Contains(reason, record.UnsafeReason, StringComparison.Ordinal);
            Assert.Null(record.ResolvePath(root));
        }
    }

    [Fact]
    public void ReadDirectory_OrdinaryImage_RejectedAsNotADirectory()
    {
        var bytes = Samples.Image().ToArray();

        var error = Assert.Throws<DicomFormatException>(() => DicomFile.ReadDirectory(new MemoryStream(bytes)));

        Assert.Equal(DicomFormatError.NotADicomDirectory, error.Error);
    }

    [Fact]
    public void ReadHeader_Dicomdir_IsDicomDirectory()
    {
        var header = DicomFile.ReadHeader(new MemoryStream(Build(DicomTransferSyntax.ExplicitVRLittleEndian, Disc)));

        Assert.True(header.IsDicomDirectory);
    }
}

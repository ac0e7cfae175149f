using System.Text;

namespace Consilium.Dicom.Tests.Support;

/// <summary>Generated instances with a known header, in any transfer syntax.</summary>
internal static class Samples
{
    public const string StudyUid = "1.2.826.0.1.3680043.9.1.1";
    public const string SeriesUid = "1.2.826.0.1.3680043.9.1.1.1";
    public const string SopUid = "1.2.826.0.1.3680043.9.1.1.1.1";
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>The header attributes in tag order; <paramref name="between"/> runs after (0008,0005), before the rest.</summary>
    public static TestDicomWriter Header(string transferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian,
        Action<TestDicomWriter>? between = null, string patientName = "Müller^Jörg^Peter", string characterSet = "ISO_IR 100",
        Encoding? encoding = null)
    {
        var writer = new TestDicomWriter(transferSyntax, CtImageStorage)
            .String(DicomTag.SpecificCharacterSet, "CS", characterSet);
        between?.Invoke(writer);
        return writer
            .String(DicomTag.SopClassUid, "UI", CtImageStorage)
            .String(DicomTag.SopInstanceUid, "UI", SopUid)
            .String(DicomTag.StudyDate, "DA", "20240115")
            .String(DicomTag.StudyTime, "TM", "093015.25")
            .String(DicomTag.AccessionNumber, "SH", "ACC-42")
            .String(DicomTag.Modality, "CS", "CT")
            .String(DicomTag.InstitutionName, "LO", "Hôpital Sud", encoding)
            .String(DicomTag.ReferringPhysicianName, "PN", "Ray^Ada", encoding)
            .String(DicomTag.StudyDescription, "LO", "CT THORAX", encoding)
            .String(DicomTag.SeriesDescription, "LO", "Axial 1mm", encoding)
            .String(DicomTag.PatientName, "PN", patientName, encoding)
            .String(DicomTag.PatientId, "LO", "MRN-001", encoding)
            .String(DicomTag.PatientBirthDate, "DA", "19700203")
            .String(DicomTag.PatientSex, "CS", "M")
            .String(DicomTag.BodyPartExamined, "CS", "CHEST")
            .String(DicomTag.StudyInstanceUid, "UI", StudyUid)
            .String(DicomTag.SeriesInstanceUid, "UI", SeriesUid)
            .String(DicomTag.SeriesNumber, "IS", "3")
            .String(DicomTag.InstanceNumber, "IS", "12")
            .String(DicomTag.NumberOfFrames, "IS", "1")
            .UInt16(new DicomTag(0x0028, 0x0010), 2)
            .UInt16(new DicomTag(0x0028, 0x0011), 2);
    }

    /// <summary>Header plus 8 bytes of native pixel data.</summary>
    public static TestDicomWriter Image(string transferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian, Action<TestDicomWriter>? between = null) =>
        Header(transferSyntax, between).Bytes(DicomTag.PixelData, "OW", new byte[8]);

    public static void AssertStandardHeader(DicomHeader header)
    {
        Assert.Equal("ISO_IR 100", header.SpecificCharacterSet);
        Assert.Equal("Müller^Jörg^Peter", header.PatientName?.Raw);
        Assert.Equal("Müller", header.PatientName?.FamilyName);
        Assert.Equal("Jörg", header.PatientName?.GivenName);
        Assert.Equal("Peter", header.PatientName?.MiddleName);
        Assert.Equal("MRN-001", header.PatientId);
        Assert.Equal("19700203", header.PatientBirthDate);
        Assert.Equal("M", header.PatientSex);
        Assert.Equal(StudyUid, header.StudyInstanceUid);
        Assert.Equal(SeriesUid, header.SeriesInstanceUid);
        Assert.Equal(SopUid, header.SopInstanceUid);
        Assert.Equal(CtImageStorage, header.SopClassUid);
        Assert.Equal(CtImageStorage, header.MediaStorageSopClassUid);
        Assert.Equal("CT", header.Modality);
        Assert.Equal("20240115", header.StudyDate);
        Assert.Equal("093015.25", header.StudyTime);
        Assert.Equal("CT THORAX", header.StudyDescription);
        Assert.Equal("Axial 1mm", header.SeriesDescription);
        Assert.Equal("CHEST", header.BodyPartExamined);
        Assert.Equal("ACC-42", header.AccessionNumber);
        Assert.Equal("Hôpital Sud", header.InstitutionName);
        Assert.Equal("Ray^Ada", header.ReferringPhysicianName?.Raw);
        Assert.Equal(3, header.SeriesNumber);
        Assert.Equal(12, header.InstanceNumber);
        Assert.Equal(1, header.NumberOfFrames);
    }

    public static DicomHeader Read(byte[] bytes, DicomReadOptions? options = null) =>
        DicomFile.ReadHeader(new MemoryStream(bytes), options);

    public static DicomHeader ReadWhole(byte[] bytes, bool seekable = true) =>
        DicomFile.ReadHeader(seekable ? new MemoryStream(bytes) : new NonSeekableStream(new MemoryStream(bytes)),
            new DicomReadOptions { Scope = DicomReadScope.WholeFile });
}

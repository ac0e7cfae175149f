using Consilium.Dicom.Tests.Support;

namespace Consilium.Dicom.Tests;

public class DicomStudyIndexTests
{
    private static DicomHeader Instance(string study, string series, string sop, string modality = "CT", int? number = null,
        string patientId = "P1", int? frames = null) => new()
    {
        TransferSyntaxUid = DicomTransferSyntax.ExplicitVRLittleEndian,
        StudyInstanceUid = study,
        SeriesInstanceUid = series,
        SopInstanceUid = sop,
        Modality = modality,
        InstanceNumber = number,
        PatientId = patientId,
        NumberOfFrames = frames,
        SeriesNumber = series.EndsWith('2') ? 2 : 1,
    };

    [Fact]
    public void Add_InstancesOfTwoStudies_GroupedWithCountsAndModalities()
    {
        var index = new DicomStudyIndex();

        index.Add(Instance("S1", "S1.1", "I3", number: 3), "c.dcm");
        index.Add(Instance("S1", "S1.1", "I1", number: 1), "a.dcm");
        index.Add(Instance("S1", "S1.2", "I4", modality: "SR"));
        index.Add(Instance("S2", "S2.1", "I5", modality: "MR", frames: 20));

        Assert.Equal(4, index.InstanceCount);
        var first = index.Studies.Single(s => s.StudyInstanceUid == "S1");
        Assert.Equal((2, 3), (first.SeriesCount, first.InstanceCount));
        Assert.Equal(["CT", "SR"], first.Modalities);
        Assert.Equal(["a.dcm", "c.dcm"], first.Series[0].Instances.Select(i => i.Source));
        Assert.Equal(20, index.Studies.Single(s => s.StudyInstanceUid == "S2").Series.Single().FrameCount);
        Assert.False(first.HasConflictingPatients);
    }

    [Fact]
    public void Add_SameSopInstanceTwice_Duplicate()
    {
        var index = new DicomStudyIndex();

        var first = index.Add(Instance("S1", "S1.1", "I1"));
        var second = index.Add(Instance("S1", "S1.1", "I1"));

        Assert.Equal((DicomIndexResult.Added, DicomIndexResult.Duplicate), (first, second));
        Assert.Equal(1, index.InstanceCount);
    }

    [Fact]
    public void Add_HeaderWithoutUids_NotIndexed()
    {
        var index = new DicomStudyIndex();

        var result = index.Add(Instance("S1", "S1.1", "I1") with { SeriesInstanceUid = null });

        Assert.Equal(DicomIndexResult.MissingUids, result);
        Assert.Empty(index.Studies);
    }

    [Fact]
    public void Add_StudyWithTwoPatients_ConflictFlagged()
    {
        var index = new DicomStudyIndex();

        index.Add(Instance("S1", "S1.1", "I1", patientId: "P1"));
        index.Add(Instance("S1", "S1.1", "I2", patientId: "P2"));

        Assert.True(index.Studies.Single().HasConflictingPatients);
    }

    [Fact]
    public void Add_SharedSampleFiles_GroupedByStudy()
    {
        var index = new DicomStudyIndex();
        var results = SharedData.ValidFiles().Select(row => index.Add(DicomFile.ReadHeader(SharedData.PathOf(row.Data)), row.Data)).ToList();

        // The three MR files are one instance in three transfer syntaxes.
        Assert.Equal(2, results.Count(r => r == DicomIndexResult.Duplicate));
        Assert.Equal(results.Count(r => r == DicomIndexResult.Added), index.InstanceCount);
        Assert.Equal(index.InstanceCount, index.Studies.Sum(s => s.InstanceCount));
        Assert.Contains(index.Studies, s => s.Modalities.Contains("MR"));
    }
}

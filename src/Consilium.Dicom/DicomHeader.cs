namespace Consilium.Dicom;

/// <summary>
/// The identifying attributes of one DICOM instance. String values are decoded with the file's character
/// set and stripped of padding; absent and empty attributes are both null (DICOM gives them one meaning).
/// Dates and times stay as written; <see cref="DicomValue"/> parses them.
/// </summary>
public sealed record DicomHeader
{
    /// <summary>From the file meta group, or the sniffed syntax of a raw dataset.</summary>
    public required string TransferSyntaxUid { get; init; }
    public string? MediaStorageSopClassUid { get; init; }
    public string? MediaStorageSopInstanceUid { get; init; }
    /// <summary>False for a raw dataset read with <see cref="DicomReadOptions.AllowRawDataset"/>.</summary>
    public bool HasFileMeta { get; init; } = true;

    public string? SpecificCharacterSet { get; init; }
    public DicomPersonName? PatientName { get; init; }
    public string? PatientId { get; init; }
    /// <summary>DA text, normally YYYYMMDD.</summary>
    public string? PatientBirthDate { get; init; }
    public string? PatientSex { get; init; }

    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? SopInstanceUid { get; init; }
    public string? SopClassUid { get; init; }
    public string? Modality { get; init; }
    /// <summary>DA text, normally YYYYMMDD.</summary>
    public string? StudyDate { get; init; }
    /// <summary>TM text, HHMMSS.FFFFFF with optional parts.</summary>
    public string? StudyTime { get; init; }
    public string? StudyDescription { get; init; }
    public string? SeriesDescription { get; init; }
    public string? BodyPartExamined { get; init; }
    public string? AccessionNumber { get; init; }
    public string? InstitutionName { get; init; }
    public DicomPersonName? ReferringPhysicianName { get; init; }
    public int? SeriesNumber { get; init; }
    public int? InstanceNumber { get; init; }
    public int? NumberOfFrames { get; init; }

    public bool IsDicomDirectory => MediaStorageSopClassUid == DicomDirectory.MediaStorageSopClassUid;

    /// <summary>Tolerated deviations (odd lengths, CP-246 sequences, skipped long values...). Never values.</summary>
    public IReadOnlyList<DicomWarning> Warnings { get; init; } = [];
}

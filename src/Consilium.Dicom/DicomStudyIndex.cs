namespace Consilium.Dicom;

public enum DicomIndexResult
{
    Added,
    /// <summary>An instance with the same SOP Instance UID is already indexed (the same file uploaded twice).</summary>
    Duplicate,
    /// <summary>The header lacks a study, series or SOP instance UID, so it cannot be placed.</summary>
    MissingUids,
}

/// <summary>
/// Groups instance headers into studies and series, the way a case's images are shown to a specialist.
/// Not thread-safe: one upload batch builds one index.
/// </summary>
public sealed class DicomStudyIndex
{
    private readonly Dictionary<string, DicomStudy> _studies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sopInstances = new(StringComparer.Ordinal);

    public int InstanceCount => _sopInstances.Count;

    /// <summary>Studies by study date (undated last), then UID; series by number, instances by number.</summary>
    public IReadOnlyList<DicomStudy> Studies => _studies.Values
        .OrderBy(s => s.StudyDate is null)
        .ThenBy(s => s.StudyDate, StringComparer.Ordinal)
        .ThenBy(s => s.StudyInstanceUid, StringComparer.Ordinal)
        .ToList();

    /// <param name="source">Where the instance came from (a file name or storage key), kept for the caller.</param>
    public DicomIndexResult Add(DicomHeader header, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.StudyInstanceUid is not { } studyUid || header.SeriesInstanceUid is not { } seriesUid
            || header.SopInstanceUid is not { } sopUid)
        {
            return DicomIndexResult.MissingUids;
        }
        if (!_sopInstances.Add(sopUid))
            return DicomIndexResult.Duplicate;

        if (!_studies.TryGetValue(studyUid, out var study))
        {
            study = new DicomStudy(header);
            _studies.Add(studyUid, study);
        }
        study.Add(header, seriesUid, new DicomInstance(sopUid, header.SopClassUid, header.InstanceNumber, header.NumberOfFrames, source));
        return DicomIndexResult.Added;
    }
}

public sealed class DicomStudy
{
    private readonly Dictionary<string, DicomSeries> _series = new(StringComparer.Ordinal);

    internal DicomStudy(DicomHeader first)
    {
        StudyInstanceUid = first.StudyInstanceUid!;
        PatientName = first.PatientName;
        PatientId = first.PatientId;
        PatientBirthDate = first.PatientBirthDate;
        StudyDate = first.StudyDate;
        StudyTime = first.StudyTime;
        StudyDescription = first.StudyDescription;
        AccessionNumber = first.AccessionNumber;
    }

    public string StudyInstanceUid { get; }
    /// <summary>Patient attributes as the first indexed instance gives them; see <see cref="HasConflictingPatients"/>.</summary>
    public DicomPersonName? PatientName { get; }
    public string? PatientId { get; }
    public string? PatientBirthDate { get; }
    public string? StudyDate { get; }
    public string? StudyTime { get; }
    public string? StudyDescription { get; }
    public string? AccessionNumber { get; }

    /// <summary>
    /// True when instances of this study name different patients (IDs, names or birth dates): a study UID
    /// reused across patients, or files mixed up before upload. Either way a coordinator should look.
    /// </summary>
    public bool HasConflictingPatients { get; private set; }

    public IReadOnlyList<DicomSeries> Series => _series.Values
        .OrderBy(s => s.SeriesNumber ?? int.MaxValue)
        .ThenBy(s => s.SeriesInstanceUid, StringComparer.Ordinal)
        .ToList();

    public int SeriesCount => _series.Count;
    public int InstanceCount => _series.Values.Sum(s => s.InstanceCount);

    /// <summary>Distinct series modalities in order of first appearance (the study's "modalities in study").</summary>
    public IReadOnlyList<string> Modalities => _series.Values
        .Select(s => s.Modality)
        .OfType<string>()
        .Distinct(StringComparer.Ordinal)
        .ToList();

    internal void Add(DicomHeader header, string seriesUid, DicomInstance instance)
    {
        if (Differs(PatientId, header.PatientId) || Differs(PatientName?.Raw, header.PatientName?.Raw)
            || Differs(PatientBirthDate, header.PatientBirthDate))
        {
            HasConflictingPatients = true;
        }
        if (!_series.TryGetValue(seriesUid, out var series))
        {
            series = new DicomSeries(seriesUid, header);
            _series.Add(seriesUid, series);
        }
        series.Add(instance);
    }

    // A missing value is not a conflict: partial anonymisation blanks some attributes in some files.
    private static bool Differs(string? first, string? other) =>
        first is not null && other is not null && !string.Equals(first, other, StringComparison.Ordinal);
}

public sealed class DicomSeries
{
    private readonly List<DicomInstance> _instances = [];

    internal DicomSeries(string seriesInstanceUid, DicomHeader first)
    {
        SeriesInstanceUid = seriesInstanceUid;
        Modality = first.Modality;
        SeriesDescription = first.SeriesDescription;
        BodyPartExamined = first.BodyPartExamined;
        SeriesNumber = first.SeriesNumber;
    }

    public string SeriesInstanceUid { get; }
    public string? Modality { get; }
    public string? SeriesDescription { get; }
    public string? BodyPartExamined { get; }
    public int? SeriesNumber { get; }

    public IReadOnlyList<DicomInstance> Instances => _instances
        .OrderBy(i => i.InstanceNumber ?? int.MaxValue)
        .ThenBy(i => i.SopInstanceUid, StringComparer.Ordinal)
        .ToList();

    public int InstanceCount => _instances.Count;

    /// <summary>Frames across the series; single-frame instances (no Number of Frames) count as one.</summary>
    public long FrameCount => _instances.Sum(i => (long)Math.Max(1, i.NumberOfFrames ?? 1));

    internal void Add(DicomInstance instance) => _instances.Add(instance);
}

public sealed record DicomInstance(string SopInstanceUid, string? SopClassUid, int? InstanceNumber, int? NumberOfFrames, string? Source);

using Consilium.Features.Records;
using Consilium.Infrastructure;

namespace Consilium.Features.Documents;

/// <summary>What a document is, decided from its bytes, never from its name. Persisted by name.</summary>
public enum DocumentType
{
    Pdf,
    Jpeg,
    Png,
    /// <summary>One DICOM Part 10 instance.</summary>
    Dicom,
    /// <summary>A ZIP archive holding DICOM instances, as an imaging CD is copied (with or without its DICOMDIR).</summary>
    DicomArchive,
    /// <summary>A FHIR R4 Bundle in JSON.</summary>
    FhirBundle,
}

/// <summary>Whether the person a document is about is the case's member, as far as the document says.</summary>
public enum PatientCheck
{
    /// <summary>The format names no patient (PDFs, photos).</summary>
    NotApplicable,
    Match,
    /// <summary>A name or birth date present on both sides differs: possibly someone else's records.</summary>
    Mismatch,
    /// <summary>Nothing differs, but something could not be compared (anonymised images, missing birth date).</summary>
    Unknown,
}

public static class DocumentTypes
{
    public static string MediaType(DocumentType type) => type switch
    {
        DocumentType.Pdf => "application/pdf",
        DocumentType.Jpeg => "image/jpeg",
        DocumentType.Png => "image/png",
        DocumentType.Dicom => "application/dicom",
        DocumentType.DicomArchive => "application/zip",
        _ => "application/fhir+json",
    };

    public static string Label(DocumentType type) => type switch
    {
        DocumentType.Pdf => "PDF documents",
        DocumentType.Jpeg or DocumentType.Png => "Images",
        DocumentType.Dicom => "DICOM images",
        DocumentType.DicomArchive => "Imaging CDs (ZIP)",
        _ => "FHIR bundles",
    };

    /// <summary>PDFs and pictures may be shown in the browser; everything else is only downloaded.</summary>
    public static bool MayShowInline(DocumentType type) => type is DocumentType.Pdf or DocumentType.Jpeg or DocumentType.Png;

    public static string Extension(DocumentType type) => type switch
    {
        DocumentType.Pdf => ".pdf",
        DocumentType.Jpeg => ".jpg",
        DocumentType.Png => ".png",
        DocumentType.Dicom => ".dcm",
        DocumentType.DicomArchive => ".zip",
        _ => ".json",
    };
}

/// <summary>
/// A file received for a case's clinical packet. The bytes live encrypted in the document store under a random id; the
/// row keeps what was learned from them. The name the uploader gave is display text only and never becomes a path.
/// </summary>
public sealed class CaseDocument
{
    public const int MaxFileNameLength = 255;

    readonly List<DicomInstanceRecord> _instances = [];

    CaseDocument() { BlobId = ""; Sha256 = ""; FileName = ""; MediaType = ""; UploadedBy = ""; UploadedByRole = ""; Summary = new DocumentSummary(); }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public string BlobId { get; private set; }
    public string Sha256 { get; private set; }
    public long Length { get; private set; }
    public DocumentType Type { get; private set; }
    public string MediaType { get; private set; }

    /// <summary>The uploader's file name, stripped of any folder part and of control characters.</summary>
    public string FileName { get; private set; }

    /// <summary>The packet piece this document is (counts toward completeness); null until someone says.</summary>
    public RecordKind? Kind { get; private set; }

    /// <summary>The requested item this document answers, when known.</summary>
    public Guid? RecordItemId { get; private set; }

    public DateTimeOffset UploadedAt { get; private set; }
    public Guid? UploadedByUserId { get; private set; }
    public string UploadedBy { get; private set; }
    public string UploadedByRole { get; private set; }

    /// <summary>Checked at upload against the member's enrolled name and birth date.</summary>
    public PatientCheck PatientCheck { get; private set; }
    public string? PatientCheckReason { get; private set; }

    /// <summary>For a FHIR bundle: its Patient as "FAMILY^GIVEN" and birth date as YYYYMMDD (DICOM's forms).</summary>
    public string? SubjectName { get; private set; }
    public string? SubjectBirthDate { get; private set; }

    /// <summary>A coordinator looked at a mismatch and confirmed the document is the member's (a maiden name, a typo).</summary>
    public string? PatientConfirmedBy { get; private set; }
    public DateTimeOffset? PatientConfirmedAt { get; private set; }
    public string? PatientConfirmationReason { get; private set; }

    public DocumentSummary Summary { get; private set; }
    public IReadOnlyList<DicomInstanceRecord> Instances => _instances;
    public int Version { get; private set; }

    /// <summary>A mismatch nobody has confirmed: the document is held out of completeness and flagged on the case.</summary>
    public bool IsSuspect => PatientCheck == PatientCheck.Mismatch && PatientConfirmedAt is null;

    internal static CaseDocument Receive(Guid caseId, string blobId, string sha256, long length, DocumentType type, string? fileName,
        RecordKind? kind, Guid? recordItemId, DocumentAnalysis analysis, Identity.Actor by, DateTimeOffset now)
    {
        var document = new CaseDocument
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, BlobId = blobId, Sha256 = sha256, Length = length, Type = type,
            MediaType = DocumentTypes.MediaType(type), FileName = DisplayName(fileName, type), Kind = kind ?? analysis.SuggestedKind,
            RecordItemId = recordItemId, UploadedAt = now, UploadedByUserId = by.UserId, UploadedBy = Clip(by.Name, 256)!,
            UploadedByRole = Clip(by.Role, 40)!, PatientCheck = analysis.PatientCheck, PatientCheckReason = Clip(analysis.PatientCheckReason, 500),
            SubjectName = Clip(analysis.SubjectName, 200), SubjectBirthDate = Clip(analysis.SubjectBirthDate, 16), Summary = analysis.Summary,
            Version = 1,
        };
        document._instances.AddRange(analysis.Instances);
        return document;
    }

    public void Classify(RecordKind? kind, Guid? recordItemId)
    {
        Kind = kind;
        RecordItemId = recordItemId;
        Version++;
    }

    public void ConfirmPatient(string by, string? reason, DateTimeOffset now)
    {
        if (PatientCheck != PatientCheck.Mismatch) throw new ConflictException("Only a document whose patient does not match the member needs confirming.");
        if (PatientConfirmedAt is not null) throw new ConflictException("This document was already confirmed as the member's.");
        if (string.IsNullOrWhiteSpace(reason)) throw new RuleViolationException("reason", "Say how you know the document is the member's (e.g. maiden name on the images).");
        PatientConfirmedBy = Clip(by, 256);
        PatientConfirmedAt = now;
        PatientConfirmationReason = Clip(reason.Trim(), 500);
        Version++;
    }

    /// <summary>
    /// The name shown for the document: the last path component of what the uploader sent, without control or
    /// bidirectional-override characters, at most 255 characters. Razor and JSON escape it on output; it is never a path.
    /// </summary>
    public static string DisplayName(string? fileName, DocumentType type)
    {
        var name = fileName ?? "";
        var slash = name.LastIndexOfAny(['/', '\\']);
        if (slash >= 0) name = name[(slash + 1)..];
        name = new string(name.Where(c => !char.IsControl(c) && c is not ('\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069')).ToArray()).Trim();
        if (name.Length == 0 || name is "." or "..") name = "document" + DocumentTypes.Extension(type);
        return name.Length <= MaxFileNameLength ? name : name[..MaxFileNameLength];
    }

    /// <summary>Why an uploader's file name is refused (folder separators, control characters, "." or ".."), or null.</summary>
    public static string? FileNameProblem(string name)
    {
        if (name.IndexOfAny(['/', '\\']) >= 0) return "contains a folder separator ('/' or '\\')";
        if (name.Any(char.IsControl)) return "contains control characters";
        if (name.Trim() is "." or "..") return "is '.' or '..'";
        if (name.Length > 1024) return "is longer than 1,024 characters";
        return null;
    }

    internal static string? Clip(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}

/// <summary>One DICOM instance found in a document: the document itself, or an entry of an imaging-CD archive.</summary>
public sealed class DicomInstanceRecord
{
    DicomInstanceRecord() { StudyInstanceUid = ""; SeriesInstanceUid = ""; SopInstanceUid = ""; TransferSyntaxUid = ""; }

    public DicomInstanceRecord(Guid id, string? entry, Dicom.DicomHeader header)
    {
        Id = id;
        Entry = CaseDocument.Clip(entry, 260);
        StudyInstanceUid = CaseDocument.Clip(header.StudyInstanceUid, 64) ?? "";
        SeriesInstanceUid = CaseDocument.Clip(header.SeriesInstanceUid, 64) ?? "";
        SopInstanceUid = CaseDocument.Clip(header.SopInstanceUid, 64) ?? "";
        SopClassUid = CaseDocument.Clip(header.SopClassUid, 64);
        TransferSyntaxUid = CaseDocument.Clip(header.TransferSyntaxUid, 64) ?? "";
        Modality = CaseDocument.Clip(header.Modality, 16);
        StudyDate = CaseDocument.Clip(header.StudyDate, 16);
        StudyDescription = CaseDocument.Clip(header.StudyDescription, 200);
        SeriesDescription = CaseDocument.Clip(header.SeriesDescription, 200);
        BodyPartExamined = CaseDocument.Clip(header.BodyPartExamined, 64);
        AccessionNumber = CaseDocument.Clip(header.AccessionNumber, 64);
        SeriesNumber = header.SeriesNumber;
        InstanceNumber = header.InstanceNumber;
        NumberOfFrames = header.NumberOfFrames;
        PatientName = CaseDocument.Clip(header.PatientName?.Raw, 200);
        PatientId = CaseDocument.Clip(header.PatientId, 64);
        PatientBirthDate = CaseDocument.Clip(header.PatientBirthDate, 16);
    }

    public Guid Id { get; private set; }

    /// <summary>The entry's path inside the archive (display text only); null for a single-instance document.</summary>
    public string? Entry { get; private set; }

    public string StudyInstanceUid { get; private set; }
    public string SeriesInstanceUid { get; private set; }
    public string SopInstanceUid { get; private set; }
    public string? SopClassUid { get; private set; }
    public string TransferSyntaxUid { get; private set; }
    public string? Modality { get; private set; }
    public string? StudyDate { get; private set; }
    public string? StudyDescription { get; private set; }
    public string? SeriesDescription { get; private set; }
    public string? BodyPartExamined { get; private set; }
    public string? AccessionNumber { get; private set; }
    public int? SeriesNumber { get; private set; }
    public int? InstanceNumber { get; private set; }
    public int? NumberOfFrames { get; private set; }
    public string? PatientName { get; private set; }
    public string? PatientId { get; private set; }
    public string? PatientBirthDate { get; private set; }
}

/// <summary>What reading a document found besides its instances: kept with the row as JSON.</summary>
public sealed record DocumentSummary
{
    /// <summary>Pixel size of a JPEG or PNG.</summary>
    public int? Width { get; init; }
    public int? Height { get; init; }

    /// <summary>Archive: files in it, DICOM instances read, other files ignored (viewers, autorun), whether it had a DICOMDIR.</summary>
    public int? ArchiveEntries { get; init; }
    public int? ArchiveDicomFiles { get; init; }
    public int? ArchiveOtherFiles { get; init; }
    public bool? HasDicomDirectory { get; init; }

    /// <summary>FHIR: the bundle type, timeline entries made per kind, and resources not imported per resource type.</summary>
    public string? BundleType { get; init; }
    public Dictionary<string, int>? Imported { get; init; }
    public Dictionary<string, int>? Skipped { get; init; }

    /// <summary>Tolerated oddities worth a look (reader warnings, instances already on the case...). Never element values.</summary>
    public List<string> Warnings { get; init; } = [];
}

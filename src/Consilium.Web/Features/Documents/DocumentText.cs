using System.Globalization;

namespace Consilium.Features.Documents;

/// <summary>How documents read on the pages.</summary>
public static class DocumentText
{
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes / 1024d / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1024d / 1024 / 1024).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };

    public static string Type(DocumentType type) => type switch
    {
        DocumentType.Pdf => "PDF",
        DocumentType.Jpeg => "JPEG image",
        DocumentType.Png => "PNG image",
        DocumentType.Dicom => "DICOM",
        DocumentType.DicomArchive => "Imaging CD (ZIP)",
        _ => "FHIR bundle",
    };

    /// <summary>A DICOM DA value (YYYYMMDD) as YYYY-MM-DD; anything else as it is.</summary>
    public static string? DicomDate(string? value) =>
        Dicom.DicomValue.ParseDate(value) is { } date ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : value;

    public static string Check(PatientCheck check) => check switch
    {
        PatientCheck.Match => "Matches the member",
        PatientCheck.Mismatch => "Does not match the member",
        PatientCheck.Unknown => "Could not be fully checked",
        _ => "",
    };
}

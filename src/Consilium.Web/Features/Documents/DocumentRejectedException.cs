namespace Consilium.Features.Documents;

/// <summary>
/// An upload that cannot be accepted, with the status, a stable <see cref="Code"/> and a detail naming the problem in
/// the uploader's terms. Thrown only after everything the upload had stored was removed again. Mapped to
/// ProblemDetails (with <c>code</c>) by ProblemMapping.
/// </summary>
internal sealed class DocumentRejectedException(int status, string code, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;

    public static DocumentRejectedException Unsupported(string what) => new(415, "unsupported-type", "Unsupported document type",
        "Consilium accepts PDF documents, JPEG and PNG images, DICOM Part 10 files, ZIP archives of an imaging CD and FHIR R4 " +
        $"Bundles (JSON). This file looks like {what}.");

    /// <summary>The content is of a supported type but broken, hostile or not what it claims to be.</summary>
    public static DocumentRejectedException Invalid(string code, string title, string detail) => new(422, code, title, detail);

    public static DocumentRejectedException TooLarge(string code, string detail) => new(413, code, "Document too large", detail);
}

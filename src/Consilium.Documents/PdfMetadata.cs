namespace Consilium.Documents;

/// <summary>The document information dictionary written into the PDF.</summary>
public sealed record PdfMetadata
{
    /// <summary>Falls back to the text of the first <see cref="PdfDocumentWriter.Title"/>.</summary>
    public string? Title { get; init; }

    public string? Author { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Defaults to the time of <see cref="PdfDocumentWriter.Build"/>.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Printed in every page's footer and stored as the custom entry <c>DocumentId</c>.</summary>
    public string? DocumentId { get; init; }

    /// <summary>Extra entries; keys are ASCII letters and digits, starting with a letter.</summary>
    public IReadOnlyDictionary<string, string> Custom { get; init; } = new Dictionary<string, string>();
}

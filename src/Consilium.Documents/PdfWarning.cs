namespace Consilium.Documents;

/// <summary>
/// A character the embedded font cannot show; every occurrence was drawn as '?'.
/// Carries the code point only, never the text around it, so it is safe to log.
/// </summary>
public sealed record PdfWarning(int CodePoint, int Occurrences)
{
    public string Message => $"U+{CodePoint:X4} is not in the embedded font; drawn as '?' {Occurrences} time(s)";

    public override string ToString() => Message;
}

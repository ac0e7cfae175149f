using System.Text;

namespace Consilium.Documents.Layout;

/// <summary>
/// Makes any string drawable with an embedded face: what the face cannot show becomes '?', counted per code point.
/// Never throws on content, because documents are built from member-supplied text.
/// Text is not normalized: the repository runs with invariant globalization, where string.Normalize does nothing.
/// A decomposed "e" + U+0301 is drawn as two glyphs, DejaVu's zero-width combining mark landing on the letter,
/// and reads back as the same two characters.
/// </summary>
internal sealed class TextCleaner
{
    private readonly Dictionary<int, int> missing = [];
    private readonly List<int> firstSeen = [];

    public IReadOnlyList<PdfWarning> Warnings => [.. firstSeen.Select(cp => new PdfWarning(cp, missing[cp]))];

    /// <returns>Drawable text in which '\n' is the only control character left: a hard line break.</returns>
    public string Clean(string text, FaceKind face)
    {
        ArgumentNullException.ThrowIfNull(text);
        var font = FontFace.Get(face);
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\r':
                    if (i + 1 >= text.Length || text[i + 1] != '\n')
                    {
                        result.Append('\n');
                    }

                    continue;
                case '\n':
                    result.Append('\n');
                    continue;
                case '\t':
                    result.Append(' ');
                    continue;
                case '\u00AD':
                    // A soft hyphen only marks where a word may break; DejaVu would draw it as a visible hyphen.
                    continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // The writer encodes one byte per character code from the BMP, so nothing beyond it can be drawn.
                Replace(char.ConvertToUtf32(c, text[i + 1]), result);
                i++;
            }
            else if (char.IsSurrogate(c) || char.IsControl(c) || !font.HasGlyph(c))
            {
                Replace(c, result);
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private void Replace(int codePoint, StringBuilder result)
    {
        result.Append('?');
        if (missing.TryGetValue(codePoint, out var count))
        {
            missing[codePoint] = count + 1;
        }
        else
        {
            missing[codePoint] = 1;
            firstSeen.Add(codePoint);
        }
    }
}

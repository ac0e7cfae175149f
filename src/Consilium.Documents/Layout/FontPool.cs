using UglyToad.PdfPig.Writer;

namespace Consilium.Documents.Layout;

/// <summary>
/// Hands out PdfPig fonts for a document. PdfPig writes a TrueType font as a simple font with one-byte character
/// codes (1–255) assigned in order of first use, and throws past 255 distinct characters. A document with more
/// (a table of names from many scripts) gets a further copy of the same face, each subset on its own.
/// </summary>
internal sealed class FontPool(PdfDocumentBuilder builder)
{
    private const int MaxCharactersPerFont = 255;

    private readonly Dictionary<FaceKind, List<Slot>> slots = [];

    public PdfDocumentBuilder.AddedFont For(FaceKind face, string text)
    {
        if (!slots.TryGetValue(face, out var list))
        {
            list = [];
            slots[face] = list;
        }

        var needed = new HashSet<char>(text);
        foreach (var slot in list)
        {
            var added = needed.Count(c => !slot.Used.Contains(c));
            if (slot.Used.Count + added <= MaxCharactersPerFont)
            {
                slot.Used.UnionWith(needed);
                return slot.Font;
            }
        }

        var fresh = new Slot(builder.AddTrueTypeFont(FontFace.Get(face).Bytes), needed);
        list.Add(fresh);
        return fresh.Font;
    }

    private sealed record Slot(PdfDocumentBuilder.AddedFont Font, HashSet<char> Used);
}

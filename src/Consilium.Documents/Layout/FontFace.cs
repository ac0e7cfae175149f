using UglyToad.PdfPig.Fonts.TrueType;
using UglyToad.PdfPig.Fonts.TrueType.Parser;

namespace Consilium.Documents.Layout;

internal enum FaceKind
{
    Regular,
    Bold,
}

/// <summary>
/// One embedded TrueType face: its bytes for the PDF writer, and glyph coverage and advance widths for layout.
/// Immutable after construction, so all documents on all threads share one instance.
/// </summary>
internal sealed class FontFace
{
    private static readonly Lazy<FontFace> RegularFace = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<FontFace> BoldFace = new(() => Load("DejaVuSans-Bold.ttf"));

    // Advance widths of the whole Basic Multilingual Plane in font units; negative means no glyph.
    // Filled once up front because PdfPig's font program is not documented as safe for concurrent reads.
    private readonly float[] advances;
    private readonly double unitsPerEm;

    private FontFace(string name, byte[] bytes, float[] advances, double unitsPerEm, double ascent, double descent)
    {
        Name = name;
        Bytes = bytes;
        this.advances = advances;
        this.unitsPerEm = unitsPerEm;
        Ascent = ascent;
        Descent = descent;
    }

    public string Name { get; }

    public byte[] Bytes { get; }

    /// <summary>Ascent above the baseline, as a fraction of the font size.</summary>
    public double Ascent { get; }

    /// <summary>Descent below the baseline, as a positive fraction of the font size.</summary>
    public double Descent { get; }

    public static FontFace Get(FaceKind kind) => kind == FaceKind.Bold ? BoldFace.Value : RegularFace.Value;

    public bool HasGlyph(char c) => advances[c] >= 0;

    public double Width(ReadOnlySpan<char> text, double size)
    {
        double units = 0;
        foreach (var c in text)
        {
            units += Math.Max(0, advances[c]);
        }

        return units * size / unitsPerEm;
    }

    private static FontFace Load(string fileName)
    {
        var resource = "Consilium.Documents.Fonts." + fileName;
        using var stream = typeof(FontFace).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded font {resource} is missing from the assembly.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);

        var font = TrueTypeFontParser.Parse(new TrueTypeDataBytes(bytes));
        var advances = new float[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            // The same two lookups PdfPig's writer makes before it draws a character; when either fails it throws.
            advances[c] = font.TryGetBoundingBox(c, out _) && font.TryGetAdvanceWidth(c, out var width) ? (float)width : -1;
        }

        var unitsPerEm = (double)font.GetUnitsPerEm();
        var hhea = font.TableRegister.HorizontalHeaderTable;
        return new FontFace(font.Name, bytes, advances, unitsPerEm, hhea.Ascent / unitsPerEm, -hhea.Descent / unitsPerEm);
    }
}

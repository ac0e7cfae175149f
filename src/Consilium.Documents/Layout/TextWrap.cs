using System.Text;

namespace Consilium.Documents.Layout;

internal static class TextWrap
{
    private const double Tolerance = 1e-6;

    /// <summary>
    /// Greedy left-aligned wrapping of cleaned text. Runs of spaces collapse; '\n' forces a break and an empty
    /// line between two breaks is kept (not at either end); a word wider than the line is broken between characters.
    /// </summary>
    public static List<string> Lines(string cleanText, FaceKind face, double size, double maxWidth)
    {
        var font = FontFace.Get(face);
        var spaceWidth = font.Width(" ", size);
        var lines = new List<string>();
        var line = new StringBuilder();
        // Breaks at either end would only add blank lines to a block that has its own spacing.
        foreach (var hardLine in cleanText.Trim(' ', '\n').Split('\n'))
        {
            var lineWidth = 0.0;
            foreach (var word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var wordWidth = font.Width(word, size);
                if (line.Length > 0 && lineWidth + spaceWidth + wordWidth <= maxWidth + Tolerance)
                {
                    line.Append(' ').Append(word);
                    lineWidth += spaceWidth + wordWidth;
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                if (wordWidth <= maxWidth + Tolerance)
                {
                    line.Append(word);
                    lineWidth = wordWidth;
                    continue;
                }

                lineWidth = BreakLongWord(word, font, size, maxWidth, lines, line);
            }

            lines.Add(line.ToString());
            line.Clear();
        }

        return lines;
    }

    // Full pieces go to lines; the last piece stays in line so the next word can follow it.
    private static double BreakLongWord(string word, FontFace font, double size, double maxWidth, List<string> lines, StringBuilder line)
    {
        var start = 0;
        var width = 0.0;
        for (var i = 0; i < word.Length; i++)
        {
            var charWidth = font.Width(word.AsSpan(i, 1), size);
            // At least one character per line, or a column narrower than a glyph would never end.
            if (i > start && width + charWidth > maxWidth + Tolerance)
            {
                lines.Add(word[start..i]);
                start = i;
                width = 0;
            }

            width += charWidth;
        }

        line.Append(word, start, word.Length - start);
        return width;
    }
}

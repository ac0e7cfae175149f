using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;

namespace Consilium.Documents;

/// <summary>
/// Reads the text of a PDF back, page by page: lines from top to bottom, words left to right separated by single
/// spaces, lines separated by '\n'. Meant for tests and for checking generated documents, not for analysing
/// arbitrary layouts (columns of running text come back interleaved line by line).
/// </summary>
public static class PdfText
{
    public static IReadOnlyList<string> Extract(byte[] pdf)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        using var document = PdfDocument.Open(pdf);
        return Extract(document);
    }

    public static IReadOnlyList<string> Extract(Stream pdf)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        if (!pdf.CanSeek)
        {
            // PdfPig reads the cross-reference table at the end first, so it needs to seek.
            using var copy = new MemoryStream();
            pdf.CopyTo(copy);
            return Extract(copy.ToArray());
        }

        using var document = PdfDocument.Open(pdf);
        return Extract(document);
    }

    private static List<string> Extract(PdfDocument document) => [.. document.GetPages().Select(PageText)];

    private static string PageText(Page page)
    {
        // Page.Text concatenates letters in content-stream order with no separators between drawing operations,
        // so "Hip replacement" drawn as two words may come back as "Hipreplacement". Grouping letters into words
        // by distance, then words into lines by baseline, does not depend on how the text was drawn.
        var words = page.GetWords(NearestNeighbourWordExtractor.Instance)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text))
            .Select(w => (Word: w, Baseline: w.Letters[0].StartBaseLine.Y, Size: w.Letters.Max(l => l.PointSize)))
            .OrderByDescending(w => w.Baseline)
            .ToList();

        var text = new StringBuilder();
        var line = new List<Word>();
        var lineBaseline = double.NaN;
        var lineSize = 0.0;
        foreach (var (word, baseline, size) in words)
        {
            // Words of one line share a baseline; a third of the larger font size tolerates rounding and mixed sizes.
            if (line.Count > 0 && Math.Abs(lineBaseline - baseline) > Math.Max(lineSize, size) / 3)
            {
                AppendLine(text, line);
                line.Clear();
            }

            if (line.Count == 0)
            {
                lineBaseline = baseline;
                lineSize = size;
            }

            line.Add(word);
        }

        AppendLine(text, line);
        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, List<Word> line)
    {
        if (line.Count == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append('\n');
        }

        text.AppendJoin(' ', line.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text.Trim()));
    }
}

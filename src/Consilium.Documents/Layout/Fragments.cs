namespace Consilium.Documents.Layout;

/// <summary>
/// A laid-out piece of the document with a fixed height, placed by <see cref="Paginator"/> at a vertical offset.
/// Horizontal positions are absolute and decided when the piece is created.
/// </summary>
internal abstract class Fragment
{
    /// <summary>Dropped at the top of a page, so pages never start with a gap.</summary>
    public double SpaceBefore { get; init; }

    /// <summary>Keeps this on the same page as the start of the next fragment (headings, a table's header).</summary>
    public bool KeepWithNext { get; init; }

    public abstract double Height { get; }

    /// <summary>
    /// May be split at any line to use the rest of a page. Fragments that may not (table rows, key–value pairs,
    /// notices) are still split when they are taller than a whole page: that beats overflowing the paper.
    /// </summary>
    public virtual bool SplitsFreely => false;

    /// <summary>The least of this that must fit for a heading before it to stay on the page.</summary>
    public virtual double MinHeadHeight => Height;

    /// <summary>Drawn first on every page this continues on; the header row of the table a row belongs to.</summary>
    public virtual Fragment? RepeatedHeader => null;

    public abstract void Draw(PageCanvas canvas, double top);

    /// <returns>A first part no taller than <paramref name="available"/> and the rest, or null when nothing fits.</returns>
    public virtual (Fragment Head, Fragment Tail)? SplitToFit(double available) => null;
}

internal sealed record Cell(double X, double Width, FaceKind Face, double Size, IReadOnlyList<string> Lines, TextAlign Align = TextAlign.Left);

internal enum RowStyle
{
    Plain,
    BottomRule,
    HeaderFill,
    Box,
}

/// <summary>
/// Side-by-side cells of wrapped lines sharing one line height: a paragraph or heading (one cell), a list item
/// (marker and text), a key–value pair, a table row, a notice (one boxed cell). Split only between lines, so every
/// part keeps its cells aligned and its own background or box.
/// </summary>
internal sealed class LinesFragment : Fragment
{
    private readonly IReadOnlyList<Cell> cells;
    private readonly int firstLine;
    private readonly int lineCount;

    public LinesFragment(
        IReadOnlyList<Cell> cells,
        double lineHeight,
        RowStyle style = RowStyle.Plain,
        double paddingY = 0,
        double x = 0,
        double width = 0,
        bool splitsFreely = false,
        Fragment? header = null)
        : this(cells, 0, cells.Max(c => c.Lines.Count), lineHeight, style, paddingY, x, width, splitsFreely, header)
    {
    }

    private LinesFragment(
        IReadOnlyList<Cell> cells,
        int firstLine,
        int lineCount,
        double lineHeight,
        RowStyle style,
        double paddingY,
        double x,
        double width,
        bool splitsFreely,
        Fragment? header)
    {
        this.cells = cells;
        this.firstLine = firstLine;
        this.lineCount = lineCount;
        LineHeight = lineHeight;
        Style = style;
        PaddingY = paddingY;
        X = x;
        Width = width;
        SplitsFreely = splitsFreely;
        RepeatedHeader = header;
    }

    public double LineHeight { get; }

    public RowStyle Style { get; }

    public double PaddingY { get; }

    /// <summary>Left edge and width of the row's background, box or rule.</summary>
    public double X { get; }

    public double Width { get; }

    public override bool SplitsFreely { get; }

    public override Fragment? RepeatedHeader { get; }

    public override double Height => (2 * PaddingY) + (lineCount * LineHeight);

    public override double MinHeadHeight => SplitsFreely ? Math.Min(Height, (2 * PaddingY) + LineHeight) : Height;

    public override void Draw(PageCanvas canvas, double top)
    {
        switch (Style)
        {
            case RowStyle.HeaderFill:
                canvas.Box(X, top, Width, Height, Theme.HeaderFill, Theme.HeaderFill, 0.1);
                break;
            case RowStyle.Box:
                canvas.Box(X, top, Width, Height, Theme.NoticeFill, Theme.NoticeBorder, 0.75);
                break;
        }

        foreach (var cell in cells)
        {
            var font = FontFace.Get(cell.Face);
            // Centre the glyphs' full height (ascent plus descent) in the line box.
            var baseline = ((LineHeight - ((font.Ascent + font.Descent) * cell.Size)) / 2) + (font.Ascent * cell.Size);
            var last = Math.Min(cell.Lines.Count, firstLine + lineCount);
            for (var i = firstLine; i < last; i++)
            {
                var line = cell.Lines[i];
                var x = cell.Align == TextAlign.Right ? cell.X + cell.Width - font.Width(line, cell.Size) : cell.X;
                canvas.Text(line, x, top + PaddingY + ((i - firstLine) * LineHeight) + baseline, cell.Face, cell.Size);
            }
        }

        if (Style == RowStyle.BottomRule)
        {
            canvas.Line(X, top + Height, X + Width, 0.5, Theme.RuleColor);
        }
    }

    public override (Fragment Head, Fragment Tail)? SplitToFit(double available)
    {
        var fits = (int)Math.Floor((available - (2 * PaddingY) + 1e-6) / LineHeight);
        if (fits < 1 || fits >= lineCount)
        {
            return null;
        }

        var head = new LinesFragment(cells, firstLine, fits, LineHeight, Style, PaddingY, X, Width, SplitsFreely, RepeatedHeader)
        {
            SpaceBefore = SpaceBefore,
        };
        var tail = new LinesFragment(cells, firstLine + fits, lineCount - fits, LineHeight, Style, PaddingY, X, Width, SplitsFreely, RepeatedHeader)
        {
            KeepWithNext = KeepWithNext,
        };
        return (head, tail);
    }
}

internal sealed class RuleFragment(double x, double width) : Fragment
{
    private const double Thickness = 0.75;

    public override double Height => Thickness;

    public override void Draw(PageCanvas canvas, double top) =>
        canvas.Line(x, top + (Thickness / 2), x + width, Thickness, Theme.RuleColor);
}

internal sealed class ImageFragment(byte[] png, double x, double width, double height) : Fragment
{
    public override double Height => height;

    public override void Draw(PageCanvas canvas, double top) => canvas.Png(png, x, top, width, height);
}

internal sealed class PageBreakFragment : Fragment
{
    public override double Height => 0;

    public override void Draw(PageCanvas canvas, double top)
    {
    }
}

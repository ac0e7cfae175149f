using System.Globalization;
using Consilium.Documents.Layout;
using UglyToad.PdfPig.Writer;

namespace Consilium.Documents;

/// <summary>
/// Builds a PDF from a sequence of blocks, laid out top to bottom with automatic page breaks and a running footer
/// ("Page N of M" and the document id). Text is drawn with the embedded DejaVu Sans; characters it cannot show
/// become '?' and are listed in <see cref="Warnings"/>. Each block is laid out when added, so a call with bad
/// arguments fails where it was made, and <see cref="Build"/> only paginates and writes.
/// </summary>
/// <example>
/// <code>
/// var pdf = PdfDocumentWriter.Create(PageSize.Letter)
///     .Metadata(new PdfMetadata { Author = "Consilium", DocumentId = "CNS-2026-0042" })
///     .Title("Authorization to disclose health information")
///     .KeyValues(("Member", "José Núñez"), ("Date of birth", "1970-03-14"))
///     .Paragraph("I authorize …")
///     .Image(signaturePng, maxWidth: 180, maxHeight: 60)
///     .Build();
/// </code>
/// </example>
public sealed class PdfDocumentWriter
{
    private readonly List<Fragment> fragments = [];
    private readonly TextCleaner cleaner = new();
    private readonly PageSize pageSize;
    private readonly Margins margins;
    private PdfMetadata metadata = new();
    private string? firstTitle;
    private string? footerId;

    private PdfDocumentWriter(PageSize pageSize, Margins margins)
    {
        this.pageSize = pageSize;
        this.margins = margins;
    }

    /// <summary>Characters drawn as '?', one entry per code point, in order of first appearance.</summary>
    public IReadOnlyList<PdfWarning> Warnings => cleaner.Warnings;

    private double Left => margins.Left;

    private double ContentWidth => pageSize.Width - margins.Left - margins.Right;

    private double ContentHeight => pageSize.Height - margins.Top - margins.Bottom;

    public static PdfDocumentWriter Create(PageSize pageSize, Margins? margins = null)
    {
        var m = margins ?? Margins.Default;
        if (m.Top < 0 || m.Right < 0 || m.Bottom < 0 || m.Left < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(margins), "Margins cannot be negative.");
        }

        // An inch each way leaves room for a table column and a few lines; less is a mistake, not a layout.
        if (pageSize.Width - m.Left - m.Right < 72 || pageSize.Height - m.Top - m.Bottom < 72)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), "The margins leave less than an inch of content width or height.");
        }

        return new PdfDocumentWriter(pageSize, m);
    }

    public PdfDocumentWriter Metadata(PdfMetadata value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var key in value.Custom.Keys)
        {
            // Custom keys become PDF names; keeping them plain avoids escaping and clashes with reserved spellings.
            if (key.Length == 0 || !char.IsAsciiLetter(key[0]) || !key.All(char.IsAsciiLetterOrDigit))
            {
                throw new ArgumentException($"Custom metadata key '{key}' must be ASCII letters and digits, starting with a letter.", nameof(value));
            }
        }

        metadata = value;
        footerId = value.DocumentId is null ? null : cleaner.Clean(value.DocumentId, FaceKind.Regular);
        return this;
    }

    public PdfDocumentWriter Title(string text)
    {
        firstTitle ??= text;
        AddText(text, FaceKind.Bold, Theme.TitleSize, spaceBefore: 0, keepWithNext: true);
        return this;
    }

    /// <param name="level">1 (section) to 3 (sub-sub-section).</param>
    public PdfDocumentWriter Heading(string text, int level = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 3);
        AddText(text, FaceKind.Bold, Theme.HeadingSize(level), Theme.HeadingSpace(level), keepWithNext: true);
        return this;
    }

    /// <summary>Left-aligned wrapped text; '\n' starts a new line, runs of spaces collapse.</summary>
    public PdfDocumentWriter Paragraph(string text)
    {
        AddText(text, FaceKind.Regular, Theme.BodySize, Theme.ParagraphSpace, keepWithNext: false, splitsFreely: true);
        return this;
    }

    public PdfDocumentWriter BulletList(params IEnumerable<string> items) =>
        AddList(items, _ => "•");

    public PdfDocumentWriter NumberedList(params IEnumerable<string> items) =>
        AddList(items, n => n.ToString(CultureInfo.InvariantCulture) + ".");

    /// <summary>Labelled values ("Member: …") with the labels in bold in a column of their own; a pair never splits across pages.</summary>
    public PdfDocumentWriter KeyValues(params IEnumerable<(string Key, string Value)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var cleaned = pairs.Select(p => (Key: cleaner.Clean(p.Key, FaceKind.Bold), Value: cleaner.Clean(p.Value, FaceKind.Regular))).ToList();
        if (cleaned.Count == 0)
        {
            return this;
        }

        var size = Theme.BodySize;
        var bold = FontFace.Get(FaceKind.Bold);
        var widest = cleaned.Max(p => bold.Width(p.Key.Trim(), size));
        var keyWidth = Math.Min(widest, ContentWidth * Theme.MaxKeyShare);
        var valueX = Left + keyWidth + Theme.KeyGap;
        var valueWidth = ContentWidth - keyWidth - Theme.KeyGap;
        for (var i = 0; i < cleaned.Count; i++)
        {
            var (key, value) = cleaned[i];
            fragments.Add(new LinesFragment(
                [
                    new Cell(Left, keyWidth, FaceKind.Bold, size, TextWrap.Lines(key, FaceKind.Bold, size, keyWidth)),
                    new Cell(valueX, valueWidth, FaceKind.Regular, size, TextWrap.Lines(value, FaceKind.Regular, size, valueWidth)),
                ],
                Theme.LineHeight(size))
            {
                SpaceBefore = i == 0 ? Theme.ParagraphSpace : 0,
            });
        }

        return this;
    }

    /// <summary>
    /// A table across the content width with a shaded header row, repeated on every page the table continues on.
    /// Cells wrap; a row is never split across pages unless it is taller than a page by itself.
    /// </summary>
    /// <param name="rows">Each row has at most one cell per column; missing trailing cells are empty.</param>
    public PdfDocumentWriter Table(IReadOnlyList<TableColumn> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        if (columns.Any(c => !(c.RelativeWidth > 0) || double.IsInfinity(c.RelativeWidth)))
        {
            throw new ArgumentException("Column widths must be positive finite numbers.", nameof(columns));
        }

        var size = Theme.TableSize;
        var lineHeight = Theme.LineHeight(size);
        var total = columns.Sum(c => c.RelativeWidth);
        var lefts = new double[columns.Count];
        var widths = new double[columns.Count];
        var x = Left;
        for (var c = 0; c < columns.Count; c++)
        {
            var columnWidth = ContentWidth * columns[c].RelativeWidth / total;
            lefts[c] = x + Theme.CellPaddingX;
            widths[c] = Math.Max(1, columnWidth - (2 * Theme.CellPaddingX));
            x += columnWidth;
        }

        List<Cell> Cells(IReadOnlyList<string> texts, FaceKind face) =>
        [
            .. columns.Select((column, c) =>
            {
                var text = cleaner.Clean(c < texts.Count ? texts[c] : "", face);
                return new Cell(lefts[c], widths[c], face, size, TextWrap.Lines(text, face, size, widths[c]), column.Align);
            }),
        ];

        var header = new LinesFragment(
            Cells([.. columns.Select(c => c.Header)], FaceKind.Bold), lineHeight, RowStyle.HeaderFill, Theme.CellPaddingY, Left, ContentWidth)
        {
            SpaceBefore = Theme.BlockSpace,
            KeepWithNext = true,
        };
        fragments.Add(header);

        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row, nameof(rows));
            if (row.Count > columns.Count)
            {
                throw new ArgumentException($"A row has {row.Count} cells but the table has {columns.Count} columns.", nameof(rows));
            }

            fragments.Add(new LinesFragment(
                Cells(row, FaceKind.Regular), lineHeight, RowStyle.BottomRule, Theme.CellPaddingY, Left, ContentWidth, header: header));
        }

        return this;
    }

    public PdfDocumentWriter Rule()
    {
        fragments.Add(new RuleFragment(Left, ContentWidth) { SpaceBefore = Theme.BlockSpace });
        return this;
    }

    /// <summary>Text in a shaded box, for what the reader must not miss ("This is an educational consult …").</summary>
    public PdfDocumentWriter Notice(string text)
    {
        var size = Theme.BodySize;
        var inner = ContentWidth - (2 * Theme.NoticePadding);
        var clean = cleaner.Clean(text, FaceKind.Regular);
        fragments.Add(new LinesFragment(
            [new Cell(Left + Theme.NoticePadding, inner, FaceKind.Regular, size, TextWrap.Lines(clean, FaceKind.Regular, size, inner))],
            Theme.LineHeight(size),
            RowStyle.Box,
            Theme.NoticePadding,
            Left,
            ContentWidth)
        {
            SpaceBefore = Theme.BlockSpace,
        });
        return this;
    }

    /// <summary>
    /// A PNG (a drawn signature, a logo) scaled up or down to fit a box of the given size in points, keeping its
    /// aspect ratio, left-aligned. The box is also capped at the content area.
    /// </summary>
    public PdfDocumentWriter Image(byte[] png, double maxWidth, double maxHeight)
    {
        ArgumentNullException.ThrowIfNull(png);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeight);
        var (pixelWidth, pixelHeight) = PngHeader.ReadSize(png);
        var boxWidth = Math.Min(maxWidth, ContentWidth);
        var boxHeight = Math.Min(maxHeight, ContentHeight);
        var scale = Math.Min(boxWidth / pixelWidth, boxHeight / pixelHeight);
        // A private copy: the caller may reuse its buffer before Build reads it.
        fragments.Add(new ImageFragment([.. png], Left, pixelWidth * scale, pixelHeight * scale) { SpaceBefore = Theme.ParagraphSpace });
        return this;
    }

    public PdfDocumentWriter PageBreak()
    {
        fragments.Add(new PageBreakFragment());
        return this;
    }

    public byte[] Build()
    {
        using var builder = new PdfDocumentBuilder();
        var fonts = new FontPool(builder);
        var pages = new Paginator(
            () => new PageCanvas(builder.AddPage(pageSize.Width, pageSize.Height), pageSize.Height, fonts),
            margins.Top,
            ContentHeight).Lay(fragments);

        WriteFooters(pages);
        WriteMetadata(builder);
        return builder.Build();
    }

    /// <remarks>
    /// PdfPig records absolute byte offsets while it writes, so the document is built in memory and then copied;
    /// that also lets the destination be any stream, seekable or not.
    /// </remarks>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Build());
    }

    public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await destination.WriteAsync(Build(), cancellationToken).ConfigureAwait(false);
    }

    private void AddText(string text, FaceKind face, double size, double spaceBefore, bool keepWithNext, bool splitsFreely = false)
    {
        var clean = cleaner.Clean(text, face);
        fragments.Add(new LinesFragment(
            [new Cell(Left, ContentWidth, face, size, TextWrap.Lines(clean, face, size, ContentWidth))],
            Theme.LineHeight(size),
            splitsFreely: splitsFreely)
        {
            SpaceBefore = spaceBefore,
            KeepWithNext = keepWithNext,
        });
    }

    private PdfDocumentWriter AddList(IEnumerable<string> items, Func<int, string> marker)
    {
        ArgumentNullException.ThrowIfNull(items);
        var size = Theme.BodySize;
        var markerWidth = Theme.ListIndent - 5;
        var textX = Left + Theme.ListIndent;
        var textWidth = ContentWidth - Theme.ListIndent;
        var number = 0;
        foreach (var item in items)
        {
            number++;
            var clean = cleaner.Clean(item, FaceKind.Regular);
            fragments.Add(new LinesFragment(
                [
                    new Cell(Left, markerWidth, FaceKind.Regular, size, [marker(number)], TextAlign.Right),
                    new Cell(textX, textWidth, FaceKind.Regular, size, TextWrap.Lines(clean, FaceKind.Regular, size, textWidth)),
                ],
                Theme.LineHeight(size),
                splitsFreely: true)
            {
                SpaceBefore = number == 1 ? Theme.ParagraphSpace : Theme.ListItemSpace,
            });
        }

        return this;
    }

    private void WriteFooters(IReadOnlyList<PageCanvas> pages)
    {
        var font = FontFace.Get(FaceKind.Regular);
        var baseline = pageSize.Height - (margins.Bottom / 2);
        var right = pageSize.Width - margins.Right;
        for (var i = 0; i < pages.Count; i++)
        {
            var label = string.Create(CultureInfo.InvariantCulture, $"Page {i + 1} of {pages.Count}");
            pages[i].Text(label, right - font.Width(label, Theme.FooterSize), baseline, FaceKind.Regular, Theme.FooterSize);
            if (footerId is { Length: > 0 })
            {
                pages[i].Text(footerId, Left, baseline, FaceKind.Regular, Theme.FooterSize);
            }
        }
    }

    private void WriteMetadata(PdfDocumentBuilder builder)
    {
        var info = builder.DocumentInformation;
        info.Title = metadata.Title ?? firstTitle;
        info.Author = metadata.Author;
        info.Subject = metadata.Subject;
        info.Keywords = metadata.Keywords.Count == 0 ? null : string.Join(", ", metadata.Keywords);
        info.Creator = "Consilium";
        info.CreationDate = PdfDate(metadata.CreatedAt ?? DateTimeOffset.UtcNow);
        foreach (var (key, value) in metadata.Custom)
        {
            info.CustomMetadata[key] = value;
        }

        if (metadata.DocumentId is { } id)
        {
            info.CustomMetadata["DocumentId"] = id;
        }
    }

    // PDF 1.7 §7.9.4: D:YYYYMMDDHHmmSS followed by the offset from UTC; always written in UTC.
    private static string PdfDate(DateTimeOffset value) =>
        "D:" + value.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace Consilium.Documents.Tests;

public sealed partial class PdfDocumentWriterTests
{
    private const string Lorem =
        "The reviewing physician read the imaging, the operative notes and three years of claims before writing " +
        "this opinion. Every recommendation below is explained in plain language, with the evidence behind it and " +
        "what it would mean for daily life, so that the member and the local physician can decide together.";

    [Fact]
    public void Build_MultiPageDocument_ExtractedTextHasEveryBlockInOrder()
    {
        var writer = PdfDocumentWriter.Create(PageSize.Letter)
            .Title("Second opinion report")
            .KeyValues(("Member", "Jane Doe"), ("Case", "CNS-2026-0042"));
        var expected = new List<string> { "Second opinion report", "Member Jane Doe", "Case CNS-2026-0042" };
        for (var section = 1; section <= 6; section++)
        {
            writer.Heading($"Section {section} heading")
                .Paragraph($"Paragraph {section} begins. {Lorem}")
                .Heading($"Subsection {section}.1", 2)
                .BulletList($"Bullet {section}a about Hip replacement", $"Bullet {section}b")
                .NumberedList($"Step {section} first", $"Step {section} second")
                .Table([new TableColumn("Drug"), new TableColumn("Dose", 0.5)], [[$"Drug {section}", $"{section}0 mg"]]);
            expected.AddRange([
                $"Section {section} heading", $"Paragraph {section} begins. {Lorem}", $"Subsection {section}.1",
                $"• Bullet {section}a about Hip replacement", $"• Bullet {section}b",
                $"1. Step {section} first", $"2. Step {section} second",
                "Drug Dose", $"Drug {section} {section}0 mg",
            ]);
        }

        var pages = PdfText.Extract(writer.Build());

        Assert.True(pages.Count >= 2, $"expected several pages, got {pages.Count}");
        var text = Flatten(pages);
        var at = 0;
        foreach (var item in expected)
        {
            var found = text.IndexOf(item, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{item}' not found in order after position {at}");
            at = found + item.Length;
        }
    }

    [Fact]
    public void Table_RowsSpanPages_HeaderRepeatedAndNoRowSplit()
    {
        var rows = Enumerable.Range(1, 90).Select(i => (IReadOnlyList<string>)
        [
            $"2026-01-{i:00}",
            // Every third row wraps onto several lines; its words must all land on one page.
            i % 3 == 0 ? string.Join(' ', Enumerable.Range(1, 30).Select(w => $"r{i}w{w}")) : $"Visit r{i}",
            $"{i}.00",
        ]).ToList();
        var writer = PdfDocumentWriter.Create(PageSize.A4)
            .Title("Monthly stipend statement")
            .Table([new("Date", 1), new("Description", 3), new("Amount", 1, TextAlign.Right)], rows);

        var pages = PdfText.Extract(writer.Build());

        Assert.True(pages.Count >= 3, $"expected the table to span pages, got {pages.Count}");
        foreach (var page in pages)
        {
            var lines = page.Split('\n');
            var headerIndex = Array.IndexOf(lines, "Date Description Amount");
            Assert.True(headerIndex >= 0, $"page without the table header:\n{page}");
            Assert.DoesNotContain(lines[..headerIndex], l => l.StartsWith("2026-", StringComparison.Ordinal));
        }

        for (var i = 1; i <= 90; i++)
        {
            var marker = $"r{i}w";
            var pagesWithRow = pages.Where(p => p.Contains($"2026-01-{i:00}", StringComparison.Ordinal)).ToList();
            Assert.Single(pagesWithRow);
            if (i % 3 == 0)
            {
                Assert.Equal(30, Regex.Matches(pagesWithRow[0], $@"\b{marker}\d+\b").Count);
            }
        }
    }

    [Fact]
    public void Build_ThreePages_FooterShowsPageOfTotalAndDocumentId()
    {
        var writer = PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata { DocumentId = "CNS-DOC-7" })
            .Paragraph("First page")
            .PageBreak()
            .Paragraph("Second page")
            .PageBreak()
            .Paragraph("Third page");

        var pages = PdfText.Extract(writer.Build());

        Assert.Equal(3, pages.Count);
        for (var i = 0; i < 3; i++)
        {
            var footer = pages[i].Split('\n')[^1];
            Assert.Equal($"CNS-DOC-7 Page {i + 1} of 3", footer);
        }
    }

    [Fact]
    public void Build_AccentedAndSpecialCharacters_RoundTripThroughExtraction()
    {
        const string special = "Café, niño, über, Ångström, Łódź — “quoted” ‘single’ 1–2 ≥ 18 ≤ 65 € 20 © ® ™ ½ ° ± × … § ¶ µ";
        var writer = PdfDocumentWriter.Create(PageSize.A4)
            .Heading("Résumé für Müller – “Ñandú”")
            .Paragraph(special)
            .Table([new TableColumn("Médico"), new TableColumn("Señal")], [["Dr. Ibáñez", "≥ 2 cm"]]);

        var text = Flatten(PdfText.Extract(writer.Build()));

        Assert.Contains("Résumé für Müller – “Ñandú”", text);
        Assert.Contains(special, text);
        Assert.Contains("Médico Señal", text);
        Assert.Contains("Dr. Ibáñez ≥ 2 cm", text);
        Assert.Empty(writer.Warnings);
    }

    [Fact]
    public void Paragraph_DecomposedAccent_DrawnAsCombiningMarkAndReadBack()
    {
        const string decomposed = "Jose\u0301 Nun\u0303ez";
        var writer = PdfDocumentWriter.Create(PageSize.A4).Paragraph(decomposed);

        Assert.Contains(decomposed, Flatten(PdfText.Extract(writer.Build())));
        Assert.Empty(writer.Warnings);
    }

    [Fact]
    public void Paragraph_CharacterOutsideFont_DrawnAsQuestionMarkAndWarned()
    {
        var writer = PdfDocumentWriter.Create(PageSize.A4)
            .Paragraph("Kanji 漢 and emoji 😀 and 漢 again");

        var text = Flatten(PdfText.Extract(writer.Build()));

        Assert.Contains("Kanji ? and emoji ? and ? again", text);
        Assert.Equal(new[] { new PdfWarning(0x6F22, 2), new PdfWarning(0x1F600, 1) }, writer.Warnings);
        Assert.Contains("U+6F22", writer.Warnings[0].Message);
    }

    [Fact]
    public void Paragraph_ControlCharactersAndLoneSurrogate_ReplacedNotThrown()
    {
        var writer = PdfDocumentWriter.Create(PageSize.A4).Paragraph("bell\u0007 lone\uD800 tab\there");

        var text = Flatten(PdfText.Extract(writer.Build()));

        Assert.Contains("bell? lone? tab here", text);
        Assert.Equal(new[] { 0x07, 0xD800 }, writer.Warnings.Select(w => w.CodePoint));
    }

    [Fact]
    public void Build_MoreThan255DistinctCharacters_AllRoundTrip()
    {
        // PdfPig's simple TrueType fonts hold at most 255 characters; the writer must add further copies.
        var greek = new string([.. Enumerable.Range(0x3B1, 25).Select(c => (char)c)]);
        var cyrillic = new string([.. Enumerable.Range(0x430, 32).Select(c => (char)c)]);
        var latin = new string([.. Enumerable.Range(0x100, 128).Select(c => (char)c)]);
        var ascii = new string([.. Enumerable.Range(0x21, 94).Select(c => (char)c)]);
        var words = new[] { greek, cyrillic, latin, ascii }
            .SelectMany(s => s.Chunk(12).Select(chunk => new string(chunk)))
            .ToList();
        var writer = PdfDocumentWriter.Create(PageSize.A4).Paragraph(string.Join(' ', words));

        var text = Flatten(PdfText.Extract(writer.Build()));

        Assert.Empty(writer.Warnings);
        Assert.All(words, w => Assert.Contains(w, text));
    }

    [Fact]
    public void Image_Png_EmbeddedAndScaledToBox()
    {
        var png = TestPng.Signature(300, 100);
        var writer = PdfDocumentWriter.Create(PageSize.Letter)
            .Paragraph("Signed by the member:")
            .Image(png, maxWidth: 150, maxHeight: 150);

        using var document = PdfDocument.Open(writer.Build());

        var image = Assert.Single(document.GetPage(1).GetImages());
        Assert.Equal(300, image.WidthInSamples);
        Assert.Equal(100, image.HeightInSamples);
        Assert.Equal(150, image.BoundingBox.Width, 0.01);
        Assert.Equal(50, image.BoundingBox.Height, 0.01);
    }

    [Fact]
    public void Image_NotPng_ThrowsArgumentException()
    {
        var writer = PdfDocumentWriter.Create(PageSize.Letter);

        Assert.Throws<ArgumentException>(() => writer.Image([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3], 100, 100));
    }

    [Fact]
    public void Build_PngWithCorruptPixelData_ThrowsInvalidOperation()
    {
        var png = TestPng.Signature(40, 20);
        // Keep the signature and header chunk (33 bytes), then garbage where the compressed pixels belong.
        byte[] corrupt = [.. png[..33], 0, 0, 0, 8, (byte)'I', (byte)'D', (byte)'A', (byte)'T', 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0];
        var writer = PdfDocumentWriter.Create(PageSize.Letter).Image(corrupt, 100, 50);

        Assert.Throws<InvalidOperationException>(writer.Build);
    }

    [Fact]
    public void Build_Metadata_WrittenToDocumentInformation()
    {
        var created = new DateTimeOffset(2026, 3, 14, 9, 26, 53, TimeSpan.FromHours(-5));
        var writer = PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata
            {
                Title = "HIPAA authorization – José Núñez",
                Author = "Consilium",
                Subject = "Consent",
                Keywords = ["consent", "hipaa-authorization"],
                CreatedAt = created,
                DocumentId = "CNS-CONSENT-1",
                Custom = new Dictionary<string, string> { ["ConsentVersion"] = "3" },
            })
            .Paragraph("Body");

        using var document = PdfDocument.Open(writer.Build());

        var info = document.Information;
        Assert.Equal("HIPAA authorization – José Núñez", info.Title);
        Assert.Equal("Consilium", info.Author);
        Assert.Equal("Consent", info.Subject);
        Assert.Equal("consent, hipaa-authorization", info.Keywords);
        Assert.Equal(created, info.GetCreatedDateTimeOffset());
        Assert.Equal("CNS-CONSENT-1", Custom(info, "DocumentId"));
        Assert.Equal("3", Custom(info, "ConsentVersion"));
    }

    [Fact]
    public void Build_NoMetadataTitle_UsesFirstTitleBlock()
    {
        var writer = PdfDocumentWriter.Create(PageSize.Letter).Title("Records request").Title("Second");

        using var document = PdfDocument.Open(writer.Build());

        Assert.Equal("Records request", document.Information.Title);
    }

    [Fact]
    public void Metadata_CustomKeyWithSpace_Throws()
    {
        var writer = PdfDocumentWriter.Create(PageSize.Letter);

        Assert.Throws<ArgumentException>(() => writer.Metadata(new PdfMetadata
        {
            Custom = new Dictionary<string, string> { ["Case id"] = "1" },
        }));
    }

    [Fact]
    public void Heading_AtFootOfPage_MovesToNextPageWithItsText()
    {
        static string[] Build(int fillers)
        {
            var writer = PdfDocumentWriter.Create(PageSize.Letter);
            for (var i = 0; i < fillers; i++)
            {
                writer.Paragraph($"Filler {i}");
            }

            return [.. PdfText.Extract(writer.Heading("Findings").Paragraph("Findings text").Build())];
        }

        // Add one filler line at a time, starting a little before a full page, until the heading would be the last
        // line of page 1: that first two-page layout shows whether the heading went on with its text.
        var perPage = Build(80)[0].Split('\n').Count(l => l.StartsWith("Filler", StringComparison.Ordinal));
        var fillers = perPage - 4;
        string[] pages;
        do
        {
            pages = Build(++fillers);
        }
        while (pages.Length == 1);

        Assert.True(fillers < perPage, "the heading should have moved before the fillers alone filled the page");
        Assert.Equal(2, pages.Length);
        Assert.DoesNotContain("Findings", pages[0]);
        Assert.StartsWith("Findings\nFindings text", pages[1]);
    }

    [Fact]
    public void Notice_EducationalConsultWording_BoxedAndExtracted()
    {
        const string wording = "This is an educational consult. It does not establish a physician–patient relationship.";
        var writer = PdfDocumentWriter.Create(PageSize.Letter).Heading("Clinical report").Notice(wording).Rule();

        Assert.Contains(wording, Flatten(PdfText.Extract(writer.Build())));
    }

    [Fact]
    public void Table_RowTallerThanPage_SplitInsteadOfLost()
    {
        var words = Enumerable.Range(1, 1500).Select(i => $"w{i}").ToList();
        var writer = PdfDocumentWriter.Create(PageSize.A4)
            .Table([new TableColumn("Key"), new TableColumn("Text", 4)], [["long", string.Join(' ', words)]]);

        var pages = PdfText.Extract(writer.Build());

        Assert.True(pages.Count >= 2);
        Assert.All(pages, p => Assert.StartsWith("Key Text", p));
        var text = Flatten(pages);
        Assert.All(words, w => Assert.Matches($@"\b{w}\b", text));
    }

    [Fact]
    public void Build_HundredPages_FastAndSmall()
    {
        // A guard against quadratic layout or runaway memory, not a benchmark: the bounds are far above normal.
        var writer = PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata { DocumentId = "CNS-BIG" })
            .Title("Claims history");
        for (var i = 0; i < 100; i++)
        {
            writer.Heading($"Month {i + 1}", 2)
                .Paragraph(Lorem)
                .Table(
                    [new TableColumn("Date"), new TableColumn("Service", 3), new TableColumn("Billed", 1, TextAlign.Right)],
                    Enumerable.Range(1, 22).Select(d => (IReadOnlyList<string>)[$"2025-{i % 12 + 1:00}-{d:00}", $"Office visit {d}", $"{d * 12.5:0.00}"]))
                .PageBreak();
        }

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var pdf = writer.Build();
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        using var document = PdfDocument.Open(pdf);
        Assert.Equal(100, document.NumberOfPages);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.True(allocated < 1_000_000_000, $"allocated {allocated:N0} bytes");
        Assert.True(pdf.Length < 5_000_000, $"{pdf.Length:N0} bytes");
        Assert.Contains("Page 100 of 100", PdfText.Extract(pdf)[99]);
    }

    [Fact]
    public async Task WriteToAsync_NonSeekableStream_WritesSameDocument()
    {
        var writer = PdfDocumentWriter.Create(PageSize.A4)
            .Metadata(new PdfMetadata { CreatedAt = DateTimeOffset.UnixEpoch })
            .Paragraph("Streamed");
        using var buffer = new MemoryStream();
        await using var forwardOnly = new ForwardOnlyStream(buffer);

        await writer.WriteToAsync(forwardOnly, TestContext.Current.CancellationToken);

        // Only the file identifier in the trailer differs between two builds: PdfPig makes it from a new GUID.
        Assert.Equal(writer.Build().Length, buffer.Length);
        Assert.StartsWith("Streamed\n", PdfText.Extract(new ForwardOnlyStream(new MemoryStream(buffer.ToArray())))[0]);
    }

    [Fact]
    public void PageBreak_AtEndOrRepeated_AddsNoBlankPage()
    {
        var writer = PdfDocumentWriter.Create(PageSize.A4).PageBreak().Paragraph("One").PageBreak().PageBreak().Paragraph("Two").PageBreak();

        var pages = PdfText.Extract(writer.Build());

        Assert.Equal(2, pages.Count);
        Assert.StartsWith("One\n", pages[0]);
        Assert.StartsWith("Two\n", pages[1]);
    }

    [Fact]
    public void Create_MarginsLeaveNoRoom_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PdfDocumentWriter.Create(PageSize.A4, Margins.Uniform(280)));
    }

    [Fact]
    public void Heading_LevelFour_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PdfDocumentWriter.Create(PageSize.A4).Heading("x", 4));
    }

    // Body text without the footers, words separated by single spaces, so wrapped lines and page breaks don't matter.
    private static string Flatten(IReadOnlyList<string> pages) =>
        string.Join(' ', pages.SelectMany(p => p.Split('\n')).Where(l => !FooterLine().IsMatch(l)));

    private static string? Custom(UglyToad.PdfPig.Content.DocumentInformation info, string key) =>
        info.DocumentInformationDictionary?.Data.GetValueOrDefault(key) is StringToken value ? value.Data : null;

    [GeneratedRegex(@"Page \d+ of \d+$")]
    private static partial Regex FooterLine();

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}

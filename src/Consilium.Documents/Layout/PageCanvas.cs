using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace Consilium.Documents.Layout;

/// <summary>
/// One page, addressed from its top-left corner downwards as layout thinks; PDF's origin is bottom-left.
/// Every colour or line-width change is wrapped in a saved graphics state so nothing leaks into what follows.
/// </summary>
internal sealed class PageCanvas(PdfPageBuilder page, double pageHeight, FontPool fonts)
{
    public void Text(string text, double x, double baselineTop, FaceKind face, double size)
    {
        if (text.Length == 0)
        {
            return;
        }

        page.AddText(text, size, new PdfPoint(x, pageHeight - baselineTop), fonts.For(face, text));
    }

    public void Line(double x1, double top, double x2, double thickness, Rgb color)
    {
        page.SetStrokeColor(color.R, color.G, color.B);
        page.DrawLine(new PdfPoint(x1, pageHeight - top), new PdfPoint(x2, pageHeight - top), thickness);
        page.ResetColor();
    }

    public void Box(double x, double top, double width, double height, Rgb fill, Rgb border, double borderThickness)
    {
        page.SetTextAndFillColor(fill.R, fill.G, fill.B);
        page.SetStrokeColor(border.R, border.G, border.B);
        page.DrawRectangle(new PdfPoint(x, pageHeight - top - height), width, height, borderThickness, fill: true);
        page.ResetColor();
        page.ResetColor();
    }

    public void Png(byte[] png, double x, double top, double width, double height)
    {
        try
        {
            page.AddPng(png, new PdfRectangle(x, pageHeight - top - height, x + width, pageHeight - top));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Image() checks only the PNG header; PdfPig decodes the pixels here and fails with bare index errors.
            throw new InvalidOperationException("A PNG added with Image() could not be decoded by PdfPig's PNG reader.", e);
        }
    }
}

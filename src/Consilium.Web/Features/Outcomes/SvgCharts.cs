using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Consilium.Features.Outcomes;

/// <summary>
/// Small charts drawn on the server as inline SVG (no script, no CDN): horizontal bars and lines over months. A
/// suppressed value (null) is drawn as no bar and labelled so; every chart has a title and a text alternative.
/// </summary>
public static class SvgCharts
{
    static string E(string s) => WebUtility.HtmlEncode(s);
    static string N(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    public static IHtmlContent Bars(string title, IReadOnlyList<(string Label, double? Value)> bars, Func<double, string> format)
    {
        const int rowHeight = 26, labelWidth = 150, barWidth = 300;
        var height = bars.Count * rowHeight + 30;
        var max = bars.Max(b => b.Value ?? 0);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" class=\"chart\" viewBox=\"0 0 {labelWidth + barWidth + 110} {height}\" width=\"{labelWidth + barWidth + 110}\" height=\"{height}\" aria-label=\"{E(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title><text x=\"0\" y=\"16\" font-weight=\"bold\" font-size=\"13\">{E(title)}</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var y = 28 + i * rowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 15}\" font-size=\"12\">{E(label)}</text>");
            if (value is { } v)
            {
                var w = max > 0 ? Math.Max(1, v / max * barWidth) : 1;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{N(Math.Max(0, w))}\" height=\"16\" fill=\"#2f6f9f\"></rect>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(labelWidth + Math.Max(0, w) + 6)}\" y=\"{y + 15}\" font-size=\"12\">{E(format(v))}</text>");
            }
            else svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth}\" y=\"{y + 15}\" font-size=\"12\" fill=\"#666\">suppressed or none</text>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    public static IHtmlContent Lines(string title, IReadOnlyList<string> months, IReadOnlyList<(string Name, string Colour, IReadOnlyList<double?> Values)> series,
        Func<double, string> format)
    {
        const int width = 560, height = 220, left = 50, top = 30, plotWidth = 480, plotHeight = 150;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" class=\"chart\" viewBox=\"0 0 {width} {height + 20 * series.Count}\" width=\"{width}\" height=\"{height + 20 * series.Count}\" aria-label=\"{E(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title><text x=\"0\" y=\"16\" font-weight=\"bold\" font-size=\"13\">{E(title)}</text>");
        var all = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).ToList();
        if (months.Count == 0 || all.Count == 0)
        {
            svg.Append("<text x=\"0\" y=\"50\" font-size=\"12\" fill=\"#666\">No month with 11 or more opinions in the period.</text></svg>");
            return new HtmlString(svg.ToString());
        }
        var max = Math.Max(all.Max(), 1e-9);
        double X(int i) => left + (months.Count == 1 ? plotWidth / 2.0 : i * plotWidth / (double)(months.Count - 1));
        double Y(double v) => top + plotHeight - v / max * plotHeight;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{left + plotWidth}\" y2=\"{top + plotHeight}\" stroke=\"#999\"></line>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{top + 8}\" font-size=\"11\">{E(format(max))}</text><text x=\"0\" y=\"{top + plotHeight}\" font-size=\"11\">0</text>");
        var step = Math.Max(1, months.Count / 6);
        for (var i = 0; i < months.Count; i += step)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(i) - 18)}\" y=\"{top + plotHeight + 16}\" font-size=\"11\">{E(months[i])}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var (name, colour, values) = series[s];
            var points = values.Select((v, i) => v is null ? null : $"{N(X(i))},{N(Y(v.Value))}").ToList();
            // A suppressed month breaks the line rather than joining across it.
            foreach (var run in Runs(points))
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', run)}\"></polyline>");
            foreach (var p in points.Where(p => p is not null))
            {
                var xy = p!.Split(',');
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"2.5\" fill=\"{colour}\"></circle>");
            }
            var ly = height + 20 * s;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{ly - 9}\" width=\"12\" height=\"4\" fill=\"{colour}\"></rect><text x=\"{left + 18}\" y=\"{ly - 3}\" font-size=\"12\">{E(name)}</text>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    static IEnumerable<List<string>> Runs(List<string?> points)
    {
        var run = new List<string>();
        foreach (var p in points)
        {
            if (p is null) { if (run.Count > 0) yield return run; run = []; }
            else run.Add(p);
        }
        if (run.Count > 0) yield return run;
    }
}

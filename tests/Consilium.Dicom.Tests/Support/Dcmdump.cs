using System.Globalization;
using System.Text.RegularExpressions;

namespace Consilium.Dicom.Tests.Support;

/// <summary>One top-level line of a dcmdump listing.</summary>
internal sealed record DumpLine(DicomTag Tag, string VR, string? Value)
{
    /// <summary>False for "(not loaded)" values, sequences and pixel sequences: nothing to compare.</summary>
    public bool HasValue => Value is not null;
}

/// <summary>
/// Runs DCMTK's dcmdump as the reference reader. A missing dcmdump fails the test: a comparison that
/// silently passes without its reference proves nothing.
/// </summary>
internal static partial class Dcmdump
{
    /// <param name="utf8">Convert values to UTF-8 per Specific Character Set (+U8); (0008,0005) then reads ISO_IR 192.</param>
    public static IReadOnlyList<DumpLine> TopLevel(string path, bool utf8 = true)
    {
        // -M: leave values over 4 KB unloaded; +L: print loaded values whole; -Un: UIDs as numbers.
        string[] arguments = utf8 ? ["-M", "+L", "-Un", "+U8", path] : ["-M", "+L", "-Un", path];
        return Parse(DcmtkTool.Run("dcmdump", null, arguments));
    }

    public static IReadOnlyList<DumpLine> Parse(string output)
    {
        var lines = new List<DumpLine>();
        foreach (var line in output.Split('\n'))
        {
            // Top-level elements start in column 0; nested ones are indented.
            var match = LinePattern().Match(line.TrimEnd('\r'));
            if (!match.Success)
                continue;
            var tag = new DicomTag(
                ushort.Parse(match.Groups["g"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ushort.Parse(match.Groups["e"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if (tag.Group == 0xFFFE)
                continue; // dcmdump shows delimiters it would write when re-encoding, present in the file or not
            lines.Add(new DumpLine(tag, match.Groups["vr"].Value, ParseValue(match.Groups["value"].Value.TrimEnd())));
        }
        return lines;
    }

    private static string? ParseValue(string text)
    {
        if (text.StartsWith('['))
        {
            var close = text.LastIndexOf(']');
            return close > 0 ? text[1..close] : null;
        }
        if (text == "(no value available)")
            return "";
        if (text.StartsWith('('))
            return null; // (not loaded), (Sequence ...), (PixelSequence ...)
        return text;
    }

    // Greedy value, so the match ends at the last " # len, vm Name" on the line.
    [GeneratedRegex(@"^\((?<g>[0-9a-f]{4}),(?<e>[0-9a-f]{4})\) (?<vr>\S\S) (?<value>.*)\s+#\s*(?:\d+|u/l),\s*\d+ .+$")]
    private static partial Regex LinePattern();
}

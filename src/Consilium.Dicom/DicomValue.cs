using System.Globalization;

namespace Consilium.Dicom;

/// <summary>Parses the text forms of DICOM dates, times and integers found in <see cref="DicomHeader"/>.</summary>
public static class DicomValue
{
    /// <summary>DA is YYYYMMDD; the pre-1993 ACR-NEMA form YYYY.MM.DD still turns up in old archives.</summary>
    public static DateOnly? ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var text = value.Trim();
        return DateOnly.TryParseExact(text, ["yyyyMMdd", "yyyy.MM.dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
    }

    /// <summary>TM is HH[MM[SS[.F{1,6}]]]; the legacy HH:MM:SS form is accepted too.</summary>
    public static TimeOnly? ParseTime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var text = value.Trim().Replace(":", "", StringComparison.Ordinal);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot >= 0 ? text[..dot] : text;
        if (whole.Length is not (2 or 4 or 6) || !whole.All(char.IsAsciiDigit))
            return null;
        var hour = int.Parse(whole.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var minute = whole.Length >= 4 ? int.Parse(whole.AsSpan(2, 2), CultureInfo.InvariantCulture) : 0;
        var second = whole.Length >= 6 ? int.Parse(whole.AsSpan(4, 2), CultureInfo.InvariantCulture) : 0;
        var ticks = 0L;
        if (dot >= 0)
        {
            var fraction = text[(dot + 1)..];
            if (fraction.Length is 0 or > 6 || !fraction.All(char.IsAsciiDigit))
                return null;
            ticks = long.Parse(fraction.PadRight(7, '0'), CultureInfo.InvariantCulture);
        }
        // Leap second 60 is legal in TM; TimeOnly has no room for it.
        if (hour > 23 || minute > 59 || second > 59)
            return null;
        return new TimeOnly(hour, minute, second).Add(TimeSpan.FromTicks(ticks));
    }

    /// <summary>IS: an integer string, possibly space-padded. The first value of a multi-valued one.</summary>
    public static int? ParseInteger(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var first = value.Split('\\')[0].Trim();
        return int.TryParse(first, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;
    }
}

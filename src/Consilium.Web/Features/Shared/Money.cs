using System.Globalization;

namespace Consilium.Features;

/// <summary>US dollars as people read them: "$1,250.00". The app runs with invariant globalization, where "C" prints "¤".</summary>
public static class Money
{
    public static string Format(decimal amount) =>
        (amount < 0 ? "-$" : "$") + Math.Abs(amount).ToString("#,##0.00", CultureInfo.InvariantCulture);
}

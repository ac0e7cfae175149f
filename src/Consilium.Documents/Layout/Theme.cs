namespace Consilium.Documents.Layout;

internal readonly record struct Rgb(byte R, byte G, byte B);

/// <summary>The one look every platform document shares; sizes and spaces in points.</summary>
internal static class Theme
{
    public const double BodySize = 10.5;
    public const double TitleSize = 20;
    public const double TableSize = 9.5;
    public const double FooterSize = 8;

    /// <summary>Line height as a multiple of the font size.</summary>
    public const double Leading = 1.35;

    public const double ParagraphSpace = 6;
    public const double TitleSpaceAfter = 6;
    public const double ListIndent = 18;
    public const double ListItemSpace = 2;
    public const double BlockSpace = 10;

    public const double CellPaddingX = 4;
    public const double CellPaddingY = 3;
    public const double NoticePadding = 8;
    public const double KeyGap = 10;

    /// <summary>A key column never takes more than this share of the content width.</summary>
    public const double MaxKeyShare = 0.4;

    public static readonly Rgb RuleColor = new(150, 150, 150);
    public static readonly Rgb HeaderFill = new(232, 236, 241);
    public static readonly Rgb NoticeFill = new(246, 246, 246);
    public static readonly Rgb NoticeBorder = new(110, 110, 110);

    public static double HeadingSize(int level) => level switch
    {
        1 => 15,
        2 => 12.5,
        _ => 11,
    };

    public static double HeadingSpace(int level) => level switch
    {
        1 => 16,
        2 => 12,
        _ => 9,
    };

    public static double LineHeight(double size) => size * Leading;
}

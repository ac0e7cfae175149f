namespace Consilium.Documents;

/// <summary>A page size in PDF points (1/72 inch).</summary>
public readonly record struct PageSize(double Width, double Height)
{
    public static PageSize A4 { get; } = new(595.28, 841.89);

    public static PageSize Letter { get; } = new(612, 792);
}

/// <summary>Page margins in PDF points. The running footer sits inside the bottom margin.</summary>
public readonly record struct Margins(double Top, double Right, double Bottom, double Left)
{
    public static Margins Uniform(double points) => new(points, points, points, points);

    /// <summary>Three quarters of an inch all round, with room for the footer below the content.</summary>
    public static Margins Default { get; } = Uniform(54);
}

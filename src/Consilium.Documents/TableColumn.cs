namespace Consilium.Documents;

public enum TextAlign
{
    Left,
    Right,
}

/// <param name="Header">The header cell's text, repeated at the top of each page the table continues on.</param>
/// <param name="RelativeWidth">A share of the content width, relative to the other columns' shares.</param>
/// <param name="Align">Right alignment suits amounts and counts.</param>
public sealed record TableColumn(string Header, double RelativeWidth = 1, TextAlign Align = TextAlign.Left);

namespace Consilium.X12;

/// <summary>
/// Separators of one interchange, read from its ISA header. <see cref="Repetition"/> is 0 when the
/// interchange has none (4010 puts the standards identifier 'U' in ISA11) or when it equals the component
/// separator (seen in the wild, e.g. OopFactory's 837I Spec_3.1.1): the component separator wins.
/// </summary>
public readonly record struct X12Delimiters(byte Element, byte Component, byte Repetition, byte Segment)
{
    public static X12Delimiters Default => new((byte)'*', (byte)':', (byte)'^', (byte)'~');
}

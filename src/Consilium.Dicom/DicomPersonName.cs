namespace Consilium.Dicom;

/// <summary>
/// A PN value. Components come from the alphabetic group (before the first '='), split on '^' in the
/// order the standard fixes: family^given^middle^prefix^suffix.
/// </summary>
public sealed record DicomPersonName
{
    private DicomPersonName(string raw, string[] components)
    {
        Raw = raw;
        FamilyName = Component(components, 0);
        GivenName = Component(components, 1);
        MiddleName = Component(components, 2);
        Prefix = Component(components, 3);
        Suffix = Component(components, 4);
    }

    /// <summary>The value as stored (padding removed), all component groups included.</summary>
    public string Raw { get; }
    public string FamilyName { get; }
    public string GivenName { get; }
    public string MiddleName { get; }
    public string Prefix { get; }
    public string Suffix { get; }

    /// <summary>True when no component holds a letter or digit, as in anonymised "^^^^" or "".</summary>
    public bool IsEmpty => !(FamilyName + GivenName + MiddleName).Any(char.IsLetterOrDigit);

    public static DicomPersonName Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var alphabetic = value.Split('=')[0];
        return new DicomPersonName(value, alphabetic.Split('^'));
    }

    private static string Component(string[] components, int index) =>
        index < components.Length ? components[index].Trim() : "";

    public override string ToString() => Raw;
}

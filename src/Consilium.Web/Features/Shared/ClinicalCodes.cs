namespace Consilium.Features;

public enum ProcedureCodeSystem
{
    /// <summary>CPT: five digits, or four digits and F (category II), T (category III) or U (proprietary laboratory analyses).</summary>
    Cpt,
    /// <summary>HCPCS level II: a letter A–V and four digits.</summary>
    Hcpcs,
    /// <summary>ICD-10-PCS: seven characters from digits and letters other than I and O.</summary>
    Icd10Pcs,
}

/// <summary>
/// Shape checks for the codes intake captures. They say whether a string can be a code of the system, not whether the
/// code exists in the current release; that needs the code tables and belongs to the trigger engine.
/// </summary>
public static class ClinicalCodes
{
    /// <summary>
    /// ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and one to four more digits or letters
    /// ("M51.16", "S72.001A", "C50.911"). Returns the code upper-cased with its dot after the category, or null.
    /// </summary>
    public static string? NormalizeIcd10Cm(string? code)
    {
        var raw = code?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(raw)) return null;
        var compact = raw.Replace(".", "", StringComparison.Ordinal);
        if (raw.Contains('.', StringComparison.Ordinal) && (raw.IndexOf('.', StringComparison.Ordinal) != 3 || raw.Count(c => c == '.') > 1)) return null;
        if (compact.Length is < 3 or > 7) return null;
        if (!IsLetter(compact[0]) || !char.IsAsciiDigit(compact[1]) || !IsAlphanumeric(compact[2])) return null;
        for (var i = 3; i < compact.Length; i++)
            if (!IsAlphanumeric(compact[i])) return null;
        return compact.Length == 3 ? compact : $"{compact[..3]}.{compact[3..]}";
    }

    /// <summary>The system a procedure code's shape belongs to, or null when it fits none.</summary>
    public static ProcedureCodeSystem? ProcedureSystem(string? code)
    {
        var c = code?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(c)) return null;
        if (c.Length == 5 && AllDigits(c)) return ProcedureCodeSystem.Cpt;
        if (c.Length == 5 && AllDigits(c[..4]) && c[4] is 'F' or 'T' or 'U') return ProcedureCodeSystem.Cpt;
        if (c.Length == 5 && c[0] is >= 'A' and <= 'V' && AllDigits(c[1..])) return ProcedureCodeSystem.Hcpcs;
        if (c.Length == 7 && c.All(ch => IsAlphanumeric(ch) && ch is not ('I' or 'O'))) return ProcedureCodeSystem.Icd10Pcs;
        return null;
    }

    public static string? NormalizeProcedure(string? code) => ProcedureSystem(code) is null ? null : code!.Trim().ToUpperInvariant();

    static bool IsLetter(char c) => c is >= 'A' and <= 'Z';
    static bool IsAlphanumeric(char c) => IsLetter(c) || char.IsAsciiDigit(c);
    static bool AllDigits(string s) => s.All(char.IsAsciiDigit);
}

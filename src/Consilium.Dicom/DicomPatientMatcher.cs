using System.Text;

namespace Consilium.Dicom;

public enum PatientMatchOutcome
{
    /// <summary>Name and birth date both present on each side and both agree.</summary>
    Match,
    /// <summary>At least one field present on both sides disagrees.</summary>
    Mismatch,
    /// <summary>Nothing disagrees, but something could not be compared (anonymised or missing in the images).</summary>
    Unknown,
}

[Flags]
public enum PatientMatchFields
{
    None = 0,
    Name = 1,
    BirthDate = 2,
}

/// <param name="Reason">Names fields only, never their values, so it can be logged and shown to staff.</param>
public sealed record PatientMatchResult(
    PatientMatchOutcome Outcome,
    PatientMatchFields Mismatched,
    PatientMatchFields Unknown,
    string Reason);

/// <summary>
/// Decides whether images belong to a case's member. Names are compared as sets of words after folding case
/// and diacritics ("MÜLLER" = "Muller"), so middle names, double surnames and a swapped "FIRST^LAST" still
/// match, while a different given or family name does not.
/// </summary>
public static class DicomPatientMatcher
{
    // Values de-identification tools put in Patient's Name: not a person, so not a mismatch.
    private static readonly HashSet<string> PlaceholderNames = new(StringComparer.Ordinal)
    {
        "ANONYMOUS", "ANONYMIZED", "ANONYMISED", "ANON", "UNKNOWN", "NONE", "NA", "N A", "REMOVED", "DEIDENTIFIED",
    };

    public static PatientMatchResult Match(DicomHeader header, string memberGivenName, string memberFamilyName, DateOnly? memberBirthDate)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Match(header.PatientName, header.PatientBirthDate, memberGivenName, memberFamilyName, memberBirthDate);
    }

    public static PatientMatchResult Match(DicomPersonName? dicomName, string? dicomBirthDate,
        string memberGivenName, string memberFamilyName, DateOnly? memberBirthDate)
    {
        var mismatched = PatientMatchFields.None;
        var unknown = PatientMatchFields.None;
        var reasons = new List<string>();

        switch (CompareNames(dicomName, memberGivenName, memberFamilyName))
        {
            case FieldResult.Differs:
                mismatched |= PatientMatchFields.Name;
                reasons.Add("patient name differs");
                break;
            case FieldResult.Unknown:
                unknown |= PatientMatchFields.Name;
                reasons.Add("patient name missing, anonymised or incomplete");
                break;
        }

        var dicomDate = DicomValue.ParseDate(dicomBirthDate);
        if (dicomDate is null || memberBirthDate is null)
        {
            unknown |= PatientMatchFields.BirthDate;
            reasons.Add(string.IsNullOrWhiteSpace(dicomBirthDate) ? "birth date missing in the images"
                : dicomDate is null ? "birth date in the images is not a valid date" : "member birth date unknown");
        }
        else if (dicomDate != memberBirthDate)
        {
            mismatched |= PatientMatchFields.BirthDate;
            reasons.Add("birth date differs");
        }

        var outcome = mismatched != PatientMatchFields.None ? PatientMatchOutcome.Mismatch
            : unknown != PatientMatchFields.None ? PatientMatchOutcome.Unknown
            : PatientMatchOutcome.Match;
        return new PatientMatchResult(outcome, mismatched, unknown,
            reasons.Count == 0 ? "name and birth date match" : string.Join("; ", reasons));
    }

    private enum FieldResult { Same, Differs, Unknown }

    private static FieldResult CompareNames(DicomPersonName? dicomName, string memberGivenName, string memberFamilyName)
    {
        var memberGiven = Words(memberGivenName);
        var memberFamily = Words(memberFamilyName);
        if (dicomName is null || dicomName.IsEmpty || memberFamily.Count == 0 || memberGiven.Count == 0)
            return FieldResult.Unknown;

        var family = Words(dicomName.FamilyName);
        var given = Words(dicomName.GivenName + " " + dicomName.MiddleName);
        var all = new HashSet<string>(family.Concat(given), StringComparer.Ordinal);
        if (PlaceholderNames.Contains(string.Join(' ', Words(dicomName.Raw.Replace('^', ' ')))))
            return FieldResult.Unknown;

        if (given.Count == 0)
        {
            // No '^': either "SMITH" alone or "JOHN SMITH" written as one component. Compare the words as a bag.
            if (family.Count == 1)
                return family.Overlaps(memberFamily) ? FieldResult.Unknown : FieldResult.Differs;
            return all.Overlaps(memberFamily) && all.Overlaps(memberGiven) ? FieldResult.Same : FieldResult.Differs;
        }

        var inOrder = family.Overlaps(memberFamily) && GivenMatches(given, memberGiven);
        var swapped = family.Overlaps(memberGiven) && GivenMatches(given, memberFamily);
        return inOrder || swapped ? FieldResult.Same : FieldResult.Differs;
    }

    // "J" in the images matches "John": initials are common in modality worklists typed by hand.
    private static bool GivenMatches(HashSet<string> dicomGiven, HashSet<string> memberGiven) =>
        dicomGiven.Overlaps(memberGiven)
        || dicomGiven.Any(d => d.Length == 1 && memberGiven.Any(m => m[0] == d[0]));

    private static HashSet<string> Words(string? text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
            return words;
        var folded = Fold(text);
        foreach (var word in folded.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            words.Add(word);
        return words;
    }

    /// <summary>
    /// Upper-case ASCII letters and digits, everything else a space. The app runs with invariant
    /// globalization, where string.Normalize does not decompose, so Latin diacritics are folded by table.
    /// </summary>
    internal static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
                builder.Append(char.ToUpperInvariant(c));
            else if (c is >= '\u00C0' and <= '\u017F')
                builder.Append(FoldLatin(c));
            else if (char.IsLetter(c))
                builder.Append(char.ToUpperInvariant(c)); // Greek, Cyrillic, CJK... compared as they are
            else if (c == '\'' || c == '\u2019')
                continue; // O'Brien = OBrien
            else
                builder.Append(' ');
        }
        return builder.ToString();
    }

    // U+00C0..U+017F with marks removed; '*' marks letters that fold to two letters or need a special case.
    private const string LatinFolds =
        "AAAAAA*CEEEEIIII*NOOOOO OUUUUY**AAAAAA*CEEEEIIII*NOOOOO OUUUUY*Y" +
        "AAAAAACCCCCCCCDD**EEEEEEEEEEGGGGGGGGHH**IIIIIIIII***JJKK*LLLLLL****NNNNNN***OOOOOO**RRRRRRSSSSSSSSTTTT**UUUUUUUUUUUUWWYYYZZZZZZ*";

    private static string FoldLatin(char c)
    {
        var folded = LatinFolds[c - '\u00C0'];
        if (folded != '*')
            return folded.ToString();
        return c switch
        {
            'Æ' or 'æ' => "AE",
            'Ð' or 'ð' or 'Đ' or 'đ' => "D",
            'Þ' or 'þ' => "TH",
            'ß' => "SS",
            'Ħ' or 'ħ' => "H",
            'ı' => "I",
            'Ĳ' or 'ĳ' => "IJ",
            'ĸ' => "K",
            'Ŀ' or 'ŀ' or 'Ł' or 'ł' => "L",
            'ŉ' or 'Ŋ' or 'ŋ' => "N",
            'Œ' or 'œ' => "OE",
            'Ŧ' or 'ŧ' => "T",
            'ſ' => "S",
            _ => " ",
        };
    }
}

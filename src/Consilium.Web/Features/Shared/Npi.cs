namespace Consilium.Features;

/// <summary>
/// National Provider Identifier: ten digits whose last is a Luhn check digit computed over the card-issuer prefix
/// 80840 followed by the first nine digits (CMS, "Requirements for Check Digit" of the NPI final rule).
/// </summary>
public static class Npi
{
    public static bool IsValid(string? npi)
    {
        if (npi is not { Length: 10 }) return false;
        foreach (var c in npi)
            if (c is < '0' or > '9') return false;
        if (npi[0] is not ('1' or '2')) return false;
        return CheckDigit(npi.AsSpan(0, 9)) == npi[9] - '0';
    }

    /// <summary>The check digit for the first nine digits of an NPI.</summary>
    public static int CheckDigit(ReadOnlySpan<char> nineDigits)
    {
        if (nineDigits.Length != 9) throw new ArgumentException("An NPI has nine digits before its check digit.", nameof(nineDigits));
        // Luhn over "80840" + the nine digits: starting from the rightmost digit, every second digit is doubled.
        // The prefix's contribution is constant: 8, 0, 8, 4, 0 in positions 14..10 from the right give 24.
        var sum = 24;
        for (var i = 0; i < 9; i++)
        {
            var digit = nineDigits[8 - i] - '0';
            if (digit is < 0 or > 9) throw new ArgumentException("An NPI is made of digits.", nameof(nineDigits));
            if (i % 2 == 0)
            {
                digit *= 2;
                if (digit > 9) digit -= 9;
            }
            sum += digit;
        }
        return (10 - sum % 10) % 10;
    }
}

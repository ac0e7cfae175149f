namespace Consilium.X12.Tests;

/// <summary>Small hand-written interchanges for tokenizer and parser tests.</summary>
static class Edi
{
    /// <summary>
    /// A 5010 837P interchange with one claim of two lines, written with '*' ':' '^' '~' and translated to
    /// the requested delimiters. None of the data contains a delimiter character.
    /// </summary>
    public static string Professional(char element = '*', char component = ':', char repetition = '^', char terminator = '~',
        string lineBreak = "\n", string control = "000000001", string claimId = "CLAIM1", string memberId = "MEM001")
    {
        var template = $"""
            ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *250101*1200*^*00501*{control}*0*P*:~
            GS*HC*SUBMITTER*RECEIVER*20250101*1200*1*X*005010X222A1~
            ST*837*0001*005010X222A1~
            BHT*0019*00*REF1*20250101*1200*CH~
            NM1*41*2*SUBMITTER*****46*S1~
            NM1*40*2*RECEIVER*****46*R1~
            HL*1**20*1~
            NM1*85*2*BILLING CLINIC*****XX*1234567893~
            N3*1 MAIN ST~
            N4*BOSTON*MA*02110~
            REF*EI*123456789~
            HL*2*1*22*0~
            SBR*P*18*******CI~
            NM1*IL*1*DOE*JANE****MI*{memberId}~
            DMG*D8*19700101*F~
            NM1*PR*2*PAYER*****PI*P1~
            CLM*{claimId}*150***11:B:1*Y*A*Y*Y~
            HI*ABK:M5450*ABF:I10~
            NM1*82*1*SMITH*JOHN****XX*1987654321~
            LX*1~
            SV1*HC:99213:25*100*UN*1***1:2~
            DTP*472*D8*20250105~
            LX*2~
            SV1*HC:72148*50.5*UN*1***1~
            DTP*472*D8*20250106~
            SE*24*0001~
            GE*1*1~
            IEA*1*{control}~
            """;
        return Translate(template, element, component, repetition, terminator, lineBreak);
    }

    public static string Translate(string template, char element, char component, char repetition, char terminator, string lineBreak)
    {
        var chars = template.ReplaceLineEndings("").ToCharArray();
        var sb = new System.Text.StringBuilder();
        // ISA11 is the 83rd character (index 82); only there does '^' mean the repetition separator.
        for (int i = 0; i < chars.Length; i++)
        {
            sb.Append(chars[i] switch
            {
                '*' => element.ToString(),
                ':' => component.ToString(),
                '^' when i == 82 => repetition.ToString(),
                '~' => terminator + lineBreak,
                var c => c.ToString(),
            });
        }
        return sb.ToString();
    }
}

static class EdiEdit
{
    /// <summary>One interchange and group holding the transaction of <see cref="Edi.Professional"/> twice (controls 0001 and 0002,
    /// claims CLAIM1 and CLAIM2); <paramref name="editSecond"/> may corrupt the second.</summary>
    public static string TwoTransactions(Func<string, string>? editSecond = null)
    {
        var lines = Edi.Professional().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        int st = lines.FindIndex(l => l.StartsWith("ST*", StringComparison.Ordinal));
        int se = lines.FindIndex(l => l.StartsWith("SE*", StringComparison.Ordinal));
        var second = string.Join('\n', lines.Skip(st).Take(se - st + 1))
            .Replace("*0001", "*0002", StringComparison.Ordinal)
            .Replace("CLAIM1", "CLAIM2", StringComparison.Ordinal);
        second = editSecond?.Invoke(second) ?? second;
        lines.Insert(se + 1, second);
        return string.Join('\n', lines).Replace("GE*1*1~", "GE*2*1~", StringComparison.Ordinal) + "\n";
    }
}

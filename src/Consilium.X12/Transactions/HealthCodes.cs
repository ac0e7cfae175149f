namespace Consilium.X12.Transactions;

/// <summary>HI (health care information codes), shared by 837 and 278.</summary>
static class HealthCodes
{
    /// <summary>
    /// Appends the diagnoses and procedures of an HI segment, principal ones first. Condition, occurrence
    /// and value codes (BG, BH, BE …) and DRGs are not diagnoses and are skipped.
    /// </summary>
    public static void Read(X12SegmentReader r, StringPool pool, List<Diagnosis> diagnoses, List<ProcedureCode> procedures)
    {
        int count = r.ElementCount;
        for (int i = 1; i < count; i++)
        {
            var element = r.GetElement(i);
            byte sep = Parse.ComponentSeparator(element, r.Delimiters.Component);
            int colon = element.IndexOf(sep);
            // A qualifier without a code ("HI*BK*8901" in imsweb's samples) names nothing we could match on.
            if (colon <= 0 || colon == element.Length - 1) continue;
            var qualifier = element[..colon];
            var rest = element[(colon + 1)..];
            int next = rest.IndexOf(sep);
            var code = next < 0 ? rest : rest[..next];
            if (code.IsEmpty) continue;
            var (kind, name) = Classify(qualifier);
            if (kind == QualifierKind.Diagnosis || kind == QualifierKind.PrincipalDiagnosis)
            {
                var diagnosis = new Diagnosis(name!, Parse.Code(pool, code));
                if (kind == QualifierKind.PrincipalDiagnosis) diagnoses.Insert(0, diagnosis);
                else diagnoses.Add(diagnosis);
            }
            else if (kind == QualifierKind.Procedure)
            {
                DateOnly? date = null;
                if (next >= 0)
                {
                    // qualifier : code : D8 : date
                    var tail = rest[(next + 1)..];
                    int dateAt = tail.IndexOf(sep);
                    if (dateAt >= 0) date = Parse.Date(tail[(dateAt + 1)..]);
                }
                var procedure = new ProcedureCode(name!, Parse.Code(pool, code), date);
                if (procedure.IsPrincipal) procedures.Insert(0, procedure);
                else procedures.Add(procedure);
            }
        }
    }

    enum QualifierKind { Other, Diagnosis, PrincipalDiagnosis, Procedure }

    /// <summary>The qualifier packed into an int and switched on: no string compare, and the qualifier string is a literal.</summary>
    static (QualifierKind Kind, string? Name) Classify(ReadOnlySpan<byte> q) => (q.Length switch
    {
        2 => q[0] | (q[1] << 8),
        3 => q[0] | (q[1] << 8) | (q[2] << 16),
        _ => 0,
    }) switch
    {
        'A' | ('B' << 8) | ('K' << 16) => (QualifierKind.PrincipalDiagnosis, "ABK"),
        'B' | ('K' << 8) => (QualifierKind.PrincipalDiagnosis, "BK"),
        'A' | ('B' << 8) | ('F' << 16) => (QualifierKind.Diagnosis, "ABF"),
        'B' | ('F' << 8) => (QualifierKind.Diagnosis, "BF"),
        'A' | ('B' << 8) | ('J' << 16) => (QualifierKind.Diagnosis, "ABJ"),
        'B' | ('J' << 8) => (QualifierKind.Diagnosis, "BJ"),
        'A' | ('P' << 8) | ('R' << 16) => (QualifierKind.Diagnosis, "APR"),
        'P' | ('R' << 8) => (QualifierKind.Diagnosis, "PR"),
        'A' | ('B' << 8) | ('N' << 16) => (QualifierKind.Diagnosis, "ABN"),
        'B' | ('N' << 8) => (QualifierKind.Diagnosis, "BN"),
        'B' | ('B' << 8) | ('R' << 16) => (QualifierKind.Procedure, "BBR"),
        'B' | ('B' << 8) | ('Q' << 16) => (QualifierKind.Procedure, "BBQ"),
        'B' | ('R' << 8) => (QualifierKind.Procedure, "BR"),
        'B' | ('Q' << 8) => (QualifierKind.Procedure, "BQ"),
        'C' | ('A' << 8) | ('H' << 16) => (QualifierKind.Procedure, "CAH"),
        'B' | ('O' << 8) => (QualifierKind.Procedure, "BO"),
        'B' | ('P' << 8) => (QualifierKind.Procedure, "BP"),
        'H' | ('C' << 8) => (QualifierKind.Procedure, "HC"),
        _ => (QualifierKind.Other, null),
    };
}

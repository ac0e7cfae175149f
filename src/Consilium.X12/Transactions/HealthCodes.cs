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
            if (Qualifiers.IsDiagnosis(qualifier))
            {
                var diagnosis = new Diagnosis(pool.Get(qualifier)!, Parse.Code(pool, code));
                if (Qualifiers.IsPrincipalDiagnosis(qualifier)) diagnoses.Insert(0, diagnosis);
                else diagnoses.Add(diagnosis);
            }
            else if (Qualifiers.IsProcedure(qualifier))
            {
                DateOnly? date = null;
                if (next >= 0)
                {
                    // qualifier : code : D8 : date
                    var tail = rest[(next + 1)..];
                    int dateAt = tail.IndexOf(sep);
                    if (dateAt >= 0) date = Parse.Date(tail[(dateAt + 1)..]);
                }
                var procedure = new ProcedureCode(pool.Get(qualifier)!, Parse.Code(pool, code), date);
                if (procedure.IsPrincipal) procedures.Insert(0, procedure);
                else procedures.Add(procedure);
            }
        }
    }
}

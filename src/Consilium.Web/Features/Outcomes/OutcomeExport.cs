using System.Globalization;
using System.Text;
using ClosedXML.Excel;

namespace Consilium.Features.Outcomes;

/// <summary>
/// The dashboard's figures as tables, for CSV and XLSX. Built from the same reports the dashboard shows (outcomes,
/// claims-verified outcomes, absence and, for a hospital's program, the hospital view), so a suppressed figure is empty
/// in the export too (never a small number), and no table has a member in it.
/// </summary>
public static class OutcomeExport
{
    public sealed record Table(string Name, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<object?>> Rows);

    /// <summary>The reports one export is built from; the hospital view only for a hospital's program.</summary>
    public sealed record Reports(OutcomeReport Outcomes, ClaimsOutcomeReport Claims, AbsenceReport Absence, HospitalReport? Hospital);

    public static IReadOnlyList<Table> Tables(Reports reports)
    {
        var (r, claims, absence, hospital) = (reports.Outcomes, reports.Claims, reports.Absence, reports.Hospital);
        var s = r.Savings;
        var metrics = new List<IReadOnlyList<object?>>
        {
            Row("program", r.ProgramName), Row("from", r.From?.ToString("yyyy-MM-dd")), Row("to", r.To?.ToString("yyyy-MM-dd")),
            Row("minimumCellSize", r.MinimumCellSize),
            Row("membersTargeted", r.MembersTargeted), Row("reached", r.Reached), Row("engaged", r.Engaged), Row("engagementRate", r.EngagementRate),
            Row("eligibleMembers", r.EligibleMembers), Row("casesOpened", r.CasesOpened), Row("utilizationRate", r.UtilizationRate),
            Row("casesWithOpinion", r.CasesWithOpinion), Row("diagnosisChangeRate", r.DiagnosisChangeRate), Row("treatmentChangeRate", r.TreatmentChangeRate),
            Row("anyChangeRate", r.AnyChangeRate), Row("surgeryAlternativeRate", r.SurgeryAlternativeRate),
            Row("hospitalizationReduction", r.HospitalizationReduction), Row("siteOfCareChangeRate", r.SiteOfCareChangeRate),
            Row("medianDaysToOpinion", r.MedianDaysToOpinion), Row("p90DaysToOpinion", r.P90DaysToOpinion),
            Row("medianDaysFromTrigger", r.MedianDaysFromTrigger), Row("p90DaysFromTrigger", r.P90DaysFromTrigger),
            Row("medianDaysRequestToPacket", r.StageTurnaround.MedianDaysRequestToPacket),
            Row("medianDaysPacketToOpinion", r.StageTurnaround.MedianDaysPacketToOpinion),
            Row("slaCompliance", r.SlaCompliance), Row("nps", r.Nps), Row("recommendationFollowedRate", r.RecommendationFollowedRate),
            Row("casesPriced", s.CasesPriced), Row("totalSavings", s.TotalSavings), Row("avgSavingsPerCase", s.AvgSavingsPerCase),
            Row("highCostCases", s.HighCostCases), Row("avgSavingsHighCost", s.AvgSavingsHighCost), Row("caseFee", s.CaseFee),
            Row("programCost", s.ProgramCost), Row("roi", s.Roi),
        };
        return
        [
            new("Outcomes", ["metric", "value"], metrics),
            new("Case mix", ["category", "cases", "share", "avgSavings"], r.CaseMix.Select(c => (IReadOnlyList<object?>)
                [CostKeys.Category(c.Category), c.Cases, c.Share, s.AvgSavingsByCategory.FirstOrDefault(x => x.Category == c.Category)?.AvgSavings]).ToList()),
            new("By month", ["month", "cases", "diagnosisChangeRate", "treatmentChangeRate", "anyChangeRate", "medianDaysToOpinion"],
                r.Series.Select(m => (IReadOnlyList<object?>)[m.Month, m.Cases, m.DiagnosisChangeRate, m.TreatmentChangeRate, m.AnyChangeRate, m.MedianDaysToOpinion]).ToList()),
            new("Verified by claims", ["metric", "value"],
            [
                Row("claimsOnFile", claims.ClaimsOnFile), Row("claimsThrough", claims.ClaimsThrough?.ToString("yyyy-MM-dd")),
                Row("opinionsWithPlannedProcedure", claims.OpinionsWithPlannedProcedure),
                .. Planned(claims.Within6Months), .. Planned(claims.Within12Months),
                Row("membersWithFullFollowUp", claims.MembersWithFullFollowUp),
                .. Compared("downstreamCost", claims.DownstreamCost),
            ]),
            new("Absence", ["metric", "value"],
            [
                Row("membersWithFullFollowUp", absence.MembersWithFullFollowUp), Row("episodesInWindows", absence.EpisodesInWindows),
                .. Compared("daysAway", absence.DaysAway), .. Compared("daysToReturn", absence.DaysToReturn), Row("stillAway", absence.StillAway),
            ]),
            .. hospital is null ? Array.Empty<Table>() :
            [
                new("Hospital view", ["metric", "value"],
                [
                    Row("hostState", hospital.HostState), Row("opinions", hospital.Opinions), Row("converted", hospital.Converted),
                    Row("conversionRate", hospital.ConversionRate), Row("patientsWithState", hospital.PatientsWithState),
                    Row("shareOutsideHostState", hospital.ShareOutsideHostState),
                    .. hospital.States.Select(st => Row("patients:" + st.State, st.Patients)),
                ]),
            ],
            new("Methods", ["metric", "numerator", "denominator", "period"],
                r.Methods.Concat(claims.Methods).Concat(absence.Methods).Concat(hospital?.Methods ?? [])
                    .Select(d => (IReadOnlyList<object?>)[d.Metric, d.Numerator, d.Denominator, d.Period])
                    .Concat(r.Assumptions.Select(a => (IReadOnlyList<object?>)["assumption", a, null, null])).ToList()),
        ];
    }

    static IEnumerable<IReadOnlyList<object?>> Planned(PlannedProcedureFigure f) =>
    [
        Row($"plannedProcedureWithin{f.Months}Months.opinions", f.Opinions),
        Row($"plannedProcedureWithin{f.Months}Months.claimed", f.ProcedureClaimed),
        Row($"plannedProcedureWithin{f.Months}Months.rate", f.Rate),
    ];

    /// <summary>A matched comparison's figures, each named after the metric; all empty when either group is under the cell size.</summary>
    static IEnumerable<IReadOnlyList<object?>> Compared(string metric, MatchedComparison c) =>
    [
        Row(metric + ".engagedMembers", c.EngagedMembers), Row(metric + ".comparisonMembers", c.ComparisonMembers),
        Row(metric + ".engagedMean", c.EngagedMean), Row(metric + ".comparisonMean", c.ComparisonMean),
        Row(metric + ".difference", c.Difference), Row(metric + ".ci95Low", c.Ci95Low), Row(metric + ".ci95High", c.Ci95High),
    ];

    static IReadOnlyList<object?> Row(string name, object? value) => [name, value];

    public static byte[] Csv(Reports report)
    {
        var text = new StringBuilder();
        foreach (var table in Tables(report))
        {
            if (text.Length > 0) text.Append("\r\n");
            text.Append(Quote(table.Name)).Append("\r\n");
            text.AppendJoin(',', table.Header.Select(Quote)).Append("\r\n");
            foreach (var row in table.Rows) text.AppendJoin(',', row.Select(v => Quote(Format(v)))).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] Xlsx(Reports report)
    {
        using var workbook = new XLWorkbook();
        foreach (var table in Tables(report))
        {
            var sheet = workbook.Worksheets.Add(table.Name);
            for (var c = 0; c < table.Header.Count; c++) sheet.Cell(1, c + 1).Value = table.Header[c];
            sheet.Row(1).Style.Font.Bold = true;
            for (var r = 0; r < table.Rows.Count; r++)
                for (var c = 0; c < table.Rows[r].Count; c++)
                {
                    var cell = sheet.Cell(r + 2, c + 1);
                    switch (table.Rows[r][c])
                    {
                        case null: break;
                        case int i: cell.Value = i; break;
                        case double d: cell.Value = d; break;
                        case decimal m: cell.Value = m; break;
                        // Text is set as text, so that a value starting with = is never taken for a formula.
                        case var v: cell.SetValue(Convert.ToString(v, CultureInfo.InvariantCulture)); cell.DataType = XLDataType.Text; break;
                    }
                }
        }
        using var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.##", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static string Quote(string value)
    {
        // A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
        if (value.Length > 0 && "=+-@".Contains(value[0]) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}

using Consilium.X12;

namespace Consilium.Triggers.Tests;

/// <summary>Hand-built claims and authorization requests, as the readers would produce them.</summary>
static class Build
{
    public static DateOnly Day(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A professional claim on <paramref name="date"/> with ICD-10-CM diagnoses and CPT/HCPCS lines.</summary>
    public static ClaimEvent Claim(string member, string claimId, string date, string[]? dx = null, string[]? cpt = null, string[]? pcs = null, string? frequency = "1") =>
        new()
        {
            FileName = "test.edi",
            Format = ClaimFormat.X12,
            ClaimType = pcs is null ? ClaimType.Professional : ClaimType.Institutional,
            Member = new Member { MemberId = member },
            ClaimId = claimId,
            FrequencyCode = frequency,
            ServiceFrom = Day(date),
            ServiceTo = Day(date),
            Diagnoses = (dx ?? []).Select((code, i) => new Diagnosis(i == 0 ? "ABK" : "ABF", code)).ToArray(),
            Procedures = (pcs ?? []).Select((code, i) => new ProcedureCode(i == 0 ? "BBR" : "BBQ", code, Day(date))).ToArray(),
            Lines = (cpt ?? []).Select((code, i) => new ServiceLine { LineNumber = i + 1, ProcedureQualifier = "HC", ProcedureCode = code, ServiceFrom = Day(date), ServiceTo = Day(date) }).ToArray(),
        };

    /// <summary>A 278 request created on <paramref name="requested"/> for CPT/HCPCS services.</summary>
    public static AuthorizationEvent PriorAuth(string member, string trace, string requested, string[] cpt, string[]? dx = null, string? decision = null) =>
        new()
        {
            FileName = "test.278",
            Member = new Member { MemberId = member },
            Purpose = decision is null ? "13" : "11",
            IsResponse = decision is not null,
            Decision = decision,
            TraceNumber = trace,
            RequestDate = Day(requested),
            Diagnoses = (dx ?? []).Select((code, i) => new Diagnosis(i == 0 ? "ABK" : "ABF", code)).ToArray(),
            Services = cpt.Select(code => new AuthorizationService { ProcedureQualifier = "HC", ProcedureCode = code, ServiceFrom = Day(requested).AddDays(14), Decision = decision }).ToArray(),
        };

    public static TriggerEvaluation Evaluate(params X12Event[] events) => Evaluate(RuleSet.Default, events);

    public static TriggerEvaluation Evaluate(RuleSet rules, params X12Event[] events)
    {
        var engine = new TriggerEngine(rules);
        foreach (var e in events) engine.Add(e);
        return engine.Evaluate(new EvaluationOptions { AsOf = Day("2026-06-01") });
    }
}

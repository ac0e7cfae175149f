using System.Globalization;
using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Outcomes;

public sealed record HostInstitutionRequest(IReadOnlyList<string?>? Npis, string? State);

public sealed record HostInstitutionView(IReadOnlyList<string> Npis, string? State);

public static class OutcomesApi
{
    public static IServiceCollection AddOutcomes(this IServiceCollection services)
    {
        services.AddScoped<OutcomeCalculator>();
        services.AddScoped<OutcomeRollup>();
        services.AddScoped<OutcomeHandlers>();
        services.AddScoped<CaseHistoryImport>();
        services.AddScoped<DisabilityImport>();
        return services;
    }

    public static IEndpointRouteBuilder MapOutcomes(this IEndpointRouteBuilder app)
    {
        var programs = app.MapGroup("/api/programs/{programId:guid}").WithTags("Outcomes");
        programs.MapGet("outcomes", Outcomes).RequireAuthorization(Policies.OutcomesRead)
            .WithSummary("The program's outcomes, savings and ROI over ?from=&to= (YYYY-MM-DD), aggregates only, cells under 11 suppressed (docs/metrics.md).");
        programs.MapGet("outcomes/export", Export).RequireAuthorization(Policies.OutcomesRead)
            .WithSummary("The dashboard's figures (outcomes, claims-verified outcomes, absence and, for a hospital, the hospital view) as CSV (?format=csv) or an Excel workbook (?format=xlsx).");
        programs.MapGet("outcomes/absence", Absence).RequireAuthorization(Policies.OutcomesRead)
            .WithSummary("Days away and return to work (imported disability episodes): engaged members against the matched non-engaged targeted members, with a 95% CI.");
        programs.MapGet("outcomes/claims", Claims).RequireAuthorization(Policies.OutcomesRead)
            .WithSummary("Claims-verified outcomes: the planned procedure within 6 and 12 months of the opinion, and downstream cost of engaged members against the matched non-engaged targeted members, with a 95% CI.");
        programs.MapGet("outcomes/hospital", Hospital).RequireAuthorization(Policies.OutcomesRead)
            .WithSummary("The hospital view of a hospital's program: conversion to care at the host institution within 6 months, patients' states of residence.");
        programs.MapPut("host-institution", SetHostInstitution).RequireAuthorization(Policies.ProgramWrite)
            .WithSummary("Set a hospital program's host institution: the NPIs it bills under and its state.");
        programs.MapGet("fair-access", FairAccess).RequireAuthorization(Policies.OutcomesRead)
            .WithSummary("Engagement and completion by age band, sex, state, language and category, with the four-fifths flag.");
        programs.MapGet("provider-discordance", Discordance).RequireAuthorization(Policies.ProviderDiscordance)
            .WithSummary("Diagnosis and treatment change rates per treating physician and organization (program admins only).");
        programs.MapGet("cost-table", CostTable).RequireAuthorization(Policies.OutcomesRead);
        programs.MapPut("cost-table", SaveCostTable).RequireAuthorization(Policies.ProgramWrite)
            .WithSummary("Replace the program's cost table: procedure:CODE, surgery:CATEGORY, nonsurgical:CATEGORY and hospitalization, in US dollars.");
        return app;
    }

    static async Task<Ok<OutcomeReport>> Outcomes(Guid programId, [FromQuery] string? from, [FromQuery] string? to, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.OutcomesAsync(programId, Date("from", from), Date("to", to), ct));

    static async Task<FileContentHttpResult> Export(Guid programId, [FromQuery] string? format, [FromQuery] string? from, [FromQuery] string? to,
        OutcomeHandlers handlers, CancellationToken ct)
    {
        var kind = (format ?? "csv").ToLowerInvariant();
        if (kind is not ("csv" or "xlsx")) throw new RuleViolationException("format", "Use csv or xlsx.");
        var report = await handlers.ExportAsync(programId, Date("from", from), Date("to", to), ct);
        var name = $"outcomes-{programId:N}-{report.Outcomes.From?.ToString("yyyyMMdd") ?? "start"}-{report.Outcomes.To?.ToString("yyyyMMdd") ?? "now"}";
        return kind == "csv"
            ? TypedResults.File(OutcomeExport.Csv(report), "text/csv; charset=utf-8", name + ".csv")
            : TypedResults.File(OutcomeExport.Xlsx(report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx");
    }

    static async Task<Ok<AbsenceReport>> Absence(Guid programId, [FromQuery] string? from, [FromQuery] string? to, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.AbsenceAsync(programId, Date("from", from), Date("to", to), ct));

    static async Task<Ok<ClaimsOutcomeReport>> Claims(Guid programId, [FromQuery] string? from, [FromQuery] string? to, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ClaimsAsync(programId, Date("from", from), Date("to", to), ct));

    static async Task<Ok<HospitalReport>> Hospital(Guid programId, [FromQuery] string? from, [FromQuery] string? to, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.HospitalAsync(programId, Date("from", from), Date("to", to), ct));

    static async Task<Ok<HostInstitutionView>> SetHostInstitution(Guid programId, HostInstitutionRequest request, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SetHostInstitutionAsync(programId, request, ct));

    static async Task<Ok<FairAccessReport>> FairAccess(Guid programId, [FromQuery] string? from, [FromQuery] string? to, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.FairAccessAsync(programId, Date("from", from), Date("to", to), ct));

    static async Task<Ok<DiscordanceReport>> Discordance(Guid programId, [FromQuery] string? from, [FromQuery] string? to, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.DiscordanceAsync(programId, Date("from", from), Date("to", to), ct));

    static async Task<Ok<IReadOnlyList<CostEntryView>>> CostTable(Guid programId, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.CostTableAsync(programId, ct));

    static async Task<Ok<IReadOnlyList<CostEntryView>>> SaveCostTable(Guid programId, CostTableRequest request, OutcomeHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SaveCostTableAsync(programId, request, ct));

    internal static DateOnly? Date(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new RuleViolationException(field, "Not a date in the form YYYY-MM-DD.");
}

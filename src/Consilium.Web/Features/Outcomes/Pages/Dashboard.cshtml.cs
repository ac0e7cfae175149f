using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Outcomes.Pages;

/// <summary>The sponsor dashboard: a program's outcomes as aggregates, charts and downloads; never a member.</summary>
[Authorize(Policy = Policies.OutcomesRead)]
public sealed class DashboardModel(OutcomeHandlers handlers) : PageModel
{
    public IReadOnlyList<(Guid Id, string Name)> Programs { get; private set; } = [];
    public OutcomeReport? Report { get; private set; }
    public ClaimsOutcomeReport? Claims { get; private set; }
    public AbsenceReport? Absence { get; private set; }
    /// <summary>Only for a program whose sponsor is a hospital.</summary>
    public HospitalReport? Hospital { get; private set; }
    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true)] public Guid? ProgramId { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public string ExportLink(string format) =>
        $"/api/programs/{Report!.ProgramId}/outcomes/export?format={format}" + (From is { Length: > 0 } ? $"&from={Uri.EscapeDataString(From)}" : "")
        + (To is { Length: > 0 } ? $"&to={Uri.EscapeDataString(To)}" : "");

    public async Task OnGetAsync(CancellationToken ct)
    {
        Programs = await handlers.ProgramsAsync(ct);
        var id = ProgramId ?? (Programs.Count > 0 ? Programs[0].Id : null);
        if (id is null) return;
        try
        {
            var (from, to) = (OutcomesApi.Date("from", From), OutcomesApi.Date("to", To));
            Report = await handlers.OutcomesAsync(id.Value, from, to, ct);
            Claims = await handlers.ClaimsAsync(id.Value, from, to, ct);
            Absence = await handlers.AbsenceAsync(id.Value, from, to, ct);
            if (await handlers.IsHospitalAsync(id.Value, ct)) Hospital = await handlers.HospitalAsync(id.Value, from, to, ct);
        }
        catch (RuleViolationException e)
        {
            Error = $"{e.Field}: {e.Message}";
        }
    }
}

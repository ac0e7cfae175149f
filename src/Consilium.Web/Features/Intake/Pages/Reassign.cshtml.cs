using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Intake.Pages;

/// <summary>Hands a case to another coordinator of its program.</summary>
[Authorize(Policy = Policies.CaseAssign)]
public sealed class ReassignModel(IntakeHandlers intake) : PageModel
{
    public CaseIntakeView? Case { get; private set; }
    public IReadOnlyList<CoordinatorLoad> Coordinators { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, Guid? coordinatorUserId, int? version, CancellationToken ct)
    {
        try
        {
            await intake.ReassignAsync(id, new ReassignRequest(coordinatorUserId, version), ct);
            return Redirect($"/cases/{id}");
        }
        catch (Exception e) when (e is RequestValidationException or RuleViolationException or ConflictException or DbUpdateConcurrencyException)
        {
            Error = e is DbUpdateConcurrencyException ? "Someone else changed this case just now. Here is its current state." : e.Message;
            Response.StatusCode = e is ConflictException or DbUpdateConcurrencyException ? 409 : 400;
            await LoadAsync(id, ct);
            return Page();
        }
    }

    async Task LoadAsync(Guid id, CancellationToken ct)
    {
        Case = await intake.GetAsync(id, ct);
        Coordinators = await intake.CoordinatorsAsync(id, ct);
    }
}

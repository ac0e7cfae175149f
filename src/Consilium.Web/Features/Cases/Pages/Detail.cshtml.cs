using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Cases.Pages;

[Authorize(Policy = Policies.CaseRead)]
public sealed class DetailModel(CaseHandlers handlers, Records.RecordHandlers records, CurrentActor actor) : PageModel
{
    public CaseView? Case { get; private set; }
    public IReadOnlyList<TimelineEvent> Timeline { get; private set; } = [];
    public string? Error { get; private set; }

    /// <summary>The records checklist and its completeness meter, for the staff who keep the packet (null for others).</summary>
    public Records.CaseRecordsView? Records { get; private set; }

    /// <summary>Only the moves this user's role may make now; the lifecycle decides, the page just filters.</summary>
    public IReadOnlyList<CaseLifecycle.Transition> Actions =>
        Case is null ? [] : CaseLifecycle.From(Case.Status, Case.HeldFrom).Where(t => t.Roles.Contains(actor.Role)).ToList();

    /// <summary>Coordinators and program admins match and offer the case to reviewers (Physicians/Pages/CaseMatching).</summary>
    public bool CanMatch => Policies.RolesByPolicy[Policies.CaseAssign].Contains(actor.Role);

    /// <summary>Staff who keep the packet (Records/Pages/CaseRecords): consent, completeness, record requests, documents.</summary>
    public bool CanManageRecords => Policies.RolesByPolicy[Policies.RecordsManage].Contains(actor.Role);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct);

    public async Task<IActionResult> OnPostTransitionAsync(Guid id, CaseStatus to, string? reason, int version, CancellationToken ct)
    {
        try
        {
            await handlers.TransitionAsync(id, new TransitionRequest(to, reason, version), null, ct);
            return RedirectToPage(new { id });
        }
        catch (Exception e) when (e is ConflictException or RuleViolationException or ForbiddenException or DbUpdateConcurrencyException)
        {
            Error = e is DbUpdateConcurrencyException ? "Someone else changed this case just now. Here is its current state." : e.Message;
            Response.StatusCode = e is ForbiddenException ? 403 : e is RuleViolationException ? 400 : 409;
            return await LoadAsync(id, ct);
        }
    }

    async Task<IActionResult> LoadAsync(Guid id, CancellationToken ct)
    {
        Case = await handlers.GetAsync(id, ct);
        Timeline = await handlers.TimelineAsync(id, ct);
        if (CanManageRecords) Records = await records.GetAsync(id, ct);
        return Page();
    }

    public static string Duration(long seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h" : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{span.Minutes} min";
    }
}

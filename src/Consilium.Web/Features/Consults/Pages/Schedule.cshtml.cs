using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Consults.Pages;

/// <summary>The reviewer's video-consult availability and bookings.</summary>
[Authorize(Policy = Policies.ConsultHost)]
internal sealed class ScheduleModel(ConsultHandlers consults) : PageModel
{
    public IReadOnlyList<SlotView> Slots { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public string TimeZone { get; private set; } = "America/New_York";

    public async Task OnGetAsync(string? timeZone, string? done, CancellationToken ct)
    {
        Done = done;
        if (TimeZones.Find(timeZone) is { } zone) TimeZone = zone.Id;
        Slots = await consults.MineAsync(TimeZone, ct);
    }

    public async Task<IActionResult> OnPostPublishAsync(string? timeZone, DateOnly? date, TimeOnly? from, TimeOnly? to, int? slotMinutes, CancellationToken ct) =>
        await ActAsync(timeZone, () => consults.PublishAsync(new PublishAvailabilityRequest(timeZone, date, from, to, slotMinutes), ct), "Availability published.", ct);

    public async Task<IActionResult> OnPostCancelAsync(Guid slotId, string? reason, string? timeZone, CancellationToken ct) =>
        await ActAsync(timeZone, () => consults.CancelAsync(slotId, new CancelConsultRequest(reason), ct), "Cancelled.", ct);

    public async Task<IActionResult> OnPostNotesAsync(Guid slotId, string? notes, string? timeZone, CancellationToken ct) =>
        await ActAsync(timeZone, () => consults.RecordNotesAsync(slotId, new ConsultNotesRequest(notes), ct), "Notes attached to the case.", ct);

    async Task<IActionResult> ActAsync<T>(string? timeZone, Func<Task<T>> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
            return RedirectToPage(new { timeZone, done });
        }
        catch (DomainException e)
        {
            Error = e is RequestValidationException v ? string.Join(" ", v.Errors.SelectMany(x => x.Value)) : e.Message;
            Response.StatusCode = e is NotFoundException ? 404 : e is RuleViolationException or RequestValidationException ? 400 : 409;
            if (TimeZones.Find(timeZone) is { } zone) TimeZone = zone.Id;
            Slots = await consults.MineAsync(TimeZone, ct);
            return Page();
        }
    }
}

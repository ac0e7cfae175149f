using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Records.Pages;

/// <summary>The case's authorization, packet completeness and record requests: the coordinator's records desk for one case.</summary>
[Authorize(Policy = Policies.RecordsRead)]
internal sealed class CaseRecordsModel(RecordHandlers records, ConsentHandlers consents, CurrentActor actor, TimeProvider clock) : PageModel
{
    public CaseRecordsView? View { get; private set; }
    public IReadOnlyList<ConsentView> Consents { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public bool CanManage => actor.Role is Roles.Coordinator or Roles.ProgramAdmin;
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        Done = done;
        return await LoadAsync(id, ct);
    }

    public Task<IActionResult> OnPostRequestAsync(Guid id, string? facility, string? phone, string? fax, string? email, string? address,
        List<RecordKind>? items, DateOnly? dueOn, CancellationToken ct) =>
        ActAsync(id, () => records.CreateAsync(id, new CreateRecordRequest(facility, phone, fax, email, address, items ?? [], dueOn), ct), "Request created.", ct);

    public Task<IActionResult> OnPostSentAsync(Guid id, Guid requestId, CancellationToken ct) =>
        ActAsync(id, () => records.MarkSentAsync(requestId, ct), "Marked as sent.", ct);

    public Task<IActionResult> OnPostItemAsync(Guid id, Guid requestId, Guid itemId, RecordItemStatus status, string? note, CancellationToken ct) =>
        ActAsync(id, () => records.UpdateItemAsync(requestId, itemId, new UpdateRecordItem(status, note, null), ct), "Item updated.", ct);

    public Task<IActionResult> OnPostFollowUpAsync(Guid id, Guid requestId, FollowUpChannel channel, string? note, DateOnly? nextDueOn, CancellationToken ct) =>
        ActAsync(id, () => records.FollowUpAsync(requestId, new CreateFollowUp(channel, note, nextDueOn), ct), "Follow-up recorded.", ct);

    public Task<IActionResult> OnPostRevokeAsync(Guid id, Guid consentId, string? reason, CancellationToken ct) =>
        ActAsync(id, () => consents.RevokeAsync(id, consentId, new RevokeConsentRequest(reason), ct), "Authorization revoked.", ct);

    async Task<IActionResult> ActAsync<T>(Guid id, Func<Task<T>> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
            return RedirectToPage(new { id, done });
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            Error = e switch
            {
                RequestValidationException v => string.Join(" ", v.Errors.SelectMany(kv => kv.Value)),
                DbUpdateConcurrencyException => "Someone else changed this just now. Here is the current state.",
                _ => e.Message,
            };
            Response.StatusCode = e is NotFoundException ? 404 : e is ForbiddenException ? 403 : e is RuleViolationException or RequestValidationException ? 400 : 409;
            return await LoadAsync(id, ct);
        }
    }

    async Task<IActionResult> LoadAsync(Guid id, CancellationToken ct)
    {
        View = await records.GetAsync(id, ct);
        if (CanManage) Consents = await consents.ListAsync(id, ct);
        return Page();
    }
}

using Consilium.Features.Consults;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.CareNavigation.Pages;

/// <summary>The coordinator's page after the opinion: its delivery, the briefing, the navigation handoff, follow-ups and consults.</summary>
[Authorize(Policy = Policies.CareManage)]
internal sealed class CareModel(CareHandlers care, OpinionHandlers opinions, ReportDeliveryHandlers deliveries, ConsultHandlers consults) : PageModel
{
    public CaseCareView? Care { get; private set; }
    public OpinionVersionView? Opinion { get; private set; }
    public IReadOnlyList<DeliveryView> Deliveries { get; private set; } = [];
    public CaseConsultView? Consults { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        Done = done;
        return LoadAsync(id, ct);
    }

    public Task<IActionResult> OnPostBriefAsync(Guid id, BriefingChannel? channel, MemberIntent? intent, string? notes, CancellationToken ct) =>
        ActAsync(id, () => care.BriefAsync(id, new BriefingRequest(channel, intent, notes), ct), "Briefing recorded.", ct);

    public Task<IActionResult> OnPostNavigateAsync(Guid id, Guid taskId, NavigationEventKind? kind, string? provider, string? npi, string? facility,
        bool? matchesRecommendation, string? note, int version, CancellationToken ct) =>
        ActAsync(id, () => care.UpdateNavigationAsync(taskId, new NavigationUpdateRequest(kind, provider, npi, facility, matchesRecommendation, note, version), ct),
            "Navigation updated.", ct);

    public Task<IActionResult> OnPostFollowUpAsync(Guid id, Guid followUpId, FollowUpStatus? status, FollowedRecommendation? followed, int? satisfaction,
        string? notes, int version, CancellationToken ct) =>
        ActAsync(id, () => care.RecordFollowUpAsync(followUpId, new FollowUpRequest(status, followed, satisfaction, notes, version), ct), "Follow-up recorded.", ct);

    public Task<IActionResult> OnPostSendAsync(Guid id, string? recipientName, string? email, CancellationToken ct) =>
        ActAsync(id, () => deliveries.SendToPhysicianAsync(id, new SendReportRequest(recipientName, email), ct), "Secure link emailed to the physician.", ct);

    public Task<IActionResult> OnPostRevokeAsync(Guid id, Guid deliveryId, string? reason, CancellationToken ct) =>
        ActAsync(id, () => deliveries.RevokeAsync(deliveryId, new RevokeLinkRequest(reason), ct), "Link revoked.", ct);

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
        Care = await care.GetAsync(id, ct);
        if (Care.HasSignedOpinion)
        {
            Opinion = (await opinions.GetAsync(id, ct)).Current;
            Deliveries = await deliveries.ListAsync(id, ct);
        }
        Consults = await consults.ForCaseAsync(id, null, ct);
        return Page();
    }
}

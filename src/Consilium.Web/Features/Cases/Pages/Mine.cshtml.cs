using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Cases.Pages;

[Authorize(Policy = Policies.CaseRead)]
public sealed class MineModel(CaseHandlers handlers) : PageModel
{
    public IReadOnlyList<CaseView> Cases { get; private set; } = [];

    /// <summary>Per case, the tracker's stages with the date each was reached or is expected by.</summary>
    public IReadOnlyDictionary<Guid, IReadOnlyList<TrackerStage>> Trackers { get; private set; } = new Dictionary<Guid, IReadOnlyList<TrackerStage>>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        var page = await handlers.ListAsync(new CaseListFilter(null, null, null, 1, 20), ct);
        var views = new List<CaseView>();
        var trackers = new Dictionary<Guid, IReadOnlyList<TrackerStage>>();
        foreach (var summary in page.Items)
        {
            views.Add(await handlers.GetAsync(summary.Id, ct));
            trackers[summary.Id] = await handlers.TrackerAsync(summary.Id, ct);
        }
        (Cases, Trackers) = (views, trackers);
    }

    /// <summary>What the stage means for the member, in plain words.</summary>
    public static string PlainStatus(CaseView c) => c.Status switch
    {
        CaseStatus.Referred => "We have your request and will call you soon.",
        CaseStatus.Intake => "A nurse is going over your questions with you.",
        CaseStatus.AwaitingConsent => "We need your permission to collect your medical records.",
        CaseStatus.CollectingRecords => "We are gathering your records from your doctors.",
        CaseStatus.ReadyForReview => "Your records are complete. We are choosing the right specialist.",
        CaseStatus.Assigned => "A specialist has accepted your case.",
        CaseStatus.InReview => "The specialist is reviewing your records.",
        CaseStatus.OpinionDelivered => "Your written opinion is ready.",
        CaseStatus.Closed => "This request is complete.",
        CaseStatus.OnHold => "Your request is paused. Your nurse will tell you when it continues.",
        CaseStatus.Withdrawn => "This request was withdrawn.",
        CaseStatus.Ineligible => "This request is not covered by your program. Your nurse can explain other options.",
        _ => c.Status.ToString(),
    };
}

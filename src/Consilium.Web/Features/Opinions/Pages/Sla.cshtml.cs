using Consilium.Features.CareNavigation;
using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Opinions.Pages;

/// <summary>Opinions waiting and how long they have: overdue first, with escalations; and the follow-ups due with the NPS.</summary>
[Authorize(Policy = Policies.OpinionSla)]
public sealed class SlaModel(OpinionSlaHandlers sla) : PageModel
{
    public IReadOnlyList<OpinionSlaRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Rows = await sla.ListAsync(ct);
}

[Authorize(Policy = Policies.CareManage)]
public sealed class FollowUpsModel(CareHandlers care) : PageModel
{
    public IReadOnlyList<FollowUpWorkItem> Items { get; private set; } = [];
    public IReadOnlyList<NpsView> Nps { get; private set; } = [];

    public async Task OnGetAsync(bool? all, CancellationToken ct)
    {
        Items = await care.WorklistAsync(all != true, ct);
        Nps = await care.NpsAsync(ct);
    }
}

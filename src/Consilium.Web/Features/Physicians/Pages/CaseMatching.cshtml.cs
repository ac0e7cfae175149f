using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.CaseAssign)]
public sealed class CaseMatchingModel(MatchingHandlers matching, OfferHandlers offers) : PageModel
{
    public MatchesView Matches { get; private set; } = null!;
    public IReadOnlyList<OfferView> Offers { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct);

    public async Task<IActionResult> OnPostOfferAsync(Guid id, Guid physicianId, PanelRole role, CancellationToken ct)
    {
        try
        {
            var offer = await offers.OfferAsync(id, new OfferRequest(physicianId, role), ct);
            Done = $"Offered to {offer.PhysicianName} as {(role == PanelRole.Lead ? "lead" : "panel member")}; they have until {offer.ExpiresAt:yyyy-MM-dd HH:mm} UTC to answer.";
        }
        catch (Exception e) when (e is RuleViolationException or ConflictException)
        {
            Error = e.Message;
            Response.StatusCode = e is ConflictException ? 409 : 400;
        }
        await LoadAsync(id, ct);
        return Page();
    }

    async Task LoadAsync(Guid id, CancellationToken ct)
    {
        Matches = await matching.MatchAsync(id, ct);
        Offers = await offers.ListForCaseAsync(id, ct);
    }
}

using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.OfferRespond)]
public sealed class OffersModel(OfferHandlers handlers) : PageModel
{
    public IReadOnlyList<MyOfferView> Offers { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Offers = await handlers.MineAsync(ct);

    public Task<IActionResult> OnPostAcceptAsync(Guid offerId, CancellationToken ct) =>
        RespondAsync(async () => { await handlers.AcceptAsync(offerId, ct); Done = "Accepted: the case is in your assignments."; }, ct);

    public Task<IActionResult> OnPostDeclineAsync(Guid offerId, string? reason, CancellationToken ct) =>
        RespondAsync(async () => { await handlers.DeclineAsync(offerId, new DeclineRequest(reason), ct); Done = "Declined: the case goes to the next reviewer."; }, ct);

    async Task<IActionResult> RespondAsync(Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is RuleViolationException or ConflictException or NotFoundException)
        {
            Error = e.Message;
            Response.StatusCode = e switch { RuleViolationException => 400, NotFoundException => 404, _ => 409 };
        }
        Offers = await handlers.MineAsync(ct);
        return Page();
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Opinions.Pages;

/// <summary>Where the local physician's emailed link lands: what the report is, whether the link still works, and the download.</summary>
[AllowAnonymous]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimits.Sensitive)]
internal sealed class LinkModel(ReportDeliveryHandlers deliveries) : PageModel
{
    public LinkView? Link { get; private set; }
    public string Token { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        Token = token;
        Link = await deliveries.OpenLinkAsync(token, ct);
        if (Link is null) return NotFound();
        if (Link.State != DeliveryState.Active) Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }
}

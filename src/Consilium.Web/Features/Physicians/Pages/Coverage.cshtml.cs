using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.NetworkRead)]
public sealed class CoverageModel(PhysicianHandlers handlers) : PageModel
{
    public CoverageView Coverage { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Coverage = await handlers.CoverageAsync(ct);
}

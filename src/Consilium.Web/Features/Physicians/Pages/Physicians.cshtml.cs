using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.NetworkRead)]
public sealed class PhysiciansModel(PhysicianHandlers handlers) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public PhysicianStatus? Status { get; set; }
    public IReadOnlyList<PhysicianSummary> Physicians { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Physicians = await handlers.ListAsync(Search, Status, ct);
}

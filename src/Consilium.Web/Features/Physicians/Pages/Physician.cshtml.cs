using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.NetworkRead)]
public sealed class PhysicianModel(PhysicianHandlers handlers) : PageModel
{
    public PhysicianView Physician { get; private set; } = null!;

    public async Task OnGetAsync(Guid id, CancellationToken ct) => Physician = await handlers.GetAsync(id, ct);
}

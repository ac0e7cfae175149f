using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.NetworkRead)]
public sealed class LicensesModel(PhysicianHandlers handlers) : PageModel
{
    public IReadOnlyList<ExpiringLicense> Within30 { get; private set; } = [];
    public IReadOnlyList<ExpiringLicense> Within90 { get; private set; } = [];
    public IReadOnlyList<PhysicianSummary> Physicians { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await handlers.ExpiringAsync(90, ct);
        Within30 = all.Where(l => l.DaysLeft <= 30).ToList();
        Within90 = all.Where(l => l.DaysLeft > 30).ToList();
        Physicians = await handlers.ListAsync(null, null, ct);
    }
}

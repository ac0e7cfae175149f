using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Funding.Pages;

[Authorize(Policy = Policies.FundManage)]
public sealed class FundsModel(FundingHandlers funds) : PageModel
{
    public IReadOnlyList<FundView> Funds { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Funds = await funds.ListAsync(ct);
}

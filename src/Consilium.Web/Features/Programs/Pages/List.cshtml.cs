using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Programs.Pages;

[Authorize(Policy = Policies.ProgramOverview)]
public sealed class ListModel(ProgramHandlers handlers) : PageModel
{
    public IReadOnlyList<ProgramView> Programs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Programs = await handlers.ListAsync(ct);
}

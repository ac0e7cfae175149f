using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Programs.Pages;

[Authorize(Policy = Policies.ProgramOverview)]
public sealed class ListModel(ProgramHandlers handlers, CurrentActor actor) : PageModel
{
    public IReadOnlyList<ProgramView> Programs { get; private set; } = [];
    public bool CanEdit => Policies.RolesByPolicy[Policies.ProgramWrite].Contains(actor.Role);
    public bool CanImportRosters => Policies.RolesByPolicy[Policies.RosterImport].Contains(actor.Role);

    public async Task OnGetAsync(CancellationToken ct) => Programs = await handlers.ListAsync(ct);
}

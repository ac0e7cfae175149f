using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Consilium.Features.Intake.Pages;

/// <summary>The public portal's first page: the programs, who pays, and what a member pays, before anything is asked.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Sensitive)]
public sealed class RequestModel(SelfRequestHandlers handlers) : PageModel
{
    public IReadOnlyList<PublicProgramView> Programs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Programs = await handlers.ProgramsAsync(ct);
}

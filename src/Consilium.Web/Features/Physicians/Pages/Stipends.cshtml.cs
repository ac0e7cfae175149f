using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.StipendManage)]
public sealed class StipendsModel(StipendHandlers handlers, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Month { get; set; }
    public StipendStatement? Statement { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Month ??= clock.GetUtcNow().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Statement = await handlers.StatementAsync(Month, null, ct);
        }
        catch (RuleViolationException e)
        {
            Error = e.Message;
            Response.StatusCode = 400;
        }
    }
}

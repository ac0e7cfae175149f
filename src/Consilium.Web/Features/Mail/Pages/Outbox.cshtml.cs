using Consilium.Features.Identity;
using Consilium.Infrastructure.Outbox;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Mail.Pages;

/// <summary>The platform's outgoing email: recipients, subjects and how delivery went. Bodies are never shown.</summary>
[Authorize(Policy = Policies.OutboxRead)]
public sealed class OutboxModel(OutboxQueries queries) : PageModel
{
    public OutboxPage? View { get; private set; }

    public async Task OnGetAsync(OutboxStatus? status, CancellationToken ct) => View = await queries.ListAsync(status, 200, ct);
}

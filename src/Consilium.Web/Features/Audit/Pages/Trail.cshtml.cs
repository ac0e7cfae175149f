using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Audit.Pages;

[Authorize(Policy = Policies.AuditRead)]
public sealed class TrailModel(AuditHandlers handlers) : PageModel
{
    public IReadOnlyList<AuditEntryView> Entries { get; private set; } = [];
    public Guid? PatientId { get; private set; }
    public AuditAction? Action { get; private set; }

    public async Task OnGetAsync(Guid? patientId, AuditAction? action, long? afterId, CancellationToken ct)
    {
        PatientId = patientId;
        Action = action;
        Entries = await handlers.SearchAsync(new AuditQuery(patientId, null, null, null, action, afterId, 200), ct);
    }
}

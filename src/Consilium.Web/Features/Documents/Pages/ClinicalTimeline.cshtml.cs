using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Documents.Pages;

/// <summary>The case's whole clinical history from imported FHIR bundles, filtered by kind.</summary>
[Authorize(Policy = Policies.DocumentsRead)]
internal sealed class ClinicalTimelineModel(DocumentHandlers documents) : PageModel
{
    public ClinicalTimelineView? Timeline { get; private set; }
    public ClinicalEntryKind? Kind { get; private set; }

    public async Task OnGetAsync(Guid id, ClinicalEntryKind? kind, CancellationToken ct)
    {
        Kind = kind;
        Timeline = await documents.TimelineAsync(id, kind, ct);
    }
}

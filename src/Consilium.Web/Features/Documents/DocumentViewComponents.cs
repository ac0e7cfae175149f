using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Documents;

/// <param name="ResumableUrl">The case's tus endpoint (docs/uploads.md); the page sends files there when the browser can.</param>
public sealed record UploadZone(string Url, string Title, string Hint, bool ChooseKind, string? ResumableUrl = null);

public sealed record CaseDocumentsPanel(PacketIndexView Index, UploadZone? Upload, bool CanManage);

public sealed record CaseClinicalPanel(Guid CaseId, IReadOnlyList<PacketWarning> Warnings, ClinicalTimelineView Timeline, int Shown);

/// <summary>
/// The packet index on the case's records page: upload by drag and drop, documents by type, DICOM studies and series,
/// and the warnings a coordinator must act on. The records page has already checked the viewer may see the records.
/// </summary>
public sealed class CaseDocumentsViewComponent(CurrentActor actor, ConsentGate consents) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(Guid caseId)
    {
        // Resolved here: view components must be public, the handlers are internal to the platform.
        // Without an authorization naming the viewer the packet is not shown (nor a refusal audited: it was not asked for).
        if (actor.Role != Roles.Patient && !await consents.MayViewRecordsAsync(caseId, actor.Role, HttpContext.RequestAborted))
            return Content("");
        var documents = HttpContext.RequestServices.GetRequiredService<DocumentHandlers>();
        var index = await documents.IndexAsync(caseId, HttpContext.RequestAborted);
        var canUpload = Policies.RolesByPolicy[Policies.DocumentsUpload].Contains(actor.Role)
            && await consents.ActiveAsync(caseId, HttpContext.RequestAborted) is not null;
        var upload = canUpload
            ? new UploadZone($"/api/cases/{caseId}/documents", "Add records",
                "Drop PDFs, images, DICOM files, a ZIP of an imaging CD or a FHIR bundle here, or choose them. Each file is encrypted as it arrives.", ChooseKind: true,
                ResumableUrl: $"/api/cases/{caseId}/uploads")
            : null;
        return View("/Features/Documents/Pages/_CaseDocuments.cshtml",
            new CaseDocumentsPanel(index, upload, Policies.RolesByPolicy[Policies.RecordsManage].Contains(actor.Role)));
    }
}

/// <summary>
/// On the case page: what needs a look in the packet and the clinical timeline from imported FHIR bundles. Shown to
/// staff who may see the case's records under the member's authorization; nothing otherwise (no refusal is audited
/// for a page the user did not ask to see).
/// </summary>
public sealed class CaseClinicalViewComponent(ConsentGate consents, CurrentActor actor) : ViewComponent
{
    const int Shown = 12;

    public async Task<IViewComponentResult> InvokeAsync(Guid caseId)
    {
        var ct = HttpContext.RequestAborted;
        if (actor.Role == Roles.Patient || !Policies.RolesByPolicy[Policies.DocumentsRead].Contains(actor.Role)
            || !await consents.MayViewRecordsAsync(caseId, actor.Role, ct))
            return Content("");
        var documents = HttpContext.RequestServices.GetRequiredService<DocumentHandlers>();
        var index = await documents.IndexAsync(caseId, ct);
        var timeline = await documents.TimelineAsync(caseId, null, ct);
        return View("/Features/Documents/Pages/_CaseClinical.cshtml", new CaseClinicalPanel(caseId, index.Warnings, timeline, Shown));
    }
}

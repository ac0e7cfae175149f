using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Documents.Pages;

/// <summary>One document: what was found in it, and for coordinators what it counts as and whether it is the member's.</summary>
[Authorize(Policy = Policies.DocumentsRead)]
internal sealed class DocumentModel(DocumentHandlers documents, CurrentActor actor) : PageModel
{
    public DocumentView? Document { get; private set; }
    public IReadOnlyList<LinkableItem> Items { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public bool CanManage => Policies.RolesByPolicy[Policies.RecordsManage].Contains(actor.Role);

    public async Task<IActionResult> OnGetAsync(Guid documentId, string? done, CancellationToken ct)
    {
        Done = done;
        return await LoadAsync(documentId, ct);
    }

    public Task<IActionResult> OnPostClassifyAsync(Guid documentId, RecordKind? kind, Guid? recordItemId, int version, CancellationToken ct) =>
        ActAsync(documentId, () => documents.ClassifyAsync(documentId, new ClassifyDocument(kind, recordItemId, version), ct), "Saved.", ct);

    public Task<IActionResult> OnPostConfirmAsync(Guid documentId, string? reason, int version, CancellationToken ct) =>
        ActAsync(documentId, () => documents.ConfirmPatientAsync(documentId, new ConfirmDocumentPatient(reason, version), ct), "Confirmed as the member's.", ct);

    async Task<IActionResult> ActAsync(Guid documentId, Func<Task<DocumentView>> action, string done, CancellationToken ct)
    {
        if (!CanManage) return Forbid();
        try
        {
            await action();
            return RedirectToPage(new { documentId, done });
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            Error = e is DbUpdateConcurrencyException ? "Someone else changed this just now. Here is the current state." : e.Message;
            Response.StatusCode = e is NotFoundException ? 404 : e is RuleViolationException ? 400 : 409;
            return await LoadAsync(documentId, ct);
        }
    }

    async Task<IActionResult> LoadAsync(Guid documentId, CancellationToken ct)
    {
        Document = await documents.GetAsync(documentId, ct);
        if (CanManage) Items = await documents.LinkableItemsAsync(Document.CaseId, ct);
        return Page();
    }
}

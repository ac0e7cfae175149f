using Consilium.Features.Documents;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Opinions.Pages;

/// <summary>The reviewer's workspace: the packet, the timeline, the member's questions, private notes and the structured opinion.</summary>
[Authorize(Policy = Policies.OpinionWrite)]
internal sealed class ReviewModel(OpinionHandlers opinions, DocumentHandlers documents, Imaging.ImagingViewer imaging) : PageModel
{
    public WorkspaceView? View { get; private set; }
    public OpinionForm Form { get; private set; } = new();
    /// <summary>The case's DICOM studies: from its documents, and those the imaging archive's change feed or a coordinator attached.</summary>
    public IReadOnlyList<(string StudyInstanceUid, string? Description, string? StudyDate)> Studies { get; private set; } = [];
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    /// <summary>Set when the workspace may not be opened: the page shows the shell's refusal instead (with its status code).</summary>
    public RefusedView? Refused { get; private set; }

    public bool ArchiveEnabled => imaging.ArchiveEnabled;

    public string ViewerLink(string studyUid) => $"/cases/{View!.CaseId}/studies/{Uri.EscapeDataString(studyUid)}/viewer";

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        Done = done;
        try
        {
            return await LoadAsync(id, null, ct);
        }
        catch (Exception e) when (e is NotFoundException or ForbiddenException or ConflictException)
        {
            return Refuse(e);
        }
    }

    internal static readonly RefusedView NothingToOpen = RefusedView.For(new InvalidOperationException(), "review workspace", "/cases", "Back to my assignments");

    IActionResult Refuse(Exception e)
    {
        Refused = RefusedView.For(e, "review workspace", "/cases", "Back to my assignments");
        Response.StatusCode = Refused.Status;
        return Page();
    }

    public Task<IActionResult> OnPostDraftAsync(Guid id, OpinionForm form, CancellationToken ct) =>
        ActAsync(id, form, () => opinions.SaveDraftAsync(id, form.ToRequest(), null, ct), "Draft saved.", ct);

    public Task<IActionResult> OnPostSignAsync(Guid id, int version, bool attest, CancellationToken ct) =>
        ActAsync(id, null, () => opinions.SignAsync(id, new SignOpinionRequest(version, attest), null, ct), "Signed. The reports are generated and the member is told.", ct);

    public Task<IActionResult> OnPostAmendAsync(Guid id, string? reason, CancellationToken ct) =>
        ActAsync(id, null, () => opinions.AmendAsync(id, new AmendOpinionRequest(reason), ct), "Amendment started from the signed version.", ct);

    public Task<IActionResult> OnPostDiscardAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, null, async () => { await opinions.DiscardDraftAsync(id, ct); return 0; }, "Draft discarded.", ct);

    public Task<IActionResult> OnPostNotesAsync(Guid id, string? text, int version, CancellationToken ct) =>
        ActAsync(id, null, () => opinions.SaveNotesAsync(id, new ReviewerNotesRequest(text, version), ct), "Notes saved.", ct);

    async Task<IActionResult> ActAsync<T>(Guid id, OpinionForm? form, Func<Task<T>> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
            return RedirectToPage(new { id, done });
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            if (e is RequestValidationException v) Errors = v.Errors;
            else if (e is RuleViolationException r) Errors = new Dictionary<string, string[]> { [r.Field] = [r.Message] };
            Error = e is RequestValidationException or RuleViolationException ? "The opinion is not saved: see the problems below."
                : e is DbUpdateConcurrencyException ? "Someone else changed this just now. Here is the current state." : e.Message;
            Response.StatusCode = e is NotFoundException ? 404 : e is ForbiddenException ? 403 : e is RuleViolationException or RequestValidationException ? 400 : 409;
            if (e is NotFoundException or ForbiddenException) return Refuse(e);
            return await LoadAsync(id, form, ct);
        }
    }

    async Task<IActionResult> LoadAsync(Guid id, OpinionForm? posted, CancellationToken ct)
    {
        View = await opinions.WorkspaceAsync(id, ct);
        Form = posted ?? OpinionForm.From(View.Draft is { } draft ? OpinionDraftRequest.From(draft.Content, draft.Version) : View.Suggested);
        while (Form.Answers.Count < View.Questions.Count) Form.Answers.Add(null);
        while (Form.OptName.Count < OpinionForm.OptionRows) { Form.OptName.Add(null); Form.OptBenefits.Add(null); Form.OptRisks.Add(null); Form.OptRationale.Add(null); }
        var uploaded = (await documents.IndexAsync(id, ct)).Studies.Select(s => (s.StudyInstanceUid, s.Description, s.StudyDate)).ToList();
        var attached = await imaging.AttachedStudiesAsync(id, ct);
        Studies = uploaded.Concat(attached.Where(a => uploaded.All(u => u.StudyInstanceUid != a.StudyInstanceUid))).ToList();
        return Page();
    }
}

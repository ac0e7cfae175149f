using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Imaging.Pages;

/// <summary>The coordinators' queue of studies the archive received that fit no case, or more than one.</summary>
[Authorize(Policy = Policies.ImagingTriage)]
internal sealed class UnmatchedModel(UnmatchedStudies queue) : PageModel
{
    public IReadOnlyList<UnmatchedStudyView> Items { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Done = done;
        Items = await queue.ListAsync(ct);
    }

    public Task<IActionResult> OnPostAttachAsync(Guid studyId, string? caseNumber, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var caseId = await queue.CaseIdOfAsync(caseNumber, ct);
            var result = await queue.AttachAsync(studyId, new AttachStudyRequest(caseId), ct);
            return $"Study attached to case {result.CaseNumber}.";
        }, ct);

    public Task<IActionResult> OnPostDismissAsync(Guid studyId, string? reason, CancellationToken ct) =>
        ActAsync(async () =>
        {
            await queue.DismissAsync(studyId, new DismissStudyRequest(reason), ct);
            return "Study dismissed.";
        }, ct);

    async Task<IActionResult> ActAsync(Func<Task<string>> action, CancellationToken ct)
    {
        try
        {
            return RedirectToPage(new { done = await action() });
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            Error = e is DbUpdateConcurrencyException ? "Someone else decided on this study just now. Here is the current queue." : e.Message;
            Response.StatusCode = e is NotFoundException ? 404 : e is ForbiddenException ? 403 : e is RuleViolationException or RequestValidationException ? 400 : 409;
            Items = await queue.ListAsync(ct);
            return Page();
        }
    }
}

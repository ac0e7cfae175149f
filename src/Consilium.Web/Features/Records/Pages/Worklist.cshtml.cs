using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Records.Pages;

[Authorize(Policy = Policies.RecordsManage)]
public sealed class WorklistModel(RecordHandlers records, BulkFollowUps bulk) : PageModel
{
    public IReadOnlyList<RetrievalItem> Items { get; private set; } = [];
    public bool OverdueOnly { get; private set; }
    public BulkFollowUpResult? FollowUpResult { get; private set; }
    public string? FollowUpError { get; private set; }
    public IReadOnlySet<Guid> Selected { get; private set; } = new HashSet<Guid>();

    public async Task OnGetAsync(bool? overdue, CancellationToken ct)
    {
        OverdueOnly = overdue ?? false;
        Items = await records.WorklistAsync(OverdueOnly, ct);
    }

    /// <summary>One follow-up logged on every ticked request; the list comes back with the filter kept and the outcome of each request.</summary>
    public async Task<IActionResult> OnPostFollowUpAsync(List<Guid>? requestIds, FollowUpChannel? channel, string? note, DateOnly? nextDueOn, bool? overdue,
        CancellationToken ct)
    {
        try
        {
            FollowUpResult = await bulk.ApplyAsync(new BulkFollowUpRequest(requestIds, new CreateFollowUp(channel, string.IsNullOrWhiteSpace(note) ? null : note, nextDueOn)), ct);
            Selected = FollowUpResult.Results.Where(r => !r.Succeeded).Select(r => r.RequestId).ToHashSet();
        }
        catch (RequestValidationException e)
        {
            FollowUpError = string.Join(" ", e.Errors.Values.SelectMany(m => m));
            Selected = (requestIds ?? []).ToHashSet();
            Response.StatusCode = 400;
        }
        await OnGetAsync(overdue, ct);
        return Page();
    }
}

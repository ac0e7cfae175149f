using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Funding.Pages;

/// <summary>One fund: its balance and ledger, and the forms to add money, award it to a case and refund an award.</summary>
[Authorize(Policy = Policies.FundManage)]
public sealed class FundModel(FundingHandlers funds) : PageModel
{
    public FundDetailView Fund { get; private set; } = null!;
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken ct) => Fund = await funds.GetAsync(id, ct);

    public Task<IActionResult> OnPostContributeAsync(Guid id, decimal? amount, string? note, CancellationToken ct) =>
        RunAsync(id, async () =>
        {
            await funds.ContributeAsync(id, new ContributionRequest(amount, note), ct);
            Done = $"Added {Money.Format(amount ?? 0)}.";
        }, ct);

    public Task<IActionResult> OnPostAwardAsync(Guid id, string? caseNumber, decimal? amount, string? note, CancellationToken ct) =>
        RunAsync(id, async () =>
        {
            var award = await funds.AwardAsync(id, new AwardRequest(null, caseNumber, amount, note), ct);
            Done = $"Awarded {Money.Format(award.Amount)} to case {award.CaseNumber}.";
        }, ct);

    public Task<IActionResult> OnPostRefundAsync(Guid id, Guid awardId, decimal? amount, string? note, CancellationToken ct) =>
        RunAsync(id, async () =>
        {
            var award = await funds.RefundAsync(id, awardId, new RefundRequest(amount, note), ct);
            Done = $"Refunded {Money.Format(amount ?? 0)} of the award to case {award.CaseNumber}.";
        }, ct);

    async Task<IActionResult> RunAsync(Guid id, Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is RequestValidationException or RuleViolationException or ConflictException)
        {
            Error = e is RequestValidationException v ? string.Join(" ", v.Errors.SelectMany(x => x.Value)) : e.Message;
            Response.StatusCode = e is ConflictException ? 409 : 400;
        }
        Fund = await funds.GetAsync(id, ct);
        return Page();
    }
}

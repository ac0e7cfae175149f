using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Funding.Pages;

/// <summary>Self-pay payments; a program admin records a payment once the money has arrived.</summary>
[Authorize(Policy = Policies.PaymentManage)]
public sealed class PaymentsModel(PaymentHandlers payments) : PageModel
{
    public IReadOnlyList<PaymentRow> Payments { get; private set; } = [];
    public PaymentStatus? Status { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(PaymentStatus? status, CancellationToken ct)
    {
        Status = status ?? PaymentStatus.Pending;
        Payments = await payments.ListAsync(Status, ct);
    }

    public async Task<IActionResult> OnPostAsync(Guid paymentId, PaymentMethod? method, string? reference, int? version, CancellationToken ct)
    {
        try
        {
            await payments.MarkPaidAsync(paymentId, new MarkPaidRequest(method, reference, version), ct);
            return RedirectToPage();
        }
        catch (Exception e) when (e is RequestValidationException or RuleViolationException or ConflictException or DbUpdateConcurrencyException)
        {
            Error = e switch
            {
                RequestValidationException v => string.Join(" ", v.Errors.SelectMany(x => x.Value)),
                DbUpdateConcurrencyException => "Someone else recorded this payment just now.",
                _ => e.Message,
            };
            Response.StatusCode = e is RequestValidationException or RuleViolationException ? 400 : 409;
            Status = PaymentStatus.Pending;
            Payments = await payments.ListAsync(Status, ct);
            return Page();
        }
    }
}

using Consilium.Features.Identity;
using Consilium.Infrastructure;

namespace Consilium.Features.Funding;

public enum PaymentStatus
{
    Pending,
    Paid,
    Cancelled,
}

public enum PaymentMethod
{
    Card,
    Check,
    BankTransfer,
    Cash,
    Other,
}

/// <summary>
/// What a self-pay member owes for a case and whether it has been paid. The platform takes no card payments: a payment
/// provider (<see cref="IPaymentProvider"/>) starts the payment, and a program admin records it as paid.
/// </summary>
public sealed class Payment
{
    Payment() { Provider = ""; Currency = "USD"; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public decimal Amount { get; private set; }
    public string Currency { get; private set; }
    public PaymentStatus Status { get; private set; }
    public PaymentMethod? Method { get; private set; }

    /// <summary>Check number, transfer or receipt reference, as recorded by whoever took the payment.</summary>
    public string? Reference { get; private set; }

    /// <summary>The provider that started the payment ("offline" by default) and its reference for it, if any.</summary>
    public string Provider { get; private set; }
    public string? ProviderReference { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? PaidAt { get; private set; }
    public Guid? RecordedByUserId { get; private set; }
    public string? RecordedBy { get; private set; }
    public int Version { get; private set; }

    public static Payment Request(Guid caseId, decimal amount, string provider, DateTimeOffset now)
    {
        if (amount <= 0m) throw new RuleViolationException("amount", "A payment is for an amount above zero.");
        return new Payment { Id = Guid.CreateVersion7(now), CaseId = caseId, Amount = amount, Provider = provider, Status = PaymentStatus.Pending, CreatedAt = now, Version = 1 };
    }

    internal void Started(string? providerReference) => ProviderReference = providerReference;

    public void MarkPaid(PaymentMethod method, string? reference, Actor actor, DateTimeOffset now)
    {
        if (Status != PaymentStatus.Pending)
            throw new ConflictException($"This payment is {Status}; only a pending payment can be marked paid.");
        var trimmed = reference?.Trim();
        if (trimmed?.Length > 100) throw new RuleViolationException("reference", "The reference is longer than 100 characters.");
        if (method != PaymentMethod.Cash && string.IsNullOrEmpty(trimmed))
            throw new RuleViolationException("reference", "Record the check number, transfer or receipt reference.");
        (Status, Method, Reference, PaidAt, RecordedByUserId, RecordedBy) =
            (PaymentStatus.Paid, method, string.IsNullOrEmpty(trimmed) ? null : trimmed, now, actor.UserId, actor.Name);
        Version++;
    }
}

/// <summary>
/// The seam for taking money. A provider starts a payment (a hosted checkout, an invoice) and says what the member is
/// told; whoever confirms the money arrived — a program admin today, a provider's webhook later — marks the payment paid
/// through <see cref="PaymentHandlers"/>. A provider with side effects must be called through an outbox, not inside the
/// intake transaction.
/// </summary>
public interface IPaymentProvider
{
    string Name { get; }

    Task<PaymentStart> StartAsync(PaymentStartRequest request, CancellationToken ct);
}

public sealed record PaymentStartRequest(Guid PaymentId, string CaseNumber, decimal Amount, string Currency);

/// <param name="ProviderReference">The provider's own id for the payment, if it has one.</param>
/// <param name="MemberInstructions">What the member reads after requesting: how and when they pay.</param>
public sealed record PaymentStart(string? ProviderReference, string MemberInstructions);

/// <summary>No card processing: the program team contacts the member and records the payment by hand.</summary>
internal sealed class OfflinePaymentProvider : IPaymentProvider
{
    public string Name => "offline";

    public Task<PaymentStart> StartAsync(PaymentStartRequest request, CancellationToken ct) =>
        Task.FromResult(new PaymentStart(null,
            $"The program team will contact you to arrange payment of {Money.Format(request.Amount)} for request {request.CaseNumber}. " +
            "Nothing is charged until then, and your request is reviewed in the meantime."));
}

using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;

namespace Consilium.Features.Physicians;

public enum OfferStatus
{
    Pending,
    Accepted,
    Declined,
    /// <summary>Not answered within the acceptance SLA; the case was offered to the next reviewer.</summary>
    Expired,
}

/// <summary>A reviewer's part in a case: the lead author of the opinion, or a member of a tumor-board style panel.</summary>
public enum PanelRole
{
    Lead,
    Panelist,
}

/// <summary>
/// A case offered to one physician. Pending until they accept or decline (with a reason), or until it expires at
/// <see cref="ExpiresAt"/>. One offer per physician and case, ever; at most one pending or accepted lead per case
/// (the database enforces both).
/// </summary>
public sealed class ReviewerOffer
{
    public const int MaxReasonLength = 1000;

    ReviewerOffer() { OfferedBy = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid PhysicianId { get; private set; }
    public Guid ReviewerUserId { get; private set; }
    public PanelRole Role { get; private set; }

    /// <summary>The mode matching decided when the offer was made; the lead's acceptance puts it on the case.</summary>
    public ConsultMode Mode { get; private set; }

    public int Score { get; private set; }
    public OfferStatus Status { get; private set; }
    public DateTimeOffset OfferedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Who offered: a coordinator's name, or the platform's when it re-offered automatically.</summary>
    public string OfferedBy { get; private set; }

    /// <summary>Set when this offer replaced one that was declined or expired.</summary>
    public Guid? ReplacesOfferId { get; private set; }

    public DateTimeOffset? RespondedAt { get; private set; }
    public string? DeclineReason { get; private set; }
    public int Version { get; private set; }

    public bool IsActive => Status is OfferStatus.Pending or OfferStatus.Accepted;

    public static ReviewerOffer Make(Guid caseId, Guid physicianId, Guid reviewerUserId, PanelRole role, ConsultMode mode, int score,
        Actor by, TimeSpan acceptWithin, DateTimeOffset now, Guid? replaces = null) => new()
    {
        Id = Guid.CreateVersion7(now), CaseId = caseId, PhysicianId = physicianId, ReviewerUserId = reviewerUserId, Role = role, Mode = mode,
        Score = score, Status = OfferStatus.Pending, OfferedAt = now, ExpiresAt = now + acceptWithin, OfferedBy = by.Name, ReplacesOfferId = replaces,
        Version = 1,
    };

    public bool IsDue(DateTimeOffset now) => Status == OfferStatus.Pending && now >= ExpiresAt;

    public void Accept(DateTimeOffset now)
    {
        Pending("accepted");
        if (IsDue(now)) throw new ConflictException($"The offer expired at {ExpiresAt:yyyy-MM-dd HH:mm} UTC and was passed to another reviewer.");
        (Status, RespondedAt) = (OfferStatus.Accepted, now);
        Version++;
    }

    public void Decline(string? reason, DateTimeOffset now)
    {
        Pending("declined");
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) throw new RuleViolationException("reason", "Say why you decline, so the coordinator can offer the case well next time.");
        if (reason.Length > MaxReasonLength) throw new RuleViolationException("reason", $"The reason is longer than {MaxReasonLength} characters.");
        (Status, RespondedAt, DeclineReason) = (OfferStatus.Declined, now, reason);
        Version++;
    }

    public void Expire(DateTimeOffset now)
    {
        Pending("expired");
        (Status, RespondedAt) = (OfferStatus.Expired, now);
        Version++;
    }

    void Pending(string what)
    {
        if (Status != OfferStatus.Pending)
            throw new ConflictException($"The offer is {Status.ToString().ToLowerInvariant()}; only a pending offer can be {what}.",
                new Dictionary<string, object?> { ["status"] = Status.ToString() });
    }

    /// <summary>How an earlier offer reads in a match explanation ("declined on 2026-03-02: on leave").</summary>
    public string Describe() => Status switch
    {
        OfferStatus.Declined => $"declined on {RespondedAt:yyyy-MM-dd}: {DeclineReason}",
        OfferStatus.Expired => $"not answered by {ExpiresAt:yyyy-MM-dd HH:mm} UTC",
        OfferStatus.Accepted => $"accepted on {RespondedAt:yyyy-MM-dd} as {Role.ToString().ToLowerInvariant()}",
        _ => $"offered on {OfferedAt:yyyy-MM-dd}, awaiting an answer",
    };
}

public enum StipendStatus
{
    Payable,
    Paid,
}

/// <summary>What a physician earns for one completed opinion (lead or panel member), at their rate when it was earned.</summary>
public sealed class Stipend
{
    Stipend() { }

    public Guid Id { get; private set; }
    public Guid PhysicianId { get; private set; }
    public Guid CaseId { get; private set; }
    public PanelRole Role { get; private set; }
    public decimal Amount { get; private set; }

    /// <summary>When the opinion was delivered; the statement month is this instant's UTC month.</summary>
    public DateTimeOffset EarnedAt { get; private set; }

    public StipendStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public static Stipend Earn(Guid physicianId, Guid caseId, PanelRole role, decimal amount, DateTimeOffset earnedAt, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), PhysicianId = physicianId, CaseId = caseId, Role = role, Amount = amount, EarnedAt = earnedAt,
        Status = StipendStatus.Payable, CreatedAt = now,
    };
}

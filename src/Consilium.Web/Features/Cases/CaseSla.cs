namespace Consilium.Features.Cases;

/// <summary>One SLA target of a case: when it was due, when it was met (null while not yet), and whether it is late.</summary>
public sealed record SlaTarget(DateTimeOffset? DueAt, DateTimeOffset? MetAt, bool Overdue);

public sealed record CaseSlaView(SlaTarget FirstContact, SlaTarget CompletePacket, SlaTarget Opinion);

/// <summary>
/// The SLA clock of a case, derived from the due dates fixed at intake and the transition history: first contact is
/// the first arrival at Intake; the packet is complete at the first arrival at ReadyForReview; the opinion is due a
/// number of business days (Monday–Friday, in UTC) after the latest arrival at ReadyForReview. Only open cases can be
/// overdue, and a case on hold is not late for the target it is paused on.
/// </summary>
public static class CaseSla
{
    public static CaseSlaView Of(Case @case, DateTimeOffset now)
    {
        var ordered = @case.Transitions.OrderBy(t => t.At).ThenBy(t => t.Sequence).ToList();
        var open = @case.IsOpen && @case.Status != CaseStatus.OnHold;

        var contacted = ordered.FirstOrDefault(t => t.To == CaseStatus.Intake)?.At;
        var packet = ordered.FirstOrDefault(t => t.To == CaseStatus.ReadyForReview)?.At;
        var readyAgain = ordered.LastOrDefault(t => t.To == CaseStatus.ReadyForReview)?.At;
        var opinion = readyAgain is null ? null : ordered.FirstOrDefault(t => t.To == CaseStatus.OpinionDelivered && t.At >= readyAgain)?.At;
        DateTimeOffset? opinionDue = readyAgain is { } r && @case.OpinionBusinessDays is { } days ? AddBusinessDays(r, days) : null;

        return new CaseSlaView(
            Target(@case.FirstContactDueAt, contacted, open, now),
            Target(@case.PacketDueAt, packet, open, now),
            Target(opinionDue, opinion, open, now));
    }

    static SlaTarget Target(DateTimeOffset? due, DateTimeOffset? met, bool open, DateTimeOffset now) =>
        new(due, met, due is { } d && met is null && open && now > d);

    /// <summary>
    /// The instant <paramref name="days"/> business days after <paramref name="from"/>: a Saturday or Sunday start counts
    /// from the next Monday's start, and the time of day is kept otherwise. No holiday calendar (yet).
    /// </summary>
    public static DateTimeOffset AddBusinessDays(DateTimeOffset from, int days)
    {
        var at = from.ToUniversalTime();
        while (at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) at = new DateTimeOffset(at.Date.AddDays(1), TimeSpan.Zero);
        while (days > 0)
        {
            at = at.AddDays(1);
            if (at.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days--;
        }
        return at;
    }
}

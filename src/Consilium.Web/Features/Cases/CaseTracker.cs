using Consilium.Features.Programs;

namespace Consilium.Features.Cases;

/// <summary>One stage of the member's status tracker: when it was reached, or by when it is expected.</summary>
public sealed record TrackerStage(CaseStatus Stage, DateTimeOffset? ReachedAt, DateTimeOffset? ExpectedBy);

/// <summary>
/// The dates of the member's status tracker, from the case's SLA clock (<see cref="CaseSla"/>). A reached stage shows
/// when it was (last) entered. A stage still ahead shows the SLA target of the milestone it leads to: the first call
/// (Intake), the complete packet (consent, collecting, ready for review) and the opinion (assigned, in review,
/// delivered, closed). The opinion's date counts its business days from the packet's completion, or — until the packet
/// is complete — from the later of its due date and now. A case opened without SLA dates takes its program's targets
/// from the day it was opened.
/// </summary>
public static class CaseTracker
{
    public static readonly CaseStatus[] Path =
    [
        CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords, CaseStatus.ReadyForReview,
        CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered, CaseStatus.Closed,
    ];

    public static IReadOnlyList<TrackerStage> Of(Case @case, SlaTargets programSla, DateTimeOffset now)
    {
        var sla = CaseSla.Of(@case, now);
        var current = Array.IndexOf(Path, @case.Status == CaseStatus.OnHold && @case.HeldFrom is { } held ? held : @case.Status);
        var firstContactDue = @case.FirstContactDueAt ?? @case.CreatedAt.AddDays(programSla.DaysToFirstContact);
        var packetDue = @case.PacketDueAt ?? @case.CreatedAt.AddDays(programSla.DaysToCompletePacket);
        var opinionDays = @case.OpinionBusinessDays ?? programSla.BusinessDaysToOpinion;
        var opinionDue = sla.Opinion.DueAt ?? CaseSla.AddBusinessDays(packetDue > now ? packetDue : now, opinionDays);

        return Path.Select((stage, i) =>
        {
            DateTimeOffset? reached = i <= current
                ? @case.Transitions.Where(t => t.To == stage).OrderBy(t => t.At).ThenBy(t => t.Sequence).LastOrDefault()?.At
                    ?? (i == 0 ? @case.CreatedAt : null)
                : null;
            DateTimeOffset? expected = stage switch
            {
                CaseStatus.Referred => @case.CreatedAt,
                CaseStatus.Intake => firstContactDue,
                CaseStatus.AwaitingConsent or CaseStatus.CollectingRecords or CaseStatus.ReadyForReview => packetDue,
                _ => opinionDue,
            };
            return new TrackerStage(stage, reached, reached is null ? expected : null);
        }).ToList();
    }
}

using Consilium.Features.Identity;

namespace Consilium.Features.Cases;

/// <summary>
/// The one table of legal stage changes and who may make each. Every transition of a case is checked here and
/// nowhere else; an illegal one always fails the same way (<see cref="IllegalTransitionException"/>).
/// </summary>
public static class CaseLifecycle
{
    static readonly string[] Staff = [Roles.Coordinator, Roles.ProgramAdmin];
    static readonly string[] StaffAndReviewer = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Reviewer];
    static readonly string[] StaffAndPatient = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Patient];

    /// <summary>Stages a case can still move on from. <see cref="CaseStatus.OnHold"/> is open too, but is handled apart.</summary>
    public static readonly IReadOnlySet<CaseStatus> OpenStages = new HashSet<CaseStatus>
    {
        CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords,
        CaseStatus.ReadyForReview, CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered,
    };

    public static readonly IReadOnlySet<CaseStatus> TerminalStages = new HashSet<CaseStatus>
    {
        CaseStatus.Closed, CaseStatus.Withdrawn, CaseStatus.Ineligible,
    };

    /// <summary>Stages at which eligibility can still turn out to be missing.</summary>
    static readonly HashSet<CaseStatus> EligibilityStages = [CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent];

    public sealed record Transition(CaseStatus From, CaseStatus To, IReadOnlyList<string> Roles, bool ReasonRequired);

    /// <summary>The forward path and the few steps back a real program needs.</summary>
    static readonly Transition[] Path =
    [
        new(CaseStatus.Referred, CaseStatus.Intake, Staff, false),
        new(CaseStatus.Intake, CaseStatus.AwaitingConsent, Staff, false),
        // The platform itself moves the case on when the member signs the authorization.
        new(CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords, [Roles.Coordinator, Roles.ProgramAdmin, Roles.System], false),
        new(CaseStatus.CollectingRecords, CaseStatus.ReadyForReview, Staff, false),
        // The packet turns out to be incomplete after all.
        new(CaseStatus.ReadyForReview, CaseStatus.CollectingRecords, Staff, true),
        // Staff assign directly; the platform assigns when a reviewer accepts the lead offer (Physicians/OfferHandlers).
        new(CaseStatus.ReadyForReview, CaseStatus.Assigned, [.. Staff, Roles.System], false),
        // The assigned reviewer steps back (conflict found, unavailable) and the case is matched again.
        new(CaseStatus.Assigned, CaseStatus.ReadyForReview, StaffAndReviewer, true),
        new(CaseStatus.Assigned, CaseStatus.InReview, StaffAndReviewer, false),
        // The reviewer cannot give an opinion without more records.
        new(CaseStatus.InReview, CaseStatus.CollectingRecords, StaffAndReviewer, true),
        new(CaseStatus.InReview, CaseStatus.OpinionDelivered, StaffAndReviewer, false),
        new(CaseStatus.OpinionDelivered, CaseStatus.Closed, Staff, false),
    ];

    /// <summary>Every legal move out of <paramref name="from"/>; for a held case, <paramref name="heldFrom"/> is where it returns.</summary>
    public static IReadOnlyList<Transition> From(CaseStatus from, CaseStatus? heldFrom = null)
    {
        var moves = new List<Transition>();
        if (from == CaseStatus.OnHold)
        {
            if (heldFrom is not { } back || !OpenStages.Contains(back))
                throw new InvalidOperationException("A held case must remember the open stage it was held from.");
            moves.Add(new(CaseStatus.OnHold, back, Staff, false));
            moves.Add(new(CaseStatus.OnHold, CaseStatus.Withdrawn, StaffAndPatient, true));
            if (EligibilityStages.Contains(back)) moves.Add(new(CaseStatus.OnHold, CaseStatus.Ineligible, Staff, true));
            return moves;
        }
        if (!OpenStages.Contains(from)) return moves;

        moves.AddRange(Path.Where(t => t.From == from));
        moves.Add(new(from, CaseStatus.OnHold, Staff, true));
        moves.Add(new(from, CaseStatus.Withdrawn, StaffAndPatient, true));
        if (EligibilityStages.Contains(from)) moves.Add(new(from, CaseStatus.Ineligible, Staff, true));
        return moves;
    }

    public static IReadOnlyList<CaseStatus> AllowedTargets(CaseStatus from, CaseStatus? heldFrom = null) =>
        From(from, heldFrom).Select(t => t.To).ToList();

    public static Transition? Find(CaseStatus from, CaseStatus? heldFrom, CaseStatus to) =>
        From(from, heldFrom).FirstOrDefault(t => t.To == to);

    /// <summary>Where a case may start: referrals and triggers start at Referred; a coordinator on the phone starts at Intake.</summary>
    public static bool IsStartStage(CaseStatus status) => status is CaseStatus.Referred or CaseStatus.Intake;
}

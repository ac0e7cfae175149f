using System.Security.Cryptography;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;

namespace Consilium.Features.Cases;

/// <summary>
/// A member's request for a second opinion, from referral to closure. The stage changes only through
/// <see cref="TransitionTo"/>, which consults <see cref="CaseLifecycle"/> and records who, when and why.
/// </summary>
public sealed class Case
{
    public const int MaxConcernLength = 4000;
    public const int MaxReasonLength = 1000;

    readonly List<CaseTransition> _transitions = [];
    readonly List<string> _questions = [];
    readonly List<string> _diagnosisCodes = [];
    readonly List<string> _treatmentCodes = [];

    Case() { Number = ""; Concern = ""; }

    public Guid Id { get; private set; }

    /// <summary>The short reference people say on the phone ("C-7KQ2M9XD"); unique.</summary>
    public string Number { get; private set; }

    public Guid ProgramId { get; private set; }
    public Guid MemberId { get; private set; }
    public CaseStatus Status { get; private set; }

    /// <summary>Set only while <see cref="Status"/> is <see cref="CaseStatus.OnHold"/>: the stage the case returns to.</summary>
    public CaseStatus? HeldFrom { get; private set; }

    public ConditionCategory Category { get; private set; }
    public IntakeChannel Channel { get; private set; }

    /// <summary>The clinical concern in the member's or coordinator's words. Health information: never logged.</summary>
    public string Concern { get; private set; }

    /// <summary>The member's questions for the expert, in the member's order.</summary>
    public IReadOnlyList<string> Questions => _questions;

    /// <summary>Current diagnosis: ICD-10-CM codes (dotted, upper case) and the words of whoever gave them.</summary>
    public IReadOnlyList<string> DiagnosisCodes => _diagnosisCodes;
    public string? DiagnosisText { get; private set; }

    /// <summary>Proposed treatment: CPT, HCPCS or ICD-10-PCS codes, and free text.</summary>
    public IReadOnlyList<string> TreatmentCodes => _treatmentCodes;
    public string? TreatmentText { get; private set; }

    public string? PhysicianName { get; private set; }
    public string? PhysicianNpi { get; private set; }
    public string? PhysicianOrganization { get; private set; }
    public string? PhysicianContact { get; private set; }

    /// <summary>Null for cases opened without intake details (older cases, the trigger engine's referrals).</summary>
    public Urgency? Urgency { get; private set; }
    public string? PreferredLanguage { get; private set; }
    public string? StateOfResidence { get; private set; }
    public ReferralSource? HeardVia { get; private set; }

    /// <summary>SLA clock, started at intake from the program's targets at that moment: later changes to the targets do not move it.</summary>
    public DateTimeOffset? FirstContactDueAt { get; private set; }
    public DateTimeOffset? PacketDueAt { get; private set; }
    public int? OpinionBusinessDays { get; private set; }

    public Guid? CoordinatorUserId { get; private set; }
    public Guid? ReviewerUserId { get; private set; }

    /// <summary>
    /// Decided at matching (null until then, and for cases matched before it existed). While null, signing falls back to
    /// the reviewer's licences: no licence in the member's state makes the opinion an educational consult.
    /// </summary>
    public ConsultMode? ConsultMode { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic-concurrency token: every change increments it, and a save against a stale value fails.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<CaseTransition> Transitions => _transitions;

    public bool IsOpen => Status == CaseStatus.OnHold || CaseLifecycle.OpenStages.Contains(Status);

    public static Case Open(Guid programId, Guid memberId, ConditionCategory category, IntakeChannel channel, string concern,
        CaseStatus startAt, Actor actor, DateTimeOffset now, Guid? coordinatorUserId = null, CaseIntake? intake = null, SlaTargets? sla = null)
    {
        if (!CaseLifecycle.IsStartStage(startAt))
            throw new RuleViolationException("status", $"A new case starts at {CaseStatus.Referred} or {CaseStatus.Intake}, not {startAt}.");
        if (concern.Length > MaxConcernLength)
            throw new RuleViolationException("concern", $"The concern is longer than {MaxConcernLength} characters.");

        var @case = new Case
        {
            Id = Guid.CreateVersion7(now),
            Number = NewNumber(),
            ProgramId = programId,
            MemberId = memberId,
            Category = category,
            Channel = channel,
            Concern = concern.Trim(),
            Status = startAt,
            CoordinatorUserId = coordinatorUserId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        @case._transitions.Add(new CaseTransition(@case.Id, null, startAt, actor, "Case opened", now));
        if (intake is not null) @case.RecordIntake(intake);
        if (sla is not null)
        {
            @case.FirstContactDueAt = now.AddDays(sla.DaysToFirstContact);
            @case.PacketDueAt = now.AddDays(sla.DaysToCompletePacket);
            @case.OpinionBusinessDays = sla.BusinessDaysToOpinion;
        }
        return @case;
    }

    public CaseIntake? Intake => Urgency is null
        ? null
        : new CaseIntake(_questions.ToList(), _diagnosisCodes.ToList(), DiagnosisText, _treatmentCodes.ToList(), TreatmentText,
            PhysicianName is null ? null : new TreatingPhysician(PhysicianName, PhysicianNpi, PhysicianOrganization, PhysicianContact),
            Urgency.Value, PreferredLanguage ?? "en", StateOfResidence ?? "", HeardVia);

    void RecordIntake(CaseIntake intake)
    {
        _questions.Clear();
        _questions.AddRange(intake.Questions);
        _diagnosisCodes.Clear();
        _diagnosisCodes.AddRange(intake.DiagnosisCodes);
        _treatmentCodes.Clear();
        _treatmentCodes.AddRange(intake.TreatmentCodes);
        (DiagnosisText, TreatmentText) = (intake.DiagnosisText, intake.TreatmentText);
        (PhysicianName, PhysicianNpi, PhysicianOrganization, PhysicianContact) =
            (intake.Physician?.Name, intake.Physician?.Npi, intake.Physician?.Organization, intake.Physician?.Contact);
        (Urgency, PreferredLanguage, StateOfResidence, HeardVia) = (intake.Urgency, intake.PreferredLanguage, intake.StateOfResidence, intake.HeardVia);
    }

    /// <summary>Moves the case to <paramref name="to"/> if the lifecycle allows it for this actor's role.</summary>
    /// <exception cref="IllegalTransitionException">The lifecycle has no such move from the current stage.</exception>
    /// <exception cref="ForbiddenException">The move exists but the actor's role may not make it.</exception>
    public void TransitionTo(CaseStatus to, Actor actor, string? reason, DateTimeOffset now)
    {
        var transition = CaseLifecycle.Find(Status, HeldFrom, to)
            ?? throw new IllegalTransitionException(Status, to, CaseLifecycle.AllowedTargets(Status, HeldFrom));
        if (!transition.Roles.Contains(actor.Role))
            throw new ForbiddenException($"The {actor.Role} role may not move a case from {Status} to {to}.");

        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (transition.ReasonRequired && reason is null)
            throw new RuleViolationException("reason", $"Moving a case from {Status} to {to} needs a reason.");
        if (reason?.Length > MaxReasonLength)
            throw new RuleViolationException("reason", $"The reason is longer than {MaxReasonLength} characters.");

        _transitions.Add(new CaseTransition(Id, Status, to, actor, reason, now));
        HeldFrom = to == CaseStatus.OnHold ? Status : null;
        Status = to;
        Touch(now);
    }

    public void AssignCoordinator(Guid userId, DateTimeOffset now)
    {
        CoordinatorUserId = userId;
        Touch(now);
    }

    public void AssignReviewer(Guid? userId, DateTimeOffset now)
    {
        ReviewerUserId = userId;
        Touch(now);
    }

    public void SetConsultMode(ConsultMode? mode, DateTimeOffset now)
    {
        ConsultMode = mode;
        Touch(now);
    }

    /// <summary>
    /// Time spent in each stage so far, derived from the transition history. The current stage counts up to
    /// <paramref name="now"/> while the case is open; a stage entered several times adds up.
    /// </summary>
    public IReadOnlyDictionary<CaseStatus, TimeSpan> StageTimes(DateTimeOffset now)
    {
        var times = new Dictionary<CaseStatus, TimeSpan>();
        var ordered = _transitions.OrderBy(t => t.At).ThenBy(t => t.Sequence).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var stage = ordered[i].To;
            DateTimeOffset? end = i + 1 < ordered.Count ? ordered[i + 1].At : IsOpen ? now : null;
            if (end is null) continue;
            var spent = end.Value - ordered[i].At;
            if (spent < TimeSpan.Zero) spent = TimeSpan.Zero;
            times[stage] = times.GetValueOrDefault(stage) + spent;
        }
        return times;
    }

    void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    static string NewNumber()
    {
        // Crockford base32 without I, L, O, U: unambiguous when read aloud or typed from a letter.
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return "C-" + new string(chars);
    }
}

/// <summary>One stage change: the audit of the lifecycle, and the source of stage turnaround times.</summary>
public sealed class CaseTransition
{
    CaseTransition() { ActorName = ""; ActorRole = ""; }

    internal CaseTransition(Guid caseId, CaseStatus? from, CaseStatus to, Actor actor, string? reason, DateTimeOffset at)
    {
        CaseId = caseId;
        From = from;
        To = to;
        ActorUserId = actor.UserId;
        ActorName = actor.Name;
        ActorRole = actor.Role;
        Reason = reason;
        At = at;
    }

    /// <summary>Database-assigned; orders transitions made within the same clock tick.</summary>
    public long Sequence { get; private set; }

    public Guid CaseId { get; private set; }
    public CaseStatus? From { get; private set; }
    public CaseStatus To { get; private set; }
    public Guid? ActorUserId { get; private set; }
    public string ActorName { get; private set; }
    public string ActorRole { get; private set; }
    public string? Reason { get; private set; }
    public DateTimeOffset At { get; private set; }
}

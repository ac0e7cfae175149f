namespace Consilium.Features.Cases;

public sealed record CaseView(
    Guid Id,
    string Number,
    Guid ProgramId,
    string ProgramName,
    Guid MemberId,
    string MemberName,
    CaseStatus Status,
    CaseStatus? HeldFrom,
    ConditionCategory Category,
    IntakeChannel Channel,
    string Concern,
    IReadOnlyList<CaseStatus> AllowedTransitions,
    int Version,
    IReadOnlyDictionary<string, long> StageTimes,
    Guid? CoordinatorUserId,
    Guid? ReviewerUserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record CaseSummary(
    Guid Id,
    string Number,
    Guid ProgramId,
    string ProgramName,
    Guid MemberId,
    string MemberName,
    CaseStatus Status,
    ConditionCategory Category,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FirstContactDueAt = null,
    bool FirstContactOverdue = false,
    DateTimeOffset? PacketDueAt = null,
    bool PacketOverdue = false,
    bool AssignedToMe = false);

public sealed record CasePage(IReadOnlyList<CaseSummary> Items, int Page, int PageSize, int Total);

public sealed record TimelineEvent(DateTimeOffset At, string Kind, CaseStatus? From, CaseStatus To, string Actor, string ActorRole, string? Reason);

public sealed record CreateCaseRequest(Guid? ProgramId, Guid? MemberId, ConditionCategory? Category, string? Concern, CaseStatus? StartAt);

/// <summary><see cref="Override"/> moves an incomplete packet to review anyway; it needs a reason and is audited as such.</summary>
public sealed record TransitionRequest(CaseStatus? To, string? Reason, int? Version, bool? Override = null);

/// <param name="Overdue">Only cases past a first-contact or packet SLA (see <see cref="CaseHandlers.ListAsync"/>).</param>
/// <param name="Mine">Only cases whose coordinator is the signed-in user.</param>
/// <param name="CaseId">Only this case: the live worklist asks whether a changed case now belongs in the filtered list.</param>
public sealed record CaseListFilter(CaseStatus? Status, Guid? ProgramId, string? Search, int? Page, int? PageSize, bool Overdue = false, bool Mine = false,
    Guid? CaseId = null);

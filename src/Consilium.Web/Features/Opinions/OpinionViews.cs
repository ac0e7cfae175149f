using Consilium.Features.Cases;
using Consilium.Features.Records;

namespace Consilium.Features.Opinions;

public sealed record OpinionVersionView(
    Guid Id, int? Number, OpinionStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SignedAt,
    string ReviewerName, string? ReviewerSpecialty, bool EducationalConsult, int? AmendsNumber, string? AmendmentReason,
    string? ContentSha256, bool Intact, int Version, OpinionContent Content);

public sealed record OpinionSummary(Guid Id, int Number, DateTimeOffset SignedAt, string ReviewerName, string? AmendmentReason, string ContentSha256, bool Intact);

/// <summary>
/// The case's opinion as the user may see it: the latest signed version and the history of signed versions; a draft
/// only for its author, the assigned reviewer. Everyone else sees nothing before signing.
/// </summary>
public sealed record CaseOpinionView(Guid CaseId, string CaseNumber, CaseStatus Status, OpinionVersionView? Current, OpinionVersionView? Draft,
    IReadOnlyList<OpinionSummary> History);

public sealed record SignOpinionRequest(int? Version = null, bool? Attest = null);

public sealed record AmendOpinionRequest(string? Reason);

public sealed record ReviewerNotesRequest(string? Text, int? Version = null);

public sealed record ReviewerNotesView(string Text, DateTimeOffset? UpdatedAt, int Version);

public sealed record PacketItem(RecordKind Kind, string Label, RecordCategory Category, string CategoryLabel, string Facility, RecordItemStatus Status, DateTimeOffset UpdatedAt);

public sealed record WorkspaceTimelineItem(DateTimeOffset At, string Kind, string Text);

public sealed record OpinionDueView(DateTimeOffset? PacketCompleteAt, DateTimeOffset? DueAt, int BusinessDays, int BusinessDaysElapsed, bool Overdue, DateTimeOffset? EscalatedAt);

/// <summary>Everything the assigned reviewer works from.</summary>
public sealed record WorkspaceView(
    Guid CaseId, string CaseNumber, CaseStatus Status, ConditionCategory Category, string Concern,
    string MemberName, DateOnly MemberBirthDate, int MemberAge, string MemberSex, string MemberState, string? TreatingPhysician,
    IReadOnlyList<string> Questions, CompletenessView Completeness, IReadOnlyList<PacketItem> Packet, IReadOnlyList<WorkspaceTimelineItem> Timeline,
    ReviewerNotesView Notes, OpinionVersionView? Draft, OpinionDraftRequest Suggested, IReadOnlyList<OpinionSummary> Signed, OpinionDueView Due,
    bool EducationalConsult);

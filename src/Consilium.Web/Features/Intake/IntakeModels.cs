using Consilium.Features.Cases;
using Consilium.Features.Funding;
using Consilium.Features.Members;

namespace Consilium.Features.Intake;

/// <summary>
/// One intake, whichever channel it came through: the phone form, the public portal or a partner's referral.
/// <see cref="Member"/> names an enrolled member (member id and date of birth, checked against the roster of a
/// sponsor-paid program) or, for self-pay and grant-funded programs, describes a new one.
/// </summary>
public sealed record IntakeRequest(
    Guid? ProgramId,
    IntakeMemberRequest? Member,
    ConditionCategory? Category,
    string? Concern,
    IReadOnlyList<string?>? Questions = null,
    CodedTextRequest? Diagnosis = null,
    CodedTextRequest? ProposedTreatment = null,
    TreatingPhysicianRequest? TreatingPhysician = null,
    Urgency? Urgency = null,
    string? PreferredLanguage = null,
    string? StateOfResidence = null,
    ReferralSource? HeardVia = null);

public sealed record IntakeMemberRequest(
    string? MemberId,
    DateOnly? DateOfBirth,
    string? FirstName = null,
    string? LastName = null,
    Sex? Sex = null,
    string? State = null,
    string? Email = null,
    string? Phone = null);

public sealed record CodedTextRequest(IReadOnlyList<string?>? Codes, string? Text);

public sealed record TreatingPhysicianRequest(string? Name, string? Npi, string? Organization, string? Contact);

public sealed record CodedTextView(IReadOnlyList<string> Codes, string? Text);

public sealed record PaymentView(Guid Id, decimal Amount, string Currency, PaymentStatus Status, PaymentMethod? Method, string? Reference,
    string Provider, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt, string? RecordedBy, int Version)
{
    internal static PaymentView Of(Payment p) => new(p.Id, p.Amount, p.Currency, p.Status, p.Method, p.Reference, p.Provider, p.CreatedAt,
        p.PaidAt, p.RecordedBy, p.Version);
}

/// <summary>A case as intake recorded it, with its coordinator, SLA clock and any self-pay payment.</summary>
public sealed record CaseIntakeView(
    Guid CaseId,
    string Number,
    CaseStatus Status,
    Guid ProgramId,
    Guid MemberId,
    IntakeChannel Channel,
    ConditionCategory Category,
    string Concern,
    IReadOnlyList<string> Questions,
    CodedTextView Diagnosis,
    CodedTextView ProposedTreatment,
    TreatingPhysician? TreatingPhysician,
    Urgency? Urgency,
    string? PreferredLanguage,
    string? StateOfResidence,
    ReferralSource? HeardVia,
    Guid? CoordinatorUserId,
    string? CoordinatorName,
    CaseSlaView Sla,
    IReadOnlyList<PaymentView> Payments,
    int Version,
    DateTimeOffset CreatedAt);

/// <summary>What the member or coordinator is told once the case exists.</summary>
public sealed record IntakeResult(Guid CaseId, string CaseNumber, CaseStatus Status, Guid MemberId, Guid? CoordinatorUserId,
    decimal MemberPrice, string? PaymentInstructions);

public sealed record ReassignRequest(Guid? CoordinatorUserId, int? Version);

namespace Consilium.X12;

/// <summary>One member maintenance record of an 834 (loop 2000, INS).</summary>
public sealed class EnrollmentEvent : X12Event
{
    public required Member Member { get; init; }
    /// <summary>INS03: 021 addition, 001 change, 024 cancellation or termination, 025 reinstatement, 030 audit or compare.</summary>
    public required string MaintenanceType { get; init; }
    /// <summary>INS04.</summary>
    public string? MaintenanceReason { get; init; }
    /// <summary>INS05: A active, C COBRA …</summary>
    public string? BenefitStatus { get; init; }
    /// <summary>N402 of loop 2100A (the member's residence).</summary>
    public string? State { get; init; }
    public string? PostalCode { get; init; }
    /// <summary>REF*1L group or policy number.</summary>
    public string? GroupNumber { get; init; }
    /// <summary>DTP*356 / 357 member-level eligibility dates.</summary>
    public DateOnly? EligibilityBegin { get; init; }
    public DateOnly? EligibilityEnd { get; init; }
    public IReadOnlyList<EnrollmentCoverage> Coverages { get; init; } = [];

    public bool IsAddition => MaintenanceType == "021";
    public bool IsTermination => MaintenanceType == "024";
}

/// <summary>One HD health coverage (loop 2300) with its DTP 348/349 dates.</summary>
public sealed record EnrollmentCoverage(
    string? MaintenanceType,
    // HD03: HLT, DEN, VIS, PDG …
    string? InsuranceLine,
    // HD04: plan coverage description, the plan name or code.
    string? Plan,
    // HD05: IND, FAM, EMP, ESP …
    string? CoverageLevel,
    DateOnly? Begin,
    DateOnly? End);

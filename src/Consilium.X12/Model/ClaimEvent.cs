namespace Consilium.X12;

public enum ClaimType { Professional, Institutional }

public enum ClaimFormat { X12, Csv, FhirEob }

/// <summary>
/// A claim as the trigger engine needs it, whether it came from an 837P/837I, the claims CSV or a FHIR
/// ExplanationOfBenefit. Diagnoses keep document order except that the principal one comes first.
/// </summary>
public sealed class ClaimEvent : X12Event
{
    public required ClaimFormat Format { get; init; }
    public required ClaimType ClaimType { get; init; }
    public required Member Member { get; init; }
    /// <summary>CLM01, the provider's claim identifier (EOB: identifier or id).</summary>
    public required string ClaimId { get; init; }
    /// <summary>CLM02.</summary>
    public decimal TotalCharge { get; init; }
    /// <summary>CLM05-1: place of service (professional) or facility type code (institutional).</summary>
    public string? PlaceOfService { get; init; }
    /// <summary>CLM05-2: B (place of service) or A (UB-04 facility type); often blank in 4010.</summary>
    public string? FacilityCodeQualifier { get; init; }
    /// <summary>CLM05-3: 1 original, 7 replacement, 8 void …</summary>
    public string? FrequencyCode { get; init; }
    /// <summary>Claim-level dates when present (DTP 434 statement, 472 service), otherwise the span of the lines.</summary>
    public DateOnly? ServiceFrom { get; init; }
    public DateOnly? ServiceTo { get; init; }
    /// <summary>DTP 435 (837I).</summary>
    public DateOnly? AdmissionDate { get; init; }
    /// <summary>DTP 096 (837I).</summary>
    public DateOnly? DischargeDate { get; init; }
    public IReadOnlyList<Diagnosis> Diagnoses { get; init; } = [];
    /// <summary>ICD-10-PCS (HI BBR/BBQ) or ICD-9 (BR/BQ) procedures of an institutional claim.</summary>
    public IReadOnlyList<ProcedureCode> Procedures { get; init; } = [];
    public IReadOnlyList<ServiceLine> Lines { get; init; } = [];
    /// <summary>2010AA NM1*85.</summary>
    public ProviderRef? BillingProvider { get; init; }
    /// <summary>2310B NM1*82 (837P) / 2310D (837I); lines may override it.</summary>
    public ProviderRef? RenderingProvider { get; init; }
    /// <summary>2310A NM1*71 (837I).</summary>
    public ProviderRef? AttendingProvider { get; init; }

    public string? BillingNpi => BillingProvider?.Npi;
    public string? RenderingNpi => RenderingProvider?.Npi;

    public Diagnosis? PrincipalDiagnosis => Diagnoses.Count > 0 && Diagnoses[0].IsPrincipal ? Diagnoses[0] : null;
}

/// <summary>One SV1 (professional) or SV2 (institutional) service line.</summary>
public sealed class ServiceLine
{
    /// <summary>LX01.</summary>
    public int LineNumber { get; init; }
    /// <summary>Qualifier of the procedure code (HC for CPT/HCPCS, IV, ER, WK …), null when the line has none.</summary>
    public string? ProcedureQualifier { get; init; }
    /// <summary>SV101-2 / SV202-2: CPT or HCPCS code.</summary>
    public string? ProcedureCode { get; init; }
    public IReadOnlyList<string> Modifiers { get; init; } = [];
    /// <summary>SV201 (institutional only).</summary>
    public string? RevenueCode { get; init; }
    /// <summary>SV102 / SV203.</summary>
    public decimal Charge { get; init; }
    public decimal? Units { get; init; }
    /// <summary>SV105 (professional): overrides the claim's place of service.</summary>
    public string? PlaceOfService { get; init; }
    /// <summary>SV107: 1-based pointers into the claim's diagnoses.</summary>
    public IReadOnlyList<int> DiagnosisPointers { get; init; } = [];
    public DateOnly? ServiceFrom { get; init; }
    public DateOnly? ServiceTo { get; init; }
    /// <summary>2420A NM1*82 (837P) / 2420C (837I).</summary>
    public ProviderRef? RenderingProvider { get; init; }
    public string? RenderingNpi => RenderingProvider?.Npi;
}

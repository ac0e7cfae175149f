namespace Consilium.X12;

/// <summary>
/// One patient event of a 278 (loop 2000E, or in 4010 files without an EV level the services of the
/// member) with its requested services and, in a response, the decisions.
/// </summary>
public sealed class AuthorizationEvent : X12Event
{
    /// <summary>BHT02: 13 request, 11 response, 28 …</summary>
    public string? Purpose { get; init; }
    /// <summary>True for a response: BHT02=11 or any HCR decision present.</summary>
    public bool IsResponse { get; init; }
    /// <summary>BHT04: the date the request (or response) was created.</summary>
    public DateOnly? RequestDate { get; init; }
    /// <summary>BHT03 reference / TRN02 trace number of the event.</summary>
    public string? TraceNumber { get; init; }
    public required Member Member { get; init; }
    /// <summary>UM01: AR admission review, HS health services review, SC specialty care review …</summary>
    public string? RequestCategory { get; init; }
    /// <summary>UM02: I initial, R renewal, S revised, E extension …</summary>
    public string? CertificationType { get; init; }
    /// <summary>UM03: service type code (1 medical care, 2 surgical …).</summary>
    public string? ServiceType { get; init; }
    /// <summary>UM04-1 facility or place of service code.</summary>
    public string? FacilityCode { get; init; }
    public DateOnly? ServiceFrom { get; init; }
    public DateOnly? ServiceTo { get; init; }
    public DateOnly? AdmissionDate { get; init; }
    public IReadOnlyList<Diagnosis> Diagnoses { get; init; } = [];
    public IReadOnlyList<ProcedureCode> Procedures { get; init; } = [];
    public IReadOnlyList<AuthorizationService> Services { get; init; } = [];
    /// <summary>2010B: the requester (NM1*1P, FA …).</summary>
    public ProviderRef? RequestingProvider { get; init; }
    /// <summary>2010EA/2010FA servicing provider (NM1*SJ, FA, 72 …) at the event level.</summary>
    public ProviderRef? ServicingProvider { get; init; }
    /// <summary>HCR01 at event level: A1 certified in total, A3 not certified, A4 pended, A6 modified, C cancelled, CT contact payer …</summary>
    public string? Decision { get; init; }
    /// <summary>HCR02: the payer's certification number.</summary>
    public string? CertificationNumber { get; init; }
}

/// <summary>A requested service (278 loop 2000F).</summary>
public sealed class AuthorizationService
{
    public string? RequestCategory { get; init; }
    public string? CertificationType { get; init; }
    public string? ServiceType { get; init; }
    /// <summary>Qualifier of <see cref="ProcedureCode"/>: HC for CPT/HCPCS, AD for dental, N4 for NDC …</summary>
    public string? ProcedureQualifier { get; init; }
    public string? ProcedureCode { get; init; }
    public IReadOnlyList<string> Modifiers { get; init; } = [];
    /// <summary>SV201 when the service was requested as SV2.</summary>
    public string? RevenueCode { get; init; }
    public decimal? Quantity { get; init; }
    public DateOnly? ServiceFrom { get; init; }
    public DateOnly? ServiceTo { get; init; }
    public ProviderRef? ServicingProvider { get; init; }
    public string? Decision { get; init; }
    public string? CertificationNumber { get; init; }
}

namespace Consilium.X12;

/// <summary>
/// Something the reader found: a claim, a prior-authorization request or response, or an enrollment.
/// </summary>
public abstract class X12Event
{
    /// <summary>Name of the input as given to the reader (not necessarily a path).</summary>
    public required string FileName { get; init; }

    /// <summary>Envelope the event came from; null for claims read from CSV or FHIR NDJSON.</summary>
    public X12TransactionInfo? Transaction { get; init; }

    /// <summary>Byte offset of the event's first segment (CLM, INS, first HL of a 278) in X12 input; -1 otherwise.</summary>
    public long ByteOffset { get; init; } = -1;

    /// <summary>1-based line of the CSV row or NDJSON record; 0 for X12.</summary>
    public long LineNumber { get; init; }
}

/// <summary>One ST..SE transaction set and the ISA/GS envelopes around it; shared by all of its events.</summary>
public sealed record X12TransactionInfo(
    string InterchangeControlNumber,
    string SenderId,
    string ReceiverId,
    string GroupControlNumber,
    string FunctionalIdentifier,
    string TransactionSetId,
    string TransactionControlNumber,
    // ST03 when present (5010), otherwise GS08 (4010): e.g. 005010X222A1, 004010X098A1.
    string? ImplementationVersion,
    long ByteOffset);

/// <summary>
/// A provider named by an NM1 segment: <see cref="Name"/> is the organization or last name (NM103),
/// <see cref="FirstName"/> NM104 for a person. <see cref="Npi"/> is set only when NM108 is XX.
/// </summary>
public sealed record ProviderRef(string EntityCode, string? IdQualifier, string? Id, string? Name, string? FirstName = null)
{
    public string? Npi => IdQualifier == "XX" ? Id : null;
}

/// <summary>ICD diagnosis with its X12 qualifier (ABK, ABF, BK, BF …); codes are stored without the dot.</summary>
public readonly record struct Diagnosis(string Qualifier, string Code)
{
    public DiagnosisKind Kind => Qualifiers.DiagnosisKindOf(Qualifier);

    /// <summary>5010 qualifiers start with 'A' (ABK, ABF …) and mean ICD-10-CM; the 4010 ones (BK, BF …) mean ICD-9-CM.</summary>
    public CodeSystem CodeSystem => Qualifier.Length == 3 && Qualifier[0] == 'A' ? CodeSystem.Icd10Cm : CodeSystem.Icd9Cm;

    public bool IsPrincipal => Kind == DiagnosisKind.Principal;
}

/// <summary>A coded procedure: ICD-10-PCS (BBR/BBQ), ICD-9 procedure (BR/BQ) or a CPT/HCPCS code.</summary>
public readonly record struct ProcedureCode(string Qualifier, string Code, DateOnly? Date = null)
{
    public CodeSystem CodeSystem => Qualifiers.ProcedureSystemOf(Qualifier);
    public bool IsPrincipal => Qualifier is "BBR" or "BR" or "CAH";
}

public enum DiagnosisKind { Principal, Admitting, PatientReason, ExternalCause, Other }

public enum CodeSystem { Icd10Cm, Icd9Cm, Icd10Pcs, Icd9Pcs, Hcpcs, Ndc, Other }

/// <summary>The person a claim, authorization or enrollment is about.</summary>
public sealed record Member
{
    /// <summary>The member identifier: NM109 of the subscriber (837/278), or for 834 REF*23, else NM109, else REF*0F.</summary>
    public required string MemberId { get; init; }
    /// <summary>Identifier of the subscriber through whom the member is covered (the same as MemberId for a subscriber).</summary>
    public string? SubscriberId { get; init; }
    public string? LastName { get; init; }
    public string? FirstName { get; init; }
    public string? MiddleName { get; init; }
    public DateOnly? BirthDate { get; init; }
    /// <summary>DMG03: M, F or U.</summary>
    public string? Sex { get; init; }
    /// <summary>True when the member is the subscriber, false when a dependent (837 loop 2010CA, 278 2000D, 834 INS01=N).</summary>
    public bool IsSubscriber { get; init; } = true;
    /// <summary>Relationship to the subscriber: PAT01 (837), INS02 (834); 18 is self.</summary>
    public string? Relationship { get; init; }
}

static class Qualifiers
{
    public static DiagnosisKind DiagnosisKindOf(string qualifier) => qualifier switch
    {
        "ABK" or "BK" => DiagnosisKind.Principal,
        "ABJ" or "BJ" => DiagnosisKind.Admitting,
        "APR" or "PR" => DiagnosisKind.PatientReason,
        "ABN" or "BN" => DiagnosisKind.ExternalCause,
        _ => DiagnosisKind.Other,
    };

    public static CodeSystem ProcedureSystemOf(string qualifier) => qualifier switch
    {
        "BBR" or "BBQ" => CodeSystem.Icd10Pcs,
        "BR" or "BQ" => CodeSystem.Icd9Pcs,
        "HC" or "BO" or "BP" or "CAH" => CodeSystem.Hcpcs,
        "N4" => CodeSystem.Ndc,
        _ => CodeSystem.Other,
    };
}

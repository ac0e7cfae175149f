namespace Consilium.Features.Documents;

/// <summary>What a clinical timeline entry records. Persisted by name.</summary>
public enum ClinicalEntryKind
{
    Condition,
    Procedure,
    Medication,
    /// <summary>A laboratory observation (FHIR Observation with category "laboratory").</summary>
    Lab,
    DiagnosticReport,
    ImagingStudy,
    Encounter,
}

/// <summary>
/// One event of the member's clinical history, taken from a resource of an imported FHIR bundle and linked to the
/// document it came from. Read-only once imported: the source document is the record; this is an index into it.
/// </summary>
public sealed class ClinicalEntry
{
    ClinicalEntry() { ResourceType = ""; Display = ""; }

    public ClinicalEntry(Guid id, Guid caseId, Guid documentId, ClinicalEntryKind kind, string resourceType, string? resourceId,
        DateTimeOffset? occurredAt, DateTimeOffset? endedAt, string? codeSystem, string? code, string display, string? status,
        string? value, string? category)
    {
        Id = id;
        CaseId = caseId;
        DocumentId = documentId;
        Kind = kind;
        ResourceType = CaseDocument.Clip(resourceType, 40)!;
        ResourceId = CaseDocument.Clip(resourceId, 200);
        OccurredAt = occurredAt?.ToUniversalTime();
        EndedAt = endedAt?.ToUniversalTime();
        CodeSystem = CaseDocument.Clip(codeSystem, 200);
        Code = CaseDocument.Clip(code, 100);
        Display = CaseDocument.Clip(display, 500)!;
        Status = CaseDocument.Clip(status, 40);
        Value = CaseDocument.Clip(value, 500);
        Category = CaseDocument.Clip(category, 100);
    }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid DocumentId { get; private set; }
    public ClinicalEntryKind Kind { get; private set; }

    /// <summary>The FHIR resource type it came from (MedicationRequest, Observation, ...).</summary>
    public string ResourceType { get; private set; }
    public string? ResourceId { get; private set; }

    /// <summary>Onset, performed, authored, effective, started or period start, in UTC; null when the resource gives none.</summary>
    public DateTimeOffset? OccurredAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }

    public string? CodeSystem { get; private set; }
    public string? Code { get; private set; }
    public string Display { get; private set; }
    public string? Status { get; private set; }

    /// <summary>A lab's result with its unit, a report's conclusion, an imaging study's series and instance counts.</summary>
    public string? Value { get; private set; }
    public string? Category { get; private set; }
}

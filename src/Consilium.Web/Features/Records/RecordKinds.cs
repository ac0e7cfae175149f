namespace Consilium.Features.Records;

/// <summary>The pieces of a clinical packet a reviewer needs. Persisted by name.</summary>
public enum RecordKind
{
    ImagingFiles,
    RadiologyReport,
    PathologySlides,
    DigitalPathology,
    PathologyReport,
    ConsultNote,
    OperativeNote,
    TreatmentHistory,
    ConservativeTherapyHistory,
    Labs,
    MedicationList,
    PriorResponseToTherapy,
    CathReport,
    EchoReport,
    Ecg,
    DischargeSummary,
    Other,
}

/// <summary>The categories a HIPAA authorization names; each record kind falls under exactly one.</summary>
public enum RecordCategory
{
    Imaging,
    Pathology,
    ClinicalNotes,
    TreatmentHistory,
    LabResults,
    Medications,
    CardiacStudies,
    Other,
}

public static class RecordKinds
{
    public static RecordCategory CategoryOf(RecordKind kind) => kind switch
    {
        RecordKind.ImagingFiles or RecordKind.RadiologyReport => RecordCategory.Imaging,
        RecordKind.PathologySlides or RecordKind.DigitalPathology or RecordKind.PathologyReport => RecordCategory.Pathology,
        RecordKind.ConsultNote or RecordKind.OperativeNote or RecordKind.DischargeSummary => RecordCategory.ClinicalNotes,
        RecordKind.TreatmentHistory or RecordKind.ConservativeTherapyHistory or RecordKind.PriorResponseToTherapy => RecordCategory.TreatmentHistory,
        RecordKind.Labs => RecordCategory.LabResults,
        RecordKind.MedicationList => RecordCategory.Medications,
        RecordKind.CathReport or RecordKind.EchoReport or RecordKind.Ecg => RecordCategory.CardiacStudies,
        _ => RecordCategory.Other,
    };

    public static string Label(RecordKind kind) => kind switch
    {
        RecordKind.ImagingFiles => "Imaging files (DICOM)",
        RecordKind.RadiologyReport => "Radiology report",
        RecordKind.PathologySlides => "Pathology slides",
        RecordKind.DigitalPathology => "Digital pathology images",
        RecordKind.PathologyReport => "Pathology report",
        RecordKind.ConsultNote => "Consult note",
        RecordKind.OperativeNote => "Operative note",
        RecordKind.TreatmentHistory => "Treatment history",
        RecordKind.ConservativeTherapyHistory => "Conservative therapy history (PT, injections, medication)",
        RecordKind.Labs => "Laboratory results",
        RecordKind.MedicationList => "Medication list",
        RecordKind.PriorResponseToTherapy => "Prior response to therapy",
        RecordKind.CathReport => "Cardiac catheterization report",
        RecordKind.EchoReport => "Echocardiogram report",
        RecordKind.Ecg => "ECG",
        RecordKind.DischargeSummary => "Discharge summary",
        _ => "Other records",
    };

    public static string Label(RecordCategory category) => category switch
    {
        RecordCategory.ClinicalNotes => "Clinical notes (consults, operative notes, discharge summaries)",
        RecordCategory.TreatmentHistory => "Treatment history and response to therapy",
        RecordCategory.LabResults => "Laboratory results",
        RecordCategory.CardiacStudies => "Cardiac studies (catheterization, echocardiogram, ECG)",
        RecordCategory.Other => "Other records related to the condition",
        _ => category.ToString(),
    };
}

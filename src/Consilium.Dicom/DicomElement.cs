namespace Consilium.Dicom;

/// <summary>
/// One top-level element as <see cref="DicomFile.ReadElements(Stream, DicomReadOptions?)"/> reports it.
/// <see cref="Value"/> is the decoded string for string VRs and backslash-separated numbers for binary
/// numeric VRs (as dcmdump prints them); it is null for sequences, bulk data (OB, OW, UN...), values over
/// the string limit and numeric values over 4 KB.
/// </summary>
public sealed record DicomElement(DicomTag Tag, DicomVR VR, long Offset, uint? Length, string? Value)
{
    public bool IsSequence => VR == DicomVR.SQ;
}

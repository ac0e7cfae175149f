using Consilium.Documents;
using Consilium.Features.Consents;

namespace Consilium.Features.Records;

/// <summary>The letter to a facility asking for the member's records, citing the authorization that allows it.</summary>
public static class RecordRequestLetter
{
    public static byte[] Render(RecordRequest request, Consent consent, string memberName, DateOnly birthDate, string programName,
        string caseNumber, string coordinator, DateTimeOffset now)
    {
        var open = request.Items.Where(i => i.IsOpen).ToList();
        return PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata
            {
                Title = $"Request for medical records — {request.Facility}",
                Author = programName,
                CreatedAt = now,
                DocumentId = $"REQ-{request.Id}",
                Keywords = ["records request"],
            })
            .Title("Request for medical records")
            .KeyValues(
                ("To", request.Facility),
                ("Fax", request.FacilityFax ?? "—"),
                ("Phone", request.FacilityPhone ?? "—"),
                ("Date", now.UtcDateTime.ToString("MMMM d, yyyy")),
                ("From", $"{coordinator}, nurse care coordinator, {programName}"),
                ("Our reference", caseNumber))
            .Heading("Patient", 2)
            .KeyValues(("Name", memberName), ("Date of birth", birthDate.ToString("yyyy-MM-dd")))
            .Paragraph($"{memberName} has asked for an independent expert second medical opinion through {programName}. " +
                       "Please send the following records:")
            .Table([new TableColumn("Record", 3), new TableColumn("Needed by", 1)],
                open.Select(i => (IReadOnlyList<string>)[RecordKinds.Label(i.Kind), i.DueOn.ToString("yyyy-MM-dd")]))
            .Heading("Authorization", 2)
            .Paragraph($"This request is made under the patient's HIPAA authorization (45 CFR 164.508) signed by {consent.SignedName} on " +
                       $"{consent.SignedAt.UtcDateTime:MMMM d, yyyy}, valid until {consent.ExpiresOn:MMMM d, yyyy}, naming {request.Facility} as a source. " +
                       $"Authorization id: {consent.Id}. A copy is available on request.")
            .Paragraph("Imaging: please send the DICOM images (CD, secure upload link or DICOM transfer), not only the report.")
            .Notice("Confidential: this letter and the records requested contain protected health information. If you received it in error, please notify the sender and destroy it.")
            .Build();
    }
}

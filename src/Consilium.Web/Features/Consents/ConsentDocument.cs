using Consilium.Documents;
using Consilium.Features.Records;

namespace Consilium.Features.Consents;

/// <summary>
/// The signed authorization as a PDF, with every element 45 CFR 164.508(c) requires: what, from whom, to whom, why,
/// until when, the right to revoke and how, no conditioning of treatment, redisclosure, signature and date.
/// </summary>
public static class ConsentDocument
{
    public static byte[] Render(Consent consent, string memberName, DateOnly memberBirthDate, string programName, string caseNumber, byte[] signaturePng)
    {
        var writer = PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata
            {
                Title = "Authorization to use and disclose protected health information",
                Author = "Consilium",
                Subject = $"Case {caseNumber}",
                Keywords = ["HIPAA authorization", "consent"],
                CreatedAt = consent.SignedAt,
                DocumentId = $"CONSENT-{consent.Id}",
            })
            .Title("Authorization to use and disclose protected health information")
            .Paragraph("This authorization is made under the HIPAA Privacy Rule, 45 CFR 164.508.")
            .KeyValues(
                ("Member", memberName),
                ("Date of birth", memberBirthDate.ToString("yyyy-MM-dd")),
                ("Program", programName),
                ("Case", caseNumber))
            .Heading("Records that may be disclosed", 2)
            .BulletList(consent.Scope.Select(RecordKinds.Label))
            .Heading("Who may disclose them", 2)
            .BulletList(consent.Sources)
            .Heading("Who may receive them", 2)
            .BulletList(Recipients(consent.Recipients, programName))
            .Heading("Purpose", 2)
            .Paragraph(consent.Purpose)
            .Heading("Expiration", 2)
            .Paragraph($"This authorization expires on {consent.ExpiresOn:MMMM d, yyyy}, unless revoked earlier.")
            .Heading("Your rights", 2)
            .BulletList(
                "You may revoke this authorization at any time, in writing or in the Consilium member portal. Revocation stops new requests for records from that moment; it does not undo disclosures already made in reliance on it.",
                "Your treatment, payment, enrollment or eligibility for benefits does not depend on whether you sign this authorization.",
                "Information disclosed under this authorization may be redisclosed by the recipient and may then no longer be protected by federal privacy rules.",
                "You may receive a copy of this signed authorization.")
            .Heading("Signature", 2)
            .KeyValues(
                ("Signed by (typed name)", consent.SignedName),
                ("Signed at", consent.SignedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'")),
                ("Signed from", consent.SignedFromIp),
                ("Authorization id", consent.Id.ToString()))
            .Image(signaturePng, 240, 80)
            .Notice("Signed electronically. The typed name, the drawn signature, the time and the network address above were recorded when the member signed.");
        return writer.Build();
    }

    static IEnumerable<string> Recipients(ConsentRecipients recipients, string programName)
    {
        if (recipients.HasFlag(ConsentRecipients.Program)) yield return $"{programName}, operated on the Consilium platform, and its nurse care coordinators";
        if (recipients.HasFlag(ConsentRecipients.ReviewingPhysician)) yield return "The licensed specialist physician assigned to review the case";
        if (recipients.HasFlag(ConsentRecipients.LocalPhysician)) yield return "The member's treating (local) physician, who receives the clinical report";
    }
}

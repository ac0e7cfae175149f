using Consilium.Documents;
using static Consilium.Features.Opinions.OpinionWording;

namespace Consilium.Features.Opinions;

/// <summary>What a report says besides the opinion itself.</summary>
public sealed record ReportContext(
    string CaseNumber,
    string ProgramName,
    string MemberName,
    DateOnly MemberBirthDate,
    string MemberSex,
    string MemberState,
    string? TreatingPhysician,
    IReadOnlyList<VersionHistoryEntry> History);

public sealed record VersionHistoryEntry(int Number, DateTimeOffset SignedAt, string ReviewerName, string? AmendmentReason);

/// <summary>
/// The two reports, rendered from a signed version with <see cref="PdfDocumentWriter"/>: a plain-language one for the
/// member and a clinical one for the local physician, both with the educational-consult wording when the opinion was
/// given as one.
/// </summary>
public static class OpinionReports
{
    public static byte[] Render(ReportKind kind, Opinion opinion, ReportContext context) =>
        kind == ReportKind.Member ? Member(opinion, context) : Clinical(opinion, context);

    public static byte[] Member(Opinion opinion, ReportContext x)
    {
        var c = opinion.Content;
        var signed = opinion.SignedAt ?? opinion.UpdatedAt;
        var pdf = PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata
            {
                Title = "Your expert second opinion",
                Author = x.ProgramName,
                Subject = $"Second opinion for case {x.CaseNumber}, version {opinion.Number}",
                CreatedAt = signed,
                DocumentId = $"OPN-{x.CaseNumber}-v{opinion.Number}-M",
                Keywords = ["second opinion", "member report"],
            })
            .Title("Your expert second opinion")
            .KeyValues(
                ("For", x.MemberName),
                ("Reference", x.CaseNumber),
                ("Program", x.ProgramName),
                ("Reviewed by", Reviewer(opinion)),
                ("Date", signed.UtcDateTime.ToString("MMMM d, yyyy")),
                ("Version", VersionLine(opinion, x)));
        if (opinion.EducationalConsult) pdf.Notice(EducationalForMember(x.MemberState, x.TreatingPhysician));

        pdf.Heading("In short", 2).Paragraph(c.SummaryForMember ?? "");
        pdf.Heading("How soon to act", 2).Paragraph(UrgencyForMember(c.Urgency));

        pdf.Heading("Your diagnosis", 2).Paragraph(DiagnosisForMember(c.Diagnosis));
        if (ConfidenceForMember(c.Diagnosis.Confidence) is { Length: > 0 } confidence) pdf.Paragraph(confidence);

        pdf.Heading("What the specialist recommends", 2).Paragraph(TreatmentAgreementForMember(c.Treatment.Agreement));
        pdf.BulletList(PlanForMember(c.Treatment.Recommended, c.Treatment.Proposed.Surgery));
        if (c.Treatment.Agreement != TreatmentAgreement.Agree && !c.Treatment.Proposed.IsEmpty)
            pdf.Paragraph("What was proposed before the review: " + string.Join(" ", PlanForMember(c.Treatment.Proposed, c.Treatment.Proposed.Surgery)));

        pdf.Heading("Where to get care", 2).Paragraph(SiteForMember(c.SiteOfCare));

        if (c.Options.Count > 0)
        {
            pdf.Heading("Options the specialist considered", 2);
            foreach (var option in c.Options)
            {
                pdf.Heading(option.Recommended ? $"{option.Name} (recommended)" : option.Name, 3)
                    .KeyValues(("Benefits", option.Benefits), ("Risks", option.Risks), ("Why", option.Rationale));
            }
        }

        if (c.Answers.Count > 0)
        {
            pdf.Heading("Your questions, answered", 2);
            foreach (var qa in c.Answers) pdf.Heading(qa.Question, 3).Paragraph(qa.Answer);
        }

        pdf.Heading("Your next steps", 2).NumberedList(c.NextSteps);
        pdf.Heading("About this opinion", 2)
            .Paragraph("The specialist reviewed your medical records but did not examine you. An opinion is advice to help you and your doctor decide; " +
                       "it does not replace your doctor. Talk about this report with your doctor before you make a decision. You can book a video " +
                       "visit with the specialist from your member portal, and your care coordinator can answer questions about what happens next.")
            .Notice("Confidential: this report contains your health information. Keep it private.");
        return pdf.Build();
    }

    public static byte[] Clinical(Opinion opinion, ReportContext x)
    {
        var c = opinion.Content;
        var signed = opinion.SignedAt ?? opinion.UpdatedAt;
        var title = opinion.EducationalConsult ? $"{EducationalTitle} — clinical report" : "Expert second opinion — clinical report";
        var pdf = PdfDocumentWriter.Create(PageSize.Letter)
            .Metadata(new PdfMetadata
            {
                Title = title,
                Author = opinion.ReviewerName,
                Subject = $"Second opinion for case {x.CaseNumber}, version {opinion.Number}",
                CreatedAt = signed,
                DocumentId = $"OPN-{x.CaseNumber}-v{opinion.Number}-C",
                Keywords = ["second opinion", "clinical report"],
            })
            .Title(title);
        if (opinion.EducationalConsult) pdf.Notice(EducationalForPhysician(x.MemberState));
        pdf.KeyValues(
            ("Patient", x.MemberName),
            ("Date of birth", x.MemberBirthDate.ToString("yyyy-MM-dd")),
            ("Sex", x.MemberSex),
            ("State of residence", x.MemberState),
            ("Treating physician", x.TreatingPhysician ?? "not recorded"),
            ("Reviewing physician", Reviewer(opinion) + (opinion.ReviewerNpi is null ? "" : $", NPI {opinion.ReviewerNpi}")),
            ("Case reference", $"{x.CaseNumber} ({x.ProgramName})"),
            ("Signed", signed.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'")),
            ("Version", VersionLine(opinion, x)),
            ("Urgency", Label(c.Urgency)));

        pdf.Heading("Diagnosis", 2)
            .Table([new TableColumn("", 1), new TableColumn("ICD-10-CM", 1.2), new TableColumn("Description", 3)],
            [
                ["Original", Codes(c.Diagnosis.OriginalCodes), c.Diagnosis.OriginalText ?? ""],
                ["Reviewer", Codes(c.Diagnosis.ReviewerCodes), c.Diagnosis.ReviewerText ?? ""],
            ])
            .KeyValues(
                ("Agreement", Label(c.Diagnosis.Agreement)),
                ("Confidence", c.Diagnosis.Confidence?.ToString() ?? "not applicable"));
        if (c.Diagnosis.AdditionalInformationNeeded is { } needed) pdf.KeyValues(("Additional information needed", needed));

        var p = c.Treatment.Proposed;
        var r = c.Treatment.Recommended;
        pdf.Heading("Treatment", 2)
            .Table([new TableColumn("", 1.2), new TableColumn("Originally proposed", 2), new TableColumn("Recommended", 2)],
            [
                ["Surgery", YesNo(p.Surgery), YesNo(r.Surgery)],
                ["Procedure", Procedure(p), Procedure(r)],
                ["Hospitalization", YesNo(p.Hospitalization), YesNo(r.Hospitalization)],
                ["Alternatives", Alternatives(p), Alternatives(r)],
                ["Description", p.Description ?? "", r.Description ?? ""],
            ])
            .KeyValues(("Agreement", Label(c.Treatment.Agreement)));

        pdf.Heading("Site of care", 2).KeyValues(("Recommendation", Label(c.SiteOfCare.Recommendation)), ("Reason", c.SiteOfCare.Reason ?? "—"));

        if (c.Options.Count > 0)
        {
            pdf.Heading("Options considered", 2)
                .Table([new TableColumn("Option", 1.3), new TableColumn("Benefits", 2), new TableColumn("Risks", 2), new TableColumn("Rationale", 2)],
                    c.Options.Select(o => (IReadOnlyList<string>)[o.Recommended ? $"{o.Name} (recommended)" : o.Name, o.Benefits, o.Risks, o.Rationale]));
        }
        if (c.ClinicalDiscussion is { } discussion) pdf.Heading("Discussion", 2).Paragraph(discussion);
        if (c.Evidence.Count > 0)
            pdf.Heading("Evidence cited", 2).NumberedList(c.Evidence.Select(e => e.Url is null ? e.Citation : $"{e.Citation} {e.Url}"));
        if (c.Answers.Count > 0)
        {
            pdf.Heading("The patient's questions and the answers given", 2);
            for (var i = 0; i < c.Answers.Count; i++)
                pdf.KeyValues(($"Question {i + 1}", c.Answers[i].Question), ("Answer", c.Answers[i].Answer));
        }
        pdf.Heading("Next steps", 2).NumberedList(c.NextSteps);
        if (x.History.Count > 1)
        {
            pdf.Heading("Version history", 2)
                .Table([new TableColumn("Version", 0.8), new TableColumn("Signed", 1.5), new TableColumn("By", 1.5), new TableColumn("Reason for the amendment", 3)],
                    x.History.Select(h => (IReadOnlyList<string>)[h.Number.ToString(), h.SignedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm"), h.ReviewerName, h.AmendmentReason ?? "original opinion"]));
        }
        pdf.Heading("Attestation", 2)
            .Paragraph($"Electronically signed by {Reviewer(opinion)}{(opinion.ReviewerNpi is null ? "" : $", NPI {opinion.ReviewerNpi}")} on " +
                       $"{signed.UtcDateTime:yyyy-MM-dd HH:mm} UTC, after review of the records provided. No physical examination was performed. " +
                       $"Content fingerprint (SHA-256): {opinion.ContentSha256}")
            .Notice("Confidential: this report contains protected health information, disclosed under the patient's authorization. " +
                    "If you received it in error, notify the sender and destroy it.");
        return pdf.Build();
    }

    static string Reviewer(Opinion o) => o.ReviewerSpecialty is null ? o.ReviewerName : $"{o.ReviewerName}, {o.ReviewerSpecialty}";

    static string VersionLine(Opinion o, ReportContext x) => o.AmendmentReason is null
        ? $"{o.Number}"
        : $"{o.Number} — amends version {x.History.Where(h => h.Number < o.Number).Select(h => h.Number).DefaultIfEmpty(o.Number!.Value - 1).Max()}: {o.AmendmentReason}";

    static string YesNo(bool value) => value ? "Yes" : "No";
}

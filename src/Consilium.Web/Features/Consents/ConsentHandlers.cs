using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Consents;

public sealed record SignConsentRequest(
    IReadOnlyList<RecordCategory>? Scope,
    IReadOnlyList<string>? Sources,
    IReadOnlyList<ConsentRecipients>? Recipients,
    string? Purpose,
    DateOnly? ExpiresOn,
    string? TypedName,
    string? SignaturePng);

public sealed record RevokeConsentRequest(string? Reason);

public sealed record ConsentView(Guid Id, Guid CaseId, ConsentStatus Status, IReadOnlyList<RecordCategory> Scope, IReadOnlyList<string> Sources,
    IReadOnlyList<ConsentRecipients> Recipients, string Purpose, DateOnly ExpiresOn, string SignedName, DateTimeOffset SignedAt,
    DateTimeOffset? RevokedAt, string? RevocationReason, string? PdfSha256, int Version);

/// <summary>Whether records may be requested from a facility, or viewed by a role, under the case's authorizations.</summary>
public sealed class ConsentGate(ConsiliumDbContext db, TimeProvider clock)
{
    public async Task<Consent?> ActiveAsync(Guid caseId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var consents = await db.Set<Consent>().AsNoTracking().Where(c => c.CaseId == caseId && c.RevokedAt == null)
            .OrderByDescending(c => c.SignedAt).ToListAsync(ct);
        return consents.FirstOrDefault(c => c.StatusOn(now) == ConsentStatus.Active);
    }

    /// <summary>The active authorization that allows requesting <paramref name="kinds"/> from <paramref name="facility"/>, or a clear refusal.</summary>
    public async Task<Consent> RequireForRequestAsync(Guid caseId, string facility, IEnumerable<RecordKind> kinds, CancellationToken ct)
    {
        var consent = await ActiveAsync(caseId, ct)
            ?? throw new ConflictException("Records cannot be requested: the case has no signed, unexpired, unrevoked authorization.");
        if (!consent.AllowsSource(facility))
            throw new RuleViolationException("facility", $"The authorization does not name this facility. It names: {string.Join(", ", consent.Sources)}.");
        var outside = kinds.Select(RecordKinds.CategoryOf).Distinct().Where(c => !consent.Covers(c)).ToList();
        if (outside.Count > 0)
            throw new RuleViolationException("items", $"The authorization does not cover: {string.Join(", ", outside.Select(RecordKinds.Label))}.");
        return consent;
    }

    /// <summary>
    /// Records are shown only under an active authorization naming the viewer's kind of recipient; the member always
    /// sees their own. Revocation therefore cuts a reviewer off at once, while the records stay in the legal record.
    /// </summary>
    public async Task<bool> MayViewRecordsAsync(Guid caseId, string role, CancellationToken ct)
    {
        if (role == Roles.Patient) return true;
        var needed = role switch
        {
            Roles.Reviewer => ConsentRecipients.ReviewingPhysician,
            Roles.Coordinator or Roles.ProgramAdmin => ConsentRecipients.Program,
            _ => (ConsentRecipients?)null,
        };
        if (needed is null) return false;
        var consent = await ActiveAsync(caseId, ct);
        return consent is not null && consent.Recipients.HasFlag(needed.Value);
    }
}

internal sealed class ConsentHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IDocumentStore documents)
{
    const string ObjectType = "Consent";
    const int MaxSignatureBytes = 256 * 1024;

    public async Task<ConsentView> SignAsync(Guid caseId, SignConsentRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Scope is null) errors["scope"] = ["This field is required."];
        if (request.Sources is null) errors["sources"] = ["This field is required."];
        if (request.Recipients is null) errors["recipients"] = ["This field is required."];
        if (request.ExpiresOn is null) errors["expiresOn"] = ["This field is required."];
        if (string.IsNullOrWhiteSpace(request.SignaturePng)) errors["signaturePng"] = ["Draw your signature."];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        var signature = DecodePng(request.SignaturePng!);

        var now = clock.GetUtcNow();
        var target = await db.Cases.VisibleTo(db, user, now).Where(c => c.Id == caseId).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        if (!target.IsOpen) throw new ConflictException($"The case is {target.Status}: there is nothing left to authorize.");
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == target.MemberId, ct);
        var program = await db.Programs.AsNoTracking().Where(p => p.Id == target.ProgramId).Select(p => p.Name).SingleAsync(ct);

        var consent = Consent.Sign(caseId, member.Id, request.Scope!, request.Sources!,
            request.Recipients!.Aggregate(ConsentRecipients.None, (all, r) => all | r), request.Purpose, request.ExpiresOn!.Value,
            request.TypedName ?? "", member.DisplayName, user.UserId, user.Source, now);

        // The PDF is stored before the row that points at it; if the save fails the orphan blob is deleted.
        var pdf = ConsentDocument.Render(consent, member.DisplayName, member.DateOfBirth, program, target.Number, signature);
        var blob = await documents.WriteAsync(new MemoryStream(pdf, writable: false), ct);
        try
        {
            consent.AttachPdf(blob.Id, blob.Sha256);
            db.Add(consent);
            if (target.Status == CaseStatus.AwaitingConsent)
                target.TransitionTo(CaseStatus.CollectingRecords, Actor.System("consent signed"), "Authorization signed by the member", now);
            audit.Record(AuditAction.ConsentChange, ObjectType, consent.Id, member.Id, reason: "signed");
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            await documents.DeleteAsync(blob.Id, CancellationToken.None);
            throw;
        }
        return View(consent, now);
    }

    public async Task<ConsentView> RevokeAsync(Guid caseId, Guid consentId, RevokeConsentRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var target = await db.Cases.VisibleTo(db, user, now).AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.Id, c.MemberId }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        var consent = await db.Set<Consent>().SingleOrDefaultAsync(c => c.Id == consentId && c.CaseId == caseId, ct)
            ?? throw new NotFoundException(ObjectType, consentId);
        var reason = user.Role == Roles.Patient && string.IsNullOrWhiteSpace(request.Reason) ? "revoked by the member" : request.Reason;
        consent.Revoke($"{user.Name} ({user.Role})", reason, now);
        audit.Record(AuditAction.ConsentChange, ObjectType, consent.Id, target.MemberId, reason: "revoked: " + consent.RevocationReason);
        await db.SaveChangesAsync(ct);
        return View(consent, now);
    }

    public async Task<IReadOnlyList<ConsentView>> ListAsync(Guid caseId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var target = await db.Cases.VisibleTo(db, user, now).AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.MemberId }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        var consents = await db.Set<Consent>().AsNoTracking().Where(c => c.CaseId == caseId).OrderByDescending(c => c.SignedAt).ToListAsync(ct);
        audit.Record(AuditAction.Read, "CaseConsents", caseId, target.MemberId);
        await db.SaveChangesAsync(ct);
        return consents.Select(c => View(c, now)).ToList();
    }

    /// <summary>The signed form. Opening it is audited as a print: it leaves the system as a document.</summary>
    public async Task<(Stream Pdf, string FileName)> OpenPdfAsync(Guid caseId, Guid consentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var target = await db.Cases.VisibleTo(db, user, now).AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.MemberId, c.Number }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        var consent = await db.Set<Consent>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == consentId && c.CaseId == caseId, ct)
            ?? throw new NotFoundException(ObjectType, consentId);
        if (consent.PdfBlobId is null) throw new NotFoundException("Consent document", consentId);
        audit.Record(AuditAction.Print, ObjectType, consent.Id, target.MemberId);
        await db.SaveChangesAsync(ct);
        return (await documents.OpenReadAsync(consent.PdfBlobId, ct), $"authorization-{target.Number}.pdf");
    }

    static ConsentView View(Consent c, DateTimeOffset now) => new(c.Id, c.CaseId, c.StatusOn(now), c.Scope, c.Sources,
        Enum.GetValues<ConsentRecipients>().Where(r => r != ConsentRecipients.None && c.Recipients.HasFlag(r)).ToList(),
        c.Purpose, c.ExpiresOn, c.SignedName, c.SignedAt, c.RevokedAt, c.RevocationReason, c.PdfSha256, c.Version);

    /// <summary>A drawn signature arrives as a PNG data URL from the signing page's canvas, or as plain base64.</summary>
    static byte[] DecodePng(string value)
    {
        var comma = value.IndexOf(',', StringComparison.Ordinal);
        var base64 = value.StartsWith("data:", StringComparison.Ordinal) && comma > 0 ? value[(comma + 1)..] : value;
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64.Trim()); }
        catch (FormatException) { throw new RuleViolationException("signaturePng", "The signature is not a base64 PNG image."); }
        ReadOnlySpan<byte> magic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(magic)) throw new RuleViolationException("signaturePng", "The signature must be a PNG image.");
        if (bytes.Length > MaxSignatureBytes) throw new RuleViolationException("signaturePng", "The signature image is larger than 256 KB.");
        return bytes;
    }
}

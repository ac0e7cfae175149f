using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Features.Mail;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Opinions;

public sealed record SendReportRequest(string? RecipientName, string? Email);

public sealed record RevokeLinkRequest(string? Reason);

public sealed record DeliveryView(Guid Id, Guid OpinionId, int? OpinionNumber, DeliveryChannel Channel, string? RecipientName, string? RecipientEmail,
    DeliveryState State, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? RevocationReason,
    int Downloads, DateTimeOffset? FirstDownloadedAt, DateTimeOffset? LastDownloadedAt);

/// <summary>What the holder of a link sees before downloading: enough to know it is the report they expect, nothing clinical.</summary>
public sealed record LinkView(DeliveryState State, string CaseNumber, int OpinionNumber, DateTimeOffset SignedAt, string ReviewerName,
    string? RecipientName, DateTimeOffset? ExpiresAt, bool EducationalConsult);

/// <summary>
/// Delivery of the clinical report to the local physician by a secure, expiring link sent by email; the deliveries
/// list; revocation; and the link itself, opened without an account. Every delivery, opening and download is audited.
/// </summary>
internal sealed class ReportDeliveryHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, ConsentGate consents, IDocumentStore store, Mailer mailer,
    IOptions<OpinionOptions> options)
{
    const string ObjectType = "OpinionDelivery";

    public async Task<DeliveryView> SendToPhysicianAsync(Guid caseId, SendReportRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email)) errors["email"] = ["The physician's email address is required."];
        else if (!Mailer.IsAddress(email) || email.Length > 254) errors["email"] = ["This is not an email address."];
        if (request.RecipientName?.Trim().Length > 200) errors["recipientName"] = ["At most 200 characters."];
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var @case = await VisibleCaseAsync(caseId, ct);
        try
        {
            var latest = await LatestSignedAsync(caseId, ct) ?? throw new ConflictException("There is no signed opinion to deliver yet.");
            var consent = await consents.ActiveAsync(caseId, ct);
            if (consent is null || !consent.Recipients.HasFlag(ConsentRecipients.LocalPhysician))
                throw new ConflictException("The member's authorization does not name the local physician as a recipient, so the report cannot be sent to them. " +
                                            "The member can sign a new authorization that does.");
            var now = clock.GetUtcNow();
            var (delivery, token) = OpinionDelivery.ToPhysician(caseId, latest.Id, request.RecipientName, email!, options.Value.ReportLinkLifetime, user.Actor, now);
            db.Add(delivery);
            var program = await db.Programs.AsNoTracking().Where(p => p.Id == @case.ProgramId).Select(p => p.Name).SingleAsync(ct);
            mailer.Queue(PhysicianEmail(mailer.Options, delivery, token, @case.Number, program, amended: false));
            audit.Record(AuditAction.Create, ObjectType, delivery.Id, @case.MemberId,
                reason: $"version {latest.Number} sent by secure link to the local physician, expires {delivery.ExpiresAt:O}");
            await db.SaveChangesAsync(ct);
            mailer.Flush();
            return View(delivery, latest, now);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, caseId, @case.MemberId, AuditOutcome.Failure, $"not sent: {e.GetType().Name}", ct);
            throw;
        }
    }

    public async Task<IReadOnlyList<DeliveryView>> ListAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, ct);
        var now = clock.GetUtcNow();
        var opinions = await db.Set<Opinion>().AsNoTracking().Where(o => o.CaseId == caseId && o.Status == OpinionStatus.Signed).ToListAsync(ct);
        var latest = opinions.OrderByDescending(o => o.Number).FirstOrDefault();
        var deliveries = await db.Set<OpinionDelivery>().AsNoTracking().Where(d => d.CaseId == caseId).OrderByDescending(d => d.CreatedAt).ToListAsync(ct);
        audit.Record(AuditAction.Read, "OpinionDeliveries", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return deliveries.Select(d => View(d, opinions.Single(o => o.Id == d.OpinionId), now, latest?.Id)).ToList();
    }

    public async Task<DeliveryView> RevokeAsync(Guid deliveryId, RevokeLinkRequest request, CancellationToken ct)
    {
        var delivery = await db.Set<OpinionDelivery>().SingleOrDefaultAsync(d => d.Id == deliveryId, ct) ?? throw new NotFoundException(ObjectType, deliveryId);
        var @case = await VisibleCaseAsync(delivery.CaseId, ct);
        var now = clock.GetUtcNow();
        delivery.Revoke(request.Reason, now);
        audit.Record(AuditAction.Update, ObjectType, delivery.Id, @case.MemberId, reason: "link revoked: " + delivery.RevocationReason);
        await db.SaveChangesAsync(ct);
        var opinion = await db.Set<Opinion>().AsNoTracking().SingleAsync(o => o.Id == delivery.OpinionId, ct);
        return View(delivery, await LatestSignedAsync(delivery.CaseId, ct) ?? opinion, now, opinion.Id);
    }

    /// <summary>The link's landing page. Anyone holding the link may open it; a link that no longer works says why.</summary>
    public async Task<LinkView?> OpenLinkAsync(string token, CancellationToken ct)
    {
        var found = await ResolveAsync(token, ct);
        if (found is null) return null;
        var (delivery, opinion, latest, caseNumber, memberId) = found.Value;
        var state = delivery.StateOn(clock.GetUtcNow(), latest.Id);
        ActAsLinkHolder(delivery);
        audit.Record(AuditAction.Read, ObjectType, delivery.Id, memberId, state == DeliveryState.Active ? AuditOutcome.Success : AuditOutcome.Denied,
            $"secure link opened ({state})");
        await db.SaveChangesAsync(ct);
        return new LinkView(state, caseNumber, opinion.Number!.Value, opinion.SignedAt!.Value, opinion.ReviewerName, delivery.RecipientName,
            delivery.ExpiresAt, opinion.EducationalConsult);
    }

    /// <summary>The clinical report behind a working link; null when the link does not exist; a refusal when it no longer works.</summary>
    public async Task<(Stream Pdf, string FileName)?> DownloadByLinkAsync(string token, CancellationToken ct)
    {
        var found = await ResolveAsync(token, ct);
        if (found is null) return null;
        var (delivery, opinion, latest, caseNumber, memberId) = found.Value;
        var now = clock.GetUtcNow();
        var state = delivery.StateOn(now, latest.Id);
        ActAsLinkHolder(delivery);
        if (state != DeliveryState.Active)
        {
            await audit.RecordFailureAsync(AuditAction.Export, "OpinionReport", delivery.Id, memberId, AuditOutcome.Denied, $"download by secure link refused: {state}", ct);
            throw new LinkUnavailableException(state);
        }
        var report = await db.Set<OpinionReport>().AsNoTracking().SingleAsync(r => r.OpinionId == opinion.Id && r.Kind == ReportKind.Clinical, ct);
        delivery.RecordDownload(now);
        audit.Record(AuditAction.Export, "OpinionReport", report.Id, memberId, reason: $"clinical report version {opinion.Number} downloaded by secure link");
        await db.SaveChangesAsync(ct);
        return (await store.OpenReadAsync(report.BlobId, ct), $"clinical-report-{caseNumber}-v{opinion.Number}.pdf");
    }

    internal static EmailMessage PhysicianEmail(MailOptions mail, OpinionDelivery delivery, string token, string caseNumber, string program, bool amended) =>
        new(delivery.RecipientEmail!, delivery.RecipientName,
            amended ? $"Updated second-opinion report for your patient (ref {caseNumber})" : $"Second-opinion report for your patient (ref {caseNumber})",
            $"{(delivery.RecipientName is null ? "Hello" : $"Dear {delivery.RecipientName}")},\n\n" +
            (amended
                ? $"The reviewing specialist amended the second-opinion report about your patient (reference {caseNumber}) from {program}. The earlier link no longer works. "
                : $"A second-opinion clinical report about your patient (reference {caseNumber}) from {program} is ready for you. ") +
            $"It is available at this secure link until {delivery.ExpiresAt:yyyy-MM-dd HH:mm} UTC:\n\n{mail.Link($"/reports/{token}")}\n\n" +
            "Every opening and download is recorded. If you did not expect this message, do not open the link and let the program know.\n" +
            "For the patient's privacy this email contains no medical information.\n");

    void ActAsLinkHolder(OpinionDelivery delivery)
    {
        var who = delivery.RecipientName is null ? delivery.RecipientEmail : $"{delivery.RecipientName} <{delivery.RecipientEmail}>";
        user.Use(new Actor(null, $"{who} (secure link {delivery.Id})", "link-recipient"), user.Source);
    }

    async Task<(OpinionDelivery Delivery, Opinion Opinion, Opinion Latest, string CaseNumber, Guid MemberId)?> ResolveAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var hash = OpinionDelivery.HashToken(token);
        var delivery = await db.Set<OpinionDelivery>().SingleOrDefaultAsync(d => d.TokenHash == hash && d.Channel == DeliveryChannel.PhysicianLink, ct);
        if (delivery is null) return null;
        var opinion = await db.Set<Opinion>().AsNoTracking().SingleAsync(o => o.Id == delivery.OpinionId, ct);
        var latest = await LatestSignedAsync(delivery.CaseId, ct) ?? opinion;
        var c = await db.Cases.AsNoTracking().Where(x => x.Id == delivery.CaseId).Select(x => new { x.Number, x.MemberId }).SingleAsync(ct);
        return (delivery, opinion, latest, c.Number, c.MemberId);
    }

    async Task<Case> VisibleCaseAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow()).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is not null) return @case;
        var memberId = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => (Guid?)c.MemberId).SingleOrDefaultAsync(ct);
        if (memberId is not null)
            await audit.RecordFailureAsync(AuditAction.Read, ObjectType, caseId, memberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException("Case", caseId);
    }

    Task<Opinion?> LatestSignedAsync(Guid caseId, CancellationToken ct) =>
        db.Set<Opinion>().AsNoTracking().Where(o => o.CaseId == caseId && o.Status == OpinionStatus.Signed).OrderByDescending(o => o.Number).FirstOrDefaultAsync(ct);

    static DeliveryView View(OpinionDelivery d, Opinion opinion, DateTimeOffset now, Guid? latestId = null) => new(d.Id, d.OpinionId, opinion.Number, d.Channel,
        d.RecipientName, d.RecipientEmail, d.StateOn(now, latestId ?? opinion.Id), d.CreatedAt, d.CreatedBy, d.ExpiresAt, d.RevokedAt, d.RevocationReason,
        d.Downloads, d.FirstDownloadedAt, d.LastDownloadedAt);
}

/// <summary>A link that exists but no longer works: answered 410 Gone with the reason.</summary>
public sealed class LinkUnavailableException(DeliveryState state) : Exception($"This link no longer works: {state}.")
{
    public DeliveryState State { get; } = state;
}

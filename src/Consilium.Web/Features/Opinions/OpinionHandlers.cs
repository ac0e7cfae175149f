using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Features.Mail;
using Consilium.Features.Members;
using Consilium.Features.Records;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Opinions;

/// <summary>
/// The review workspace and the opinion's life: draft, sign (which delivers it and moves the case on), amend, read,
/// and the reports. Writing is for the case's assigned reviewer only, while the case is assigned, in review or just
/// delivered, and while the member's authorization names the reviewing physician. Each method is one unit of work
/// whose audit entries commit with it; a refused or failed attempt is audited on its own.
/// </summary>
internal sealed class OpinionHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, ConsentGate consents, RecordHandlers records,
    IDocumentStore store, Mailer mailer, IOptions<OpinionOptions> options, IOptions<OpinionSlaOptions> sla)
{
    const string ObjectType = "Opinion";

    static readonly CaseStatus[] WorkspaceStages = [CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered];

    public async Task<WorkspaceView> WorkspaceAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Read, "ReviewWorkspace", ct);
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
        var now = clock.GetUtcNow();

        var completeness = await records.CompletenessAsync(@case, ct);
        var requests = await db.Set<RecordRequest>().AsNoTracking().Where(r => r.CaseId == caseId).ToListAsync(ct);
        var packet = requests.SelectMany(r => r.Items.Select(i => new PacketItem(i.Kind, RecordKinds.Label(i.Kind), RecordKinds.CategoryOf(i.Kind),
                RecordKinds.Label(RecordKinds.CategoryOf(i.Kind)), r.Facility, i.Status, i.UpdatedAt)))
            .OrderBy(p => p.Category).ThenBy(p => p.Kind).ThenBy(p => p.Facility).ToList();

        var timeline = @case.Transitions.OrderBy(t => t.At).ThenBy(t => t.Sequence)
            .Select(t => new WorkspaceTimelineItem(t.At, "stage", t.From is null ? $"Case opened at {t.To}" : $"{t.From} → {t.To}" + (t.Reason is null ? "" : $" ({t.Reason})")))
            .Concat(requests.Select(r => new WorkspaceTimelineItem(r.CreatedAt, "records", $"Records requested from {r.Facility}")))
            .Concat(requests.SelectMany(r => r.Items.Where(i => i.Status is RecordItemStatus.Received or RecordItemStatus.Partial)
                .Select(i => new WorkspaceTimelineItem(i.UpdatedAt, "records", $"{(i.Status == RecordItemStatus.Received ? "Received" : "Partly received")}: {RecordKinds.Label(i.Kind)} from {r.Facility}"))))
            .OrderBy(t => t.At).ToList();

        var note = await db.Set<ReviewerNote>().AsNoTracking().SingleOrDefaultAsync(n => n.CaseId == caseId && n.ReviewerUserId == user.UserId, ct);
        var draft = await MyDraftAsync(caseId, tracking: false, ct);
        var signed = await SignedAsync(caseId, ct);
        var due = await DueAsync(@case, ct);
        var educational = await IsEducationalAsync(@case, member, ct);

        audit.Record(AuditAction.Read, "ReviewWorkspace", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return new WorkspaceView(@case.Id, @case.Number, @case.Status, @case.Category, @case.Concern, member.DisplayName, member.DateOfBirth,
            Age(member.DateOfBirth, now), member.Sex.ToString(), @case.StateOfResidence ?? member.State, @case.PhysicianName, @case.Questions,
            new CompletenessView(completeness.Percent, completeness.IsComplete, completeness.Met.Select(r => r.Describe()).ToList(),
                completeness.Missing.Select(r => r.Describe()).ToList()),
            packet, timeline, new ReviewerNotesView(note?.Text ?? "", note?.UpdatedAt, note?.Version ?? 0),
            draft is null ? null : View(draft, signed), Suggest(@case, signed.LastOrDefault()), signed.Select(Summary).ToList(), due, educational);
    }

    /// <summary>Creates the reviewer's draft or revises it. The first draft of a case at Assigned starts the review.</summary>
    public async Task<OpinionVersionView> SaveDraftAsync(Guid caseId, OpinionDraftRequest request, int? ifMatch, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Update, ObjectType, ct);
        try
        {
            var now = clock.GetUtcNow();
            var draft = await MyDraftAsync(caseId, tracking: true, ct);
            var signed = await SignedAsync(caseId, ct);
            if (draft is null && signed.Count > 0)
                throw new ConflictException("The opinion is signed and cannot change. To correct it, start an amendment with its reason.");
            if (draft is null && @case.Status is not (CaseStatus.Assigned or CaseStatus.InReview))
                throw new ConflictException($"An opinion is drafted while the case is assigned or in review; this case is {@case.Status}.");
            if (draft is not null) CheckVersion(draft.Version, ifMatch, request.Version);

            var errors = new Dictionary<string, string[]>();
            var content = OpinionRules.Build(request, @case.Questions, forSigning: false, errors) ?? throw new RequestValidationException(errors);
            var created = draft is null;
            if (draft is null)
            {
                draft = Opinion.StartDraft(caseId, content, user.UserId!.Value, await ReviewerNameAsync(ct), now);
                db.Add(draft);
                if (@case.Status == CaseStatus.Assigned)
                {
                    @case.TransitionTo(CaseStatus.InReview, user.Actor, "Opinion draft started", now);
                    audit.Record(AuditAction.Update, "Case", caseId, @case.MemberId, reason: "transition to InReview (opinion draft started)");
                }
            }
            else draft.Revise(content, now);
            audit.Record(created ? AuditAction.Create : AuditAction.Update, ObjectType, draft.Id, @case.MemberId, reason: draft.AmendsOpinionId is null ? "draft saved" : "amendment draft saved");
            await db.SaveChangesAsync(ct);
            return View(draft, signed);
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, caseId, @case.MemberId, Outcome(e), $"draft not saved: {e.GetType().Name}", ct);
            throw;
        }
    }

    public async Task DiscardDraftAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Delete, ObjectType, ct);
        var draft = await MyDraftAsync(caseId, tracking: true, ct) ?? throw new NotFoundException("Opinion draft", caseId);
        db.Remove(draft);
        audit.Record(AuditAction.Delete, ObjectType, draft.Id, @case.MemberId, reason: draft.AmendsOpinionId is null ? "draft discarded" : "amendment discarded");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Signs the reviewer's draft: it must pass every rule, including an answer to each of the member's questions.
    /// The version is locked, both reports are rendered and stored, the member is told it is in the portal, the case
    /// moves InReview → OpinionDelivered (first version), links of a superseded version are re-sent, and the care
    /// plan (navigation, follow-ups) is brought in line — all in one transaction.
    /// </summary>
    public async Task<OpinionVersionView> SignAsync(Guid caseId, SignOpinionRequest request, int? ifMatch, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Update, ObjectType, ct);
        var written = new List<string>();
        try
        {
            if (request.Attest != true)
                throw new RequestValidationException(new() { ["attest"] = ["Confirm that you reviewed the records and that this is your opinion (\"attest\": true)."] });
            var now = clock.GetUtcNow();
            var draft = await MyDraftAsync(caseId, tracking: true, ct) ?? throw new NotFoundException("Opinion draft", caseId);
            CheckVersion(draft.Version, ifMatch, request.Version);
            var signed = await SignedAsync(caseId, ct);
            var latest = signed.LastOrDefault();
            if (latest is null && @case.Status != CaseStatus.InReview)
                throw new ConflictException($"The first opinion is signed while the case is in review; this case is {@case.Status}.");
            if (draft.AmendsOpinionId != latest?.Id)
                throw new ConflictException("Another version was signed since this draft was started. Discard the draft and start again from the signed version.");
            if (!draft.Content.Answers.Select(a => a.Question).SequenceEqual(@case.Questions))
                throw new ConflictException("The member's questions changed since this draft was saved. Review the answers and save the draft again.");

            var errors = new Dictionary<string, string[]>();
            _ = OpinionRules.Build(OpinionDraftRequest.From(draft.Content, null), @case.Questions, forSigning: true, errors) ?? throw new RequestValidationException(errors);

            var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
            var physician = await db.Physicians.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == user.UserId, ct);
            var educational = await IsEducationalAsync(@case, member, ct);
            draft.Sign((latest?.Number ?? 0) + 1, physician?.Name ?? await ReviewerNameAsync(ct), physician?.Npi,
                physician is null ? null : physician.Subspecialty is null ? physician.Specialty : $"{physician.Specialty} ({physician.Subspecialty})",
                educational, now);

            if (latest is null)
            {
                @case.TransitionTo(CaseStatus.OpinionDelivered, user.Actor, "Opinion signed", now);
                audit.Record(AuditAction.Update, "Case", caseId, @case.MemberId, reason: "transition to OpinionDelivered (opinion signed)");
            }

            var context = await ReportContextAsync(db, @case, [.. signed, draft], ct);
            foreach (var kind in Enum.GetValues<ReportKind>())
            {
                var pdf = OpinionReports.Render(kind, draft, context);
                var blob = await store.WriteAsync(new MemoryStream(pdf, writable: false), ct);
                written.Add(blob.Id);
                db.Add(new OpinionReport(draft.Id, caseId, kind, blob.Id, blob.Sha256, blob.Length, now));
            }

            var programName = await db.Programs.AsNoTracking().Where(p => p.Id == @case.ProgramId).Select(p => p.Name).SingleAsync(ct);
            var toMember = OpinionDelivery.ToMemberPortal(caseId, draft.Id, user.Actor, now);
            db.Add(toMember);
            audit.Record(AuditAction.Create, "OpinionDelivery", toMember.Id, @case.MemberId, reason: $"version {draft.Number} published in the member portal");
            if (Mailer.IsAddress(member.Email))
            {
                mailer.Queue(new EmailMessage(member.Email!, member.DisplayName,
                    latest is null ? "Your report is ready" : "Your report was updated",
                    $"Hello {member.FirstName},\n\n" +
                    (latest is null
                        ? $"The report you asked {programName} for is ready. "
                        : $"The specialist updated your report from {programName}. ") +
                    $"Sign in to read it:\n\n{mailer.Options.Link("/my")}\n\n" +
                    "For your privacy, this email contains no medical information.\n"));
            }

            if (latest is not null) await RedeliverToPhysiciansAsync(@case, latest, draft, programName, now, ct);
            await CareNavigation.CarePlans.OnOpinionSignedAsync(db, @case, draft, first: latest is null, options.Value.EffectiveFollowUpDays, user.Actor, now, ct);

            audit.Record(AuditAction.Update, ObjectType, draft.Id, @case.MemberId,
                reason: latest is null ? $"signed version {draft.Number}" : $"signed version {draft.Number}, amending version {latest.Number}: {draft.AmendmentReason}");
            await db.SaveChangesAsync(ct);
            mailer.Flush();
            return View(draft, [.. signed, draft]);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            foreach (var blob in written) await store.DeleteAsync(blob, CancellationToken.None);
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, caseId, @case.MemberId, Outcome(e), $"not signed: {e.GetType().Name}", ct);
            throw;
        }
        catch
        {
            foreach (var blob in written) await store.DeleteAsync(blob, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Starts an amendment: a new draft copied from the latest signed version, carrying the reason.</summary>
    public async Task<OpinionVersionView> AmendAsync(Guid caseId, AmendOpinionRequest request, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Create, ObjectType, ct);
        try
        {
            if (@case.Status != CaseStatus.OpinionDelivered)
                throw new ConflictException($"An opinion is amended while the case is at {CaseStatus.OpinionDelivered}; this case is {@case.Status}.");
            var signed = await SignedAsync(caseId, ct);
            var latest = signed.LastOrDefault() ?? throw new ConflictException("There is no signed opinion to amend.");
            if (await MyDraftAsync(caseId, tracking: false, ct) is not null)
                throw new ConflictException("An amendment is already in progress: finish or discard it first.");
            var content = latest.Content with { Answers = Realign(latest.Content.Answers, @case.Questions) };
            var draft = Opinion.StartDraft(caseId, content, user.UserId!.Value, await ReviewerNameAsync(ct), clock.GetUtcNow(), latest, request.Reason);
            db.Add(draft);
            audit.Record(AuditAction.Create, ObjectType, draft.Id, @case.MemberId, reason: $"amendment of version {latest.Number} started: {draft.AmendmentReason}");
            await db.SaveChangesAsync(ct);
            return View(draft, signed);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, caseId, @case.MemberId, Outcome(e), $"amendment not started: {e.GetType().Name}", ct);
            throw;
        }
    }

    /// <summary>The opinion as this user may see it. Before signing there is nothing to see, except the author's own draft.</summary>
    public async Task<CaseOpinionView> GetAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, ct);
        var signed = await SignedAsync(caseId, ct);
        var draft = user.Role == Roles.Reviewer && @case.ReviewerUserId == user.UserId ? await MyDraftAsync(caseId, tracking: false, ct) : null;
        if (signed.Count == 0 && draft is null)
        {
            await audit.RecordFailureAsync(AuditAction.Read, ObjectType, caseId, @case.MemberId, AuditOutcome.Failure, "no signed opinion yet", ct);
            throw new NotFoundException("Signed opinion for case", caseId);
        }
        audit.Record(AuditAction.Read, ObjectType, signed.LastOrDefault()?.Id ?? draft!.Id, @case.MemberId,
            reason: signed.Count == 0 ? "own draft" : $"version {signed[^1].Number}");
        await db.SaveChangesAsync(ct);
        return new CaseOpinionView(@case.Id, @case.Number, @case.Status, signed.Count == 0 ? null : View(signed[^1], signed),
            draft is null ? null : View(draft, signed), signed.Select(Summary).ToList());
    }

    public async Task<OpinionVersionView> GetVersionAsync(Guid caseId, int number, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, ct);
        var signed = await SignedAsync(caseId, ct);
        var version = signed.SingleOrDefault(o => o.Number == number) ?? throw new NotFoundException("Opinion version", number);
        audit.Record(AuditAction.Read, ObjectType, version.Id, @case.MemberId, reason: $"version {number}");
        await db.SaveChangesAsync(ct);
        return View(version, signed);
    }

    /// <summary>A stored report of a signed version (the latest unless <paramref name="number"/> is given). Opening it is audited as a print.</summary>
    public async Task<(Stream Pdf, string FileName)> OpenReportAsync(Guid caseId, ReportKind kind, int? number, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, ct);
        var signed = await SignedAsync(caseId, ct);
        var version = (number is null ? signed.LastOrDefault() : signed.SingleOrDefault(o => o.Number == number))
            ?? throw new NotFoundException("Signed opinion for case", caseId);
        var report = await db.Set<OpinionReport>().AsNoTracking().SingleOrDefaultAsync(r => r.OpinionId == version.Id && r.Kind == kind, ct)
            ?? throw new NotFoundException("Opinion report", kind);
        if (user.Role == Roles.Patient)
        {
            var delivery = await db.Set<OpinionDelivery>().FirstOrDefaultAsync(d => d.OpinionId == version.Id && d.Channel == DeliveryChannel.MemberPortal, ct);
            delivery?.RecordDownload(clock.GetUtcNow());
        }
        audit.Record(AuditAction.Print, "OpinionReport", report.Id, @case.MemberId, reason: $"{kind} report, version {version.Number}");
        await db.SaveChangesAsync(ct);
        return (await store.OpenReadAsync(report.BlobId, ct), $"{(kind == ReportKind.Member ? "second-opinion" : "clinical-report")}-{@case.Number}-v{version.Number}.pdf");
    }

    public async Task<ReviewerNotesView> NotesAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Read, "ReviewerNote", ct);
        var note = await db.Set<ReviewerNote>().AsNoTracking().SingleOrDefaultAsync(n => n.CaseId == caseId && n.ReviewerUserId == user.UserId, ct);
        audit.Record(AuditAction.Read, "ReviewerNote", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return new ReviewerNotesView(note?.Text ?? "", note?.UpdatedAt, note?.Version ?? 0);
    }

    public async Task<ReviewerNotesView> SaveNotesAsync(Guid caseId, ReviewerNotesRequest request, CancellationToken ct)
    {
        var @case = await AssignedCaseAsync(caseId, AuditAction.Update, "ReviewerNote", ct);
        var now = clock.GetUtcNow();
        var note = await db.Set<ReviewerNote>().SingleOrDefaultAsync(n => n.CaseId == caseId && n.ReviewerUserId == user.UserId, ct);
        if (note is null)
        {
            note = ReviewerNote.Start(caseId, user.UserId!.Value, now);
            db.Add(note);
        }
        else if (request.Version is { } expected && expected != note.Version)
            throw new ConflictException($"Your notes were saved elsewhere since you opened them (version {note.Version}, not {expected}). Reload and merge.");
        note.Write(request.Text, now);
        audit.Record(AuditAction.Update, "ReviewerNote", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return new ReviewerNotesView(note.Text, note.UpdatedAt, note.Version);
    }

    /// <summary>
    /// A case goes to OpinionDelivered only by signing: a plain transition there is refused while no version is signed.
    /// Called by the case transitions.
    /// </summary>
    public static async Task RequireSignedAsync(ConsiliumDbContext db, Guid caseId, CancellationToken ct)
    {
        if (!await db.Set<Opinion>().AnyAsync(o => o.CaseId == caseId && o.Status == OpinionStatus.Signed, ct))
            throw new ConflictException("A case moves to OpinionDelivered when its reviewer signs the opinion in the review workspace; no opinion is signed yet.");
    }

    async Task RedeliverToPhysiciansAsync(Case @case, Opinion previous, Opinion current, string programName, DateTimeOffset now, CancellationToken ct)
    {
        var links = await db.Set<OpinionDelivery>().AsNoTracking()
            .Where(d => d.OpinionId == previous.Id && d.Channel == DeliveryChannel.PhysicianLink && d.RevokedAt == null).ToListAsync(ct);
        foreach (var recipient in links.Where(d => d.RecipientEmail is not null).GroupBy(d => d.RecipientEmail!.ToLowerInvariant()).Select(g => g.Last()))
        {
            var (delivery, token) = OpinionDelivery.ToPhysician(@case.Id, current.Id, recipient.RecipientName, recipient.RecipientEmail!,
                options.Value.ReportLinkLifetime, user.Actor, now);
            db.Add(delivery);
            mailer.Queue(ReportDeliveryHandlers.PhysicianEmail(mailer.Options, delivery, token, @case.Number, programName, amended: true));
            audit.Record(AuditAction.Create, "OpinionDelivery", delivery.Id, @case.MemberId, reason: $"amended version {current.Number} re-sent by secure link to the local physician");
        }
    }

    internal static async Task<ReportContext> ReportContextAsync(ConsiliumDbContext db, Case @case, IReadOnlyList<Opinion> versions, CancellationToken ct)
    {
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
        var program = await db.Programs.AsNoTracking().Where(p => p.Id == @case.ProgramId).Select(p => p.Name).SingleAsync(ct);
        return new ReportContext(@case.Number, program, member.DisplayName, member.DateOfBirth, member.Sex.ToString(), @case.StateOfResidence ?? member.State,
            @case.PhysicianName, versions.Where(v => v.IsSigned).OrderBy(v => v.Number)
                .Select(v => new VersionHistoryEntry(v.Number!.Value, v.SignedAt!.Value, v.ReviewerName, v.AmendmentReason)).ToList());
    }

    /// <summary>
    /// Educational when matching said so; when matching said nothing, when the signing reviewer holds no current licence in
    /// the member's state. A reviewer without a physician record cannot be checked and gives a direct opinion.
    /// </summary>
    async Task<bool> IsEducationalAsync(Case @case, Member member, CancellationToken ct)
    {
        if (@case.ConsultMode is { } mode) return mode == ConsultMode.EducationalConsult;
        var physician = await db.Physicians.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == @case.ReviewerUserId, ct);
        if (physician is null) return false;
        return !physician.IsLicensedIn(@case.StateOfResidence ?? member.State, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
    }

    async Task<OpinionDueView> DueAsync(Case @case, CancellationToken ct)
    {
        var escalated = await db.Set<OpinionSlaEscalation>().AsNoTracking().Where(e => e.CaseId == @case.Id)
            .OrderByDescending(e => e.EscalatedAt).Select(e => (DateTimeOffset?)e.EscalatedAt).FirstOrDefaultAsync(ct);
        return OpinionClock.Of(@case, sla.Value.DefaultBusinessDays, clock.GetUtcNow(), escalated);
    }

    /// <summary>What a new draft starts from: the diagnosis and treatment intake recorded, and one blank answer per question.</summary>
    static OpinionDraftRequest Suggest(Case @case, Opinion? latest)
    {
        if (latest is not null) return OpinionDraftRequest.From(latest.Content with { Answers = Realign(latest.Content.Answers, @case.Questions) }, null);
        var procedure = @case.TreatmentCodes.FirstOrDefault();
        return new OpinionDraftRequest(
            Diagnosis: new DiagnosisInput(@case.DiagnosisCodes.ToList<string?>(), @case.DiagnosisText),
            Treatment: new TreatmentInput(new PlanInput(procedure is not null, procedure, null, false, [], null, @case.TreatmentText)),
            Answers: @case.Questions.Select(_ => (string?)null).ToList());
    }

    /// <summary>The answers re-paired with the case's current questions: an answer is kept where its question still is.</summary>
    static List<QuestionAnswer> Realign(IReadOnlyList<QuestionAnswer> answers, IReadOnlyList<string> questions) =>
        questions.Select(q => new QuestionAnswer(q, answers.FirstOrDefault(a => a.Question == q)?.Answer ?? "")).ToList();

    async Task<Case> VisibleCaseAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow()).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is not null) return @case;
        var memberId = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => (Guid?)c.MemberId).SingleOrDefaultAsync(ct);
        if (memberId is not null)
            await audit.RecordFailureAsync(AuditAction.Read, ObjectType, caseId, memberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException("Case", caseId);
    }

    /// <summary>The case, if this user is its assigned reviewer, it is at a workspace stage, and the authorization names the reviewer.</summary>
    async Task<Case> AssignedCaseAsync(Guid caseId, AuditAction attempted, string objectType, CancellationToken ct)
    {
        var @case = await db.Cases.Include(c => c.Transitions).SingleOrDefaultAsync(c => c.Id == caseId, ct)
            ?? throw new NotFoundException("Case", caseId);
        if (user.Role != Roles.Reviewer || user.UserId is null || @case.ReviewerUserId != user.UserId)
        {
            await audit.RecordFailureAsync(attempted, objectType, caseId, @case.MemberId, AuditOutcome.Denied, "not the case's assigned reviewer", ct);
            throw new NotFoundException("Case", caseId);
        }
        if (!WorkspaceStages.Contains(@case.Status))
        {
            await audit.RecordFailureAsync(attempted, objectType, caseId, @case.MemberId, AuditOutcome.Denied, $"case is {@case.Status}", ct);
            throw new ConflictException($"The review workspace is open while the case is assigned, in review or delivered; this case is {@case.Status}.");
        }
        if (!await consents.MayViewRecordsAsync(caseId, Roles.Reviewer, ct))
        {
            await audit.RecordFailureAsync(attempted, objectType, caseId, @case.MemberId, AuditOutcome.Denied, "no active authorization naming the reviewer", ct);
            throw new ForbiddenException("The member's authorization does not (or no longer) allow the reviewing physician to see this case's records.");
        }
        return @case;
    }

    Task<Opinion?> MyDraftAsync(Guid caseId, bool tracking, CancellationToken ct)
    {
        var query = db.Set<Opinion>().Where(o => o.CaseId == caseId && o.ReviewerUserId == user.UserId && o.Status == OpinionStatus.Draft);
        return (tracking ? query : query.AsNoTracking()).SingleOrDefaultAsync(ct);
    }

    async Task<List<Opinion>> SignedAsync(Guid caseId, CancellationToken ct) =>
        await db.Set<Opinion>().AsNoTracking().Where(o => o.CaseId == caseId && o.Status == OpinionStatus.Signed).OrderBy(o => o.Number).ToListAsync(ct);

    async Task<string> ReviewerNameAsync(CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == user.UserId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) is { Length: > 0 } name ? name : user.Name;

    static void CheckVersion(int current, int? ifMatch, int? bodyVersion)
    {
        if (ifMatch is { } expected && expected != current)
            throw new PreconditionFailedException($"The draft is at version {current}, not {expected}. Reload it and try again.");
        if (bodyVersion is { } v && v != current)
            throw new ConflictException($"The draft is at version {current}, not {v}: it was saved elsewhere since you read it.",
                new Dictionary<string, object?> { ["currentVersion"] = current });
    }

    static AuditOutcome Outcome(Exception e) => e is ForbiddenException ? AuditOutcome.Denied : AuditOutcome.Failure;

    static int Age(DateOnly birth, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var age = today.Year - birth.Year;
        return birth > today.AddYears(-age) ? age - 1 : age;
    }

    internal static OpinionSummary Summary(Opinion o) =>
        new(o.Id, o.Number!.Value, o.SignedAt!.Value, o.ReviewerName, o.AmendmentReason, o.ContentSha256!, o.IsIntact);

    internal static OpinionVersionView View(Opinion o, IReadOnlyList<Opinion> signed) => new(o.Id, o.Number, o.Status, o.CreatedAt, o.UpdatedAt,
        o.SignedAt, o.ReviewerName, o.ReviewerSpecialty, o.EducationalConsult, signed.FirstOrDefault(s => s.Id == o.AmendsOpinionId)?.Number,
        o.AmendmentReason, o.ContentSha256, o.IsIntact, o.Version, o.Content);
}

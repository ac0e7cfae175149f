using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Records;

public sealed record CreateRecordRequest(string? Facility, string? Phone, string? Fax, string? Email, string? Address,
    IReadOnlyList<RecordKind>? Items, DateOnly? DueOn);

public sealed record UpdateRecordItem(RecordItemStatus? Status, string? Note, DateOnly? DueOn);

public sealed record CreateFollowUp(FollowUpChannel? Channel, string? Note, DateOnly? NextDueOn);

public sealed record RecordItemView(Guid Id, RecordKind Kind, string Label, RecordItemStatus Status, DateOnly DueOn, bool Overdue, string? Note, DateTimeOffset UpdatedAt);

public sealed record RecordRequestView(Guid Id, Guid CaseId, string Facility, string? Phone, string? Fax, string? Email, string? Address,
    Guid ConsentId, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, IReadOnlyList<RecordItemView> Items, IReadOnlyList<FollowUp> FollowUps, int Version);

public sealed record CompletenessView(int Percent, bool Complete, IReadOnlyList<string> Met, IReadOnlyList<string> Missing);

public sealed record CaseRecordsView(Guid CaseId, string CaseNumber, CaseStatus Status, ConditionCategory Category, ConsentView? ActiveConsent,
    bool MayRequestRecords, CompletenessView Completeness, DateOnly? PacketDueOn, bool PacketOverdue, IReadOnlyList<RecordRequestView> Requests);

public sealed record RetrievalItem(Guid CaseId, string CaseNumber, string MemberName, string ProgramName, Guid RequestId, string Facility,
    string? FacilityPhone, string? FacilityFax, Guid ItemId, RecordKind Kind, string Label, RecordItemStatus Status, DateOnly DueOn, bool Overdue,
    DateTimeOffset? LastFollowUp);

/// <summary>Record requests per facility and item, the completeness of the packet, and the coordinators' retrieval worklist.</summary>
public sealed class RecordHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, ConsentGate consents, CompletenessRules rules,
    Microsoft.Extensions.Options.IOptions<RecordsOptions> options)
{
    const string ObjectType = "RecordRequest";

    public async Task<CaseRecordsView> GetAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, ct);
        var view = await BuildViewAsync(@case, ct);
        audit.Record(AuditAction.Read, "CaseRecords", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return view;
    }

    public async Task<RecordRequestView> CreateAsync(Guid caseId, CreateRecordRequest request, CancellationToken ct)
    {
        if (request.Items is null) throw new RequestValidationException(new() { ["items"] = ["This field is required."] });
        var @case = await VisibleCaseAsync(caseId, ct);
        if (@case.Status is not (CaseStatus.AwaitingConsent or CaseStatus.CollectingRecords or CaseStatus.ReadyForReview or CaseStatus.InReview or CaseStatus.Assigned))
            throw new ConflictException($"Records are not requested for a case at {@case.Status}.");
        var consent = await consents.RequireForRequestAsync(caseId, request.Facility ?? "", request.Items, ct);
        var now = clock.GetUtcNow();
        var due = request.DueOn ?? DateOnly.FromDateTime(now.UtcDateTime).AddDays(options.Value.RequestDueDays);
        var created = RecordRequest.Open(caseId, consent.Id, request.Facility ?? "", request.Phone, request.Fax, request.Email, request.Address,
            request.Items, due, now);
        db.Add(created);
        audit.Record(AuditAction.Create, ObjectType, created.Id, @case.MemberId, reason: $"{created.Facility}: {string.Join(", ", created.Items.Select(i => i.Kind))}");
        await db.SaveChangesAsync(ct);
        return View(created, DateOnly.FromDateTime(now.UtcDateTime));
    }

    public async Task<RecordRequestView> MarkSentAsync(Guid requestId, CancellationToken ct)
    {
        var (request, @case) = await LoadRequestAsync(requestId, ct);
        await consents.RequireForRequestAsync(@case.Id, request.Facility, request.Items.Select(i => i.Kind), ct);
        var now = clock.GetUtcNow();
        request.MarkSent(now);
        audit.Record(AuditAction.Update, ObjectType, request.Id, @case.MemberId, reason: "request letter sent");
        await db.SaveChangesAsync(ct);
        return View(request, DateOnly.FromDateTime(now.UtcDateTime));
    }

    public async Task<RecordRequestView> UpdateItemAsync(Guid requestId, Guid itemId, UpdateRecordItem update, CancellationToken ct)
    {
        if (update.Status is null) throw new RequestValidationException(new() { ["status"] = ["This field is required."] });
        var (request, @case) = await LoadRequestAsync(requestId, ct);
        var now = clock.GetUtcNow();
        request.UpdateItem(itemId, update.Status.Value, update.Note, update.DueOn, now);
        audit.Record(AuditAction.Update, ObjectType, request.Id, @case.MemberId, reason: $"{request.Item(itemId).Kind} {update.Status}");
        await db.SaveChangesAsync(ct);
        return View(request, DateOnly.FromDateTime(now.UtcDateTime));
    }

    public async Task<RecordRequestView> FollowUpAsync(Guid requestId, CreateFollowUp followUp, CancellationToken ct)
    {
        if (followUp.Channel is null) throw new RequestValidationException(new() { ["channel"] = ["This field is required."] });
        var (request, @case) = await LoadRequestAsync(requestId, ct, AuditAction.Update);
        var now = clock.GetUtcNow();
        try
        {
            // Chasing a facility is requesting records: it needs the authorization as much as the first letter did.
            await consents.RequireForRequestAsync(@case.Id, request.Facility, request.Items.Where(i => i.IsOpen).Select(i => i.Kind), ct);
            request.RecordFollowUp(followUp.Channel.Value, followUp.Note, user.Name, followUp.NextDueOn, now);
            audit.Record(AuditAction.Update, ObjectType, request.Id, @case.MemberId, reason: $"follow-up by {followUp.Channel}");
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, ObjectType, requestId, @case.MemberId, AuditOutcome.Failure, $"follow-up refused: {e.GetType().Name}", ct);
            throw;
        }
        return View(request, DateOnly.FromDateTime(now.UtcDateTime));
    }

    /// <summary>The request letter, rendered now from the request and the authorization it cites.</summary>
    public async Task<(byte[] Pdf, string FileName)> LetterAsync(Guid requestId, CancellationToken ct)
    {
        var (request, @case) = await LoadRequestAsync(requestId, ct);
        var consent = await db.Set<Consent>().AsNoTracking().SingleAsync(c => c.Id == request.ConsentId, ct);
        if (consent.StatusOn(clock.GetUtcNow()) != ConsentStatus.Active)
            throw new ConflictException("The authorization this request cites is no longer active: no letter can be sent under it.");
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
        var program = await db.Programs.AsNoTracking().Where(p => p.Id == @case.ProgramId).Select(p => p.Name).SingleAsync(ct);
        var pdf = RecordRequestLetter.Render(request, consent, member.DisplayName, member.DateOfBirth, program, @case.Number, user.Name, clock.GetUtcNow());
        audit.Record(AuditAction.Print, ObjectType, request.Id, @case.MemberId, reason: "request letter");
        await db.SaveChangesAsync(ct);
        return (pdf, $"records-request-{@case.Number}-{Slug(request.Facility)}.pdf");
    }

    /// <summary>Every item still being chased across the programs the coordinator serves, overdue first.</summary>
    public async Task<IReadOnlyList<RetrievalItem>> WorklistAsync(bool overdueOnly, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var rows = await (
            from r in db.Set<RecordRequest>().AsNoTracking()
            join c in db.Cases.VisibleTo(db, user, now) on r.CaseId equals c.Id
            join m in db.Members on c.MemberId equals m.Id
            join p in db.Programs on c.ProgramId equals p.Id
            where c.Status != CaseStatus.Closed && c.Status != CaseStatus.Withdrawn && c.Status != CaseStatus.Ineligible
            select new { r, c.Number, c.MemberId, Member = m.FirstName + " " + m.LastName, Program = p.Name }).ToListAsync(ct);
        var items = rows.SelectMany(row => row.r.Items.Where(i => i.IsOpen).Select(i => new RetrievalItem(row.r.CaseId, row.Number, row.Member, row.Program,
                row.r.Id, row.r.Facility, row.r.FacilityPhone, row.r.FacilityFax, i.Id, i.Kind, RecordKinds.Label(i.Kind), i.Status, i.DueOn,
                i.IsOverdue(today), row.r.FollowUps.Count == 0 ? null : row.r.FollowUps.Max(f => f.At))))
            .Where(i => !overdueOnly || i.Overdue)
            .OrderByDescending(i => i.Overdue).ThenBy(i => i.DueOn).ThenBy(i => i.CaseNumber)
            .ToList();
        foreach (var memberId in rows.Where(r => items.Any(i => i.RequestId == r.r.Id)).Select(r => r.MemberId).Distinct())
            audit.Record(AuditAction.Query, "RetrievalWorklist", null, memberId);
        await db.SaveChangesAsync(ct);
        return items;
    }

    /// <summary>
    /// Record kinds received for the case so far: items marked received, documents tagged with a kind — except
    /// documents that appear to be another patient's and nobody has confirmed — and imaging files when the imaging
    /// archive's change feed (or a coordinator) attached a study to the case.
    /// </summary>
    public async Task<IReadOnlyList<RecordKind>> ReceivedKindsAsync(Guid caseId, CancellationToken ct)
    {
        var requests = await db.Set<RecordRequest>().AsNoTracking().Where(r => r.CaseId == caseId).ToListAsync(ct);
        var documents = await db.Set<Documents.CaseDocument>().AsNoTracking()
            .Where(d => d.CaseId == caseId && d.Kind != null && (d.PatientCheck != Documents.PatientCheck.Mismatch || d.PatientConfirmedAt != null))
            .Select(d => d.Kind!.Value).Distinct().ToListAsync(ct);
        // A study a facility sent straight to the imaging archive and that was attached to the case counts as its images.
        var archived = await db.Set<Imaging.ArchiveStudy>().AnyAsync(s => s.CaseId == caseId && s.Status == Imaging.ArchiveStudyStatus.Attached, ct);
        return requests.SelectMany(r => r.Items).Where(i => i.Status == RecordItemStatus.Received).Select(i => i.Kind).Concat(documents)
            .Concat(archived ? [RecordKind.ImagingFiles] : []).Distinct().ToList();
    }

    public async Task<CompletenessResult> CompletenessAsync(Case @case, CancellationToken ct) =>
        rules.Evaluate(@case.Category, await ReceivedKindsAsync(@case.Id, ct));

    async Task<CaseRecordsView> BuildViewAsync(Case @case, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var requests = await db.Set<RecordRequest>().AsNoTracking().Where(r => r.CaseId == @case.Id).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        var completeness = await CompletenessAsync(@case, ct);
        var active = await consents.ActiveAsync(@case.Id, ct);
        var packetDue = PacketDueOn(@case);
        return new CaseRecordsView(@case.Id, @case.Number, @case.Status, @case.Category,
            active is null ? null : new ConsentView(active.Id, active.CaseId, ConsentStatus.Active, active.Scope, active.Sources,
                Enum.GetValues<ConsentRecipients>().Where(r => r != ConsentRecipients.None && active.Recipients.HasFlag(r)).ToList(),
                active.Purpose, active.ExpiresOn, active.SignedName, active.SignedAt, null, null, active.PdfSha256, active.Version),
            active is not null,
            new CompletenessView(completeness.Percent, completeness.IsComplete, completeness.Met.Select(r => r.Describe()).ToList(),
                completeness.Missing.Select(r => r.Describe()).ToList()),
            packetDue, packetDue is { } due && due < today && @case.Status == CaseStatus.CollectingRecords,
            requests.Select(r => View(r, today)).ToList());
    }

    /// <summary>The records-complete target: the configured days after the case (last) entered CollectingRecords.</summary>
    public DateOnly? PacketDueOn(Case @case)
    {
        var entered = @case.Transitions.Where(t => t.To == CaseStatus.CollectingRecords).Select(t => (DateTimeOffset?)t.At).Max();
        return entered is { } at ? DateOnly.FromDateTime(at.UtcDateTime).AddDays(options.Value.DaysToCompletePacket) : null;
    }

    async Task<Case> VisibleCaseAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AsNoTracking().Include(c => c.Transitions)
            .SingleOrDefaultAsync(c => c.Id == caseId, ct) ?? throw new NotFoundException("Case", caseId);
        if (user.Role == Roles.Reviewer && !await consents.MayViewRecordsAsync(caseId, user.Role, ct))
        {
            await audit.RecordFailureAsync(AuditAction.Read, "CaseRecords", caseId, @case.MemberId, AuditOutcome.Denied, "no active authorization naming the reviewer", ct);
            throw new ForbiddenException("The member's authorization does not (or no longer) allow the reviewing physician to see these records.");
        }
        return @case;
    }

    /// <param name="attempted">When given, an existing request of a case outside the user's reach is recorded as a denied attempt.</param>
    async Task<(RecordRequest Request, Case Case)> LoadRequestAsync(Guid requestId, CancellationToken ct, AuditAction? attempted = null)
    {
        var request = await db.Set<RecordRequest>().SingleOrDefaultAsync(r => r.Id == requestId, ct) ?? throw new NotFoundException(ObjectType, requestId);
        var @case = await db.Cases.VisibleTo(db, user, clock.GetUtcNow()).AsNoTracking().SingleOrDefaultAsync(c => c.Id == request.CaseId, ct);
        if (@case is not null) return (request, @case);
        if (attempted is { } action)
        {
            var memberId = await db.Cases.AsNoTracking().Where(c => c.Id == request.CaseId).Select(c => c.MemberId).SingleAsync(ct);
            await audit.RecordFailureAsync(action, ObjectType, requestId, memberId, AuditOutcome.Denied, "outside the user's cases", ct);
        }
        throw new NotFoundException(ObjectType, requestId);
    }

    static RecordRequestView View(RecordRequest r, DateOnly today) => new(r.Id, r.CaseId, r.Facility, r.FacilityPhone, r.FacilityFax, r.FacilityEmail,
        r.FacilityAddress, r.ConsentId, r.CreatedAt, r.SentAt,
        r.Items.Select(i => new RecordItemView(i.Id, i.Kind, RecordKinds.Label(i.Kind), i.Status, i.DueOn, i.IsOverdue(today), i.Note, i.UpdatedAt)).ToList(),
        r.FollowUps.OrderBy(f => f.At).ToList(), r.Version);

    static string Slug(string text) => new(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}

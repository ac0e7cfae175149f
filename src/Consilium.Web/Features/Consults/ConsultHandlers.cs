using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Mail;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Consults;

public sealed record PublishAvailabilityRequest(string? TimeZone, DateOnly? Date, TimeOnly? From, TimeOnly? To, int? SlotMinutes);

public sealed record BookConsultRequest(Guid? SlotId, string? TimeZone);

public sealed record CancelConsultRequest(string? Reason);

public sealed record ConsultNotesRequest(string? Notes);

/// <summary>A slot as one person sees it: the instant, and the same instant on their own clock.</summary>
public sealed record SlotView(Guid Id, DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset LocalStart, DateTimeOffset LocalEnd, string TimeZone,
    string Description, ConsultSlotStatus Status, string? CaseNumber, int Version);

public sealed record BookingView(Guid SlotId, DateTimeOffset StartsAt, DateTimeOffset LocalStart, string TimeZone, string Description, ConsultSlotStatus Status,
    string? MeetingUrl, DateTimeOffset? BookedAt, DateTimeOffset? ReminderSentAt, string? Notes, DateTimeOffset? NotesAt, string? CancelReason, int Version);

public sealed record CaseConsultView(Guid CaseId, string CaseNumber, bool MayBook, string TimeZone, IReadOnlyList<SlotView> Available, IReadOnlyList<BookingView> Bookings);

/// <summary>
/// Video consults: the reviewer publishes availability in their own time zone; the member of a case assigned to that
/// reviewer sees the free times in the member's zone and books one; both get a confirmation with the meeting link, and a
/// reminder before it; the reviewer records the consult notes on the case afterwards.
/// </summary>
internal sealed class ConsultHandlers(
    ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, Mailer mailer, IMeetingLinkProvider links, IOptions<ConsultOptions> options)
{
    public const int MaxSlotsPerRequest = 48;
    static readonly CaseStatus[] BookableStages = [CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered];

    public async Task<IReadOnlyList<SlotView>> PublishAsync(PublishAvailabilityRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var zone = TimeZones.Find(request.TimeZone);
        if (zone is null) errors["timeZone"] = ["Give an IANA time zone such as America/Chicago or Europe/London."];
        if (request.Date is null) errors["date"] = ["This field is required."];
        if (request.From is null) errors["from"] = ["This field is required."];
        if (request.To is null) errors["to"] = ["This field is required."];
        var minutes = request.SlotMinutes ?? 30;
        if (minutes is < 15 or > 120) errors["slotMinutes"] = ["A slot lasts 15 to 120 minutes."];
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var now = clock.GetUtcNow();
        var start = TimeZones.ToUtc(request.Date!.Value, request.From!.Value, zone!, "from");
        var end = TimeZones.ToUtc(request.Date.Value, request.To!.Value, zone!, "to");
        if (end <= start) throw new RuleViolationException("to", "The end of the availability comes after its start.");
        if (start <= now) throw new RuleViolationException("from", "Availability is published for the future.");
        var length = TimeSpan.FromMinutes(minutes);
        var starts = new List<DateTimeOffset>();
        for (var s = start; s + length <= end; s += length) starts.Add(s);
        if (starts.Count == 0) throw new RuleViolationException("to", $"The window is shorter than one {minutes}-minute slot.");
        if (starts.Count > MaxSlotsPerRequest) throw new RuleViolationException("to", $"At most {MaxSlotsPerRequest} slots at a time.");

        var reviewer = user.UserId!.Value;
        var overlap = await db.Set<ConsultSlot>().AsNoTracking()
            .Where(x => x.ReviewerUserId == reviewer && x.Status != ConsultSlotStatus.Cancelled && x.StartsAt < end && x.EndsAt > start)
            .OrderBy(x => x.StartsAt).FirstOrDefaultAsync(ct);
        if (overlap is not null)
            throw new RuleViolationException("from", $"You already have a slot at {TimeZones.Describe(overlap.StartsAt, zone!)}; availability may not overlap.");

        var slots = starts.Select(s => ConsultSlot.Publish(reviewer, s, length, zone!.Id, now)).ToList();
        db.AddRange(slots);
        await db.SaveChangesAsync(ct);
        return slots.Select(s => View(s, zone!, null)).ToList();
    }

    /// <summary>The reviewer's own slots from now on, in the zone given (or each slot's own).</summary>
    public async Task<IReadOnlyList<SlotView>> MineAsync(string? timeZone, CancellationToken ct)
    {
        var zone = timeZone is null ? null : TimeZones.Require(timeZone, "timeZone");
        var now = clock.GetUtcNow();
        var reviewer = user.UserId;
        var slots = await db.Set<ConsultSlot>().AsNoTracking()
            .Where(s => s.ReviewerUserId == reviewer && s.EndsAt > now && s.Status != ConsultSlotStatus.Cancelled).OrderBy(s => s.StartsAt).ToListAsync(ct);
        var caseIds = slots.Where(s => s.CaseId != null).Select(s => s.CaseId!.Value).Distinct().ToList();
        var cases = await db.Cases.AsNoTracking().Where(c => caseIds.Contains(c.Id)).Select(c => new { c.Id, c.Number, c.MemberId }).ToListAsync(ct);
        foreach (var c in cases) audit.Record(AuditAction.Query, "ConsultSlot", c.Id, c.MemberId, reason: "reviewer's consult schedule");
        if (cases.Count > 0) await db.SaveChangesAsync(ct);
        return slots.Select(s => View(s, zone ?? TimeZones.Require(s.ReviewerTimeZone, "timeZone"), cases.FirstOrDefault(c => c.Id == s.CaseId)?.Number)).ToList();
    }

    /// <summary>The case's consults, and the reviewer's free times when the viewer is the member who may book.</summary>
    public async Task<CaseConsultView> ForCaseAsync(Guid caseId, string? timeZone, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, AuditAction.Read, ct);
        var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
        var zoneId = timeZone ?? (user.Role == Roles.Reviewer ? null : TimeZones.ForState(@case.StateOfResidence ?? member.State));
        var now = clock.GetUtcNow();
        var bookings = await db.Set<ConsultSlot>().AsNoTracking().Where(s => s.CaseId == caseId).OrderBy(s => s.StartsAt).ToListAsync(ct);
        var zone = zoneId is null ? null : TimeZones.Require(zoneId, "timeZone");
        var mayBook = user.Role == Roles.Patient && @case.ReviewerUserId is not null && BookableStages.Contains(@case.Status)
            && !bookings.Any(b => b.Status == ConsultSlotStatus.Booked && b.EndsAt > now);
        var available = new List<ConsultSlot>();
        if (mayBook)
        {
            var earliest = now + options.Value.MinimumNotice;
            available = await db.Set<ConsultSlot>().AsNoTracking()
                .Where(s => s.ReviewerUserId == @case.ReviewerUserId && s.Status == ConsultSlotStatus.Open && s.StartsAt >= earliest)
                .OrderBy(s => s.StartsAt).Take(100).ToListAsync(ct);
        }
        // Notes are the reviewer's clinical record of the conversation: staff see them, the member sees the booking.
        var showNotes = user.Role != Roles.Patient;
        audit.Record(AuditAction.Read, "ConsultSlot", caseId, @case.MemberId, reason: "case consults");
        await db.SaveChangesAsync(ct);
        return new CaseConsultView(@case.Id, @case.Number, mayBook, zone?.Id ?? "",
            available.Select(s => View(s, zone ?? TimeZones.Require(s.ReviewerTimeZone, "timeZone"), null)).ToList(),
            bookings.Select(b => Booking(b, zone ?? TimeZones.Require(b.ReviewerTimeZone, "timeZone"), showNotes)).ToList());
    }

    public async Task<BookingView> BookAsync(Guid caseId, BookConsultRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.SlotId is null) errors["slotId"] = ["Choose a time."];
        var zone = TimeZones.Find(request.TimeZone);
        if (zone is null) errors["timeZone"] = ["Give an IANA time zone such as America/Chicago or Europe/London."];
        if (errors.Count > 0) throw new RequestValidationException(errors);

        var @case = await VisibleCaseAsync(caseId, AuditAction.Create, ct);
        try
        {
            var now = clock.GetUtcNow();
            if (@case.ReviewerUserId is null || !BookableStages.Contains(@case.Status))
                throw new ConflictException("A video consult is booked once a specialist is assigned to the case.");
            if (await db.Set<ConsultSlot>().AnyAsync(s => s.CaseId == caseId && s.Status == ConsultSlotStatus.Booked && s.EndsAt > now, ct))
                throw new ConflictException("A video consult is already booked for this case. Cancel it first to choose another time.");
            var slot = await db.Set<ConsultSlot>().SingleOrDefaultAsync(s => s.Id == request.SlotId, ct);
            if (slot is null || slot.ReviewerUserId != @case.ReviewerUserId)
                throw new RuleViolationException("slotId", "This is not one of your specialist's available times.");
            slot.Book(caseId, zone!.Id, await links.CreateAsync(slot, ct), options.Value.MinimumNotice, now);

            var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
            var reviewer = await db.Users.AsNoTracking().Where(u => u.Id == slot.ReviewerUserId).Select(u => new { u.Email, u.DisplayName }).SingleAsync(ct);
            foreach (var email in Emails(slot, @case, member.Email, member.DisplayName, reviewer.Email, reviewer.DisplayName, reminder: false))
                mailer.Queue(email);
            audit.Record(AuditAction.Create, "ConsultSlot", slot.Id, @case.MemberId, reason: $"video consult booked for {slot.StartsAt:O}");
            await db.SaveChangesAsync(ct);
            mailer.Flush();
            return Booking(slot, zone, showNotes: false);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Create, "ConsultSlot", request.SlotId, @case.MemberId, AuditOutcome.Failure, $"not booked: {e.GetType().Name}", ct);
            if (e is DbUpdateConcurrencyException) throw new ConflictException("This time was just taken. Choose another.");
            throw;
        }
    }

    /// <summary>The member or the case's staff free the time; the slot's reviewer withdraws it (telling a booked member why).</summary>
    public async Task<BookingView> CancelAsync(Guid slotId, CancelConsultRequest request, CancellationToken ct)
    {
        var slot = await db.Set<ConsultSlot>().SingleOrDefaultAsync(s => s.Id == slotId, ct) ?? throw new NotFoundException("Consult", slotId);
        var now = clock.GetUtcNow();
        var isOwner = user.Role == Roles.Reviewer && slot.ReviewerUserId == user.UserId;
        Case? @case = null;
        if (slot.CaseId is { } caseId && !isOwner) @case = await VisibleCaseAsync(caseId, AuditAction.Update, ct);
        else if (!isOwner) throw new NotFoundException("Consult", slotId);
        else if (slot.CaseId is { } id) @case = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == id, ct);

        var memberZone = slot.MemberTimeZone;
        if (isOwner) slot.Cancel(request.Reason, now);
        else slot.Release(now);
        if (@case is not null)
        {
            var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
            var reviewer = await db.Users.AsNoTracking().Where(u => u.Id == slot.ReviewerUserId).Select(u => new { u.Email, u.DisplayName }).SingleAsync(ct);
            var text = $"The video consult for case {@case.Number} on {{0}} is cancelled{(isOwner && slot.CancelReason is not null ? $": {slot.CancelReason}" : "")}. " +
                       "You can choose another time in the member portal.\n";
            if (Mailer.IsAddress(member.Email) && memberZone is not null)
                mailer.Queue(new EmailMessage(member.Email!, member.DisplayName, "Your video consult is cancelled",
                    $"Hello {member.FirstName},\n\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, text,
                        TimeZones.Describe(slot.StartsAt, TimeZones.Require(memberZone, "timeZone"))) + $"\n{mailer.Options.Link("/my")}\n"));
            if (!isOwner && Mailer.IsAddress(reviewer.Email))
                mailer.Queue(new EmailMessage(reviewer.Email!, reviewer.DisplayName, $"Video consult cancelled: case {@case.Number}",
                    $"The member cancelled the video consult for case {@case.Number} on {TimeZones.Describe(slot.StartsAt, TimeZones.Require(slot.ReviewerTimeZone, "timeZone"))}. The time is open again.\n"));
            audit.Record(AuditAction.Update, "ConsultSlot", slot.Id, @case.MemberId, reason: isOwner ? "consult cancelled by the reviewer" : "booking cancelled");
        }
        await db.SaveChangesAsync(ct);
        mailer.Flush();
        return Booking(slot, TimeZones.Require(memberZone ?? slot.ReviewerTimeZone, "timeZone"), showNotes: user.Role != Roles.Patient);
    }

    public async Task<BookingView> RecordNotesAsync(Guid slotId, ConsultNotesRequest request, CancellationToken ct)
    {
        var slot = await db.Set<ConsultSlot>().SingleOrDefaultAsync(s => s.Id == slotId, ct) ?? throw new NotFoundException("Consult", slotId);
        if (slot.ReviewerUserId != user.UserId || slot.CaseId is null) throw new NotFoundException("Consult", slotId);
        var @case = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == slot.CaseId, ct);
        if (@case.ReviewerUserId != user.UserId)
        {
            await audit.RecordFailureAsync(AuditAction.Update, "ConsultSlot", slot.Id, @case.MemberId, AuditOutcome.Denied, "no longer the case's reviewer", ct);
            throw new NotFoundException("Consult", slotId);
        }
        slot.RecordNotes(request.Notes, clock.GetUtcNow());
        audit.Record(AuditAction.Update, "ConsultSlot", slot.Id, @case.MemberId, reason: "consult notes recorded");
        await db.SaveChangesAsync(ct);
        return Booking(slot, TimeZones.Require(slot.ReviewerTimeZone, "timeZone"), showNotes: true);
    }

    internal static IEnumerable<EmailMessage> Emails(ConsultSlot slot, Case @case, string? memberEmail, string memberName, string? reviewerEmail,
        string reviewerName, bool reminder)
    {
        var subject = reminder ? "Reminder: your video consult" : "Your video consult is booked";
        if (Mailer.IsAddress(memberEmail))
        {
            var when = TimeZones.Describe(slot.StartsAt, TimeZones.Require(slot.MemberTimeZone, "timeZone"));
            yield return new EmailMessage(memberEmail!, memberName, subject,
                $"Hello {memberName},\n\n" +
                (reminder ? $"This is a reminder of your video consult with the specialist on {when}." : $"Your video consult with the specialist is booked for {when}.") +
                $" It lasts {slot.Length.TotalMinutes:0} minutes.\n\nJoin from a computer or phone with a camera at this link:\n{slot.MeetingUrl}\n\n" +
                "Have your questions ready. To cancel or change the time, sign in to the member portal.\n" +
                "For your privacy, this email contains no medical information.\n");
        }
        if (Mailer.IsAddress(reviewerEmail))
        {
            var when = TimeZones.Describe(slot.StartsAt, TimeZones.Require(slot.ReviewerTimeZone, "timeZone"));
            yield return new EmailMessage(reviewerEmail!, reviewerName, reminder ? $"Reminder: video consult, case {@case.Number}" : $"Video consult booked: case {@case.Number}",
                $"{(reminder ? "Reminder: the" : "The")} member of case {@case.Number} {(reminder ? "has" : "booked")} a video consult with you on {when} " +
                $"({slot.Length.TotalMinutes:0} minutes).\n\nMeeting link: {slot.MeetingUrl}\n");
        }
    }

    async Task<Case> VisibleCaseAsync(Guid caseId, AuditAction attempted, CancellationToken ct)
    {
        var @case = await db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow()).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is not null) return @case;
        var memberId = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => (Guid?)c.MemberId).SingleOrDefaultAsync(ct);
        if (memberId is not null)
            await audit.RecordFailureAsync(attempted, "ConsultSlot", caseId, memberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException("Case", caseId);
    }

    static SlotView View(ConsultSlot s, TimeZoneInfo zone, string? caseNumber) => new(s.Id, s.StartsAt, s.EndsAt, TimeZones.Local(s.StartsAt, zone),
        TimeZones.Local(s.EndsAt, zone), zone.Id, TimeZones.Describe(s.StartsAt, zone), s.Status, caseNumber, s.Version);

    static BookingView Booking(ConsultSlot s, TimeZoneInfo zone, bool showNotes) => new(s.Id, s.StartsAt, TimeZones.Local(s.StartsAt, zone), zone.Id,
        TimeZones.Describe(s.StartsAt, zone), s.Status, s.Status == ConsultSlotStatus.Booked ? s.MeetingUrl : null, s.BookedAt, s.ReminderSentAt,
        showNotes ? s.Notes : null, s.NotesAt, s.CancelReason, s.Version);
}

/// <summary>
/// Sends the reminder for each booked consult once it is within <see cref="ConsultOptions.ReminderLead"/> of starting.
/// Safe on many nodes: the slot's version guards the "reminded" mark, and a node that loses the race rolls back its emails.
/// </summary>
public sealed partial class ConsultReminderMonitor(IServiceScopeFactory scopes, IOptions<ConsultOptions> options, TimeProvider clock, ILogger<ConsultReminderMonitor> logger)
{
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<CurrentActor>().Use(Actor.System("consult reminders"), "system");
        var db = sp.GetRequiredService<ConsiliumDbContext>();
        var mailer = sp.GetRequiredService<Mailer>();
        var audit = sp.GetRequiredService<AuditTrail>();
        var now = clock.GetUtcNow();
        var horizon = now + options.Value.ReminderLead;
        var due = await db.Set<ConsultSlot>().Where(s => s.Status == ConsultSlotStatus.Booked && s.ReminderSentAt == null && s.StartsAt > now && s.StartsAt <= horizon)
            .Select(s => s.Id).ToListAsync(ct);
        var sent = 0;
        foreach (var id in due)
        {
            db.ChangeTracker.Clear();
            var slot = await db.Set<ConsultSlot>().SingleAsync(s => s.Id == id, ct);
            var @case = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == slot.CaseId, ct);
            var member = await db.Members.AsNoTracking().SingleAsync(m => m.Id == @case.MemberId, ct);
            var reviewer = await db.Users.AsNoTracking().Where(u => u.Id == slot.ReviewerUserId).Select(u => new { u.Email, u.DisplayName }).SingleAsync(ct);
            foreach (var email in ConsultHandlers.Emails(slot, @case, member.Email, member.DisplayName, reviewer.Email, reviewer.DisplayName, reminder: true))
                mailer.Queue(email);
            slot.MarkReminded(now);
            audit.Record(AuditAction.Create, "ConsultReminder", slot.Id, @case.MemberId, reason: "reminder emailed");
            try
            {
                await db.SaveChangesAsync(ct);
                sent++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another node reminded (or the booking changed) first.
            }
        }
        if (sent > 0) mailer.Flush();
        return sent;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consult reminders sent for {Count} booking(s)")]
    internal static partial void LogSent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consult reminder pass failed with {ExceptionType}; retrying at the next interval")]
    internal static partial void LogFailed(ILogger logger, string exceptionType);

    internal ILogger Logger => logger;
}

internal sealed class ConsultReminderTimer(ConsultReminderMonitor monitor, IOptions<ConsultOptions> options, TimeProvider clock) : PeriodicPass(clock)
{
    protected override TimeSpan Interval => options.Value.CheckInterval;
    protected override bool RunAtStart => true;

    protected override async Task PassAsync(CancellationToken ct)
    {
        var count = await monitor.RunOnceAsync(ct);
        if (count > 0) ConsultReminderMonitor.LogSent(monitor.Logger, count);
    }

    protected override void Failed(string exceptionType) => ConsultReminderMonitor.LogFailed(monitor.Logger, exceptionType);
}

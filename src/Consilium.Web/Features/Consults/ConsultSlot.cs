using Consilium.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Consults;

public enum ConsultSlotStatus
{
    /// <summary>Published by the reviewer, free to book.</summary>
    Open,
    Booked,
    /// <summary>Held: the reviewer recorded the consult notes.</summary>
    Completed,
    /// <summary>Withdrawn by the reviewer.</summary>
    Cancelled,
}

/// <summary>
/// One bookable video-consult slot of a reviewer. Instants are stored in UTC; the zone the reviewer published it in and
/// the zone the member booked from are kept so each is written to in their own local time. A member who cancels frees
/// the slot for someone else; a reviewer who cancels withdraws it.
/// </summary>
public sealed class ConsultSlot
{
    public const int MaxNotes = 8000;

    ConsultSlot() { ReviewerTimeZone = ""; }

    public Guid Id { get; private set; }
    public Guid ReviewerUserId { get; private set; }
    public DateTimeOffset StartsAt { get; private set; }
    public DateTimeOffset EndsAt { get; private set; }

    /// <summary>IANA zone the reviewer published the slot in ("America/Chicago").</summary>
    public string ReviewerTimeZone { get; private set; }

    public ConsultSlotStatus Status { get; private set; }
    public Guid? CaseId { get; private set; }

    /// <summary>IANA zone the member booked from: confirmations and reminders use it.</summary>
    public string? MemberTimeZone { get; private set; }

    public DateTimeOffset? BookedAt { get; private set; }
    public string? MeetingUrl { get; private set; }
    public DateTimeOffset? ReminderSentAt { get; private set; }

    /// <summary>The reviewer's notes of the consult, attached to the case. Health information: never logged.</summary>
    public string? Notes { get; private set; }

    public DateTimeOffset? NotesAt { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    public string? CancelReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public TimeSpan Length => EndsAt - StartsAt;

    public static ConsultSlot Publish(Guid reviewerUserId, DateTimeOffset startsAt, TimeSpan length, string reviewerTimeZone, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), ReviewerUserId = reviewerUserId, StartsAt = startsAt.ToUniversalTime(), EndsAt = (startsAt + length).ToUniversalTime(),
        ReviewerTimeZone = reviewerTimeZone, Status = ConsultSlotStatus.Open, CreatedAt = now, Version = 1,
    };

    public void Book(Guid caseId, string memberTimeZone, string meetingUrl, TimeSpan minimumNotice, DateTimeOffset now)
    {
        if (Status != ConsultSlotStatus.Open) throw new ConflictException("This time was just taken. Choose another.");
        if (StartsAt < now + minimumNotice)
            throw new RuleViolationException("slotId", $"This time is too soon: book at least {minimumNotice.TotalHours:0.#} hours ahead.");
        (Status, CaseId, MemberTimeZone, MeetingUrl, BookedAt, ReminderSentAt) = (ConsultSlotStatus.Booked, caseId, memberTimeZone, meetingUrl, now, null);
        Version++;
    }

    /// <summary>The member (or their coordinator) cancels: the time becomes free again for anyone.</summary>
    public void Release(DateTimeOffset now)
    {
        if (Status != ConsultSlotStatus.Booked) throw new ConflictException("This consult is not booked.");
        if (StartsAt <= now) throw new ConflictException("This consult has already started.");
        (Status, CaseId, MemberTimeZone, MeetingUrl, BookedAt, ReminderSentAt) = (ConsultSlotStatus.Open, null, null, null, null, null);
        Version++;
    }

    /// <summary>The reviewer withdraws the time, booked or not.</summary>
    public void Cancel(string? reason, DateTimeOffset now)
    {
        if (Status is ConsultSlotStatus.Completed or ConsultSlotStatus.Cancelled) throw new ConflictException($"This consult is already {Status}.");
        var text = reason?.Trim();
        if (Status == ConsultSlotStatus.Booked && string.IsNullOrEmpty(text))
            throw new RuleViolationException("reason", "Say why the booked consult is cancelled: the member is told.");
        if (text?.Length > 500) throw new RuleViolationException("reason", "At most 500 characters.");
        (Status, CancelledAt, CancelReason) = (ConsultSlotStatus.Cancelled, now, string.IsNullOrEmpty(text) ? null : text);
        Version++;
    }

    public void RecordNotes(string? notes, DateTimeOffset now)
    {
        if (Status is not (ConsultSlotStatus.Booked or ConsultSlotStatus.Completed)) throw new ConflictException("Notes are recorded for a booked consult.");
        if (StartsAt > now) throw new ConflictException("The consult has not started yet.");
        var text = notes?.Trim();
        if (string.IsNullOrEmpty(text)) throw new RuleViolationException("notes", "Write the consult notes.");
        if (text.Length > MaxNotes) throw new RuleViolationException("notes", $"At most {MaxNotes} characters.");
        (Status, Notes, NotesAt) = (ConsultSlotStatus.Completed, text, now);
        Version++;
    }

    public void MarkReminded(DateTimeOffset now)
    {
        ReminderSentAt = now;
        Version++;
    }
}

internal sealed class ConsultSlotConfiguration : IEntityTypeConfiguration<ConsultSlot>
{
    public void Configure(EntityTypeBuilder<ConsultSlot> builder)
    {
        builder.ToTable("ConsultSlots");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.ReviewerTimeZone).HasMaxLength(64);
        builder.Property(s => s.MemberTimeZone).HasMaxLength(64);
        builder.Property(s => s.MeetingUrl).HasMaxLength(1000);
        builder.Property(s => s.Notes).HasMaxLength(ConsultSlot.MaxNotes);
        builder.Property(s => s.CancelReason).HasMaxLength(500);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Ignore(s => s.Length);
        builder.HasOne<Cases.Case>().WithMany().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.ReviewerUserId, s.StartsAt });
        builder.HasIndex(s => new { s.CaseId, s.Status });
        builder.HasIndex(s => new { s.Status, s.StartsAt });
    }
}

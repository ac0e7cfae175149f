using Consilium.Infrastructure;

namespace Consilium.Features.Records;

public enum RecordItemStatus
{
    ToRequest,
    Requested,
    Received,
    Partial,
    Unavailable,
}

public enum FollowUpChannel
{
    Phone,
    Fax,
    Email,
    Portal,
    Mail,
}

/// <summary>
/// The request for records to one facility for one case, item by item. Every request cites the authorization that
/// allows it; the coordinators' retrieval worklist is built from items not yet received.
/// </summary>
public sealed class RecordRequest
{
    readonly List<RecordItem> _items = [];
    readonly List<FollowUp> _followUps = [];

    RecordRequest() { Facility = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid ConsentId { get; private set; }
    public string Facility { get; private set; }
    public string? FacilityPhone { get; private set; }
    public string? FacilityFax { get; private set; }
    public string? FacilityEmail { get; private set; }
    public string? FacilityAddress { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>When the request letter went out (fax, mail, portal); items still to request became requested then.</summary>
    public DateTimeOffset? SentAt { get; private set; }
    public IReadOnlyList<RecordItem> Items => _items;
    public IReadOnlyList<FollowUp> FollowUps => _followUps;
    public int Version { get; private set; }

    public static RecordRequest Open(Guid caseId, Guid consentId, string facility, string? phone, string? fax, string? email, string? address,
        IEnumerable<RecordKind> kinds, DateOnly dueOn, DateTimeOffset now)
    {
        var name = facility?.Trim() ?? "";
        if (name.Length == 0) throw new RuleViolationException("facility", "Name the facility the records come from.");
        if (name.Length > 200) throw new RuleViolationException("facility", "The facility name is longer than 200 characters.");
        var wanted = kinds.Distinct().ToList();
        if (wanted.Count == 0) throw new RuleViolationException("items", "Request at least one kind of record.");
        if (dueOn < DateOnly.FromDateTime(now.UtcDateTime)) throw new RuleViolationException("dueOn", "The due date is in the past.");
        var request = new RecordRequest
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, ConsentId = consentId, Facility = name, FacilityPhone = Clip(phone, 40),
            FacilityFax = Clip(fax, 40), FacilityEmail = Clip(email, 254), FacilityAddress = Clip(address, 500), CreatedAt = now, Version = 1,
        };
        foreach (var kind in wanted) request._items.Add(new RecordItem(Guid.CreateVersion7(now), kind, dueOn, now));
        return request;
    }

    public RecordItem Item(Guid itemId) => _items.SingleOrDefault(i => i.Id == itemId) ?? throw new NotFoundException("RecordItem", itemId);

    /// <summary>Marks the letter sent: every item still to request becomes requested.</summary>
    public void MarkSent(DateTimeOffset now)
    {
        SentAt ??= now;
        foreach (var item in _items.Where(i => i.Status == RecordItemStatus.ToRequest)) item.Update(RecordItemStatus.Requested, null, null, now);
        Version++;
    }

    public void UpdateItem(Guid itemId, RecordItemStatus status, string? note, DateOnly? dueOn, DateTimeOffset now)
    {
        Item(itemId).Update(status, note, dueOn, now);
        Version++;
    }

    public void RecordFollowUp(FollowUpChannel channel, string? note, string by, DateOnly? nextDueOn, DateTimeOffset now)
    {
        if (note?.Length > 1000) throw new RuleViolationException("note", "The note is longer than 1000 characters.");
        if (nextDueOn is { } due && due < DateOnly.FromDateTime(now.UtcDateTime)) throw new RuleViolationException("nextDueOn", "The next due date is in the past.");
        _followUps.Add(new FollowUp(Guid.CreateVersion7(now), channel, note?.Trim(), by, now));
        if (nextDueOn is { } next)
            foreach (var item in _items.Where(i => i.IsOpen)) item.Update(item.Status, null, next, now);
        Version++;
    }

    static string? Clip(string? value, int max)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        return trimmed.Length <= max ? trimmed : throw new RuleViolationException("facility", $"A facility contact field is longer than {max} characters.");
    }
}

public sealed class RecordItem
{
    RecordItem() { }

    internal RecordItem(Guid id, RecordKind kind, DateOnly dueOn, DateTimeOffset now)
    {
        Id = id;
        Kind = kind;
        DueOn = dueOn;
        Status = RecordItemStatus.ToRequest;
        UpdatedAt = now;
    }

    public Guid Id { get; private set; }
    public RecordKind Kind { get; private set; }
    public RecordItemStatus Status { get; private set; }
    public DateOnly DueOn { get; private set; }
    public string? Note { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Still being chased: neither received nor declared unavailable.</summary>
    public bool IsOpen => Status is RecordItemStatus.ToRequest or RecordItemStatus.Requested or RecordItemStatus.Partial;

    public bool IsOverdue(DateOnly today) => IsOpen && DueOn < today;

    internal void Update(RecordItemStatus status, string? note, DateOnly? dueOn, DateTimeOffset now)
    {
        if (status == RecordItemStatus.Unavailable && string.IsNullOrWhiteSpace(note) && Note is null)
            throw new RuleViolationException("note", "Say why the record is unavailable (never existed, destroyed, facility refused…).");
        if (note?.Length > 1000) throw new RuleViolationException("note", "The note is longer than 1000 characters.");
        Status = status;
        if (!string.IsNullOrWhiteSpace(note)) Note = note.Trim();
        if (dueOn is { } due) DueOn = due;
        UpdatedAt = now;
    }
}

public sealed record FollowUp(Guid Id, FollowUpChannel Channel, string? Note, string By, DateTimeOffset At);

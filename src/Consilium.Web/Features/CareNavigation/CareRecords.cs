using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Infrastructure;

namespace Consilium.Features.CareNavigation;

public enum BriefingChannel
{
    Phone,
    Video,
    InPerson,
    PortalMessage,
}

/// <summary>Where the member stands after hearing the opinion explained.</summary>
public enum MemberIntent
{
    WillFollowRecommendation,
    Undecided,
    WillKeepOriginalPlan,
    WantsMoreInformation,
}

/// <summary>The coordinator's briefing of the member on the signed opinion: when, how, what the member intends.</summary>
public sealed class Briefing
{
    public const int MaxNotes = 4000;

    Briefing() { ByName = ""; }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid OpinionId { get; private set; }
    public DateTimeOffset BriefedAt { get; private set; }
    public BriefingChannel Channel { get; private set; }
    public MemberIntent Intent { get; private set; }
    public string? Notes { get; private set; }
    public Guid? ByUserId { get; private set; }
    public string ByName { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    public static Briefing Record(Guid caseId, Guid opinionId, DateTimeOffset briefedAt, BriefingChannel channel, MemberIntent intent, string? notes,
        Actor by, DateTimeOffset now)
    {
        if (briefedAt > now.AddMinutes(5)) throw new RuleViolationException("briefedAt", "A briefing is recorded after it took place, not before.");
        var text = notes?.Trim();
        if (text?.Length > MaxNotes) throw new RuleViolationException("notes", $"At most {MaxNotes} characters.");
        return new Briefing
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, OpinionId = opinionId, BriefedAt = briefedAt, Channel = channel, Intent = intent,
            Notes = string.IsNullOrEmpty(text) ? null : text, ByUserId = by.UserId, ByName = by.Name.Length <= 256 ? by.Name : by.Name[..256], RecordedAt = now,
        };
    }
}

public enum NavigationStatus
{
    Open,
    /// <summary>The member chose a provider: the handoff is done.</summary>
    ProviderChosen,
    /// <summary>The member decided to stay with their current provider.</summary>
    MemberDeclined,
    /// <summary>An amendment no longer recommends a change of provider.</summary>
    Cancelled,
}

public enum NavigationEventKind
{
    Opened,
    Note,
    ProviderChosen,
    MemberDeclined,
    Cancelled,
}

public sealed record NavigationEvent(DateTimeOffset At, NavigationEventKind Kind, string By, string? Note);

/// <summary>
/// The handoff when the opinion recommends a different provider or a center of excellence: open from signing until the
/// member has chosen a provider (or decided not to change). Its history is kept as events.
/// </summary>
public sealed class NavigationTask
{
    static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    List<NavigationEvent> _events = [];

    NavigationTask() { }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid OpinionId { get; private set; }
    public SiteOfCare Recommendation { get; private set; }
    public string? Reason { get; private set; }
    public NavigationStatus Status { get; private set; }
    public Guid? CoordinatorUserId { get; private set; }
    public string? ChosenProvider { get; private set; }
    public string? ChosenProviderNpi { get; private set; }
    public string? ChosenFacility { get; private set; }

    /// <summary>Whether the provider chosen is the kind the opinion recommended (e.g. a center of excellence).</summary>
    public bool? MatchesRecommendation { get; private set; }

    public DateTimeOffset OpenedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public IReadOnlyList<NavigationEvent> Events => _events;

    /// <summary>The events as stored: a JSON array, read and written whole.</summary>
    internal string EventsJson
    {
        get => System.Text.Json.JsonSerializer.Serialize(_events, Json);
        private set => _events = System.Text.Json.JsonSerializer.Deserialize<List<NavigationEvent>>(value, Json) ?? [];
    }
    public int Version { get; private set; }

    public bool IsOpen => Status == NavigationStatus.Open;

    public static NavigationTask Open(Guid caseId, Guid opinionId, SiteOfCare recommendation, string? reason, Guid? coordinatorUserId, Actor by, DateTimeOffset now)
    {
        var task = new NavigationTask
        {
            Id = Guid.CreateVersion7(now), CaseId = caseId, OpinionId = opinionId, Recommendation = recommendation, Reason = reason,
            Status = NavigationStatus.Open, CoordinatorUserId = coordinatorUserId, OpenedAt = now, Version = 1,
        };
        task._events.Add(new NavigationEvent(now, NavigationEventKind.Opened, by.Name, $"Opinion recommends {recommendation}"));
        return task;
    }

    /// <summary>The same task follows an amendment that still recommends a change of provider.</summary>
    public void Retarget(Guid opinionId, SiteOfCare recommendation, string? reason, Actor by, DateTimeOffset now)
    {
        if (OpinionId == opinionId) return;
        OpinionId = opinionId;
        if (Recommendation != recommendation || Reason != reason)
            _events.Add(new NavigationEvent(now, NavigationEventKind.Note, by.Name, $"Amended opinion now recommends {recommendation}"));
        (Recommendation, Reason) = (recommendation, reason);
        Version++;
    }

    public void Note(string? note, Actor by, DateTimeOffset now)
    {
        EnsureOpen();
        var text = Text("note", note) ?? throw new RuleViolationException("note", "Write the note.");
        _events.Add(new NavigationEvent(now, NavigationEventKind.Note, by.Name, text));
        Version++;
    }

    public void ProviderChosen(string? provider, string? npi, string? facility, bool? matchesRecommendation, string? note, Actor by, DateTimeOffset now)
    {
        EnsureOpen();
        var name = Text("provider", provider) ?? throw new RuleViolationException("provider", "Name the provider the member chose.");
        if (!string.IsNullOrWhiteSpace(npi) && !Npi.IsValid(npi.Trim()))
            throw new RuleViolationException("npi", "The NPI is not valid: ten digits starting with 1 or 2, the last a check digit.");
        if (matchesRecommendation is null) throw new RuleViolationException("matchesRecommendation", "Say whether the choice follows the recommendation.");
        (ChosenProvider, ChosenProviderNpi, ChosenFacility, MatchesRecommendation) = (name, string.IsNullOrWhiteSpace(npi) ? null : npi.Trim(), Text("facility", facility), matchesRecommendation);
        Close(NavigationStatus.ProviderChosen, NavigationEventKind.ProviderChosen, Text("note", note) ?? name, by, now);
    }

    public void Declined(string? note, Actor by, DateTimeOffset now)
    {
        EnsureOpen();
        var text = Text("note", note) ?? throw new RuleViolationException("note", "Record why the member keeps their current provider.");
        Close(NavigationStatus.MemberDeclined, NavigationEventKind.MemberDeclined, text, by, now);
    }

    public void Cancel(string reason, Actor by, DateTimeOffset now)
    {
        if (!IsOpen) return;
        Close(NavigationStatus.Cancelled, NavigationEventKind.Cancelled, reason, by, now);
    }

    void Close(NavigationStatus status, NavigationEventKind kind, string note, Actor by, DateTimeOffset now)
    {
        Status = status;
        ClosedAt = now;
        _events.Add(new NavigationEvent(now, kind, by.Name, note));
        Version++;
    }

    void EnsureOpen()
    {
        if (!IsOpen) throw new ConflictException($"The navigation task is closed ({Status}).");
    }

    static string? Text(string field, string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length > 1000) throw new RuleViolationException(field, "At most 1000 characters.");
        return text;
    }
}

public enum FollowUpStatus
{
    Due,
    Completed,
    /// <summary>Tried and could not reach the member; closes the follow-up without an answer.</summary>
    Unreachable,
}

/// <summary>Whether the member followed the opinion's recommendation.</summary>
public enum FollowedRecommendation
{
    Yes,
    Partly,
    No,
    NotYetDecided,
}

/// <summary>
/// A follow-up with the member a set number of days after the first signed opinion (30 and 90 by default): did they
/// follow the recommendation, and how satisfied are they (0–10, the net promoter question).
/// </summary>
public sealed class OutcomeFollowUp
{
    OutcomeFollowUp() { }

    public Guid Id { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid OpinionId { get; private set; }
    public int DayMark { get; private set; }
    public DateOnly DueOn { get; private set; }
    public FollowUpStatus Status { get; private set; }
    public FollowedRecommendation? Followed { get; private set; }

    /// <summary>0–10: "How likely are you to recommend this program to a friend or colleague?"</summary>
    public int? Satisfaction { get; private set; }

    public string? Notes { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public string? CompletedBy { get; private set; }
    public int Version { get; private set; }

    public static OutcomeFollowUp Schedule(Guid caseId, Guid opinionId, int dayMark, DateTimeOffset signedAt) => new()
    {
        Id = Guid.CreateVersion7(signedAt), CaseId = caseId, OpinionId = opinionId, DayMark = dayMark,
        DueOn = DateOnly.FromDateTime(signedAt.UtcDateTime).AddDays(dayMark), Status = FollowUpStatus.Due, Version = 1,
    };

    public void Complete(FollowUpStatus status, FollowedRecommendation? followed, int? satisfaction, string? notes, Actor by, DateTimeOffset now)
    {
        if (Status != FollowUpStatus.Due) throw new ConflictException($"This follow-up was already recorded ({Status}).");
        var errors = new Dictionary<string, string[]>();
        if (status == FollowUpStatus.Due) errors["status"] = ["Record the follow-up as completed or unreachable."];
        if (status == FollowUpStatus.Completed && followed is null) errors["followed"] = ["Say whether the member followed the recommendation."];
        if (satisfaction is < 0 or > 10) errors["satisfaction"] = ["Satisfaction is a whole number from 0 to 10."];
        if (status == FollowUpStatus.Unreachable && (followed is not null || satisfaction is not null))
            errors["status"] = ["An unreachable member gave no answers: leave them empty."];
        var text = notes?.Trim();
        if (text?.Length > 2000) errors["notes"] = ["At most 2000 characters."];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        (Status, Followed, Satisfaction, Notes, CompletedAt, CompletedBy) =
            (status, followed, satisfaction, string.IsNullOrEmpty(text) ? null : text, now, by.Name.Length <= 256 ? by.Name : by.Name[..256]);
        Version++;
    }
}

using Consilium.Infrastructure;

namespace Consilium.Features.Members;

public enum Sex
{
    Female,
    Male,
    Other,
    Unknown,
}

/// <summary>The member's relationship to the subscriber through whom they are covered.</summary>
public enum MemberRelationship
{
    Self,
    Spouse,
    Child,
    Other,
}

/// <summary>Whether a member is covered on a given day, by the coverage dates of the roster.</summary>
public enum EligibilityStatus
{
    Eligible,
    NotFound,
    NotYetCovered,
    CoverageEnded,
}

/// <summary>What applying one roster record did to a member.</summary>
public enum RosterChange
{
    Unchanged,
    Added,
    Changed,
    Terminated,
}

/// <summary>
/// One member as an eligibility roster states them. <see cref="Contact"/> is null when the file carries no contact
/// columns, so a roster that does not know them never erases what the member told the program.
/// </summary>
public sealed record MemberRosterData(
    string ExternalId,
    string FirstName,
    string LastName,
    DateOnly DateOfBirth,
    Sex Sex,
    string State,
    string? Plan,
    DateOnly? CoverageStart,
    DateOnly? CoverageEnd,
    MemberRelationship Relationship,
    string? SubscriberId,
    RosterContact? Contact = null);

public sealed record RosterContact(string? Email, string? Phone, string? PreferredLanguage);

/// <summary>
/// A person covered by a program (the patient). Everything here except the identifiers is health information:
/// never logged, shown only to roles that need it, every access audited.
/// </summary>
public sealed class Member
{
    Member() { ExternalId = ""; FirstName = ""; LastName = ""; State = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }

    /// <summary>The sponsor's member identifier (from the roster or the referral). Unique within a program.</summary>
    public string ExternalId { get; private set; }

    public string FirstName { get; private set; }
    public string LastName { get; private set; }
    public DateOnly DateOfBirth { get; private set; }
    public Sex Sex { get; private set; }

    /// <summary>US state of residence (two-letter code): decides which reviewers may give a direct opinion.</summary>
    public string State { get; private set; }

    public string? Email { get; private set; }
    public string? Phone { get; private set; }
    public string PreferredLanguage { get; private set; } = "en";

    /// <summary>The subscriber's identifier when the member is covered as a dependent (from the roster).</summary>
    public string? SubscriberId { get; private set; }

    public MemberRelationship? Relationship { get; private set; }

    /// <summary>The benefit plan the roster names (e.g. "GOLD PPO 1500").</summary>
    public string? Plan { get; private set; }

    /// <summary>First and last day of coverage, both inclusive; null when the roster gives none (open-ended).</summary>
    public DateOnly? CoverageStart { get; private set; }

    public DateOnly? CoverageEnd { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public string DisplayName => $"{FirstName} {LastName}";

    public static Member Enroll(Guid programId, string externalId, string firstName, string lastName, DateOnly dateOfBirth,
        Sex sex, string state, string? email, string? phone, string? preferredLanguage, DateTimeOffset now)
    {
        var member = new Member { Id = Guid.CreateVersion7(now), ProgramId = programId, CreatedAt = now, Version = 1 };
        member.Update(externalId, firstName, lastName, dateOfBirth, sex, state, email, phone, preferredLanguage, now);
        member.Version = 1;
        return member;
    }

    public void Update(string externalId, string firstName, string lastName, DateOnly dateOfBirth, Sex sex, string state,
        string? email, string? phone, string? preferredLanguage, DateTimeOffset now)
    {
        ExternalId = Required("externalId", externalId, 64);
        FirstName = Required("firstName", firstName, 100);
        LastName = Required("lastName", lastName, 100);
        if (dateOfBirth > DateOnly.FromDateTime(now.UtcDateTime) || dateOfBirth.Year < 1880)
            throw new RuleViolationException("dateOfBirth", "The date of birth is not a plausible past date.");
        DateOfBirth = dateOfBirth;
        Sex = sex;
        State = UsStates.Normalize(state) ?? throw new RuleViolationException("state", "The state is not a two-letter US state or territory code.");
        Email = Optional("email", email, 254);
        Phone = Optional("phone", phone, 40);
        PreferredLanguage = Optional("preferredLanguage", preferredLanguage, 35) ?? "en";
        Version++;
    }

    /// <summary>A member first seen on a roster.</summary>
    public static Member FromRoster(Guid programId, MemberRosterData data, DateTimeOffset now)
    {
        var member = new Member { Id = Guid.CreateVersion7(now), ProgramId = programId, CreatedAt = now };
        member.ApplyRoster(data, now);
        member.Version = 1;
        return member;
    }

    /// <summary>
    /// Brings the member in line with a roster record. Nothing changes (not even the version) when the record says what
    /// the member already holds, which is what makes re-importing a file a no-op. Coverage that ends, or ends earlier
    /// than before, is a termination; any other difference is a change.
    /// </summary>
    public RosterChange ApplyRoster(MemberRosterData data, DateTimeOffset now)
    {
        var externalId = Required("externalId", data.ExternalId, 64);
        var first = Required("firstName", data.FirstName, 100);
        var last = Required("lastName", data.LastName, 100);
        if (data.DateOfBirth > DateOnly.FromDateTime(now.UtcDateTime) || data.DateOfBirth.Year < 1880)
            throw new RuleViolationException("dateOfBirth", "The date of birth is not a plausible past date.");
        var state = UsStates.Normalize(data.State) ?? throw new RuleViolationException("state", "The state is not a two-letter US state or territory code.");
        var plan = Optional("plan", data.Plan, 100);
        var subscriber = Optional("subscriberId", data.SubscriberId, 64);
        if (data.CoverageStart is { } s && data.CoverageEnd is { } e && e < s)
            throw new RuleViolationException("coverageEnd", "Coverage ends before it starts.");
        var email = data.Contact is null ? Email : Optional("email", data.Contact.Email, 254);
        var phone = data.Contact is null ? Phone : Optional("phone", data.Contact.Phone, 40);
        var language = data.Contact is null ? PreferredLanguage : Optional("preferredLanguage", data.Contact.PreferredLanguage, 35) ?? PreferredLanguage;

        var isNew = Version == 0;
        var differs = ExternalId != externalId || FirstName != first || LastName != last || DateOfBirth != data.DateOfBirth
            || Sex != data.Sex || State != state || Plan != plan || SubscriberId != subscriber || Relationship != data.Relationship
            || CoverageStart != data.CoverageStart || CoverageEnd != data.CoverageEnd || Email != email || Phone != phone
            || PreferredLanguage != language;
        if (!isNew && !differs) return RosterChange.Unchanged;

        var terminated = data.CoverageEnd is { } end && (CoverageEnd is null || end < CoverageEnd);
        (ExternalId, FirstName, LastName, DateOfBirth, Sex, State) = (externalId, first, last, data.DateOfBirth, data.Sex, state);
        (Plan, SubscriberId, Relationship, CoverageStart, CoverageEnd) = (plan, subscriber, data.Relationship, data.CoverageStart, data.CoverageEnd);
        (Email, Phone, PreferredLanguage) = (email, phone, language);
        Version++;
        return isNew ? RosterChange.Added : terminated ? RosterChange.Terminated : RosterChange.Changed;
    }

    /// <summary>
    /// Ends coverage on <paramref name="lastDay"/>, or on <paramref name="today"/> when the sender gave no date and the
    /// member is still covered. A member already ended on or before that day is left alone, so the same termination
    /// sent twice changes nothing.
    /// </summary>
    public RosterChange Terminate(DateOnly? lastDay, DateOnly today)
    {
        if (lastDay is null && CoverageEnd is { } current && current <= today) return RosterChange.Unchanged;
        var end = lastDay ?? today;
        if (CoverageEnd == end) return RosterChange.Unchanged;
        if (CoverageStart is { } start && end < start) end = start;
        var earlier = CoverageEnd is null || end < CoverageEnd;
        CoverageEnd = end;
        Version++;
        return earlier ? RosterChange.Terminated : RosterChange.Changed;
    }

    /// <summary>Whether the member is covered on <paramref name="day"/>: coverage dates are inclusive, and missing ones are open.</summary>
    public EligibilityStatus EligibilityOn(DateOnly day) =>
        CoverageStart is { } start && day < start ? EligibilityStatus.NotYetCovered
        : CoverageEnd is { } end && day > end ? EligibilityStatus.CoverageEnded
        : EligibilityStatus.Eligible;

    static string Required(string field, string value, int max)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw new RuleViolationException(field, "This field is required.");
        if (trimmed.Length > max) throw new RuleViolationException(field, $"This field is longer than {max} characters.");
        return trimmed;
    }

    static string? Optional(string field, string? value, int max)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        if (trimmed.Length > max) throw new RuleViolationException(field, $"This field is longer than {max} characters.");
        return trimmed;
    }
}

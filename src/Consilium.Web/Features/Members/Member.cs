using Consilium.Infrastructure;

namespace Consilium.Features.Members;

public enum Sex
{
    Female,
    Male,
    Other,
    Unknown,
}

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

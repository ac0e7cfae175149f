using Consilium.Infrastructure;

namespace Consilium.Features.Physicians;

/// <summary>A reviewing physician in the specialist network. The network issue extends this with capacity, boards and more.</summary>
public sealed class Physician
{
    readonly List<StateLicense> _licenses = [];

    Physician() { Name = ""; Specialty = ""; Npi = ""; }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public string Npi { get; private set; }
    public string Specialty { get; private set; }
    public string? Subspecialty { get; private set; }
    public Guid? UserId { get; private set; }
    public IReadOnlyList<StateLicense> Licenses => _licenses;
    public int Version { get; private set; }

    public static Physician Create(string name, string npi, string specialty, string? subspecialty, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new RuleViolationException("name", "This field is required.");
        if (string.IsNullOrWhiteSpace(specialty)) throw new RuleViolationException("specialty", "This field is required.");
        return new Physician
        {
            Id = Guid.CreateVersion7(now), Name = name.Trim(), Npi = npi.Trim(), Specialty = specialty.Trim(),
            Subspecialty = subspecialty?.Trim(), Version = 1,
        };
    }

    public void License(string state, string number, DateOnly expiresOn)
    {
        var code = UsStates.Normalize(state) ?? throw new RuleViolationException("state", "The state is not a two-letter US state or territory code.");
        _licenses.RemoveAll(l => l.State == code);
        _licenses.Add(new StateLicense(code, number.Trim(), expiresOn));
        Version++;
    }

    public void LinkUser(Guid userId) => UserId = userId;

    public bool IsLicensedIn(string state, DateOnly on) => _licenses.Any(l => l.State == state && l.ExpiresOn >= on);
}

public sealed record StateLicense(string State, string Number, DateOnly ExpiresOn);

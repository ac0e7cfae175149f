using Consilium.Infrastructure;

namespace Consilium.Features.Physicians;

public enum PhysicianStatus
{
    Active,
    /// <summary>On leave or over-committed: kept in the network, receives no offers.</summary>
    Paused,
}

/// <summary>
/// A reviewing physician in the specialist network: what they practise (<see cref="Taxonomy"/>), where they may practise
/// (state licences), what they speak, how much they take on, what they are paid per opinion and whom they work for
/// (conflicts of interest). Not health information.
/// </summary>
public sealed class Physician
{
    public const int MaxWeeklyCapacity = 50;
    public const decimal MaxStipend = 100_000m;

    readonly List<StateLicense> _licenses = [];
    readonly List<BoardCertification> _boards = [];
    readonly List<string> _languages = [];
    readonly List<string> _affiliations = [];

    Physician() { Name = ""; Specialty = ""; Npi = ""; }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public string Npi { get; private set; }
    public string Specialty { get; private set; }
    public string? Subspecialty { get; private set; }
    public Guid? UserId { get; private set; }
    public string? Email { get; private set; }
    public IReadOnlyList<StateLicense> Licenses => _licenses;
    public IReadOnlyList<BoardCertification> Boards => _boards;

    /// <summary>ISO 639-1 codes ("en", "es"), in the order given.</summary>
    public IReadOnlyList<string> Languages => _languages;

    /// <summary>Hospitals, groups and companies the physician works for or is paid by: a case from one of them is a conflict.</summary>
    public IReadOnlyList<string> Affiliations => _affiliations;

    /// <summary>Holds a Letter of Qualification under the Interstate Medical Licensure Compact (expedites new licences; is not one).</summary>
    public bool ImlcParticipant { get; private set; }

    /// <summary>New cases the physician takes on per week.</summary>
    public int WeeklyCapacity { get; private set; }

    /// <summary>Paid per completed opinion, in US dollars.</summary>
    public decimal StipendPerOpinion { get; private set; }

    public PhysicianStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public static Physician Create(string name, string npi, string specialty, string? subspecialty, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new RuleViolationException("name", "This field is required.");
        if (string.IsNullOrWhiteSpace(specialty)) throw new RuleViolationException("specialty", "This field is required.");
        var physician = new Physician
        {
            Id = Guid.CreateVersion7(now), Name = name.Trim(), Npi = npi.Trim(), Specialty = specialty.Trim(),
            Subspecialty = string.IsNullOrWhiteSpace(subspecialty) ? null : subspecialty.Trim(), Version = 1,
            WeeklyCapacity = 3, Status = PhysicianStatus.Active, CreatedAt = now, UpdatedAt = now,
        };
        physician._languages.Add("en");
        return physician;
    }

    /// <summary>Replaces everything the network file says about the physician (the NPI stays: it is the identity).</summary>
    public void Update(PhysicianProfile profile, DateTimeOffset now)
    {
        Name = profile.Name;
        Specialty = profile.Specialty;
        Subspecialty = profile.Subspecialty;
        Email = profile.Email;
        ImlcParticipant = profile.ImlcParticipant;
        WeeklyCapacity = profile.WeeklyCapacity;
        StipendPerOpinion = profile.StipendPerOpinion;
        Status = profile.Status;
        Replace(_languages, profile.Languages);
        Replace(_affiliations, profile.Affiliations);
        Replace(_boards, profile.Boards);
        Replace(_licenses, profile.Licenses);
        Touch(now);
    }

    static void Replace<T>(List<T> list, IEnumerable<T> items)
    {
        list.Clear();
        list.AddRange(items);
    }

    /// <summary>Adds or replaces the licence for a state (one per state).</summary>
    public void License(string state, string number, DateOnly expiresOn, DateOnly? issuedOn = null, bool viaCompact = false)
    {
        var code = UsStates.Normalize(state) ?? throw new RuleViolationException("state", "The state is not a two-letter US state or territory code.");
        if (string.IsNullOrWhiteSpace(number)) throw new RuleViolationException("number", "The licence number is required.");
        var issued = issuedOn ?? expiresOn.AddYears(-2);
        if (issued > expiresOn) throw new RuleViolationException("issuedOn", "A licence cannot expire before it is issued.");
        _licenses.RemoveAll(l => l.State == code);
        _licenses.Add(new StateLicense(code, number.Trim(), issued, expiresOn, viaCompact));
        Version++;
    }

    public void SetStatus(PhysicianStatus status, DateTimeOffset now)
    {
        Status = status;
        Touch(now);
    }

    public void SetCapacity(int weeklyCapacity, decimal stipend, DateTimeOffset now)
    {
        if (weeklyCapacity is < 0 or > MaxWeeklyCapacity) throw new RuleViolationException("weeklyCapacity", $"Between 0 and {MaxWeeklyCapacity} cases a week.");
        if (stipend is < 0 or > MaxStipend) throw new RuleViolationException("stipendPerOpinion", $"Between 0 and {MaxStipend:N0} dollars.");
        (WeeklyCapacity, StipendPerOpinion) = (weeklyCapacity, stipend);
        Touch(now);
    }

    public void SetLanguages(params string[] languages)
    {
        Replace(_languages, languages);
        Version++;
    }

    public void SetAffiliations(params string[] affiliations)
    {
        Replace(_affiliations, affiliations);
        Version++;
    }

    public void Certify(string board, DateOnly? expiresOn)
    {
        _boards.Add(new BoardCertification(board, expiresOn));
        Version++;
    }

    public void LinkUser(Guid userId)
    {
        UserId = userId;
        Version++;
    }

    /// <summary>A licence in <paramref name="state"/> that is issued and not expired on <paramref name="on"/> (the expiry day counts).</summary>
    public bool IsLicensedIn(string state, DateOnly on) => _licenses.Any(l => l.State == state && l.IsValidOn(on));

    void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

public sealed record StateLicense(string State, string Number, DateOnly IssuedOn, DateOnly ExpiresOn, bool ViaCompact)
{
    public bool IsValidOn(DateOnly on) => IssuedOn <= on && on <= ExpiresOn;
}

public sealed record BoardCertification(string Board, DateOnly? ExpiresOn);

/// <summary>A physician's row of the network file, checked (<see cref="PhysicianCsv"/>).</summary>
public sealed record PhysicianProfile(
    string Npi, string Name, string Specialty, string? Subspecialty, string? Email,
    IReadOnlyList<BoardCertification> Boards, IReadOnlyList<StateLicense> Licenses, bool ImlcParticipant,
    IReadOnlyList<string> Languages, int WeeklyCapacity, decimal StipendPerOpinion, IReadOnlyList<string> Affiliations, PhysicianStatus Status);

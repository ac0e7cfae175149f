using Consilium.Features.Cases;
using Consilium.Infrastructure;

namespace Consilium.Features.Programs;

public enum FundingModel
{
    /// <summary>The sponsor pays; the member pays nothing.</summary>
    SponsorPaid,
    SelfPay,
    GrantFund,
}

/// <summary>
/// A second-opinion program: who sponsors it and in what shares, which conditions it covers, how it is funded, what the
/// sponsor pays per case, how fast it must move and how it is described to members.
/// (Named CareProgram so it never collides with an application's Program class.)
/// </summary>
public sealed class CareProgram
{
    public const int MaxGovernanceLength = 4000;
    public const int MaxCoSponsors = 5;

    readonly List<ConditionCategory> _categories = [];
    readonly List<ProgramCoSponsor> _coSponsors = [];
    readonly List<string> _hostNpis = [];
    public const int MaxHostNpis = 200;

    CareProgram() { Name = ""; GovernanceText = ""; Sla = SlaTargets.Default; }

    public Guid Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>The primary sponsor: the one who contracts for the program.</summary>
    public Guid SponsorId { get; private set; }

    /// <summary>The primary sponsor's share of each case's cost, in percent; 100 without co-sponsors.</summary>
    public decimal PrimarySponsorShare { get; private set; } = 100m;

    /// <summary>Co-sponsors (a stop-loss carrier beside an employer, say), each with its share of cost in percent.</summary>
    public IReadOnlyList<ProgramCoSponsor> CoSponsors => _coSponsors;

    public FundingModel Funding { get; private set; }

    /// <summary>The price shown up front to a self-pay member, in US dollars; null unless self-pay.</summary>
    public decimal? SelfPayPrice { get; private set; }

    /// <summary>What the sponsors pay the program per case, in US dollars (split by the shares above).</summary>
    public decimal CaseFee { get; private set; }

    public SlaTargets Sla { get; private set; }

    /// <summary>How the program is described to members (plan-governance text), shown on the public request page.</summary>
    public string GovernanceText { get; private set; }

    public IReadOnlyList<ConditionCategory> Categories => _categories;

    /// <summary>For a hospital's program: the NPIs the host institution bills under (the hospital view's conversion).</summary>
    public IReadOnlyList<string> HostNpis => _hostNpis;

    /// <summary>For a hospital's program: the host institution's state (the hospital view's reach beyond it).</summary>
    public string? HostState { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public static CareProgram Create(string name, Guid sponsorId, FundingModel funding, decimal? selfPayPrice,
        IEnumerable<ConditionCategory> categories, DateTimeOffset now) =>
        Create(new ProgramSettings(name, sponsorId, funding, selfPayPrice, categories.ToList()), now);

    public static CareProgram Create(ProgramSettings settings, DateTimeOffset now)
    {
        var program = new CareProgram { Id = Guid.CreateVersion7(now), CreatedAt = now, Version = 1 };
        program.Apply(settings);
        return program;
    }

    /// <summary>Replaces every setting at once; the caller has checked the version the user edited.</summary>
    public void Update(ProgramSettings settings)
    {
        Apply(settings);
        Version++;
    }

    /// <summary>Sets the host institution of a hospital's program: its billing NPIs (each valid, none twice) and its state.</summary>
    public void SetHostInstitution(IReadOnlyList<string?>? npis, string? state)
    {
        var errors = new Dictionary<string, string[]>();
        var list = new List<string>();
        if (npis is null) errors["npis"] = ["This field is required (an empty list clears it)."];
        else if (npis.Count > MaxHostNpis) errors["npis"] = [$"At most {MaxHostNpis} NPIs."];
        else
            for (var i = 0; i < npis.Count; i++)
            {
                var npi = npis[i]?.Trim();
                if (!Npi.IsValid(npi)) errors.TryAdd($"npis[{i}]", ["The NPI is not valid: it has ten digits, starts with 1 or 2, and its last digit is a check digit."]);
                else if (list.Contains(npi!)) errors.TryAdd($"npis[{i}]", ["This NPI is already in the list."]);
                else list.Add(npi!);
            }
        string? normalized = null;
        if (!string.IsNullOrWhiteSpace(state) && (normalized = UsStates.Normalize(state)) is null)
            errors["state"] = ["The state is a two-letter US state or territory code."];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        _hostNpis.Clear();
        _hostNpis.AddRange(list);
        HostState = normalized;
        Version++;
    }

    public bool Covers(ConditionCategory category) => _categories.Contains(category);

    /// <summary>A member pays nothing up front unless the program is self-pay.</summary>
    public decimal MemberPrice => Funding == FundingModel.SelfPay ? SelfPayPrice ?? 0m : 0m;

    void Apply(ProgramSettings s)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors.TryAdd(field, [message]);

        var name = s.Name?.Trim();
        if (string.IsNullOrEmpty(name)) Error("name", "This field is required.");
        else if (name.Length > 200) Error("name", "This field is longer than 200 characters.");

        if (s.Funding == FundingModel.SelfPay && s.SelfPayPrice is not > 0)
            Error("selfPayPrice", "A self-pay program needs a price above zero.");
        if (s.Funding != FundingModel.SelfPay && s.SelfPayPrice is not null)
            Error("selfPayPrice", "Only a self-pay program has a member price.");
        if (s.SelfPayPrice is { } price && (price > 1_000_000m || decimal.Round(price, 2) != price))
            Error("selfPayPrice", "The price is a dollar amount with at most two decimals, up to 1,000,000.");
        if (s.CaseFee < 0m || s.CaseFee > 1_000_000m || decimal.Round(s.CaseFee, 2) != s.CaseFee)
            Error("caseFee", "The case fee is a dollar amount with at most two decimals, from 0 to 1,000,000.");

        var categories = (s.Categories ?? []).Distinct().ToList();
        if (categories.Count == 0) Error("categories", "A program covers at least one condition category.");

        var sla = s.Sla ?? SlaTargets.Default;
        foreach (var (field, message) in sla.Problems()) Error("sla." + field, message);

        var governance = s.GovernanceText?.Trim() ?? "";
        if (governance.Length > MaxGovernanceLength) Error("governanceText", $"This field is longer than {MaxGovernanceLength} characters.");

        var coSponsors = s.CoSponsors ?? [];
        var primaryShare = s.PrimarySponsorShare ?? 100m - coSponsors.Sum(c => c.Share);
        if (coSponsors.Count > MaxCoSponsors) Error("coSponsors", $"A program has at most {MaxCoSponsors} co-sponsors.");
        else if (coSponsors.Any(c => c.SponsorId == s.SponsorId)) Error("coSponsors", "The primary sponsor cannot also be a co-sponsor.");
        else if (coSponsors.Select(c => c.SponsorId).Distinct().Count() != coSponsors.Count) Error("coSponsors", "A co-sponsor is listed twice.");
        else if (coSponsors.Any(c => c.Share <= 0m || c.Share >= 100m || decimal.Round(c.Share, 2) != c.Share))
            Error("coSponsors", "Each co-sponsor's share is a percentage above 0 and below 100, with at most two decimals.");
        else if (primaryShare <= 0m || decimal.Round(primaryShare, 2) != primaryShare)
            Error("primarySponsorShare", "The primary sponsor's share is a percentage above 0, with at most two decimals.");
        else if (primaryShare + coSponsors.Sum(c => c.Share) != 100m)
            Error("coSponsors", $"The shares of cost add up to {primaryShare + coSponsors.Sum(c => c.Share):0.##}%, not 100%.");

        if (errors.Count > 0) throw new RequestValidationException(errors);

        Name = name!;
        SponsorId = s.SponsorId;
        Funding = s.Funding;
        SelfPayPrice = s.SelfPayPrice;
        CaseFee = s.CaseFee;
        Sla = sla;
        GovernanceText = governance;
        PrimarySponsorShare = primaryShare;
        _categories.Clear();
        _categories.AddRange(categories);
        // Keep the rows that stay (same sponsor) so an unchanged co-sponsor is not deleted and re-inserted.
        _coSponsors.RemoveAll(existing => coSponsors.All(c => c.SponsorId != existing.SponsorId));
        foreach (var share in coSponsors)
        {
            var existing = _coSponsors.FirstOrDefault(c => c.SponsorId == share.SponsorId);
            if (existing is null) _coSponsors.Add(new ProgramCoSponsor(Id, share.SponsorId, share.Share));
            else existing.ChangeShare(share.Share);
        }
    }
}

/// <summary>Everything an admin sets on a program, validated together by <see cref="CareProgram"/>.</summary>
public sealed record ProgramSettings(
    string Name,
    Guid SponsorId,
    FundingModel Funding,
    decimal? SelfPayPrice,
    IReadOnlyList<ConditionCategory> Categories,
    decimal CaseFee = 0m,
    SlaTargets? Sla = null,
    string? GovernanceText = null,
    IReadOnlyList<CostShare>? CoSponsors = null,
    decimal? PrimarySponsorShare = null);

public sealed record CostShare(Guid SponsorId, decimal Share);

/// <summary>A co-sponsor of a program and its share of each case's cost, in percent.</summary>
public sealed class ProgramCoSponsor
{
    ProgramCoSponsor() { }

    internal ProgramCoSponsor(Guid programId, Guid sponsorId, decimal share)
    {
        ProgramId = programId;
        SponsorId = sponsorId;
        Share = share;
    }

    public Guid ProgramId { get; private set; }
    public Guid SponsorId { get; private set; }
    public decimal Share { get; private set; }

    internal void ChangeShare(decimal share) => Share = share;
}

/// <summary>
/// How fast a program promises to move: calendar days from intake to the first contact with the member and to a
/// complete packet, and business days (Monday to Friday) from a complete packet to the written opinion.
/// </summary>
public sealed class SlaTargets
{
    public const int DefaultDaysToFirstContact = 2;
    public const int DefaultDaysToCompletePacket = 7;
    public const int DefaultBusinessDaysToOpinion = 5;

    public static SlaTargets Default => new(DefaultDaysToFirstContact, DefaultDaysToCompletePacket, DefaultBusinessDaysToOpinion);

    SlaTargets() { }

    public SlaTargets(int daysToFirstContact, int daysToCompletePacket, int businessDaysToOpinion)
    {
        DaysToFirstContact = daysToFirstContact;
        DaysToCompletePacket = daysToCompletePacket;
        BusinessDaysToOpinion = businessDaysToOpinion;
    }

    public int DaysToFirstContact { get; private set; }
    public int DaysToCompletePacket { get; private set; }
    public int BusinessDaysToOpinion { get; private set; }

    internal IEnumerable<(string Field, string Message)> Problems()
    {
        if (DaysToFirstContact is < 1 or > 30) yield return ("daysToFirstContact", "Days to first contact is between 1 and 30.");
        if (DaysToCompletePacket is < 1 or > 90) yield return ("daysToCompletePacket", "Days to a complete packet is between 1 and 90.");
        if (BusinessDaysToOpinion is < 1 or > 60) yield return ("businessDaysToOpinion", "Business days to the opinion is between 1 and 60.");
    }
}

/// <summary>A staff member (coordinator, program admin, integration account) who serves a program.</summary>
public sealed class ProgramStaff
{
    ProgramStaff() { }

    public ProgramStaff(Guid programId, Guid userId)
    {
        ProgramId = programId;
        UserId = userId;
    }

    public Guid ProgramId { get; private set; }
    public Guid UserId { get; private set; }
}

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
/// A second-opinion program: who sponsors it, which conditions it covers and how it is funded.
/// (Named CareProgram so it never collides with an application's Program class.)
/// </summary>
public sealed class CareProgram
{
    readonly List<ConditionCategory> _categories = [];

    CareProgram() { Name = ""; }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public Guid SponsorId { get; private set; }
    public FundingModel Funding { get; private set; }

    /// <summary>The price shown up front to a self-pay member, in US dollars; null unless self-pay.</summary>
    public decimal? SelfPayPrice { get; private set; }

    public IReadOnlyList<ConditionCategory> Categories => _categories;
    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public static CareProgram Create(string name, Guid sponsorId, FundingModel funding, decimal? selfPayPrice,
        IEnumerable<ConditionCategory> categories, DateTimeOffset now)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw new RuleViolationException("name", "This field is required.");
        if (trimmed.Length > 200) throw new RuleViolationException("name", "This field is longer than 200 characters.");
        if (funding == FundingModel.SelfPay && selfPayPrice is not > 0)
            throw new RuleViolationException("selfPayPrice", "A self-pay program needs a price above zero.");
        if (funding != FundingModel.SelfPay && selfPayPrice is not null)
            throw new RuleViolationException("selfPayPrice", "Only a self-pay program has a member price.");
        var program = new CareProgram
        {
            Id = Guid.CreateVersion7(now), Name = trimmed, SponsorId = sponsorId, Funding = funding,
            SelfPayPrice = selfPayPrice, CreatedAt = now, Version = 1,
        };
        program._categories.AddRange(categories.Distinct());
        if (program._categories.Count == 0)
            throw new RuleViolationException("categories", "A program covers at least one condition category.");
        return program;
    }

    public bool Covers(ConditionCategory category) => _categories.Contains(category);
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

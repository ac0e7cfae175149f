using Consilium.Features.Identity;
using Consilium.Infrastructure;

namespace Consilium.Features.Funding;

public enum FundEntryKind
{
    Contribution,
    Award,
    Refund,
}

/// <summary>
/// A charitable grant fund behind a program: contributions raise the balance, awards to cases draw it down, refunds of
/// awards return money to it. The balance never goes below zero: an award larger than the balance is refused. The
/// handlers serialize changes to one fund with a row lock, and the database checks the balance too.
/// </summary>
public sealed class GrantFund
{
    public const decimal MaxAmount = 10_000_000m;

    GrantFund() { Name = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    public string Name { get; private set; }
    public decimal Balance { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public static GrantFund Open(Guid programId, string name, DateTimeOffset now)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > 200) throw new RuleViolationException("name", "A fund has a name of at most 200 characters.");
        return new GrantFund { Id = Guid.CreateVersion7(now), ProgramId = programId, Name = trimmed, CreatedAt = now, Version = 1 };
    }

    public GrantFundEntry Contribute(decimal amount, string? note, Actor actor, DateTimeOffset now)
    {
        CheckAmount(amount);
        Balance += amount;
        Version++;
        return new GrantFundEntry(Id, FundEntryKind.Contribution, amount, Balance, null, null, Note(note), actor, now);
    }

    /// <exception cref="ConflictException">The award would overdraw the fund.</exception>
    public (GrantAward Award, GrantFundEntry Entry) Award(Guid caseId, decimal amount, string? note, Actor actor, DateTimeOffset now)
    {
        CheckAmount(amount);
        if (amount > Balance)
            throw new ConflictException($"The fund holds {Money.Format(Balance)}; an award of {Money.Format(amount)} would overdraw it.",
                new Dictionary<string, object?> { ["balance"] = Balance });
        Balance -= amount;
        Version++;
        var award = new GrantAward(Id, caseId, amount, actor, now);
        return (award, new GrantFundEntry(Id, FundEntryKind.Award, amount, Balance, award.Id, caseId, Note(note), actor, now));
    }

    /// <summary>Returns part or all of an award to the fund (the case was withdrawn, or cost less).</summary>
    public GrantFundEntry Refund(GrantAward award, decimal amount, string? note, Actor actor, DateTimeOffset now)
    {
        if (award.FundId != Id) throw new InvalidOperationException("The award belongs to another fund.");
        CheckAmount(amount);
        award.Refund(amount);
        Balance += amount;
        Version++;
        return new GrantFundEntry(Id, FundEntryKind.Refund, amount, Balance, award.Id, award.CaseId, Note(note), actor, now);
    }

    static void CheckAmount(decimal amount)
    {
        if (amount <= 0m || amount > MaxAmount || decimal.Round(amount, 2) != amount)
            throw new RuleViolationException("amount", "The amount is in dollars, above zero, with at most two decimals.");
    }

    static string? Note(string? note)
    {
        var trimmed = note?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        if (trimmed.Length > 500) throw new RuleViolationException("note", "The note is longer than 500 characters.");
        return trimmed;
    }
}

/// <summary>Money from a fund granted to one case; refunds reduce what remains of it.</summary>
public sealed class GrantAward
{
    GrantAward() { AwardedBy = ""; }

    internal GrantAward(Guid fundId, Guid caseId, decimal amount, Actor actor, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        FundId = fundId;
        CaseId = caseId;
        Amount = amount;
        AwardedAt = now;
        AwardedBy = actor.Name;
        Version = 1;
    }

    public Guid Id { get; private set; }
    public Guid FundId { get; private set; }
    public Guid CaseId { get; private set; }
    public decimal Amount { get; private set; }
    public decimal Refunded { get; private set; }
    public decimal Remaining => Amount - Refunded;
    public DateTimeOffset AwardedAt { get; private set; }
    public string AwardedBy { get; private set; }
    public int Version { get; private set; }

    internal void Refund(decimal amount)
    {
        if (amount > Remaining)
            throw new RuleViolationException("amount", $"Only {Money.Format(Remaining)} of this award is left to refund.");
        Refunded += amount;
        Version++;
    }
}

/// <summary>One line of a fund's ledger, with the balance after it: the fund's history, never changed.</summary>
public sealed class GrantFundEntry
{
    GrantFundEntry() { ActorName = ""; }

    internal GrantFundEntry(Guid fundId, FundEntryKind kind, decimal amount, decimal balanceAfter, Guid? awardId, Guid? caseId,
        string? note, Actor actor, DateTimeOffset at)
    {
        FundId = fundId;
        Kind = kind;
        Amount = amount;
        BalanceAfter = balanceAfter;
        AwardId = awardId;
        CaseId = caseId;
        Note = note;
        ActorName = actor.Name;
        At = at;
    }

    public long Id { get; private set; }
    public Guid FundId { get; private set; }
    public FundEntryKind Kind { get; private set; }
    public decimal Amount { get; private set; }
    public decimal BalanceAfter { get; private set; }
    public Guid? AwardId { get; private set; }
    public Guid? CaseId { get; private set; }
    public string? Note { get; private set; }
    public string ActorName { get; private set; }
    public DateTimeOffset At { get; private set; }
}

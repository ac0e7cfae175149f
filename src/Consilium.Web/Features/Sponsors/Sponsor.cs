using Consilium.Infrastructure;

namespace Consilium.Features.Sponsors;

public enum SponsorKind
{
    Employer,
    HealthPlan,
    StopLossCarrier,
    Hospital,
}

/// <summary>Who pays for a program: a self-insured employer, a health plan, a stop-loss carrier or a hospital.</summary>
public sealed class Sponsor
{
    Sponsor() { Name = ""; }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public SponsorKind Kind { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public static Sponsor Create(string name, SponsorKind kind, DateTimeOffset now)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw new RuleViolationException("name", "This field is required.");
        if (trimmed.Length > 200) throw new RuleViolationException("name", "This field is longer than 200 characters.");
        return new Sponsor { Id = Guid.CreateVersion7(now), Name = trimmed, Kind = kind, CreatedAt = now, Version = 1 };
    }
}

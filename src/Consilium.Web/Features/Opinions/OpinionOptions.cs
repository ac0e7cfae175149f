namespace Consilium.Features.Opinions;

public sealed class OpinionOptions
{
    public const string Section = "Opinions";

    /// <summary>How long a link emailed to the local physician works.</summary>
    public TimeSpan ReportLinkLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Days after the first signed opinion at which the coordinator follows up with the member.</summary>
    public List<int> FollowUpDays { get; set; } = [];

    public IReadOnlyList<int> EffectiveFollowUpDays => FollowUpDays.Count == 0 ? [30, 90] : FollowUpDays.Distinct().Order().ToList();

    internal static bool Validate(OpinionOptions o) =>
        o.ReportLinkLifetime >= TimeSpan.FromHours(1) && o.ReportLinkLifetime <= TimeSpan.FromDays(90)
        && o.FollowUpDays.All(d => d is > 0 and <= 730) && o.FollowUpDays.Count <= 6;
}

public sealed class OpinionSlaOptions
{
    public const string Section = "Opinions:Sla";

    /// <summary>How often overdue opinions are looked for. Zero turns the timer off on this node.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Business days from a complete packet to the signed opinion, for cases whose program set none at intake.</summary>
    public int DefaultBusinessDays { get; set; } = 5;

    internal static bool Validate(OpinionSlaOptions o) => o.CheckInterval >= TimeSpan.Zero && o.DefaultBusinessDays is >= 1 and <= 60;
}

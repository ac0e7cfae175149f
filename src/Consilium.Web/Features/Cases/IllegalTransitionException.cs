using Consilium.Infrastructure;

namespace Consilium.Features.Cases;

internal sealed class IllegalTransitionException(CaseStatus from, CaseStatus to, IReadOnlyList<CaseStatus> allowed)
    : ConflictException(
        $"A case cannot move from {from} to {to}. Allowed from {from}: {(allowed.Count == 0 ? "none (the case is closed)" : string.Join(", ", allowed))}.",
        new Dictionary<string, object?>
        {
            ["from"] = from.ToString(),
            ["to"] = to.ToString(),
            ["allowedTransitions"] = allowed.Select(s => s.ToString()).ToArray(),
        })
{
    public CaseStatus From { get; } = from;
    public CaseStatus To { get; } = to;
    public IReadOnlyList<CaseStatus> Allowed { get; } = allowed;
}

using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Physicians;

/// <summary>What a member's state allows a remote reviewer to do. Persisted by name.</summary>
public enum StatePracticeRule
{
    /// <summary>A reviewer licensed in the state gives the opinion directly to the member.</summary>
    DirectOpinion,
    /// <summary>A licensed reviewer may give a direct opinion, but only with a local physician of record on the case.</summary>
    DirectWithLocalPhysician,
    /// <summary>No direct opinion to members in the state: every case is a physician-to-physician educational consult.</summary>
    NotAllowed,
}

/// <summary>A program admin's setting for one state; states without a row follow <see cref="StateRules.Default"/>.</summary>
public sealed class StateRuleSetting
{
    StateRuleSetting() { State = ""; ChangedBy = ""; }

    public StateRuleSetting(string state, StatePracticeRule rule, string? note, Actor by, DateTimeOffset now)
    {
        State = state;
        ChangedBy = by.Name;
        Change(rule, note, by, now);
    }

    public string State { get; private set; }
    public StatePracticeRule Rule { get; private set; }
    public string? Note { get; private set; }
    public string ChangedBy { get; private set; }
    public DateTimeOffset ChangedAt { get; private set; }

    public void Change(StatePracticeRule rule, string? note, Actor by, DateTimeOffset now)
    {
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note?.Length > 500) throw new RuleViolationException("note", "The note is longer than 500 characters.");
        (Rule, Note, ChangedBy, ChangedAt) = (rule, note, by.Name, now);
    }
}

public sealed record StateRuleView(string State, StatePracticeRule Rule, bool IsDefault, string? Note, string? ChangedBy, DateTimeOffset? ChangedAt);

public sealed record StateRuleRequest(StatePracticeRule? Rule, string? Note);

/// <summary>
/// The per-state rules table. The default is <see cref="StatePracticeRule.DirectOpinion"/> everywhere: a direct opinion
/// needs a reviewer licensed in the member's state on the day the opinion is due, and where no such reviewer can take
/// the case it becomes a physician-to-physician educational consult. This is a conservative starting point, not legal
/// advice: each program's counsel sets the states that need more (docs/network.md).
/// </summary>
public sealed class StateRules(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    public const StatePracticeRule Default = StatePracticeRule.DirectOpinion;

    public async Task<IReadOnlyList<StateRuleView>> ListAsync(CancellationToken ct)
    {
        var set = await db.Set<StateRuleSetting>().AsNoTracking().ToDictionaryAsync(s => s.State, ct);
        return UsStates.Codes.Order(StringComparer.Ordinal).Select(code => set.TryGetValue(code, out var s)
            ? new StateRuleView(code, s.Rule, false, s.Note, s.ChangedBy, s.ChangedAt)
            : new StateRuleView(code, Default, true, null, null, null)).ToList();
    }

    public static async Task<StatePracticeRule> ForAsync(ConsiliumDbContext db, string state, CancellationToken ct) =>
        await db.Set<StateRuleSetting>().AsNoTracking().Where(s => s.State == state).Select(s => (StatePracticeRule?)s.Rule).SingleOrDefaultAsync(ct) ?? Default;

    public async Task<StateRuleView> SetAsync(string state, StateRuleRequest request, CancellationToken ct)
    {
        var code = UsStates.Normalize(state) ?? throw new RuleViolationException("state", "The state is not a two-letter US state or territory code.");
        if (request.Rule is not { } rule)
            throw new RuleViolationException("rule", $"This field is required: one of {string.Join(", ", Enum.GetNames<StatePracticeRule>())}.");
        var now = clock.GetUtcNow();
        var setting = await db.Set<StateRuleSetting>().SingleOrDefaultAsync(s => s.State == code, ct);
        var before = setting?.Rule ?? Default;
        if (setting is null) db.Add(setting = new StateRuleSetting(code, rule, request.Note, user.Actor, now));
        else setting.Change(rule, request.Note, user.Actor, now);
        audit.Record(AuditAction.Update, "StateRule", code, null, reason: $"{before} -> {rule}");
        await db.SaveChangesAsync(ct);
        return new StateRuleView(code, setting.Rule, false, setting.Note, setting.ChangedBy, setting.ChangedAt);
    }
}

namespace Consilium.Triggers;

/// <summary>
/// A member the rules flagged, for one trigger and one episode: what happened, in a sentence a coordinator can read,
/// with the evidence behind it. Identifiers and codes only: names and other demographics stay in the platform.
/// </summary>
public sealed record Candidate
{
    public required string MemberId { get; init; }
    public required string TriggerId { get; init; }
    public required string Category { get; init; }
    public required string TriggerName { get; init; }
    /// <summary>True while the irreversible step has not appeared in claims: there is still time for a second opinion.</summary>
    public required bool Interceptable { get; init; }
    public required string Sentence { get; init; }
    /// <summary>Date of the event that started the episode (the first signal, claim or request).</summary>
    public required DateOnly FirstDate { get; init; }
    public required DateOnly LastDate { get; init; }
    public required IReadOnlyList<string> ClaimIds { get; init; }
    public required IReadOnlyList<string> AuthorizationIds { get; init; }
    public required IReadOnlyList<string> Codes { get; init; }
    public required IReadOnlyList<Evidence> Evidence { get; init; }
    public decimal? EstimatedCost { get; init; }
    public required string Currency { get; init; }
    /// <summary>0–100; higher first. See docs/triggers.md ("Priority").</summary>
    public required int Priority { get; init; }
    public required string RulesVersion { get; init; }
}

/// <summary>One claim line, diagnosis or authorization request behind a candidate.</summary>
/// <param name="Source">"claim" or "prior-auth".</param>
/// <param name="Role">"procedure", "diagnosis", "planning", "follow-up", "treatment" or "study".</param>
public sealed record Evidence(string Source, string Id, string Code, string CodeSystem, DateOnly Date, string Role);

/// <summary>A candidate that was not put on the worklist, and why ("open case", "contacted within 90 days" …).</summary>
public sealed record SuppressedCandidate(Candidate Candidate, string Reason);

/// <summary>A candidate found by an earlier run, for deduplication across runs.</summary>
public readonly record struct PreviousCandidate(string MemberId, string TriggerId, DateOnly FirstDate);

/// <summary>
/// A claim for the procedure of a planned or pathway trigger. A later run uses these to tell an earlier interceptable
/// candidate that the procedure has now happened.
/// </summary>
public sealed record ProcedureObservation(string MemberId, string TriggerId, DateOnly Date, string ClaimId, string Code);

public sealed record EvaluationOptions
{
    /// <summary>The day the scan stands on, for recency in the priority; defaults to the latest date in the data.</summary>
    public DateOnly? AsOf { get; init; }
    /// <summary>Returns a reason to keep a candidate off the worklist (an open case, a recent contact), or null.</summary>
    public Func<Candidate, string?>? Suppress { get; init; }
    /// <summary>Candidates already reported; one of the same member and trigger within the episode window is a duplicate.</summary>
    public IReadOnlyCollection<PreviousCandidate>? Previous { get; init; }
}

public sealed class TriggerEvaluation
{
    public required IReadOnlyList<Candidate> Candidates { get; init; }
    public required IReadOnlyList<SuppressedCandidate> Suppressed { get; init; }
    /// <summary>Candidates left out because an earlier run already reported them.</summary>
    public required int Duplicates { get; init; }
    public required IReadOnlyList<ProcedureObservation> Observations { get; init; }
    public required DateOnly? AsOf { get; init; }
}

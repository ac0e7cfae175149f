using Consilium.X12;

namespace Consilium.Triggers;

/// <summary>
/// Collects, per member, only the facts a rule set can use (a diagnosis, service or authorized code that appears in
/// one of its code sets, with its date and claim), then evaluates every trigger over each member's facts in date order.
/// Evaluation is independent of the order files and claims arrived in, and a member seen in several files is one
/// member: that is the deduplication across files. Memory grows with the members who have relevant facts, not with
/// the claims read.
/// </summary>
public sealed class TriggerEngine
{
    /// <summary>A signal this close before the episode still counts a procedure claim as "already performed"
    /// (retro-authorizations are filed after the fact).</summary>
    internal const int PerformedLookbackDays = 30;

    readonly RuleSet rules;
    readonly CodeIndex index;
    readonly Dictionary<string, MemberFacts> members = new(StringComparer.Ordinal);
    int order;

    public TriggerEngine(RuleSet rules)
    {
        this.rules = rules;
        index = new CodeIndex(rules);
    }

    public RuleSet Rules => rules;

    /// <summary>Every code and prefix the rules read, for the X12 reader's pre-filter.</summary>
    public ClaimCodeFilter CreateFilter() => index.CreateFilter();

    public long ClaimsSeen { get; private set; }
    public long RelevantClaims { get; private set; }
    public long AuthorizationRequests { get; private set; }
    public long AuthorizationsIgnored { get; private set; }
    public int MembersWithFacts => members.Count;

    public void Add(X12Event e)
    {
        switch (e)
        {
            case ClaimEvent claim: Add(claim); break;
            case AuthorizationEvent authorization: Add(authorization); break;
        }
    }

    public void Add(ClaimEvent claim)
    {
        ClaimsSeen++;
        var memberId = claim.Member.MemberId;
        if (claim.FrequencyCode == "8")
        {
            // A void cancels the claim wherever it was seen, earlier or later.
            State(memberId).Voided.Add(claim.ClaimId);
            return;
        }
        bool relevant = false;
        var claimDate = claim.ServiceFrom;
        foreach (var d in claim.Diagnoses)
        {
            if (d.CodeSystem != CodeSystem.Icd10Cm || claimDate is not { } date || !index.Matches(CodeKind.Diagnosis, d.Code)) continue;
            AddFact(memberId, new Fact(date, FactSource.Claim, CodeKind.Diagnosis, d.Code, claim.ClaimId, 0));
            relevant = true;
        }
        foreach (var p in claim.Procedures)
        {
            var kind = p.CodeSystem switch { CodeSystem.Icd10Pcs => CodeKind.Pcs, CodeSystem.Hcpcs => CodeKind.Hcpcs, _ => (CodeKind?)null };
            if (kind is null || (p.Date ?? claimDate) is not { } date || !index.Matches(kind.Value, p.Code)) continue;
            AddFact(memberId, new Fact(date, FactSource.Claim, kind.Value, p.Code, claim.ClaimId, 0));
            relevant = true;
        }
        foreach (var line in claim.Lines)
        {
            if (line.ProcedureCode is not { } code || !IsHcpcsQualifier(line.ProcedureQualifier)) continue;
            if ((line.ServiceFrom ?? claimDate) is not { } date || !index.Matches(CodeKind.Hcpcs, code)) continue;
            AddFact(memberId, new Fact(date, FactSource.Claim, CodeKind.Hcpcs, code, claim.ClaimId, 0));
            relevant = true;
        }
        if (relevant) RelevantClaims++;
    }

    public void Add(AuthorizationEvent authorization)
    {
        // A refusal or a cancellation is no plan; a request, a pended or an approved one is.
        if (authorization.IsResponse && authorization.Decision is "A3" or "C")
        {
            AuthorizationsIgnored++;
            return;
        }
        if (!authorization.IsResponse) AuthorizationRequests++;
        var memberId = authorization.Member.MemberId;
        var id = authorization.CertificationNumber ?? authorization.TraceNumber ?? $"{authorization.FileName}@{authorization.ByteOffset}";
        DateOnly? eventDate = authorization.RequestDate ?? authorization.ServiceFrom;
        foreach (var service in authorization.Services)
        {
            if (service.Decision is "A3" or "C") continue;
            if (service.ProcedureCode is not { } code || !IsHcpcsQualifier(service.ProcedureQualifier)) continue;
            if ((authorization.RequestDate ?? service.ServiceFrom ?? eventDate) is not { } date || !index.Matches(CodeKind.Hcpcs, code)) continue;
            AddFact(memberId, new Fact(date, FactSource.Authorization, CodeKind.Hcpcs, code, id, 0));
        }
        if (eventDate is not { } day) return;
        foreach (var p in authorization.Procedures)
        {
            var kind = p.CodeSystem switch { CodeSystem.Icd10Pcs => CodeKind.Pcs, CodeSystem.Hcpcs => CodeKind.Hcpcs, _ => (CodeKind?)null };
            if (kind is null || !index.Matches(kind.Value, p.Code)) continue;
            AddFact(memberId, new Fact(day, FactSource.Authorization, kind.Value, p.Code, id, 0));
        }
        foreach (var d in authorization.Diagnoses)
        {
            if (d.CodeSystem != CodeSystem.Icd10Cm || !index.Matches(CodeKind.Diagnosis, d.Code)) continue;
            AddFact(memberId, new Fact(day, FactSource.Authorization, CodeKind.Diagnosis, d.Code, id, 0));
        }
    }

    /// <summary>HC (CPT/HCPCS) or no qualifier; NDC (N4), dental (AD) and the rest are other code systems.</summary>
    static bool IsHcpcsQualifier(string? qualifier) => qualifier is null or "HC" or "HP";

    void AddFact(string memberId, Fact fact) => State(memberId).Facts.Add(fact with { Order = order++ });

    MemberFacts State(string memberId)
    {
        if (!members.TryGetValue(memberId, out var state)) members[memberId] = state = new MemberFacts();
        return state;
    }

    public TriggerEvaluation Evaluate(EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        DateOnly? latest = null;
        foreach (var m in members.Values)
            foreach (var f in m.Facts)
                if (latest is null || f.Date > latest) latest = f.Date;
        var asOf = options.AsOf ?? latest ?? DateOnly.FromDateTime(DateTime.UtcNow);

        var found = new List<Candidate>();
        var observations = new List<ProcedureObservation>();
        foreach (var (memberId, state) in members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var facts = state.Ordered();
            if (facts.Count == 0) continue;
            var evaluator = new MemberEvaluator(rules, memberId, facts, asOf);
            foreach (var rule in rules.Triggers)
            {
                switch (rule.Type)
                {
                    case TriggerTypes.Procedure: evaluator.Procedure(rule, found); break;
                    case TriggerTypes.Planned: evaluator.Planned(rule, found, observations); break;
                    case TriggerTypes.Pathway: evaluator.Pathway(rule, found, observations); break;
                    case TriggerTypes.Repeat: evaluator.Repeat(rule, found); break;
                }
            }
        }

        var previous = options.Previous is { Count: > 0 } p
            ? p.GroupBy(c => (c.MemberId, c.TriggerId)).ToDictionary(g => g.Key, g => g.Select(c => c.FirstDate).ToList())
            : null;
        var candidates = new List<Candidate>();
        var suppressed = new List<SuppressedCandidate>();
        int duplicates = 0;
        foreach (var candidate in found)
        {
            var rule = rules.Find(candidate.TriggerId)!;
            if (previous is not null && previous.TryGetValue((candidate.MemberId, candidate.TriggerId), out var dates)
                && dates.Exists(d => Math.Abs(d.DayNumber - candidate.FirstDate.DayNumber) <= rule.EpisodeDays))
            {
                duplicates++;
                continue;
            }
            if (options.Suppress?.Invoke(candidate) is { } reason) suppressed.Add(new SuppressedCandidate(candidate, reason));
            else candidates.Add(candidate);
        }
        candidates.Sort((a, b) => b.Priority != a.Priority ? b.Priority.CompareTo(a.Priority)
            : a.FirstDate != b.FirstDate ? a.FirstDate.CompareTo(b.FirstDate)
            : string.CompareOrdinal(a.MemberId + a.TriggerId, b.MemberId + b.TriggerId));
        return new TriggerEvaluation
        {
            Candidates = candidates,
            Suppressed = suppressed,
            Duplicates = duplicates,
            Observations = observations,
            AsOf = asOf,
        };
    }

    internal enum FactSource { Claim, Authorization }

    internal readonly record struct Fact(DateOnly Date, FactSource Source, CodeKind Kind, string Code, string SourceId, int Order);

    sealed class MemberFacts
    {
        public readonly List<Fact> Facts = [];
        public readonly HashSet<string> Voided = new(StringComparer.Ordinal);

        /// <summary>Facts in date order, without voided claims and without the same fact read twice (a file scanned again).</summary>
        public List<Fact> Ordered()
        {
            var seen = new HashSet<(DateOnly, FactSource, CodeKind, string, string)>();
            var result = new List<Fact>(Facts.Count);
            foreach (var f in Facts.OrderBy(f => f.Date).ThenBy(f => f.Order))
            {
                if (f.Source == FactSource.Claim && Voided.Contains(f.SourceId)) continue;
                if (seen.Add((f.Date, f.Source, f.Kind, f.Code, f.SourceId))) result.Add(f);
            }
            return result;
        }
    }
}

/// <summary>All codes of a rule set by kind, to decide quickly whether a fact can matter at all.</summary>
sealed class CodeIndex
{
    readonly Dictionary<CodeKind, (HashSet<string> Codes, List<string> Prefixes)> byKind = new()
    {
        [CodeKind.Diagnosis] = (new(StringComparer.Ordinal), []),
        [CodeKind.Hcpcs] = (new(StringComparer.Ordinal), []),
        [CodeKind.Pcs] = (new(StringComparer.Ordinal), []),
    };

    public CodeIndex(RuleSet rules)
    {
        foreach (var set in rules.Triggers.SelectMany(t => t.AllSets).Distinct())
        {
            var kind = set.System switch { CodeSystems.Icd10Cm => CodeKind.Diagnosis, CodeSystems.Icd10Pcs => CodeKind.Pcs, _ => CodeKind.Hcpcs };
            var (codes, prefixes) = byKind[kind];
            codes.UnionWith(set.Codes);
            foreach (var prefix in set.Prefixes) if (!prefixes.Contains(prefix)) prefixes.Add(prefix);
        }
    }

    public bool Matches(CodeKind kind, string code)
    {
        var (codes, prefixes) = byKind[kind];
        if (codes.Contains(code)) return true;
        foreach (var prefix in prefixes)
            if (code.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    public ClaimCodeFilter CreateFilter() => new(
        byKind.Values.SelectMany(v => v.Codes).Distinct(StringComparer.Ordinal),
        byKind.Values.SelectMany(v => v.Prefixes).Distinct(StringComparer.Ordinal));
}

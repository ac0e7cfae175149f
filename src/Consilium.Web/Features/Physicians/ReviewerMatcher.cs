using Consilium.Features.Cases;

namespace Consilium.Features.Physicians;

/// <summary>What matching knows of a case. Health information: never logged.</summary>
public sealed record MatchCriteria(
    string State, StatePracticeRule Rule, DateOnly OpinionDue, ConditionCategory Category,
    IReadOnlyList<string> DiagnosisCodes, IReadOnlyList<string> ProcedureCodes, string Language,
    string? TreatingOrganization, string? TreatingNpi);

/// <summary>A physician as matching sees them, with their current workload and any earlier offer of this case.</summary>
public sealed record MatchCandidate(
    Guid PhysicianId, string Name, string Npi, string Specialty, string? Subspecialty, PhysicianStatus Status, bool HasAccount,
    IReadOnlyList<StateLicense> Licenses, IReadOnlyList<string> Languages, IReadOnlyList<string> Affiliations,
    int WeeklyCapacity, int TakenThisWeek, int OpenCases, double? MedianTurnaroundDays, string? EarlierOffer);

public sealed record MatchReason(string Factor, int Points, string Text);

/// <summary>Why a physician was left out. Codes: no-fit, paused, no-account, conflict, no-capacity, language, already-offered,
/// license-state, license-expired, license-not-yet-valid.</summary>
public sealed record Exclusion(string Code, string Text);

public sealed record RankedReviewer(int Rank, Guid PhysicianId, string Name, string Specialty, string? Subspecialty, int Score,
    bool LicensedInState, IReadOnlyList<MatchReason> Reasons);

public sealed record ExcludedReviewer(Guid PhysicianId, string Name, string Specialty, string? Subspecialty, IReadOnlyList<Exclusion> Reasons);

public sealed record MatchOutcome(ConsultMode Mode, bool LocalPhysicianRequired, string ModeReason,
    IReadOnlyList<RankedReviewer> Ranked, IReadOnlyList<ExcludedReviewer> Excluded);

/// <summary>
/// Ranks reviewers for one case. Pure and allocation-light: the handler loads candidates, this decides. Every ranked
/// physician carries the points of each factor and every excluded one all the reasons that exclude them.
/// <para>
/// Hard exclusions: no fit in the taxonomy, paused, no sign-in account, conflict of interest with the treating physician
/// or their organization, no capacity left this week, not speaking the member's preferred language, an earlier offer
/// of this case. The licence decides the consult mode: when the state allows direct opinions and at least one otherwise
/// eligible physician holds a licence there valid on the day the opinion is due, the opinion is direct and the
/// unlicensed are excluded for it; when none does (or the state allows no direct opinion), the case becomes a
/// physician-to-physician educational consult, everyone eligible is ranked, and a local physician of record is required.
/// </para>
/// </summary>
public static class ReviewerMatcher
{
    public const int CategoryPoints = 10;

    public static MatchOutcome Rank(MatchCriteria criteria, IReadOnlyList<MatchCandidate> candidates)
    {
        var excluded = new List<ExcludedReviewer>();
        var eligible = new List<(MatchCandidate Candidate, List<MatchReason> Reasons, Exclusion? License)>();
        var language = Languages.Normalize(criteria.Language) ?? criteria.Language.Trim().ToLowerInvariant();
        var organization = Organization(criteria.TreatingOrganization);
        var fitCache = new Dictionary<(string, string?), (int, List<MatchReason>)>();

        foreach (var c in candidates)
        {
            List<Exclusion>? why = null;
            void Exclude(string code, string text) => (why ??= []).Add(new Exclusion(code, text));

            if (!fitCache.TryGetValue((c.Specialty, c.Subspecialty), out var fit))
                fitCache[(c.Specialty, c.Subspecialty)] = fit = Fit(c.Specialty, c.Subspecialty, criteria);
            if (fit.Item1 == 0)
            {
                // The common case in a large network: build nothing more for a physician who does not fit at all.
                excluded.Add(new ExcludedReviewer(c.PhysicianId, c.Name, c.Specialty, c.Subspecialty,
                    [new Exclusion("no-fit", $"{c.Subspecialty ?? c.Specialty} does not fit the case's diagnosis, procedure or category.")]));
                continue;
            }
            if (c.Status == PhysicianStatus.Paused) Exclude("paused", "Paused in the network: receives no offers.");
            if (!c.HasAccount) Exclude("no-account", "Has no reviewer sign-in account, so cannot accept an offer.");
            if (criteria.TreatingNpi is { Length: > 0 } npi && npi == c.Npi) Exclude("conflict", "Is the member's treating physician.");
            if (organization is not null)
            {
                foreach (var affiliation in c.Affiliations)
                {
                    if (Conflicts(organization, Organization(affiliation)))
                    {
                        Exclude("conflict", $"Affiliated with {affiliation}, the treating physician's organization.");
                        break;
                    }
                }
            }
            var free = c.WeeklyCapacity - c.TakenThisWeek;
            if (free <= 0) Exclude("no-capacity", $"No capacity left: {c.TakenThisWeek} of {c.WeeklyCapacity} weekly cases taken or offered.");
            var speaks = c.Languages.Contains(language, StringComparer.OrdinalIgnoreCase);
            if (!speaks) Exclude("language", $"Does not speak {Languages.Name(language)}, the member's preferred language (speaks {string.Join(", ", c.Languages.Select(Languages.Name))}).");
            if (c.EarlierOffer is not null) Exclude("already-offered", $"Already offered this case: {c.EarlierOffer}.");

            if (why is not null)
            {
                excluded.Add(new ExcludedReviewer(c.PhysicianId, c.Name, c.Specialty, c.Subspecialty, why));
                continue;
            }

            var reasons = new List<MatchReason>(fit.Item2);
            var capacityPoints = c.WeeklyCapacity == 0 ? 0 : (int)Math.Round(15.0 * free / c.WeeklyCapacity);
            reasons.Add(new MatchReason("capacity", capacityPoints, $"{free} of {c.WeeklyCapacity} weekly places free."));
            if (c.OpenCases > 0) reasons.Add(new MatchReason("queue", -Math.Min(2 * c.OpenCases, 10), $"{c.OpenCases} open case{(c.OpenCases == 1 ? "" : "s")} in review."));
            reasons.Add(c.MedianTurnaroundDays is { } days
                ? new MatchReason("turnaround", days <= 3 ? 10 : days <= 5 ? 7 : days <= 8 ? 4 : 0, $"Recent opinions took {days:0.#} business days (median, last 180 days).")
                : new MatchReason("turnaround", 5, "No opinion in the last 180 days: neutral."));
            reasons.Add(new MatchReason("language", 10, $"Speaks {Languages.Name(language)}, the member's preferred language."));
            eligible.Add((c, reasons, LicenseProblem(c.Licenses, criteria)));
        }

        var anyLicensed = eligible.Exists(e => e.License is null);
        ConsultMode mode;
        string modeReason;
        if (criteria.Rule == StatePracticeRule.NotAllowed)
        {
            mode = ConsultMode.EducationalConsult;
            modeReason = $"{criteria.State} allows no direct opinion: the case is a physician-to-physician educational consult.";
        }
        else if (anyLicensed)
        {
            mode = ConsultMode.DirectOpinion;
            modeReason = $"Direct opinion by a reviewer licensed in {criteria.State} on {criteria.OpinionDue:yyyy-MM-dd}, when the opinion is due.";
        }
        else
        {
            mode = ConsultMode.EducationalConsult;
            modeReason = $"No eligible reviewer holds a licence in {criteria.State} valid on {criteria.OpinionDue:yyyy-MM-dd}: " +
                "the case is a physician-to-physician educational consult with the local physician of record.";
        }

        var ranked = new List<(MatchCandidate Candidate, List<MatchReason> Reasons, int Score, bool Licensed)>(eligible.Count);
        foreach (var (c, reasons, license) in eligible)
        {
            if (mode == ConsultMode.DirectOpinion && license is not null)
            {
                excluded.Add(new ExcludedReviewer(c.PhysicianId, c.Name, c.Specialty, c.Subspecialty, [license]));
                continue;
            }
            if (license is null) reasons.Add(new MatchReason("license", 0, $"Licensed in {criteria.State} through {c.Licenses.First(l => l.State == criteria.State).ExpiresOn:yyyy-MM-dd}."));
            var score = 0;
            foreach (var r in reasons) score += r.Points;
            ranked.Add((c, reasons, score, license is null));
        }
        ranked.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score)
            : a.Candidate.OpenCases != b.Candidate.OpenCases ? a.Candidate.OpenCases.CompareTo(b.Candidate.OpenCases)
            : string.CompareOrdinal(a.Candidate.Name, b.Candidate.Name));

        return new MatchOutcome(mode, mode == ConsultMode.EducationalConsult || criteria.Rule == StatePracticeRule.DirectWithLocalPhysician, modeReason,
            ranked.Select((r, i) => new RankedReviewer(i + 1, r.Candidate.PhysicianId, r.Candidate.Name, r.Candidate.Specialty, r.Candidate.Subspecialty,
                r.Score, r.Licensed, r.Reasons)).ToList(),
            excluded);
    }

    /// <summary>How well a specialty/subspecialty fits the case: points and the reasons, or zero when it does not fit at all.</summary>
    public static (int, List<MatchReason>) Fit(string specialty, string? subspecialty, MatchCriteria criteria)
    {
        var reasons = new List<MatchReason>();
        var sub = Taxonomy.Find(specialty, subspecialty);
        IEnumerable<Subspecialty> scope = sub is not null ? [sub] : subspecialty is null ? Taxonomy.Of(specialty) : [];
        var best = (Diagnosis: (Points: 0, Text: ""), Procedure: (Points: 0, Text: ""), Category: false);
        foreach (var s in scope)
        {
            foreach (var code in criteria.DiagnosisCodes)
            {
                if (Taxonomy.Matching(s.DiagnosisPrefixes, code) is { } prefix)
                {
                    var points = 20 + 5 * Math.Min(prefix.Replace(".", "", StringComparison.Ordinal).Length, 4);
                    if (points > best.Diagnosis.Points) best.Diagnosis = (points, $"{s.Name} treats {code} (taxonomy {prefix}).");
                }
            }
            foreach (var code in criteria.ProcedureCodes)
            {
                if (Taxonomy.Matching(s.ProcedurePrefixes, code) is { } prefix)
                {
                    var points = 10 + 3 * Math.Min(prefix.Length, 5);
                    if (points > best.Procedure.Points) best.Procedure = (points, $"{s.Name} weighs procedure {code} (taxonomy {prefix}).");
                }
            }
            best.Category |= s.Categories.Contains(criteria.Category);
        }
        if (sub is null && best.Diagnosis.Points + best.Procedure.Points > 0)
        {
            // A specialty without a subspecialty fits at most at the category level plus half the code points.
            best.Diagnosis.Points /= 2;
            best.Procedure.Points /= 2;
        }
        if (best.Diagnosis.Points > 0) reasons.Add(new MatchReason("diagnosis", best.Diagnosis.Points, best.Diagnosis.Text));
        if (best.Procedure.Points > 0) reasons.Add(new MatchReason("procedure", best.Procedure.Points, best.Procedure.Text));
        if (best.Category) reasons.Add(new MatchReason("category", CategoryPoints, $"{subspecialty ?? specialty} serves {criteria.Category} cases."));
        return (reasons.Sum(r => r.Points), reasons);
    }

    static Exclusion? LicenseProblem(IReadOnlyList<StateLicense> licenses, MatchCriteria criteria)
    {
        StateLicense? license = null;
        foreach (var l in licenses) if (l.State == criteria.State) license = l;
        if (license is null)
            return new Exclusion("license-state", $"No licence in {criteria.State}" +
                (licenses.Count == 0 ? "." : $" (licensed in {string.Join(", ", licenses.Select(l => l.State).Order(StringComparer.Ordinal))})."));
        if (license.ExpiresOn < criteria.OpinionDue)
            return new Exclusion("license-expired", $"Licence {license.Number} in {criteria.State} expires {license.ExpiresOn:yyyy-MM-dd}, before the opinion is due on {criteria.OpinionDue:yyyy-MM-dd}.");
        if (license.IssuedOn > criteria.OpinionDue)
            return new Exclusion("license-not-yet-valid", $"Licence {license.Number} in {criteria.State} starts {license.IssuedOn:yyyy-MM-dd}, after the opinion is due on {criteria.OpinionDue:yyyy-MM-dd}.");
        return null;
    }

    /// <summary>Lower-case letters and digits only, without legal suffixes: "The Cleveland Clinic, Inc." and "cleveland clinic" compare equal.</summary>
    internal static string? Organization(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var words = name.ToLowerInvariant().Split([' ', ',', '.', '-', '&', '/', '(', ')'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w is not ("the" or "inc" or "llc" or "pc" or "pllc" or "pa" or "of" or "and" or "co" or "corp" or "ltd"));
        var joined = string.Concat(words.Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray())));
        return joined.Length == 0 ? null : joined;
    }

    static bool Conflicts(string treating, string? affiliation) =>
        affiliation is not null && (treating == affiliation
            || (Math.Min(treating.Length, affiliation.Length) >= 6 && (treating.Contains(affiliation, StringComparison.Ordinal) || affiliation.Contains(treating, StringComparison.Ordinal))));
}

/// <summary>ISO 639-1 codes for the languages a network file may name, with their English names.</summary>
public static class Languages
{
    static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = "English", ["es"] = "Spanish", ["zh"] = "Chinese", ["vi"] = "Vietnamese", ["tl"] = "Tagalog", ["ar"] = "Arabic",
        ["fr"] = "French", ["ko"] = "Korean", ["ru"] = "Russian", ["pt"] = "Portuguese", ["de"] = "German", ["hi"] = "Hindi",
        ["ht"] = "Haitian Creole", ["pl"] = "Polish", ["it"] = "Italian", ["ja"] = "Japanese", ["ur"] = "Urdu", ["fa"] = "Persian",
        ["bn"] = "Bengali", ["pa"] = "Punjabi", ["gu"] = "Gujarati", ["he"] = "Hebrew", ["el"] = "Greek", ["sv"] = "Swedish",
        ["yo"] = "Yoruba", ["so"] = "Somali", ["am"] = "Amharic", ["ta"] = "Tamil", ["ig"] = "Igbo", ["uk"] = "Ukrainian", ["nl"] = "Dutch", ["tr"] = "Turkish",
    };

    /// <summary>"es", "ES", "Spanish" or "spanish" becomes "es"; anything else null.</summary>
    public static string? Normalize(string? value)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) return null;
        if (Names.ContainsKey(v)) return v.ToLowerInvariant();
        foreach (var (code, name) in Names)
            if (string.Equals(name, v, StringComparison.OrdinalIgnoreCase)) return code;
        return null;
    }

    public static string Name(string code) => Names.TryGetValue(code, out var name) ? name : code;
}

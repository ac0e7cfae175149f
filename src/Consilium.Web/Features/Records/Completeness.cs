using Consilium.Features.Cases;

namespace Consilium.Features.Records;

/// <summary>One thing a packet needs: any one of <see cref="AnyOf"/> received.</summary>
public sealed record Requirement(IReadOnlyList<RecordKind> AnyOf)
{
    public string Describe() => string.Join(" or ", AnyOf.Select(RecordKinds.Label));
}

public sealed record CompletenessResult(double Score, IReadOnlyList<Requirement> Met, IReadOnlyList<Requirement> Missing)
{
    public bool IsComplete => Missing.Count == 0;
    public int Percent => (int)Math.Round(Score * 100, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Options: per condition category, a list of requirements, each written "KindA|KindB" (any of them will do).
/// A category configured here replaces its default entirely. See docs/records.md.
/// </summary>
public sealed class RecordsOptions
{
    public const string Section = "Records";

    public Dictionary<ConditionCategory, List<string>> Completeness { get; set; } = [];

    /// <summary>Days from entering CollectingRecords to a complete packet, unless the program sets its own.</summary>
    public int DaysToCompletePacket { get; set; } = 7;

    /// <summary>Default due date of a new record request, in days.</summary>
    public int RequestDueDays { get; set; } = 5;
}

/// <summary>What makes a packet review-ready, per condition category.</summary>
public sealed class CompletenessRules(Microsoft.Extensions.Options.IOptions<RecordsOptions> options)
{
    static readonly Dictionary<ConditionCategory, Requirement[]> Defaults = new()
    {
        // Pathology report, the slides or digital pathology to re-read, and the staging imaging with its report.
        [ConditionCategory.Oncology] =
        [
            new([RecordKind.PathologyReport]), new([RecordKind.PathologySlides, RecordKind.DigitalPathology]),
            new([RecordKind.ImagingFiles]), new([RecordKind.RadiologyReport]),
        ],
        // The MRI or CT images with the radiology report, a consult note, and what conservative therapy was tried.
        [ConditionCategory.Spine] =
        [
            new([RecordKind.ImagingFiles]), new([RecordKind.RadiologyReport]), new([RecordKind.ConsultNote]),
            new([RecordKind.ConservativeTherapyHistory]),
        ],
        [ConditionCategory.Musculoskeletal] =
        [
            new([RecordKind.ImagingFiles]), new([RecordKind.RadiologyReport]), new([RecordKind.ConsultNote]),
            new([RecordKind.ConservativeTherapyHistory]),
        ],
        // Catheterization or echocardiogram reports, an ECG, and the cardiologist's note.
        [ConditionCategory.Cardiac] =
        [
            new([RecordKind.CathReport, RecordKind.EchoReport]), new([RecordKind.Ecg]), new([RecordKind.ConsultNote]),
        ],
        [ConditionCategory.Neurological] =
        [
            new([RecordKind.ImagingFiles]), new([RecordKind.RadiologyReport]), new([RecordKind.ConsultNote]), new([RecordKind.MedicationList]),
        ],
        [ConditionCategory.RareDisease] =
        [
            new([RecordKind.ConsultNote]), new([RecordKind.Labs]), new([RecordKind.TreatmentHistory]),
        ],
        [ConditionCategory.Other] = [new([RecordKind.ConsultNote])],
    };

    public IReadOnlyList<Requirement> For(ConditionCategory category)
    {
        if (options.Value.Completeness.TryGetValue(category, out var configured) && configured.Count > 0)
            return configured.Select(Parse).ToList();
        return Defaults[category];
    }

    public CompletenessResult Evaluate(ConditionCategory category, IEnumerable<RecordKind> received)
    {
        var have = received.ToHashSet();
        var requirements = For(category);
        var met = requirements.Where(r => r.AnyOf.Any(have.Contains)).ToList();
        var missing = requirements.Where(r => !r.AnyOf.Any(have.Contains)).ToList();
        return new CompletenessResult(requirements.Count == 0 ? 1 : (double)met.Count / requirements.Count, met, missing);
    }

    static Requirement Parse(string text) => new(text.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(k => Enum.TryParse<RecordKind>(k, ignoreCase: true, out var kind) ? kind
            : throw new InvalidOperationException($"Records:Completeness names an unknown record kind '{k}'. Known: {string.Join(", ", Enum.GetNames<RecordKind>())}."))
        .ToList());

    /// <summary>Checks configured rules at start, so a typo stops the server instead of silently passing packets.</summary>
    internal static bool Validate(RecordsOptions options)
    {
        foreach (var requirement in options.Completeness.Values.SelectMany(r => r)) _ = Parse(requirement);
        return options.DaysToCompletePacket > 0 && options.RequestDueDays > 0;
    }
}

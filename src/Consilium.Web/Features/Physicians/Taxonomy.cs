using Consilium.Features.Cases;

namespace Consilium.Features.Physicians;

/// <summary>
/// One subspecialty of the network taxonomy and what it is a fit for: the case categories it serves, the ICD-10-CM
/// diagnosis prefixes it treats and the procedure code prefixes (CPT, HCPCS, ICD-10-PCS) it performs or weighs.
/// A prefix matches a code that starts with it ("M51" matches "M51.16"; "2263" matches "22633").
/// </summary>
public sealed record Subspecialty(string Specialty, string Name, IReadOnlyList<ConditionCategory> Categories,
    IReadOnlyList<string> DiagnosisPrefixes, IReadOnlyList<string> ProcedurePrefixes);

/// <summary>
/// The documented specialty and subspecialty taxonomy (docs/network.md). Specialties follow the ABMS member boards'
/// names; subspecialties are the ones second-opinion programs are asked for most. Matching scores a physician by their
/// subspecialty; a physician registered with a specialty only fits at the category level.
/// </summary>
public static class Taxonomy
{
    static Subspecialty S(string specialty, string name, ConditionCategory[] categories, string[] diagnoses, string[] procedures) =>
        new(specialty, name, categories, diagnoses, procedures);

    const string Ortho = "Orthopaedic Surgery", Neurosurgery = "Neurological Surgery", Oncology = "Medical Oncology",
        Cardiology = "Cardiology", CardiacSurgery = "Thoracic and Cardiac Surgery", Neurology = "Neurology", Urology = "Urology",
        Genetics = "Medical Genetics and Genomics", Hematology = "Hematology", RadOnc = "Radiation Oncology";

    static readonly ConditionCategory[] SpineCat = [ConditionCategory.Spine, ConditionCategory.Musculoskeletal];
    static readonly string[] SpineDx = ["M40", "M41", "M43", "M46", "M47", "M48", "M50", "M51", "M53", "M54", "M96.1", "S12", "S22", "S32", "Q76"];
    static readonly string[] SpineProc = ["2255", "2256", "2258", "2259", "2260", "2261", "2263", "2284", "2285", "6303", "6304", "6347", "0SG", "0RG", "0SB", "0RB"];

    public static readonly IReadOnlyList<Subspecialty> Subspecialties =
    [
        S(Ortho, "Spine Surgery", SpineCat, SpineDx, SpineProc),
        S(Ortho, "Adult Reconstruction", [ConditionCategory.Musculoskeletal],
            ["M16", "M17", "M87", "M19", "T84", "M24.5"], ["27130", "27132", "27134", "27446", "27447", "27486", "27487", "0SR", "0SW"]),
        S(Ortho, "Sports Medicine", [ConditionCategory.Musculoskeletal],
            ["S83", "M23", "M75", "S43", "S46", "M22", "M24.1"], ["29880", "29881", "29888", "29827", "29828", "29806", "23412"]),
        S(Ortho, "Hand and Upper Extremity", [ConditionCategory.Musculoskeletal],
            ["G56", "M72.0", "S62", "M18", "M65.3"], ["64721", "26", "25447", "25000"]),
        S(Neurosurgery, "Spine Neurosurgery", SpineCat, SpineDx, SpineProc),
        S(Neurosurgery, "Neurosurgical Oncology", [ConditionCategory.Oncology, ConditionCategory.Neurological],
            ["C70", "C71", "C72", "C79.3", "D32", "D33", "D43"], ["6151", "6152", "6179", "77371", "00B0"]),
        S(Neurosurgery, "Functional and Epilepsy Surgery", [ConditionCategory.Neurological],
            ["G40", "G20", "G25", "G24"], ["61863", "61864", "61867", "61533", "61537", "61850", "64568", "00H0"]),
        S(Oncology, "Breast Oncology", [ConditionCategory.Oncology], ["C50", "D05", "Z15.01", "N63"], ["19301", "19302", "19303", "19307", "38525", "0HT", "J9355"]),
        S(Oncology, "Thoracic Oncology", [ConditionCategory.Oncology], ["C33", "C34", "C38", "C45", "R91", "D02.2"], ["32663", "32480", "32484", "31628", "31652", "0BT", "J9271"]),
        S(Oncology, "Genitourinary Oncology", [ConditionCategory.Oncology], ["C61", "C62", "C64", "C65", "C66", "C67", "R97.2"], ["55866", "55840", "50543", "51595", "77427", "0VT"]),
        S(Oncology, "Gastrointestinal Oncology", [ConditionCategory.Oncology], ["C15", "C16", "C17", "C18", "C19", "C20", "C21", "C22", "C23", "C24", "C25"], ["44140", "44204", "48150", "47120", "43620", "0DT"]),
        S(Oncology, "Gynecologic Oncology", [ConditionCategory.Oncology], ["C51", "C52", "C53", "C54", "C55", "C56", "C57"], ["58150", "58210", "58951", "58571", "0UT"]),
        S(Hematology, "Hematologic Malignancies", [ConditionCategory.Oncology, ConditionCategory.RareDisease],
            ["C81", "C82", "C83", "C84", "C85", "C88", "C90", "C91", "C92", "C93", "C94", "C95", "D45", "D46", "D47"], ["38240", "38241", "0537T", "Q2041", "J9"]),
        S(RadOnc, "Radiation Oncology", [ConditionCategory.Oncology], ["C"], ["77", "G6015", "G0339"]),
        S(Cardiology, "Interventional Cardiology", [ConditionCategory.Cardiac],
            ["I20", "I21", "I22", "I24", "I25", "I35", "I70.2"], ["92920", "92924", "92928", "92933", "92937", "93454", "93458", "C9600", "C9607", "33361", "0270", "0271", "0272", "0273"]),
        S(Cardiology, "Electrophysiology", [ConditionCategory.Cardiac], ["I44", "I45", "I47", "I48", "I49", "R00.1", "Q24.6"], ["93650", "93653", "93656", "33206", "33208", "33249", "33274", "02583"]),
        S(Cardiology, "Heart Failure and Transplant", [ConditionCategory.Cardiac], ["I42", "I43", "I50", "I11.0", "Z94.1", "E85.4"], ["33945", "33979", "33990", "02YA"]),
        S(CardiacSurgery, "Cardiac Surgery", [ConditionCategory.Cardiac], ["I05", "I06", "I08", "I20", "I25", "I34", "I35", "I71"], ["3351", "3353", "33405", "33430", "33426", "33860", "0210", "0211", "02R", "02Q"]),
        S(Neurology, "Epilepsy", [ConditionCategory.Neurological], ["G40", "G41", "R56"], ["95700", "95812", "95813", "61533", "64568"]),
        S(Neurology, "Movement Disorders", [ConditionCategory.Neurological], ["G20", "G21", "G23", "G24", "G25", "G10"], ["61863", "61867", "64612", "95970"]),
        S(Neurology, "Neuromuscular Medicine", [ConditionCategory.Neurological, ConditionCategory.RareDisease], ["G12", "G60", "G61", "G70", "G71", "G72"], ["95907", "95885", "95886", "J1599"]),
        S(Neurology, "Multiple Sclerosis and Neuroimmunology", [ConditionCategory.Neurological], ["G35", "G36", "G37", "H46"], ["J2350", "J2323", "J1823"]),
        S(Urology, "Urologic Oncology", [ConditionCategory.Oncology], ["C61", "C64", "C65", "C66", "C67", "D09.0"], ["55866", "55840", "50543", "50240", "51595", "52234"]),
        S(Genetics, "Rare and Undiagnosed Disease", [ConditionCategory.RareDisease], ["E70", "E71", "E72", "E74", "E75", "E76", "E77", "E83", "E85", "E88", "Q"], ["81415", "81416", "81417", "81443"]),
    ];

    public static IReadOnlyList<string> Specialties { get; } = Subspecialties.Select(s => s.Specialty).Distinct().ToList();

    public static bool IsSpecialty(string name) => Specialties.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static string? CanonicalSpecialty(string name) => Specialties.FirstOrDefault(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));

    public static Subspecialty? Find(string specialty, string? subspecialty) =>
        subspecialty is null ? null : Subspecialties.FirstOrDefault(s => string.Equals(s.Specialty, specialty, StringComparison.OrdinalIgnoreCase)
            && string.Equals(s.Name, subspecialty, StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<Subspecialty> Of(string specialty) =>
        Subspecialties.Where(s => string.Equals(s.Specialty, specialty, StringComparison.OrdinalIgnoreCase));

    /// <summary>The longest taxonomy prefix of <paramref name="prefixes"/> that <paramref name="code"/> starts with, or null.</summary>
    public static string? Matching(IReadOnlyList<string> prefixes, string code)
    {
        string? best = null;
        foreach (var p in prefixes)
            if (code.StartsWith(p, StringComparison.OrdinalIgnoreCase) && (best is null || p.Length > best.Length)) best = p;
        return best;
    }
}

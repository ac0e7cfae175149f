using System.Security.Cryptography;
using System.Text;
using Consilium.X12;

namespace Consilium.Triggers;

/// <summary>
/// What outcomes need of one claim (docs/metrics.md, "Claim facts"): who, which claim, how it supersedes others, when,
/// which procedures, the principal diagnosis, who billed and what was charged. Codes without dots, upper case.
/// </summary>
public readonly record struct ClaimFact(
    string MemberId, string ClaimId, string? FrequencyCode, DateOnly? ServiceFrom, DateOnly? ServiceTo,
    string Procedures, string? PrincipalDiagnosis, string? BillingNpi, long ChargeCents)
{
    public const int MaxId = 80;
    public const int MaxProcedures = 500;

    /// <summary>0 original (and anything else), 1 replacement or corrected (7, 6), 2 void (8): a higher rank supersedes a lower one
    /// whatever order the files arrive in; at the same rank the later one read wins.</summary>
    public int Rank => FrequencyCode switch { "8" => 2, "7" or "6" => 1, _ => 0 };

    public bool Voided => FrequencyCode == "8";

    public static ClaimFact From(ClaimEvent claim)
    {
        var codes = new List<string>();
        void Add(string? code)
        {
            if (string.IsNullOrWhiteSpace(code)) return;
            var c = Normalize(code);
            if (c.Length > 0 && !codes.Contains(c)) codes.Add(c);
        }
        foreach (var line in claim.Lines)
            if (line.ProcedureQualifier is null or "HC" or "HP") Add(line.ProcedureCode);
        foreach (var p in claim.Procedures)
            if (p.CodeSystem is CodeSystem.Icd10Pcs or CodeSystem.Hcpcs) Add(p.Code);
        var procedures = new StringBuilder();
        foreach (var c in codes)
        {
            if (procedures.Length + c.Length + 1 > MaxProcedures) break;
            if (procedures.Length > 0) procedures.Append('|');
            procedures.Append(c);
        }
        var dx = claim.PrincipalDiagnosis is { } d && d.CodeSystem == CodeSystem.Icd10Cm ? Normalize(d.Code) : null;
        var npi = claim.BillingNpi is { Length: 10 } n ? n : null;
        long cents = claim.TotalCharge is var t && t > 0 && t < 1_000_000_000m ? (long)decimal.Round(t * 100m) : 0;
        return new ClaimFact(Clip(claim.Member.MemberId), Clip(claim.ClaimId), claim.FrequencyCode is { Length: <= 2 } f ? f : null,
            claim.ServiceFrom, claim.ServiceTo ?? claim.ServiceFrom, procedures.ToString(), dx is { Length: > 0 and <= 8 } ? dx : null, npi, cents);
    }

    static string Clip(string value) => value.Length > MaxId ? value[..MaxId] : value;

    static string Normalize(string code)
    {
        var c = code.Trim();
        if (c.Contains('.', StringComparison.Ordinal)) c = c.Replace(".", "", StringComparison.Ordinal);
        return c.ToUpperInvariant();
    }
}

/// <summary>
/// Every claim of a scan, reduced to a <see cref="ClaimFact"/>, written to a temporary file while the scan runs so
/// memory stays flat whatever the file's size; the caller loads it into the database only when the scan succeeded.
/// The file holds health information, so it is encrypted (AES-CBC under a random key that lives only in this object's
/// memory) and deleted when the spool is disposed.
/// </summary>
public sealed class ClaimFactSpool : IDisposable
{
    readonly string path;
    readonly Aes aes;
    FileStream? file;
    CryptoStream? crypto;
    BinaryWriter? writer;

    public ClaimFactSpool(string? directory = null)
    {
        path = Path.Combine(directory ?? Path.GetTempPath(), $".consilium-claims-{Guid.NewGuid():N}.spool");
        aes = Aes.Create();
        aes.GenerateKey();
        aes.GenerateIV();
        file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        crypto = new CryptoStream(file, aes.CreateEncryptor(), CryptoStreamMode.Write, leaveOpen: true);
        writer = new BinaryWriter(new BufferedStream(crypto, 1 << 16), Encoding.UTF8);
    }

    public long Count { get; private set; }

    public void Add(ClaimEvent claim) => Add(ClaimFact.From(claim));

    public void Add(in ClaimFact f)
    {
        var w = writer ?? throw new InvalidOperationException("The spool has been read; it takes no more claims.");
        w.Write(f.MemberId);
        w.Write(f.ClaimId);
        w.Write(f.FrequencyCode ?? "");
        w.Write(f.ServiceFrom?.DayNumber ?? -1);
        w.Write(f.ServiceTo?.DayNumber ?? -1);
        w.Write(f.Procedures);
        w.Write(f.PrincipalDiagnosis ?? "");
        w.Write(f.BillingNpi ?? "");
        w.Write(f.ChargeCents);
        Count++;
    }

    /// <summary>The facts in the order they were added. Ends writing: call once, after the scan.</summary>
    public IEnumerable<ClaimFact> Read()
    {
        if (writer is not null)
        {
            writer.Flush();
            writer.Dispose();
            crypto!.Dispose();
            writer = null;
            crypto = null;
        }
        var source = file ?? throw new ObjectDisposedException(nameof(ClaimFactSpool));
        source.Position = 0;
        using var decrypt = new CryptoStream(source, aes.CreateDecryptor(), CryptoStreamMode.Read, leaveOpen: true);
        using var reader = new BinaryReader(new BufferedStream(decrypt, 1 << 16), Encoding.UTF8);
        for (long i = 0; i < Count; i++)
        {
            var member = reader.ReadString();
            var claim = reader.ReadString();
            var frequency = reader.ReadString();
            var from = reader.ReadInt32();
            var to = reader.ReadInt32();
            var procedures = reader.ReadString();
            var dx = reader.ReadString();
            var npi = reader.ReadString();
            var cents = reader.ReadInt64();
            yield return new ClaimFact(member, claim, frequency.Length == 0 ? null : frequency,
                from < 0 ? null : DateOnly.FromDayNumber(from), to < 0 ? null : DateOnly.FromDayNumber(to),
                procedures, dx.Length == 0 ? null : dx, npi.Length == 0 ? null : npi, cents);
        }
    }

    public void Dispose()
    {
        writer?.Dispose();
        crypto?.Dispose();
        file?.Dispose();
        file = null;
        aes.Dispose();
    }
}

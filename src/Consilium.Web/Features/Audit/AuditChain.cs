using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Consilium.Features.Audit;

/// <summary>
/// The hash chain over the audit trail. Each entry's hash covers the previous entry's hash and all of its own fields,
/// so changing, deleting or reordering a stored entry breaks every hash after it; anchors (the head hash copied
/// elsewhere from time to time) catch a cut tail.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first entry.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string HashOf(AuditEntry e, string prevHash) => HashOf(e, e.Sequence, prevHash);

    /// <summary>The hash the entry would have at <paramref name="sequence"/>: lets the verifier tell a moved entry from an edited one.</summary>
    public static string HashOf(AuditEntry e, long sequence, string prevHash)
    {
        // Unit-separated, invariant text of every field; a field can never bleed into its neighbour.
        var canonical = string.Join('\u001f',
            sequence.ToString(CultureInfo.InvariantCulture),
            e.At.UtcTicks.ToString(CultureInfo.InvariantCulture),
            e.UserId?.ToString("D") ?? "",
            e.UserName,
            e.Role,
            e.Action.ToString(),
            e.ObjectType,
            e.ObjectId ?? "",
            e.PatientId?.ToString("D") ?? "",
            e.Outcome.ToString(),
            e.Source,
            e.Reason ?? "");
        var bytes = Encoding.UTF8.GetBytes(prevHash + "\u001e" + canonical);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}

/// <summary>The single row that says where the chain ends. Locked by every transaction that appends to the trail.</summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;
    public long Sequence { get; private set; }
    public string Hash { get; private set; } = AuditChain.Genesis;
}

/// <summary>A copy of the chain head taken at a point in time; the trail must still reach it and agree with it.</summary>
public sealed class AuditAnchor
{
    AuditAnchor() { Hash = ""; }

    public AuditAnchor(long sequence, string hash, DateTimeOffset at)
    {
        Sequence = sequence;
        Hash = hash;
        At = at;
    }

    public long Id { get; private set; }
    public long Sequence { get; private set; }
    public string Hash { get; private set; }
    public DateTimeOffset At { get; private set; }
}

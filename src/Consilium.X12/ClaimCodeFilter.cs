using System.Runtime.CompilerServices;
using System.Text;

namespace Consilium.X12;

/// <summary>
/// The codes (and code prefixes) a consumer cares about, for <see cref="X12ReaderOptions.ClaimFilter"/>. With a filter,
/// the 837 parser still validates every claim but builds a <see cref="ClaimEvent"/> only for claims where a diagnosis,
/// an ICD procedure (HI) or a service line procedure code (SV1/SV2) matches: the rest are counted and dropped without
/// creating a string or an object. Codes are compared without dots; a code of up to 8 bytes is packed into a 64-bit
/// integer, so a lookup is a shift loop and a hash-set probe.
/// </summary>
public sealed class ClaimCodeFilter
{
    const int MaxPacked = 8;
    readonly HashSet<ulong> exact = [];
    // Prefixes by length (index 1..8): checked once per distinct length, longest lists are short.
    readonly HashSet<ulong>?[] prefixes = new HashSet<ulong>?[MaxPacked + 1];
    readonly int[] prefixLengths;
    // One bit per possible first two bytes of a code that can match: most codes of a claims file are rejected here,
    // with one load, before any hashing.
    readonly ulong[] heads = new ulong[65536 / 64];

    public ClaimCodeFilter(IEnumerable<string> codes, IEnumerable<string>? prefixes = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        foreach (var code in codes)
        {
            var c = Normalize(code);
            exact.Add(Pack(c));
            MarkHead(c);
        }
        foreach (var prefix in prefixes ?? [])
        {
            var p = Normalize(prefix);
            (this.prefixes[p.Length] ??= []).Add(Pack(p));
            MarkHead(p);
        }
        prefixLengths = Enumerable.Range(1, MaxPacked).Where(n => this.prefixes[n] is not null).ToArray();
    }

    /// <summary>A filter nothing passes: every claim is validated and counted, none is built.</summary>
    public static ClaimCodeFilter None { get; } = new([]);

    public int CodeCount => exact.Count;

    public bool Matches(string code) => Matches(Encoding.ASCII.GetBytes(code));

    public bool Matches(ReadOnlySpan<byte> code)
    {
        if (code.IsEmpty) return false;
        int head = code[0] | (code.Length > 1 ? code[1] << 8 : 0);
        // A dot never sits in the first two bytes of a real code, so the head check holds for dotted codes too.
        if ((heads[head >> 6] & (1UL << head)) == 0) return false;
        if (code.IndexOf((byte)'.') >= 0) return MatchesDotted(code);
        ulong packed = 0;
        int n = Math.Min(code.Length, MaxPacked);
        foreach (var length in prefixLengths)
        {
            if (length > code.Length) break;
            if (prefixes[length]!.Contains(PackPrefix(code, length))) return true;
        }
        if (code.Length > MaxPacked) return false;
        for (int i = 0; i < n; i++) packed |= (ulong)code[i] << (8 * i);
        return exact.Contains(packed);
    }

    void MarkHead(string code)
    {
        if (code.Length == 1)
        {
            // A one-character prefix passes every second byte; a one-character code is its byte and nothing after.
            for (int second = 0; second < 256; second++) Mark(code[0] | (second << 8));
        }
        else Mark(code[0] | (code[1] << 8));
    }

    void Mark(int head) => heads[head >> 6] |= 1UL << head;

    [MethodImpl(MethodImplOptions.NoInlining)]
    bool MatchesDotted(ReadOnlySpan<byte> code)
    {
        Span<byte> tmp = stackalloc byte[code.Length];
        int n = 0;
        foreach (var b in code) if (b != (byte)'.') tmp[n++] = b;
        return n > 0 && Matches(tmp[..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong PackPrefix(ReadOnlySpan<byte> code, int length)
    {
        ulong packed = 0;
        for (int i = 0; i < length; i++) packed |= (ulong)code[i] << (8 * i);
        return packed;
    }

    static string Normalize(string code)
    {
        var value = (code ?? "").Trim().Replace(".", "", StringComparison.Ordinal).ToUpperInvariant();
        if (value.Length is 0 or > MaxPacked || !Ascii.IsValid(value))
            throw new ArgumentException($"'{code}' is not a code of 1 to {MaxPacked} ASCII characters.");
        return value;
    }

    static ulong Pack(string code)
    {
        ulong packed = 0;
        for (int i = 0; i < code.Length; i++) packed |= (ulong)code[i] << (8 * i);
        return packed;
    }
}

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

    public ClaimCodeFilter(IEnumerable<string> codes, IEnumerable<string>? prefixes = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        foreach (var code in codes) exact.Add(Pack(Normalize(code)));
        foreach (var prefix in prefixes ?? [])
        {
            var p = Normalize(prefix);
            (this.prefixes[p.Length] ??= []).Add(Pack(p));
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

using System.Runtime.CompilerServices;
using System.Text;

namespace Consilium.X12;

/// <summary>
/// The codes (and code prefixes) a consumer cares about, for <see cref="X12ReaderOptions.ClaimFilter"/>. With a filter,
/// the 837 parser still validates every claim but builds a <see cref="ClaimEvent"/> only for claims where a diagnosis,
/// an ICD procedure (HI) or a service line procedure code (SV1/SV2) matches: the rest are counted and dropped without
/// creating a string or an object. Codes are compared without dots; a code of up to 8 bytes is packed into a 64-bit
/// integer, so a lookup is a shift loop and a probe of an open-addressing table.
/// </summary>
public sealed class ClaimCodeFilter
{
    const int MaxPacked = 8;
    readonly PackedSet exact;
    // Every prefix, of whatever length, in one set: a packed code holds no zero byte, so its length is part of its value.
    readonly PackedSet prefixSet;
    readonly int[] prefixLengths;
    // One bit per possible first two bytes of a code that can match: most codes of a claims file are rejected here,
    // with one load, before any hashing.
    readonly ulong[] heads = new ulong[65536 / 64];

    public ClaimCodeFilter(IEnumerable<string> codes, IEnumerable<string>? prefixes = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var exactCodes = new HashSet<ulong>();
        foreach (var code in codes)
        {
            var c = Normalize(code);
            exactCodes.Add(Pack(c));
            MarkHead(c);
        }
        var prefixCodes = new HashSet<ulong>();
        var lengths = new SortedSet<int>();
        foreach (var prefix in prefixes ?? [])
        {
            var p = Normalize(prefix);
            prefixCodes.Add(Pack(p));
            lengths.Add(p.Length);
            MarkHead(p);
        }
        exact = new PackedSet(exactCodes);
        prefixSet = new PackedSet(prefixCodes);
        prefixLengths = [.. lengths];
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
        // The first 8 bytes packed little-endian, noting a dot on the way.
        int n = Math.Min(code.Length, MaxPacked);
        ulong packed = 0;
        bool dotted = false;
        for (int i = 0; i < n; i++)
        {
            packed |= (ulong)code[i] << (8 * i);
            dotted |= code[i] == (byte)'.';
        }
        if (dotted || (code.Length > MaxPacked && code[MaxPacked..].Contains((byte)'.'))) return MatchesDotted(code);
        foreach (var length in prefixLengths)
        {
            if (length > code.Length) break;
            if (prefixSet.Contains(length == MaxPacked ? packed : packed & ((1UL << (8 * length)) - 1))) return true;
        }
        return code.Length <= MaxPacked && exact.Contains(packed);
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

    /// <summary>
    /// A set of packed codes (never 0) in one array, open addressing with a Fibonacci hash, at most half full: a lookup is a
    /// multiply, a shift and usually one compare, where a <see cref="HashSet{T}"/> probe costs several times that.
    /// </summary>
    sealed class PackedSet
    {
        readonly ulong[] slots;
        readonly int shift;
        readonly int mask;

        public PackedSet(IReadOnlyCollection<ulong> values)
        {
            int bits = Math.Max(4, (int)Math.Ceiling(Math.Log2(Math.Max(1, values.Count) * 2.0)));
            slots = new ulong[1 << bits];
            shift = 64 - bits;
            mask = slots.Length - 1;
            foreach (var v in values)
            {
                int i = Slot(v);
                while (slots[i] != 0) i = (i + 1) & mask;
                slots[i] = v;
            }
            Count = values.Count;
        }

        public int Count { get; }

        int Slot(ulong v) => (int)((v * 0x9E3779B97F4A7C15UL) >> shift);

        public bool Contains(ulong v)
        {
            var all = slots;
            for (int i = Slot(v); ; i = (i + 1) & mask)
            {
                ulong s = all[i];
                if (s == 0) return false;
                if (s == v) return true;
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Text;

namespace Consilium.X12.Transactions;

/// <summary>Segment identifiers packed as <see cref="X12SegmentReader.SegmentKey"/> does, so a switch compiles to int compares.</summary>
static class Seg
{
    public const int ISA = 'I' | ('S' << 8) | ('A' << 16);
    public const int IEA = 'I' | ('E' << 8) | ('A' << 16);
    public const int GS = 'G' | ('S' << 8);
    public const int GE = 'G' | ('E' << 8);
    public const int ST = 'S' | ('T' << 8);
    public const int SE = 'S' | ('E' << 8);
    public const int BHT = 'B' | ('H' << 8) | ('T' << 16);
    public const int HL = 'H' | ('L' << 8);
    public const int NM1 = 'N' | ('M' << 8) | ('1' << 16);
    public const int N3 = 'N' | ('3' << 8);
    public const int N4 = 'N' | ('4' << 8);
    public const int DMG = 'D' | ('M' << 8) | ('G' << 16);
    public const int PAT = 'P' | ('A' << 8) | ('T' << 16);
    public const int SBR = 'S' | ('B' << 8) | ('R' << 16);
    public const int CLM = 'C' | ('L' << 8) | ('M' << 16);
    public const int DTP = 'D' | ('T' << 8) | ('P' << 16);
    public const int HI = 'H' | ('I' << 8);
    public const int LX = 'L' | ('X' << 8);
    public const int SV1 = 'S' | ('V' << 8) | ('1' << 16);
    public const int SV2 = 'S' | ('V' << 8) | ('2' << 16);
    public const int SV3 = 'S' | ('V' << 8) | ('3' << 16);
    public const int CL1 = 'C' | ('L' << 8) | ('1' << 16);
    public const int UM = 'U' | ('M' << 8);
    public const int HCR = 'H' | ('C' << 8) | ('R' << 16);
    public const int TRN = 'T' | ('R' << 8) | ('N' << 16);
    public const int INS = 'I' | ('N' << 8) | ('S' << 16);
    public const int REF = 'R' | ('E' << 8) | ('F' << 16);
    public const int HD = 'H' | ('D' << 8);
    public const int LS = 'L' | ('S' << 8);
    public const int LE = 'L' | ('E' << 8);
}

static class Parse
{
    /// <summary>CCYYMMDD; null when the span is not a valid calendar date.</summary>
    public static DateOnly? Date(ReadOnlySpan<byte> s)
    {
        if (s.Length < 8) return null;
        int y = 0, m = 0, d = 0;
        for (int i = 0; i < 8; i++)
        {
            int digit = s[i] - '0';
            if ((uint)digit > 9) return null;
            if (i < 4) y = y * 10 + digit;
            else if (i < 6) m = m * 10 + digit;
            else d = d * 10 + digit;
        }
        if (y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return null;
        return new DateOnly(y, m, d);
    }

    /// <summary>
    /// Reads a DTP-style date: format qualifier D8 (date), RD8 (CCYYMMDD-CCYYMMDD) or DT (date and time).
    /// Throws a located error for any other format or an unparseable value.
    /// </summary>
    /// <param name="required">false for dates the trigger engine can do without (admission, discharge): a bad value
    /// (de-identified files carry DT 999999999999) then reads as no date instead of failing the transaction.</param>
    public static void DateValue(X12SegmentReader r, int formatElement, out DateOnly? from, out DateOnly? to, bool required = true)
    {
        var format = r.GetElement(formatElement);
        var value = r.GetElement(formatElement + 1);
        from = to = null;
        int kind = X12SegmentReader.Key(format);
        // TM is a time of day (837I discharge hour): legitimately no date.
        if (kind == ('T' | ('M' << 8))) return;
        if (kind is ('D' | ('8' << 8)) or ('D' | ('T' << 8)))
        {
            from = to = Date(value);
            if (from is null && required) throw r.SegmentError($"expected {r.SafeId()}{formatElement + 1:00} to be a CCYYMMDD date, found '{Text(value)}'");
            return;
        }
        if (kind == ('R' | ('D' << 8) | ('8' << 16)))
        {
            int dash = value.IndexOf((byte)'-');
            from = dash == 8 ? Date(value[..8]) : null;
            to = dash == 8 ? Date(value[9..]) : null;
            if ((from is null || to is null) && required)
                throw r.SegmentError($"expected {r.SafeId()}{formatElement + 1:00} to be a CCYYMMDD-CCYYMMDD date range, found '{Text(value)}'");
            return;
        }
        if (required)
            throw r.SegmentError($"expected {r.SafeId()}{formatElement:00} to be a date format qualifier D8, RD8, DT or TM, found '{Text(format)}'");
    }

    /// <summary>
    /// True when the first 8 bytes are a valid CCYYMMDD calendar date, exactly as <see cref="Date"/> decides, without
    /// building the date: the filtered 837 path validates every date but keeps none. Digits are checked 8 at a time.
    /// </summary>
    public static bool IsDate(ReadOnlySpan<byte> s)
    {
        if (s.Length < 8) return false;
        ulong v = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(s);
        // Every byte '0'..'9': high nibble 3, and adding 6 does not carry into the high nibble.
        if (((v & 0xF0F0F0F0F0F0F0F0UL) | (((v + 0x0606060606060606UL) & 0xF0F0F0F0F0F0F0F0UL) >> 4)) != 0x3333333333333333UL) return false;
        ulong d = v - 0x3030303030303030UL;
        int y = (int)(d & 0xFF) * 1000 + (int)((d >> 8) & 0xFF) * 100 + (int)((d >> 16) & 0xFF) * 10 + (int)((d >> 24) & 0xFF);
        int m = (int)((d >> 32) & 0xFF) * 10 + (int)((d >> 40) & 0xFF);
        int day = (int)((d >> 48) & 0xFF) * 10 + (int)((d >> 56) & 0xFF);
        if (y < 1 || (uint)(m - 1) > 11 || day < 1) return false;
        return day <= 28 || day <= DateTime.DaysInMonth(y, m);
    }

    /// <summary>
    /// Validates a DTP-style date as <see cref="DateValue"/> does (same acceptance, same errors) without building it:
    /// the common, valid forms are checked here; anything else goes through <see cref="DateValue"/>, which throws the
    /// located error or accepts it.
    /// </summary>
    public static void CheckDateValue(X12SegmentReader r, int formatElement)
    {
        var format = r.GetElement(formatElement);
        var value = r.GetElement(formatElement + 1);
        int kind = X12SegmentReader.Key(format);
        if (kind is ('D' | ('8' << 8)) or ('D' | ('T' << 8)))
        {
            if (IsDate(value)) return;
        }
        else if (kind == ('R' | ('D' << 8) | ('8' << 16)))
        {
            if (value.Length >= 17 && value[8] == (byte)'-' && IsDate(value) && IsDate(value[9..])) return;
        }
        DateValue(r, formatElement, out _, out _);
    }

    /// <summary>True when <see cref="X12SegmentReader.TryParseDecimal"/> would accept the value (up to 18 bytes; longer ones are left to it).</summary>
    public static bool IsDecimal(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || s.Length > 18) return false;
        int i = s[0] == (byte)'-' ? 1 : 0;
        bool digits = false, dot = false;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d <= 9) digits = true;
            else if (s[i] == (byte)'.' && !dot) dot = true;
            else return false;
        }
        return digits;
    }

    /// <summary>Validates an amount as <see cref="RequiredDecimal"/> does (same errors) without building the decimal.</summary>
    public static void CheckDecimal(X12SegmentReader r, int element, string what)
    {
        if (!IsDecimal(r.GetElement(element))) RequiredDecimal(r, element, what);
    }

    /// <summary>The first <paramref name="value"/> in a short span (a composite of a few bytes): a plain loop, no vector set-up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Find(ReadOnlySpan<byte> s, byte value)
    {
        for (int i = 0; i < s.Length; i++)
            if (s[i] == value) return i;
        return -1;
    }

    /// <summary>
    /// The component separator a composite really uses. Some senders declare one in ISA16 and write another
    /// (OopFactory's 837I samples declare '^' or ':' and write "HC:85025" or "HC>92557"). When the declared
    /// separator is absent and the value starts with a 2–3 letter qualifier followed by punctuation, that
    /// punctuation is the separator; anything else keeps the declared one.
    /// </summary>
    public static byte ComponentSeparator(ReadOnlySpan<byte> composite, byte declared)
    {
        if (composite.IndexOf(declared) >= 0) return declared;
        for (int i = 0; i < composite.Length && i <= 3; i++)
        {
            byte b = composite[i];
            if ((uint)(b - 'A') <= 'Z' - 'A') continue;
            return i >= 2 && b is (byte)':' or (byte)'>' or (byte)'^' or (byte)'|' or (byte)'\\' or (byte)'!' ? b : declared;
        }
        return declared;
    }

    public static decimal RequiredDecimal(X12SegmentReader r, int element, string what)
    {
        if (r.TryGetDecimal(element, out var value)) return value;
        var found = r.GetElement(element);
        throw r.SegmentError(found.IsEmpty
            ? $"expected {r.SafeId()}{element:00} to be {what}, found nothing"
            : $"expected {r.SafeId()}{element:00} to be {what}, found '{Text(found)}'");
    }

    public static decimal? OptionalDecimal(X12SegmentReader r, int element) =>
        r.TryGetDecimal(element, out var value) ? value : null;

    public static string Text(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s.Length > 40 ? s[..40] : s);

    /// <summary>ICD codes travel without the dot, but some senders (TigerShark's 4010 278) keep it.</summary>
    public static string Code(StringPool pool, ReadOnlySpan<byte> s)
    {
        int dot = s.IndexOf((byte)'.');
        if (dot < 0) return pool.Get(s)!;
        Span<byte> tmp = stackalloc byte[s.Length];
        int n = 0;
        foreach (var b in s) if (b != (byte)'.') tmp[n++] = b;
        return pool.Get(tmp[..n])!;
    }

    /// <summary>SV107-style pointers "1:2:3" into an int array; empty or non-numeric pointers are dropped.</summary>
    public static int[] Pointers(ReadOnlySpan<byte> element, byte separator, BytesCache<int[]> cache)
    {
        if (element.IsEmpty) return [];
        if (element.Length <= cache.MaxKeyLength && cache.TryGet(element, out int slot, out var hit)) return hit;
        int count = element.Count(separator) + 1;
        var result = new int[count];
        int n = 0;
        foreach (var range in element.Split(separator))
        {
            var part = element[range];
            if (System.Buffers.Text.Utf8Parser.TryParse(part, out int value, out int used) && used == part.Length && value > 0)
                result[n++] = value;
        }
        if (n != count) result = result[..n];
        if (element.Length <= cache.MaxKeyLength)
        {
            cache.TryGet(element, out slot, out _);
            cache.Set(slot, element, result);
        }
        return result;
    }

    /// <summary>Components 3–6 of a procedure composite (qualifier : code : modifiers …); empty ones are skipped.</summary>
    public static string[] Modifiers(ReadOnlySpan<byte> composite, byte separator, StringPool pool, BytesCache<string[]> cache)
    {
        int first = composite.IndexOf(separator);
        if (first < 0) return [];
        int second = composite[(first + 1)..].IndexOf(separator);
        if (second < 0) return [];
        return ModifierList(composite[(first + second + 2)..], separator, pool, cache);
    }

    /// <summary>The modifiers part of a procedure composite ("25:59", possibly followed by a description).</summary>
    public static string[] ModifierList(ReadOnlySpan<byte> tail, byte separator, StringPool pool, BytesCache<string[]> cache)
    {
        if (tail.IsEmpty) return [];
        bool cacheable = tail.Length <= cache.MaxKeyLength;
        int slot = 0;
        if (cacheable && cache.TryGet(tail, out slot, out var hit)) return hit;
        string[]? result = null;
        int n = 0;
        var rest = tail;
        for (int index = 0; index < 4; index++)
        {
            int at = rest.IndexOf(separator);
            var part = at < 0 ? rest : rest[..at];
            if (!part.IsEmpty)
            {
                result ??= new string[4];
                result[n++] = pool.Get(part)!;
            }
            if (at < 0) break;
            rest = rest[(at + 1)..];
        }
        var modifiers = result is null ? [] : n == result.Length ? result : result[..n];
        return cacheable ? cache.Set(slot, tail, modifiers) : modifiers;
    }

    /// <summary>
    /// A provider from its NM1 segment. The identifier is not pooled: there are too many distinct providers,
    /// and a cache that churns promotes its garbage to gen2 (measured: 9 gen2 collections per 100 MB with a
    /// provider cache), which costs more than the gen0 strings it saves. Names repeat enough to pool.
    /// </summary>
    public static ProviderRef Provider(X12SegmentReader r, StringPool pool) =>
        new(pool.Get(r.GetElement(1))!, pool.Get(r.GetElement(8)), r.GetString(9), pool.Get(r.GetElement(3)), pool.Get(r.GetElement(4)));

    /// <summary>NM101 and NM102 are mandatory in every NM1 of the transactions we read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> EntityCode(X12SegmentReader r)
    {
        var code = r.GetElement(1);
        if (code.IsEmpty) throw r.SegmentError("expected NM101 (entity identifier code), found nothing");
        if (r.GetElement(2).IsEmpty)
            throw r.SegmentError($"expected NM102 (entity type qualifier 1 person or 2 non-person) in NM1*{Text(code)}, found nothing");
        return code;
    }
}

/// <summary>
/// A direct-mapped cache keyed by short byte strings. Codes, names and pointer lists repeat endlessly in a
/// claims file; handing out the same immutable instance saves most of the allocations. Keys live inline in
/// one slab (one cache miss per lookup, no allocation per key), and a miss simply overwrites its slot, so
/// memory stays fixed however many distinct values a file has.
/// </summary>
class BytesCache<T> where T : class
{
    readonly byte[] keys;
    readonly byte[] lengths;
    readonly T?[] values;
    readonly int mask;

    public BytesCache(int maxKeyLength, int size = 1 << 13)
    {
        MaxKeyLength = maxKeyLength;
        keys = new byte[size * maxKeyLength];
        lengths = new byte[size];
        values = new T?[size];
        mask = size - 1;
    }

    /// <summary>Longer keys are not cached; callers check before calling <see cref="TryGet"/>.</summary>
    public int MaxKeyLength { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(ReadOnlySpan<byte> key, out int slot, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value)
    {
        uint h = 2166136261;
        foreach (var b in key) h = (h ^ b) * 16777619;
        slot = (int)(h & (uint)mask);
        value = values[slot];
        return value is not null && lengths[slot] == key.Length && key.SequenceEqual(keys.AsSpan(slot * MaxKeyLength, key.Length));
    }

    public T Set(int slot, ReadOnlySpan<byte> key, T value)
    {
        key.CopyTo(keys.AsSpan(slot * MaxKeyLength, MaxKeyLength));
        lengths[slot] = (byte)key.Length;
        values[slot] = value;
        return value;
    }
}

/// <summary>
/// Strings of at most 32 bytes are shared; longer ones (free text) are created each time. One- and
/// two-character values (qualifiers, place of service, sex, frequency codes: a third of all lookups) come
/// from fixed tables without hashing.
/// </summary>
sealed class StringPool() : BytesCache<string>(32)
{
    static readonly string[] Singles = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();
    // Index: digit or upper-case letter, 36 × 36 pairs.
    static readonly string[] Pairs = CreatePairs();

    public string? Get(ReadOnlySpan<byte> s)
    {
        switch (s.Length)
        {
            case 0:
                return null;
            case 1 when s[0] < 128:
                return Singles[s[0]];
            case 2 when PairIndex(s[0]) is var a and >= 0 && PairIndex(s[1]) is var b and >= 0:
                return Pairs[a * 36 + b];
        }
        if (s.Length > MaxKeyLength) return Encoding.UTF8.GetString(s);
        return TryGet(s, out int slot, out var value) ? value : Set(slot, s, Encoding.UTF8.GetString(s));
    }

    static int PairIndex(byte b) => (uint)(b - '0') <= 9 ? b - '0' : (uint)(b - 'A') <= 25 ? b - 'A' + 10 : -1;

    static string[] CreatePairs()
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var pairs = new string[36 * 36];
        for (int i = 0; i < 36; i++)
            for (int j = 0; j < 36; j++) pairs[i * 36 + j] = string.Concat(alphabet[i], alphabet[j]);
        return pairs;
    }
}

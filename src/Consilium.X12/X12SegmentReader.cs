using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Consilium.X12;

/// <summary>
/// Streaming X12 tokenizer, modelled on Sylvan's CsvDataReader: one reusable byte buffer, a segment is a
/// range of that buffer, elements are offsets found lazily, values come out as spans and strings are made
/// only when asked for. Memory is bounded by the longest segment, never by the file.
/// </summary>
/// <remarks>
/// Delimiters are found once per buffer fill, not per segment: one vectorized pass over the new bytes sets a bit
/// per byte that is a segment terminator and another per element separator (two 64-bit words per 64 bytes of
/// buffer). Finding the end of a segment or of an element is then a trailing-zero count on a word, so a segment
/// of 28 bytes with 6 elements costs a handful of instructions rather than a vectorized search set up for each
/// segment and a byte loop for each element.
/// <para>
/// Separators are re-detected at every ISA, so a file may concatenate interchanges with different
/// delimiters. The ISA is found by counting element separators rather than by assuming 106 bytes, because
/// 4010 senders (TigerShark samples) squeeze the padding out; 5010 interchanges are then checked for the
/// fixed width the standard requires. Element and component numbers are 1-based as in X12 ("CLM05-3");
/// element 0 is the segment identifier.
/// </para>
/// </remarks>
public sealed class X12SegmentReader : IDisposable
{
    internal const int DefaultBufferSize = 256 * 1024;
    const int MaxSegmentLength = 4 * 1024 * 1024;
    const int IsaScanLimit = 1024;
    const int IsaElementCount = 16;
    static readonly int[] IsaWidths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

    readonly Stream stream;
    readonly bool leaveOpen;
    byte[] buffer;
    int bufferEnd;
    int pos;
    long bufferOffset;
    bool endOfStream;
    bool atFileStart = true;
    State state = State.ExpectInterchange;

    // Whitespace that may sit between segments (line breaks, indentation); never one of the delimiters.
    readonly bool[] skippable = new bool[256];
    X12Delimiters delimiters;

    // One bit per buffer byte: segment terminators and element separators, valid for bytes [0, maskedEnd).
    ulong[] terminatorBits;
    ulong[] separatorBits;
    int maskedEnd;

    int segStart;
    int segEnd;
    int[] elementEnds = new int[32];
    int elementCount;
    bool split;

    enum State { ExpectInterchange, InInterchange, Finished }

    public X12SegmentReader(Stream stream, string fileName, bool leaveOpen = true, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 4096);
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        FileName = fileName;
        buffer = new byte[bufferSize];
        terminatorBits = new ulong[MaskWords(bufferSize)];
        separatorBits = new ulong[MaskWords(bufferSize)];
    }

    static int MaskWords(int bytes) => (bytes >> 6) + 1;

    /// <summary>A detached reader that holds one segment at a time, loaded by <see cref="Load"/>: the 837 parser replays
    /// the segments it captured for a claim through it (see <see cref="X12ReaderOptions.ClaimFilter"/>).</summary>
    internal X12SegmentReader(string fileName) : this(Stream.Null, fileName, leaveOpen: true, 4096)
    {
        state = State.Finished;
    }

    /// <summary>
    /// Called before bytes already read are dropped from the buffer (the unread rest moves to its front for the next
    /// fill): whoever still refers to segments through <see cref="Buffered"/> copies them out here.
    /// </summary>
    internal Action<X12SegmentReader>? BeforeDiscard { get; set; }

    /// <summary>Bytes of the file at <paramref name="offset"/> that are still in the buffer (see <see cref="BeforeDiscard"/>).</summary>
    internal ReadOnlySpan<byte> Buffered(long offset, int length) => buffer.AsSpan(checked((int)(offset - bufferOffset)), length);

    /// <summary>Makes <paramref name="segment"/> the current segment, located as it was in the file.</summary>
    internal void Load(ReadOnlySpan<byte> segment, X12Delimiters delimiters, long offset, long number, int key)
    {
        if (segment.Length > buffer.Length) ResizeBuffer(Math.Max(segment.Length, buffer.Length * 2), keep: false);
        segment.CopyTo(buffer);
        this.delimiters = delimiters;
        maskedEnd = 0;
        UpdateMasks(segment.Length);
        bufferOffset = offset;
        segStart = 0;
        segEnd = segment.Length;
        pos = segEnd;
        bufferEnd = segEnd;
        split = false;
        elementCount = 0;
        SegmentNumber = number;
        SegmentKey = key;
    }

    /// <summary>
    /// Makes <paramref name="bytes"/> (whole segments of <paramref name="live"/>'s file, the first at <paramref name="offset"/>
    /// and numbered <paramref name="number"/>) the rest of the input, read with <paramref name="live"/>'s delimiters: the
    /// following reads give back those segments located as they were in the file.
    /// </summary>
    internal void LoadRange(ReadOnlySpan<byte> bytes, X12SegmentReader live, long offset, long number)
    {
        if (bytes.Length > buffer.Length) ResizeBuffer(Math.Max(bytes.Length, buffer.Length * 2), keep: false);
        bytes.CopyTo(buffer);
        delimiters = live.delimiters;
        Array.Copy(live.skippable, skippable, skippable.Length);
        bufferOffset = offset;
        bufferEnd = bytes.Length;
        pos = segStart = segEnd = 0;
        split = false;
        elementCount = 0;
        endOfStream = true;
        atFileStart = false;
        state = State.InInterchange;
        SegmentNumber = number - 1;
        SegmentKey = 0;
        maskedEnd = 0;
        UpdateMasks(bytes.Length);
    }

    public string FileName { get; }
    public X12Delimiters Delimiters => delimiters;

    /// <summary>1-based number of the current segment in the file, ISA included.</summary>
    public long SegmentNumber { get; private set; }

    /// <summary>Byte offset in the file of the current segment's first byte (a BOM counts).</summary>
    public long SegmentOffset => bufferOffset + segStart;

    /// <summary>Total bytes consumed so far, i.e. the offset just past the current segment terminator.</summary>
    public long BytesConsumed => bufferOffset + pos;

    /// <summary>The segment identifier packed little-endian into an int ('C' | 'L' &lt;&lt; 8 | 'M' &lt;&lt; 16), 0 when malformed.
    /// Comparing ints is what lets the transaction parsers switch on segment ids without strings.</summary>
    public int SegmentKey { get; private set; }

    /// <summary>True when the identifier is 2–3 upper-case letters or digits starting with a letter.</summary>
    public bool HasValidSegmentId => SegmentKey != 0;

    public ReadOnlySpan<byte> SegmentSpan => buffer.AsSpan(segStart, segEnd - segStart);

    internal int SegmentLength => segEnd - segStart;

    public string SegmentId => Encoding.ASCII.GetString(GetElement(0));

    /// <summary>Number of elements including the identifier: "LX*1" has 2.</summary>
    public int ElementCount
    {
        get
        {
            if (!split) Split();
            return elementCount;
        }
    }

    public static int Key(ReadOnlySpan<char> id) => id.Length switch
    {
        2 => id[0] | (id[1] << 8),
        3 => id[0] | (id[1] << 8) | (id[2] << 16),
        _ => 0,
    };

    /// <summary>Packs 2–3 bytes the way <see cref="SegmentKey"/> does; 0 for any other length.</summary>
    public static int Key(ReadOnlySpan<byte> id) => id.Length switch
    {
        2 => id[0] | (id[1] << 8),
        3 => id[0] | (id[1] << 8) | (id[2] << 16),
        _ => 0,
    };

    public static string KeyText(int key)
    {
        Span<char> chars = stackalloc char[3];
        int n = 0;
        for (; n < 3 && (key & 0xFF) != 0; n++, key >>= 8) chars[n] = (char)(key & 0xFF);
        return new string(chars[..n]);
    }

    public ReadOnlySpan<byte> GetElement(int index)
    {
        if (index >= elementCount && !split) SplitTo(index);
        if ((uint)index >= (uint)elementCount) return default;
        int start = index == 0 ? segStart : elementEnds[index - 1] + 1;
        return buffer.AsSpan(start, elementEnds[index] - start);
    }

    public ReadOnlySpan<byte> GetComponent(int element, int component) =>
        Component(GetElement(element), component, delimiters.Component);

    public static ReadOnlySpan<byte> Component(ReadOnlySpan<byte> element, int component, byte separator)
    {
        for (int i = 1; ; i++)
        {
            int idx = element.IndexOf(separator);
            if (i == component) return idx < 0 ? element : element[..idx];
            if (idx < 0) return default;
            element = element[(idx + 1)..];
        }
    }

    public bool ElementEquals(int index, ReadOnlySpan<byte> value) => GetElement(index).SequenceEqual(value);

    public string? GetString(int element) => ToStringOrNull(GetElement(element));

    public static string? ToStringOrNull(ReadOnlySpan<byte> value) =>
        value.IsEmpty ? null : Encoding.UTF8.GetString(value);

    public bool TryGetDecimal(int element, out decimal value) => TryParseDecimal(GetElement(element), out value);

    /// <summary>
    /// X12 type R: optional minus, digits, optional decimal point ("766.50", "700", "-5", ".5"). Amounts fit
    /// in 18 digits, so the mantissa is built in a long; anything longer goes to the general parser.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out decimal value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        if (s.Length > 18) return Utf8Parser.TryParse(s, out value, out int used) && used == s.Length;
        int i = 0;
        bool negative = s[0] == (byte)'-';
        if (negative) i = 1;
        long mantissa = 0;
        int scale = -1;
        int digits = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d <= 9)
            {
                mantissa = mantissa * 10 + d;
                digits++;
                if (scale >= 0) scale++;
            }
            else if (s[i] == (byte)'.' && scale < 0) scale = 0;
            else return false;
        }
        if (digits == 0) return false;
        value = new decimal((int)mantissa, (int)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }

    public bool TryGetInt64(int element, out long value)
    {
        var span = GetElement(element);
        value = 0;
        if (span.IsEmpty || span.Length > 18) return !span.IsEmpty && Utf8Parser.TryParse(span, out value, out int used) && used == span.Length;
        foreach (var b in span)
        {
            uint d = (uint)(b - '0');
            if (d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    /// <summary>Reads the next segment, refilling the buffer from the stream as needed.</summary>
    /// <returns>false at the end of the input.</returns>
    public bool Read()
    {
        while (true)
        {
            if (TryReadBuffered()) return true;
            if (state == State.Finished) return false;
            Fill();
        }
    }

    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default) =>
        TryReadBuffered() ? new ValueTask<bool>(true) : ReadSlowAsync(cancellationToken);

    async ValueTask<bool> ReadSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (state == State.Finished) return false;
            await FillAsync(cancellationToken).ConfigureAwait(false);
            if (TryReadBuffered()) return true;
        }
    }

    /// <summary>True when the reader has seen the end of the input and every buffered byte.</summary>
    internal bool IsFinished => state == State.Finished;

    /// <summary>
    /// Parses the next segment from bytes already buffered. Returns false when more input is needed
    /// (call <see cref="Fill"/>) or when the input is finished (<see cref="IsFinished"/>). Inlined into the read loops:
    /// it runs once per segment, and the call's frame set-up was a measurable share of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryReadBuffered()
    {
        if (state != State.InInterchange) return state == State.ExpectInterchange && TryReadIsa();

        int p = pos;
        var buf = buffer;
        int end = bufferEnd;
        ref byte data = ref MemoryMarshal.GetArrayDataReference(buf);
        ref bool skip = ref MemoryMarshal.GetArrayDataReference(skippable);
        // end <= buf.Length, so every index below end is inside the buffer.
        while (p < end && Unsafe.Add(ref skip, Unsafe.Add(ref data, p))) p++;
        if (p == end)
        {
            pos = p;
            if (endOfStream) state = State.Finished;
            return false;
        }

        if (maskedEnd < end) UpdateMasks(end);
        int segmentEnd = NextBit(terminatorBits, p, end);
        if (segmentEnd == end)
        {
            pos = p;
            if (!endOfStream) return false;
            // The last segment of a file often lacks its terminator (OopFactory's CR-terminated sample ends
            // "IEA*1*000003774" with no CR); take it as is. A truncated segment is caught one level up,
            // by the envelope that it leaves unclosed.
            while (segmentEnd > p && skippable[buf[segmentEnd - 1]]) segmentEnd--;
        }

        segStart = p;
        pos = Math.Min(segmentEnd + 1, end);
        byte separator = delimiters.Element;
        // A CRLF-terminated line whose terminator is LF: the CR is line noise, not data.
        if (segmentEnd > p && Unsafe.Add(ref data, segmentEnd - 1) == (byte)'\r' && separator != (byte)'\r') segmentEnd--;
        segEnd = segmentEnd;
        split = false;
        elementCount = 0;
        SegmentNumber++;
        int key = segmentEnd - p >= 4 ? ReadKey(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref data, p)), separator) : ReadShortKey(buf, p, segmentEnd, separator);
        SegmentKey = key;
        if (key == IEA) state = State.ExpectInterchange;
        return true;
    }

    const int IEA = 'I' | ('E' << 8) | ('A' << 16);

    // Per byte: bit 0 an upper-case letter, bit 1 a letter or digit (what a segment identifier may hold).
    static ReadOnlySpan<byte> IdClass =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
        0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>
    /// The key of a segment of at least 4 bytes from its first 4, without a branch on whether the identifier has 2 or 3
    /// characters (which follows the data and so is poorly predicted): "HL*1" and "CLM*" both come out of the same instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int ReadKey(uint head, byte separator)
    {
        uint b0 = head & 0xFF, b1 = (head >> 8) & 0xFF, b2 = (head >> 16) & 0xFF, b3 = head >> 24;
        int two = Unsafe.BitCast<bool, byte>(b2 == separator);
        int three = Unsafe.BitCast<bool, byte>(b3 == separator);
        ref byte cls = ref MemoryMarshal.GetReference(IdClass);
        int ok = Unsafe.Add(ref cls, b0) & (Unsafe.Add(ref cls, b1) >> 1) & ((Unsafe.Add(ref cls, b2) >> 1) | two) & (two | three);
        int key = (int)(head & (0xFFFFFFu >> (two << 3)));
        return key & -ok;
    }

    /// <summary>The key of a segment shorter than 4 bytes ("HL", "SE*"): cold.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int ReadShortKey(byte[] buf, int start, int end, byte separator)
    {
        int len = end - start;
        if (len >= 3 && buf[start + 2] != separator)
        {
            byte a = buf[start], b = buf[start + 1], c = buf[start + 2];
            return IsUpper(a) && IsIdChar(b) && IsIdChar(c) ? a | (b << 8) | (c << 16) : 0;
        }
        if (len >= 2)
        {
            byte a = buf[start], b = buf[start + 1];
            return IsUpper(a) && IsIdChar(b) ? a | (b << 8) : 0;
        }
        return 0;
    }

    static bool IsUpper(byte b) => (IdClass[b] & 1) != 0;
    static bool IsIdChar(byte b) => (IdClass[b] & 2) != 0;

    /// <summary>Finds element boundaries up to <paramref name="index"/> only: most segments are asked for a few leading elements.</summary>
    void SplitTo(int index)
    {
        int count = elementCount;
        int offset = count == 0 ? segStart : elementEnds[count - 1] + 1;
        int end = segEnd;
        var ends = elementEnds;
        var bits = separatorBits;
        while (count <= index)
        {
            int p = NextBit(bits, offset, end);
            if (count == ends.Length)
            {
                Array.Resize(ref elementEnds, count * 2);
                ends = elementEnds;
            }
            ends[count++] = p;
            if (p == end)
            {
                split = true;
                break;
            }
            offset = p + 1;
        }
        elementCount = count;
    }

    void Split() => SplitTo(int.MaxValue - 1);

    /// <summary>The position of the first set bit in [<paramref name="from"/>, <paramref name="end"/>), or <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int NextBit(ulong[] bits, int from, int end)
    {
        int word = from >> 6;
        ulong w = bits[word] & (ulong.MaxValue << from);
        while (w == 0)
        {
            word++;
            if (word << 6 >= end) return end;
            w = bits[word];
        }
        int found = (word << 6) + BitOperations.TrailingZeroCount(w);
        return found < end ? found : end;
    }

    /// <summary>Sets the terminator and separator bits of bytes [maskedEnd, <paramref name="end"/>) (from the start of maskedEnd's word).</summary>
    void UpdateMasks(int end)
    {
        int start = maskedEnd & ~63;
        ref byte data = ref MemoryMarshal.GetArrayDataReference(buffer);
        var terms = terminatorBits;
        var seps = separatorBits;
        byte t = delimiters.Segment, e = delimiters.Element;
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            var vt = Vector256.Create(t);
            var ve = Vector256.Create(e);
            for (; i + 64 <= end; i += 64)
            {
                var lo = Vector256.LoadUnsafe(ref data, (nuint)i);
                var hi = Vector256.LoadUnsafe(ref data, (nuint)(i + 32));
                terms[i >> 6] = Vector256.Equals(lo, vt).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(hi, vt).ExtractMostSignificantBits() << 32);
                seps[i >> 6] = Vector256.Equals(lo, ve).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(hi, ve).ExtractMostSignificantBits() << 32);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var vt = Vector128.Create(t);
            var ve = Vector128.Create(e);
            for (; i + 64 <= end; i += 64)
            {
                ulong tm = 0, em = 0;
                for (int k = 0; k < 64; k += 16)
                {
                    var v = Vector128.LoadUnsafe(ref data, (nuint)(i + k));
                    tm |= (ulong)Vector128.Equals(v, vt).ExtractMostSignificantBits() << k;
                    em |= (ulong)Vector128.Equals(v, ve).ExtractMostSignificantBits() << k;
                }
                terms[i >> 6] = tm;
                seps[i >> 6] = em;
            }
        }
        if (i < end)
        {
            // The last, partial word (and every word without vector support): bits past the end stay clear.
            for (; i < end; i += 64)
            {
                ulong tm = 0, em = 0;
                int stop = Math.Min(64, end - i);
                for (int k = 0; k < stop; k++)
                {
                    byte b = Unsafe.Add(ref data, i + k);
                    if (b == t) tm |= 1UL << k;
                    if (b == e) em |= 1UL << k;
                }
                terms[i >> 6] = tm;
                seps[i >> 6] = em;
            }
        }
        maskedEnd = end;
    }

    /// <summary>Moves unread bytes to the front of the buffer and reads more from the stream.</summary>
    internal void Fill()
    {
        if (PrepareFill()) CompleteFill(stream.Read(buffer, bufferEnd, buffer.Length - bufferEnd));
    }

    internal async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (PrepareFill())
            CompleteFill(await stream.ReadAsync(buffer.AsMemory(bufferEnd, buffer.Length - bufferEnd), cancellationToken).ConfigureAwait(false));
    }

    bool PrepareFill()
    {
        if (endOfStream)
        {
            state = State.Finished;
            return false;
        }
        if (pos > 0)
        {
            BeforeDiscard?.Invoke(this);
            int remaining = bufferEnd - pos;
            Buffer.BlockCopy(buffer, pos, buffer, 0, remaining);
            bufferOffset += pos;
            bufferEnd = remaining;
            maskedEnd = 0;
            segStart = segEnd = pos = 0;
            split = false;
            elementCount = 0;
        }
        if (bufferEnd == buffer.Length) GrowBuffer();
        return true;
    }

    void CompleteFill(int read)
    {
        if (read == 0) endOfStream = true;
        else bufferEnd += read;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void GrowBuffer()
    {
        if (buffer.Length >= MaxSegmentLength)
            throw Error(bufferOffset, $"a segment longer than {MaxSegmentLength} bytes: the segment terminator '{Show(delimiters.Segment)}' is missing or wrong");
        ResizeBuffer(buffer.Length * 2, keep: true);
    }

    void ResizeBuffer(int size, bool keep)
    {
        if (keep) Array.Resize(ref buffer, size);
        else buffer = new byte[size];
        Array.Resize(ref terminatorBits, MaskWords(size));
        Array.Resize(ref separatorBits, MaskWords(size));
    }

    /// <summary>Detects the delimiters from an ISA header; cold path, runs once per interchange.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    bool TryReadIsa()
    {
        int p = pos;
        if (atFileStart)
        {
            if (bufferEnd - p < 4 && !endOfStream) return false;
            RejectUtf16(p);
            if (bufferEnd - p >= 3 && buffer[p] == 0xEF && buffer[p + 1] == 0xBB && buffer[p + 2] == 0xBF) p += 3;
        }
        while (p < bufferEnd && buffer[p] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x1A) p++;
        if (p == bufferEnd)
        {
            pos = p;
            if (!endOfStream) return false;
            if (atFileStart) throw Error(bufferOffset + p, "the file is empty: expected an ISA interchange header");
            state = State.Finished;
            return false;
        }
        if (bufferEnd - p < 4 + IsaScanLimit && !endOfStream) return false;

        var rest = buffer.AsSpan(p, bufferEnd - p);
        if (!rest.StartsWith("ISA"u8) || rest.Length < 4)
        {
            var found = Encoding.ASCII.GetString(rest[..Math.Min(rest.Length, 20)]).ReplaceLineEndings(" ");
            throw Error(bufferOffset + p, atFileStart
                ? $"expected the file to start with an ISA interchange header, found '{found}'"
                : $"expected an ISA interchange header after IEA, found '{found}'");
        }

        byte elem = rest[3];
        if (IsIdChar(elem) || elem is (byte)' ' or (byte)'\r' or (byte)'\n')
            throw Error(bufferOffset + p, $"ISA element separator '{Show(elem)}' must not be a letter, digit or whitespace");

        Span<int> seps = stackalloc int[IsaElementCount];
        int n = 0;
        for (int i = 3; i < rest.Length && i < IsaScanLimit && n < IsaElementCount; i++)
            if (rest[i] == elem) seps[n++] = i;
        if (n < IsaElementCount || seps[IsaElementCount - 1] + 2 >= rest.Length)
            throw Error(bufferOffset + p, rest.Length < 106
                ? $"unexpected end of file inside the ISA header ({rest.Length} bytes; ISA has 16 elements and is 106 bytes in 5010)"
                : $"the ISA header has {n} element separators '{Show(elem)}' where 16 are required");

        int compAt = seps[IsaElementCount - 1] + 1;
        byte comp = rest[compAt];
        byte term = rest[compAt + 1];
        var version = rest.Slice(seps[11] + 1, seps[12] - seps[11] - 1);
        bool is5010OrLater = version.Length == 5 && version.SequenceCompareTo("00501"u8) >= 0;

        if (is5010OrLater && compAt + 1 != 105)
        {
            // 5010 fixes the ISA at 106 bytes: report the first element whose width is wrong.
            // seps[i] is the separator in front of ISA(i+1).
            for (int i = 0; i < IsaElementCount - 1; i++)
            {
                int width = seps[i + 1] - seps[i] - 1;
                if (width != IsaWidths[i])
                    throw Error(bufferOffset + p, $"ISA{i + 1:00} is {width} characters, expected {IsaWidths[i]}: a 5010 ISA header is fixed-width (106 bytes), so its delimiters cannot be trusted");
            }
            throw Error(bufferOffset + p, $"the ISA header is {compAt + 2} bytes, expected 106 in 5010");
        }
        if (comp == elem || term == elem || term == comp || IsIdChar(comp) || IsIdChar(term) || term == (byte)' ')
            throw Error(bufferOffset + p,
                $"invalid delimiters in ISA: element '{Show(elem)}', component '{Show(comp)}', segment terminator '{Show(term)}' must be distinct non-alphanumeric characters");

        byte rep = 0;
        if (is5010OrLater)
        {
            byte r = rest[seps[10] + 1];
            if (r != comp && r != elem && r != term && !IsIdChar(r) && r != (byte)' ') rep = r;
        }

        delimiters = new X12Delimiters(elem, comp, rep, term);
        Array.Clear(skippable);
        foreach (var ws in " \t\r\n\u001A"u8) skippable[ws] = true;
        skippable[elem] = skippable[comp] = skippable[term] = false;
        if (rep != 0) skippable[rep] = false;

        segStart = p;
        segEnd = p + compAt + 1;
        pos = segEnd + 1;
        // Bits found with the previous interchange's delimiters (or none) no longer hold.
        maskedEnd = Math.Min(maskedEnd, segStart);
        UpdateMasks(bufferEnd);
        split = false;
        elementCount = 0;
        atFileStart = false;
        state = State.InInterchange;
        SegmentNumber++;
        SegmentKey = 'I' | ('S' << 8) | ('A' << 16);
        return true;
    }

    void RejectUtf16(int p)
    {
        var head = buffer.AsSpan(p, Math.Min(bufferEnd - p, 4));
        bool bom16 = head.Length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF));
        bool zeros = head.Length >= 2 && (head[0] == 0 || head[1] == 0);
        if (bom16 || zeros)
            throw Error(bufferOffset + p + (head.Length > 1 && head[1] == 0 ? 1 : 0),
                "the file looks UTF-16 encoded (NUL bytes or a UTF-16 byte-order mark); X12 must be ASCII or UTF-8");
    }

    internal X12FormatException Error(long offset, string message) =>
        new(new X12Error(FileName, offset, 0, null, message));

    /// <summary>An error located at the current segment.</summary>
    public X12FormatException SegmentError(string message) =>
        new(new X12Error(FileName, SegmentOffset, SegmentNumber, SafeId(), message));

    internal string SafeId()
    {
        var id = GetElement(0);
        if (id.Length > 8) id = id[..8];
        return Encoding.ASCII.GetString(id);
    }

    internal static string Show(byte b) => b switch
    {
        (byte)'\r' => "\\r",
        (byte)'\n' => "\\n",
        (byte)'\t' => "\\t",
        < 32 or > 126 => $"0x{b:X2}",
        _ => ((char)b).ToString(),
    };

    public void Dispose()
    {
        if (!leaveOpen) stream.Dispose();
    }
}

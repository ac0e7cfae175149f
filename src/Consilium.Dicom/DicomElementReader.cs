using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Consilium.Dicom;

internal enum DicomToken
{
    None,
    /// <summary>A plain element; its value can be read with <see cref="DicomElementReader.ReadValue"/>.</summary>
    Element,
    /// <summary>An SQ element, or a UN element of undefined length read as one (CP-246).</summary>
    SequenceStart,
    /// <summary>Encapsulated pixel data: an OB/OW element of undefined length holding fragment items.</summary>
    FragmentsStart,
    ItemStart,
    ItemEnd,
    /// <summary>One fragment of encapsulated pixel data; its bytes are skipped.</summary>
    Fragment,
    /// <summary>Ends a sequence or a fragment list, delimited or at the end of its defined length.</summary>
    SequenceEnd,
}

/// <summary>
/// Pull tokenizer over a DICOM stream: one reusable buffer, an explicit container stack, values left in the
/// buffer until asked for and skipped (seeked over when possible) otherwise. Every check that protects
/// against hostile input happens when an element header is read, before any of its value is touched.
/// </summary>
internal sealed class DicomElementReader : IDisposable
{
    public const uint UndefinedLength = 0xFFFFFFFF;
    private const int InitialBufferSize = 64 * 1024;
    private const long NoLimit = long.MaxValue;

    private enum FrameKind : byte { Sequence, Fragments, Item }

    private struct Frame
    {
        public FrameKind Kind;
        public DicomTag Tag;
        /// <summary>End offset of this container, or <see cref="NoLimit"/> when its length is undefined.</summary>
        public long End;
        /// <summary>The nearest defined end among this container and its ancestors: nothing may cross it.</summary>
        public long Limit;
        /// <summary>Encoding of the content; differs from the dataset's inside a CP-246 UN sequence.</summary>
        public DatasetEncoding Encoding;
    }

    private readonly DicomReadOptions _options;
    private readonly Stream _source;
    private Stream _stream;
    private DeflateStream? _inflater;
    private byte[] _buffer;
    private int _pos;
    private int _end;
    // Logical offset of _buffer[0]; the logical offset 0 is where the stream was when the reader started,
    // or the first inflated byte once a deflated dataset has begun.
    private long _bufferOrigin;
    private long _knownEnd;
    private bool _canSeek;
    private long _inflatedFrom = -1;

    private Frame[] _frames = new Frame[8];
    private int _frameCount;
    private int _sequenceDepth;
    private DatasetEncoding _datasetEncoding = DatasetEncoding.ExplicitLittleEndian;
    private DatasetEncoding _encoding = DatasetEncoding.ExplicitLittleEndian;

    private long _pendingSkip;
    private int _warningCount;
    private readonly List<DicomWarning> _warnings = [];

    public DicomElementReader(Stream stream, DicomReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        _options = options;
        _source = stream;
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        _canSeek = stream.CanSeek;
        _knownEnd = _canSeek ? stream.Length - stream.Position : NoLimit;
    }

    public DicomToken Token { get; private set; }
    public DicomTag Tag { get; private set; }
    public DicomVR VR { get; private set; }
    /// <summary>Declared value length; <see cref="UndefinedLength"/> for delimited sequences and items.</summary>
    public uint Length { get; private set; }
    /// <summary>Offset of the token's first byte (its tag).</summary>
    public long TokenOffset { get; private set; }
    /// <summary>Number of sequences enclosing the token: 0 for top-level elements and top-level sequence starts.</summary>
    public int Depth { get; private set; }

    public long Position => _bufferOrigin + _pos;
    public bool IsInflated => _inflatedFrom >= 0;
    public DatasetEncoding Encoding => _encoding;
    public IReadOnlyList<DicomWarning> Warnings => _warnings;
    public int WarningCount => _warningCount;

    public void Dispose()
    {
        _inflater?.Dispose();
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    public void SetDatasetEncoding(DatasetEncoding encoding)
    {
        _datasetEncoding = encoding;
        _encoding = encoding;
    }

    /// <summary>
    /// Continues from the current position through raw deflate. Bytes already buffered belong to the
    /// compressed stream, so they are handed to the inflater ahead of the rest of the source.
    /// </summary>
    public void StartInflating()
    {
        var leftover = _buffer.AsSpan(_pos, _end - _pos).ToArray();
        _inflatedFrom = Position;
        _inflater = new DeflateStream(new PrefixedStream(leftover, _source), CompressionMode.Decompress, leaveOpen: true);
        _stream = _inflater;
        _canSeek = false;
        _knownEnd = NoLimit;
        _bufferOrigin = 0;
        _pos = 0;
        _end = 0;
    }

    public void Warn(DicomWarningKind kind, long offset, DicomTag? tag, string message)
    {
        _warningCount++;
        if (_warnings.Count < _options.MaxWarnings)
            _warnings.Add(new DicomWarning(kind, offset, tag, message + InflatedNote()));
    }

    public DicomFormatException Error(DicomFormatError error, long offset, string message, Exception? inner = null)
        => new(error, offset, message + InflatedNote(), inner);

    private string InflatedNote() => IsInflated
        ? $"; offset is within the inflated dataset, which starts at file offset {_inflatedFrom}"
        : "";

    /// <summary>Makes at least <paramref name="count"/> bytes contiguous in the buffer; false at end of data.</summary>
    public bool EnsureAvailable(int count)
    {
        if (_end - _pos >= count)
            return true;
        if (count > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(count);
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else if (_pos > 0)
        {
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(_buffer);
        }
        _bufferOrigin += _pos;
        _end -= _pos;
        _pos = 0;
        while (_end < count)
        {
            var read = ReadSource(_buffer.AsSpan(_end));
            if (read == 0)
                return false;
            _end += read;
        }
        return true;
    }

    public ReadOnlySpan<byte> Peek(int count) => _buffer.AsSpan(_pos, Math.Min(count, _end - _pos));

    public int Available => _end - _pos;

    private int ReadSource(Span<byte> destination)
    {
        int read;
        try
        {
            read = _stream.Read(destination);
        }
        catch (InvalidDataException ex) when (IsInflated)
        {
            throw Error(DicomFormatError.InvalidDeflateData, Position, "the deflated dataset is not valid raw deflate data", ex);
        }
        if (IsInflated && _bufferOrigin + _end + read > _options.MaxInflatedLength)
        {
            throw Error(DicomFormatError.InflatedDataTooLarge, _bufferOrigin + _end,
                $"the deflated dataset inflates beyond the {_options.MaxInflatedLength}-byte limit");
        }
        return read;
    }

    /// <summary>Skips bytes: within the buffer, by seeking, or by reading into the buffer and discarding.</summary>
    public void Skip(long count, DicomTag tag)
    {
        var buffered = _end - _pos;
        if (count <= buffered)
        {
            _pos += (int)count;
            return;
        }
        var start = Position;
        count -= buffered;
        _bufferOrigin += _end;
        _pos = 0;
        _end = 0;
        if (_canSeek)
        {
            if (_bufferOrigin + count > _knownEnd)
            {
                throw Error(DicomFormatError.Truncated, start,
                    $"the data ends inside the value of {tag}");
            }
            _stream.Seek(count, SeekOrigin.Current);
            _bufferOrigin += count;
            return;
        }
        while (count > 0)
        {
            var read = ReadSource(_buffer.AsSpan(0, (int)Math.Min(count, _buffer.Length)));
            if (read == 0)
                throw Error(DicomFormatError.Truncated, _bufferOrigin, $"the data ends inside the value of {tag}");
            _bufferOrigin += read;
            count -= read;
        }
    }

    /// <summary>
    /// The current element's value. The caller bounds <see cref="Length"/> first: the bytes must fit in memory.
    /// Valid until the next call on the reader.
    /// </summary>
    public ReadOnlySpan<byte> ReadValue()
    {
        if (Token is not (DicomToken.Element or DicomToken.Fragment) || _pendingSkip != Length)
            throw new InvalidOperationException("No unread element value.");
        var length = (int)Length;
        if (!EnsureAvailable(length))
        {
            throw Error(DicomFormatError.Truncated, Position,
                $"the data ends inside the value of {Tag} ({Length} bytes declared, {Available} present)");
        }
        var value = _buffer.AsSpan(_pos, length);
        _pos += length;
        _pendingSkip = 0;
        return value;
    }

    /// <summary>Skips the current element's value if it has not been read, so the next bytes can be peeked at.</summary>
    public void SkipValue()
    {
        if (_pendingSkip > 0)
        {
            Skip(_pendingSkip, Tag);
            _pendingSkip = 0;
        }
    }

    /// <summary>
    /// Advances to the next token. An unread value is skipped. Returns false at the clean end of the
    /// top-level dataset; any other end of data is an error.
    /// </summary>
    public bool Read()
    {
        SkipValue();

        var offset = Position;
        TokenOffset = offset;
        if (_frameCount > 0)
        {
            ref var top = ref _frames[_frameCount - 1];
            if (top.End != NoLimit && offset >= top.End)
            {
                // Values are checked against their container when their headers are read; only a delimiter
                // or item header can straddle the end, and that is caught here.
                if (offset > top.End)
                {
                    throw Error(DicomFormatError.LengthBeyondContainer, top.End,
                        $"the content of {top.Tag} runs {offset - top.End} bytes past its defined length");
                }
                var kind = top.Kind;
                Tag = top.Tag;
                Pop();
                Token = kind == FrameKind.Item ? DicomToken.ItemEnd : DicomToken.SequenceEnd;
                Depth = _sequenceDepth;
                VR = DicomVR.None;
                Length = 0;
                return true;
            }
            if (top.Kind != FrameKind.Item)
                return ReadItemHeader(ref top, offset);
        }
        return ReadElementHeader(offset);
    }

    private bool ReadItemHeader(ref Frame sequence, long offset)
    {
        if (!EnsureAvailable(8))
        {
            throw Error(DicomFormatError.Truncated, offset,
                $"the data ends inside {(sequence.Kind == FrameKind.Fragments ? "the pixel data fragments of" : "sequence")} {sequence.Tag}");
        }
        var tag = ReadTag(_buffer.AsSpan(_pos));
        var length = ReadUInt32(_buffer.AsSpan(_pos + 4));
        _pos += 8;
        Tag = tag;
        VR = DicomVR.None;
        Length = length;

        if (tag == DicomTag.Item)
        {
            if (sequence.Kind == FrameKind.Fragments)
            {
                if (length == UndefinedLength)
                    throw Error(DicomFormatError.InvalidUndefinedLength, offset, "a pixel data fragment has undefined length");
                CheckBounds(offset, tag, length, sequence.Limit);
                if ((length & 1) != 0)
                    Warn(DicomWarningKind.OddLength, offset, tag, $"pixel data fragment of odd length {length}");
                Token = DicomToken.Fragment;
                Depth = _sequenceDepth;
                _pendingSkip = length;
                return true;
            }
            if (length != UndefinedLength)
                CheckBounds(offset, tag, length, sequence.Limit);
            Depth = _sequenceDepth;
            Push(FrameKind.Item, sequence.Tag, length == UndefinedLength ? NoLimit : Position + length, sequence.Encoding);
            Token = DicomToken.ItemStart;
            return true;
        }
        if (tag == DicomTag.SequenceDelimitationItem)
        {
            if (sequence.End != NoLimit)
            {
                throw Error(DicomFormatError.UnexpectedDelimiter, offset,
                    $"sequence delimiter inside {sequence.Tag}, which has a defined length");
            }
            if (length != 0)
                Warn(DicomWarningKind.Nonconformance, offset, tag, $"sequence delimiter with length {length} instead of 0");
            Tag = sequence.Tag;
            Pop();
            Token = DicomToken.SequenceEnd;
            Depth = _sequenceDepth;
            Length = 0;
            return true;
        }
        throw Error(DicomFormatError.UnexpectedDelimiter, offset,
            $"expected an item (fffe,e000) or a sequence delimiter in {sequence.Tag} but found {tag}");
    }

    private bool ReadElementHeader(long offset)
    {
        var inItem = _frameCount > 0;
        if (!EnsureAvailable(8))
        {
            if (!inItem && Available == 0)
            {
                Token = DicomToken.None;
                return false;
            }
            throw Error(DicomFormatError.Truncated, offset,
                inItem ? $"the data ends inside an item of {_frames[_frameCount - 1].Tag}" : "the data ends inside an element header");
        }

        var span = _buffer.AsSpan(_pos);
        var tag = ReadTag(span);
        Tag = tag;
        if (tag.Group == 0xFFFE)
            return ReadDelimiterInItem(offset, tag, ReadUInt32(span[4..]));

        DicomVR vr;
        uint length;
        if (_encoding.ExplicitVR)
        {
            var known = DicomVRInfo.TryParse(span[4], span[5], out vr);
            if (!known)
            {
                if (!IsUpperLetter(span[4]) || !IsUpperLetter(span[5]))
                {
                    throw Error(DicomFormatError.InvalidValueRepresentation, offset,
                        $"element {tag} has VR bytes 0x{span[4]:x2} 0x{span[5]:x2}, which name no value representation");
                }
                // PS3.5 6.2: VRs added to the standard later use the 32-bit length form, so that is the
                // safest reading of a VR we do not know.
                Warn(DicomWarningKind.UnknownValueRepresentation, offset, tag,
                    $"unknown VR '{(char)span[4]}{(char)span[5]}', read as UN");
                vr = DicomVR.UN;
            }
            if (vr.HasLongLength())
            {
                if (!EnsureAvailable(12))
                    throw Error(DicomFormatError.Truncated, offset, $"the data ends inside the header of {tag}");
                length = ReadUInt32(_buffer.AsSpan(_pos + 8));
                _pos += 12;
            }
            else
            {
                length = ReadUInt16(span[6..]);
                _pos += 8;
            }
        }
        else
        {
            vr = DicomVRInfo.ImplicitVR(tag);
            length = ReadUInt32(span[4..]);
            _pos += 8;
        }

        VR = vr;
        Length = length;
        Depth = _sequenceDepth;
        var limit = inItem ? _frames[_frameCount - 1].Limit : NoLimit;

        if (length == UndefinedLength)
        {
            if (vr is DicomVR.OB or DicomVR.OW || (tag == DicomTag.PixelData && !_encoding.ExplicitVR))
            {
                Push(FrameKind.Fragments, tag, NoLimit, _encoding);
                Token = DicomToken.FragmentsStart;
                return true;
            }
            if (vr == DicomVR.SQ || vr == DicomVR.UN || !_encoding.ExplicitVR)
            {
                var content = _encoding;
                if (vr == DicomVR.UN && _encoding.ExplicitVR)
                {
                    Warn(DicomWarningKind.SequenceEncodedAsUnknown, offset, tag,
                        "UN element of undefined length read as an implicit VR little endian sequence (CP-246)");
                    content = DatasetEncoding.ImplicitLittleEndian;
                }
                VR = DicomVR.SQ;
                Push(FrameKind.Sequence, tag, NoLimit, content);
                Token = DicomToken.SequenceStart;
                return true;
            }
            throw Error(DicomFormatError.InvalidUndefinedLength, offset, $"element {tag} with VR {vr} has undefined length");
        }

        if (vr != DicomVR.SQ && !vr.IsBulk() && tag != DicomTag.PixelData && length > _options.MaxElementLength)
        {
            throw Error(DicomFormatError.ElementTooLong, offset,
                $"element {tag} ({vr}) declares {length} bytes, over the {_options.MaxElementLength}-byte limit for non-bulk elements");
        }
        CheckBounds(offset, tag, length, limit);
        if ((length & 1) != 0)
            Warn(DicomWarningKind.OddLength, offset, tag, $"odd length {length}");

        if (vr == DicomVR.SQ)
        {
            Push(FrameKind.Sequence, tag, Position + length, _encoding);
            Token = DicomToken.SequenceStart;
            return true;
        }
        Token = DicomToken.Element;
        _pendingSkip = length;
        return true;
    }

    private bool ReadDelimiterInItem(long offset, DicomTag tag, uint length)
    {
        _pos += 8;
        VR = DicomVR.None;
        Length = length;
        if (tag == DicomTag.ItemDelimitationItem && _frameCount > 0 && _frames[_frameCount - 1].End == NoLimit)
        {
            if (length != 0)
                Warn(DicomWarningKind.Nonconformance, offset, tag, $"item delimiter with length {length} instead of 0");
            Pop();
            Token = DicomToken.ItemEnd;
            Depth = _sequenceDepth;
            Length = 0;
            return true;
        }
        var where = _frameCount == 0 ? "at the top level of the dataset" : $"inside an item of {_frames[_frameCount - 1].Tag}";
        throw Error(DicomFormatError.UnexpectedDelimiter, offset, $"unexpected {tag} {where}");
    }

    private void CheckBounds(long offset, DicomTag tag, uint length, long containerLimit)
    {
        var valueEnd = Position + length;
        if (valueEnd > containerLimit)
        {
            throw Error(DicomFormatError.LengthBeyondContainer, offset,
                $"element {tag} declares {length} bytes, running {valueEnd - containerLimit} bytes past the end of its enclosing item or sequence");
        }
        if (valueEnd > _knownEnd)
        {
            throw Error(DicomFormatError.LengthBeyondEndOfData, offset,
                $"element {tag} declares {length} bytes but only {Math.Max(0, _knownEnd - Position)} remain in the file");
        }
    }

    /// <summary>
    /// Skips the rest of the sequence or fragment list just started. A defined length is jumped over;
    /// a delimited one has to be tokenized to find its end.
    /// </summary>
    public void SkipSequence()
    {
        if (Token is not (DicomToken.SequenceStart or DicomToken.FragmentsStart))
            throw new InvalidOperationException("Not at the start of a sequence.");
        var frame = _frames[_frameCount - 1];
        if (frame.End != NoLimit)
        {
            Pop();
            Skip(frame.End - Position, frame.Tag);
            Token = DicomToken.SequenceEnd;
            Depth = _sequenceDepth;
            return;
        }
        var depth = _frameCount - 1;
        while (_frameCount > depth)
        {
            if (!Read())
                throw Error(DicomFormatError.Truncated, Position, $"the data ends inside sequence {frame.Tag}");
        }
    }

    private void Push(FrameKind kind, DicomTag tag, long end, DatasetEncoding encoding)
    {
        var parentLimit = _frameCount > 0 ? _frames[_frameCount - 1].Limit : NoLimit;
        if (kind != FrameKind.Item)
        {
            if (_sequenceDepth >= _options.MaxSequenceDepth)
            {
                throw Error(DicomFormatError.NestingTooDeep, TokenOffset,
                    $"sequence {tag} is nested deeper than the limit of {_options.MaxSequenceDepth}");
            }
            _sequenceDepth++;
        }
        if (_frameCount == _frames.Length)
            Array.Resize(ref _frames, _frames.Length * 2);
        _frames[_frameCount++] = new Frame
        {
            Kind = kind,
            Tag = tag,
            End = end,
            Limit = Math.Min(end, parentLimit),
            Encoding = encoding,
        };
        _encoding = encoding;
    }

    private void Pop()
    {
        var frame = _frames[--_frameCount];
        if (frame.Kind != FrameKind.Item)
            _sequenceDepth--;
        _encoding = _frameCount > 0 ? _frames[_frameCount - 1].Encoding : _datasetEncoding;
    }

    private static bool IsUpperLetter(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    private DicomTag ReadTag(ReadOnlySpan<byte> span) => new(ReadUInt16(span), ReadUInt16(span[2..]));

    public ushort ReadUInt16(ReadOnlySpan<byte> span) => _encoding.LittleEndian
        ? BinaryPrimitives.ReadUInt16LittleEndian(span)
        : BinaryPrimitives.ReadUInt16BigEndian(span);

    public uint ReadUInt32(ReadOnlySpan<byte> span) => _encoding.LittleEndian
        ? BinaryPrimitives.ReadUInt32LittleEndian(span)
        : BinaryPrimitives.ReadUInt32BigEndian(span);

    /// <summary>Replays bytes the reader had buffered before the rest of the source.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _prefixPos;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPos < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _prefixPos);
                prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
                _prefixPos += n;
                return n;
            }
            return rest.Read(buffer);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Consilium.Dicom.Tests.Support;

/// <summary>
/// Builds small DICOM files in any of the encodings the reader supports, including the broken ones the
/// tests need (wrong lengths, stray delimiters). Nodes form a tree so defined lengths are computed, not typed.
/// </summary>
internal sealed class TestDicomWriter
{
    private readonly List<Node> _meta = [];
    private readonly List<Node> _dataset = [];
    private readonly Stack<List<Node>> _open = new();
    private readonly Dictionary<ItemNode, long> _itemOffsets = [];

    public TestDicomWriter(string transferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian,
        string sopClass = "1.2.840.10008.5.1.4.1.1.7", bool withMeta = true)
    {
        TransferSyntax = transferSyntax;
        WithMeta = withMeta;
        _open.Push(_dataset);
        if (withMeta)
        {
            _meta.Add(new ElementNode(new DicomTag(0x0002, 0x0001), "OB", [0, 1]));
            _meta.Add(new ElementNode(DicomTag.MediaStorageSopClassUid, "UI", Text(sopClass, "UI")));
            _meta.Add(new ElementNode(DicomTag.MediaStorageSopInstanceUid, "UI", Text("1.2.3.4.5", "UI")));
            _meta.Add(new ElementNode(DicomTag.TransferSyntaxUid, "UI", Text(transferSyntax, "UI")));
        }
    }

    public string TransferSyntax { get; }
    public bool WithMeta { get; }

    /// <summary>Overrides the preamble and prefix, for files that must not look like DICOM.</summary>
    public byte[]? Prefix { get; set; }

    public TestDicomWriter RemoveMeta(DicomTag tag)
    {
        _meta.RemoveAll(n => n is ElementNode e && e.Tag == tag);
        return this;
    }

    public TestDicomWriter String(DicomTag tag, string vr, string value, Encoding? encoding = null) =>
        Add(new ElementNode(tag, vr, Text(value, vr, encoding)));

    public TestDicomWriter Bytes(DicomTag tag, string vr, byte[] value, uint? declaredLength = null) =>
        Add(new ElementNode(tag, vr, value) { DeclaredLength = declaredLength });

    public TestDicomWriter UInt16(DicomTag tag, params ushort[] values) =>
        Add(new ElementNode(tag, "US", []) { UShorts = values });

    public TestDicomWriter UInt32(DicomTag tag, uint value) =>
        Add(new ElementNode(tag, "UL", []) { UInt = value });

    /// <summary>Raw bytes written as they are, for deliberately broken streams.</summary>
    public TestDicomWriter Raw(byte[] bytes) => Add(new RawNode(bytes));

    public TestDicomWriter BeginSequence(DicomTag tag, bool undefinedLength = true, string vr = "SQ")
    {
        var sequence = new SequenceNode(tag, vr, undefinedLength);
        Add(sequence);
        _open.Push(sequence.Children);
        return this;
    }

    public TestDicomWriter BeginItem(bool undefinedLength = true) => BeginItem(out _, undefinedLength);

    public TestDicomWriter BeginItem(out ItemNode item, bool undefinedLength = true)
    {
        item = new ItemNode(undefinedLength);
        Add(item);
        _open.Push(item.Children);
        return this;
    }

    public TestDicomWriter End()
    {
        _open.Pop();
        return this;
    }

    public TestDicomWriter Fragments(DicomTag tag, params byte[][] fragments) =>
        Add(new FragmentsNode(tag, fragments));

    private TestDicomWriter Add(Node node)
    {
        _open.Peek().Add(node);
        return this;
    }

    public long OffsetOf(ItemNode item) => _itemOffsets[item];

    public byte[] ToArray()
    {
        var output = new MemoryStream();
        WriteTo(output);
        return output.ToArray();
    }

    public void WriteTo(Stream output)
    {
        _itemOffsets.Clear();
        var prefixLength = 0L;
        if (Prefix is not null)
        {
            output.Write(Prefix);
            prefixLength = Prefix.Length;
        }
        else if (WithMeta)
        {
            output.Write(new byte[128]);
            output.Write("DICM"u8);
            prefixLength = 132;
        }

        var explicitLE = new Encoder(true, true);
        if (WithMeta)
        {
            var metaBody = new MemoryStream();
            foreach (var node in _meta)
                Write(metaBody, node, explicitLE, 0);
            var groupLength = new MemoryStream();
            Write(groupLength, new ElementNode(DicomTag.FileMetaInformationGroupLength, "UL", []) { UInt = (uint)metaBody.Length }, explicitLE, 0);
            output.Write(groupLength.ToArray());
            output.Write(metaBody.ToArray());
            prefixLength += groupLength.Length + metaBody.Length;
        }

        var encoder = TransferSyntax switch
        {
            DicomTransferSyntax.ImplicitVRLittleEndian => new Encoder(false, true),
            DicomTransferSyntax.ExplicitVRBigEndian => new Encoder(true, false),
            _ => explicitLE,
        };
        var dataset = new MemoryStream();
        foreach (var node in _dataset)
            Write(dataset, node, encoder, prefixLength);

        if (TransferSyntax == DicomTransferSyntax.DeflatedExplicitVRLittleEndian)
        {
            using var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
            deflate.Write(dataset.ToArray());
        }
        else
        {
            output.Write(dataset.ToArray());
        }
    }

    private void Write(MemoryStream output, Node node, Encoder encoder, long baseOffset)
    {
        switch (node)
        {
            case RawNode raw:
                output.Write(raw.Bytes);
                break;
            case ElementNode element:
            {
                var value = element.UShorts is { } shorts ? shorts.SelectMany(s => encoder.UInt16(s)).ToArray()
                    : element.UInt is { } u ? encoder.UInt32(u)
                    : element.Value;
                WriteHeader(output, element.Tag, element.VR, element.DeclaredLength ?? (uint)value.Length, encoder);
                output.Write(value);
                break;
            }
            case SequenceNode sequence:
            {
                var content = sequence.VR == "UN" && sequence.UndefinedLength ? new Encoder(false, true) : encoder;
                var headerLength = HeaderLength(sequence.VR, encoder);
                var body = new MemoryStream();
                foreach (var child in sequence.Children)
                    Write(body, child, content, baseOffset + output.Length + headerLength);
                WriteHeader(output, sequence.Tag, sequence.VR, sequence.UndefinedLength ? 0xFFFFFFFF : (uint)body.Length, encoder);
                output.Write(body.ToArray());
                if (sequence.UndefinedLength)
                    WriteItemTag(output, DicomTag.SequenceDelimitationItem, 0, content);
                break;
            }
            case ItemNode item:
            {
                _itemOffsets[item] = baseOffset + output.Length;
                var body = new MemoryStream();
                foreach (var child in item.Children)
                    Write(body, child, encoder, baseOffset + output.Length + 8);
                WriteItemTag(output, DicomTag.Item, item.UndefinedLength ? 0xFFFFFFFF : (uint)body.Length, encoder);
                output.Write(body.ToArray());
                if (item.UndefinedLength)
                    WriteItemTag(output, DicomTag.ItemDelimitationItem, 0, encoder);
                break;
            }
            case FragmentsNode fragments:
                WriteHeader(output, fragments.Tag, "OB", 0xFFFFFFFF, encoder);
                foreach (var fragment in fragments.Items)
                {
                    WriteItemTag(output, DicomTag.Item, (uint)fragment.Length, encoder);
                    output.Write(fragment);
                }
                WriteItemTag(output, DicomTag.SequenceDelimitationItem, 0, encoder);
                break;
        }
    }

    private static int HeaderLength(string vr, Encoder encoder) => !encoder.ExplicitVR ? 8 : LongLength(vr) ? 12 : 8;

    private static bool LongLength(string vr) => vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "UC"
        or "UR" or "UT" or "UN" or "SV" or "UV" || vr.Length != 2 || !DicomVRInfo.TryParse((byte)vr[0], (byte)vr[1], out _);

    private static void WriteHeader(Stream output, DicomTag tag, string vr, uint length, Encoder encoder)
    {
        output.Write(encoder.UInt16(tag.Group));
        output.Write(encoder.UInt16(tag.Element));
        if (!encoder.ExplicitVR)
        {
            output.Write(encoder.UInt32(length));
            return;
        }
        output.Write(Encoding.Latin1.GetBytes(vr));
        if (LongLength(vr))
        {
            output.Write([0, 0]);
            output.Write(encoder.UInt32(length));
        }
        else
        {
            output.Write(encoder.UInt16((ushort)length));
        }
    }

    private static void WriteItemTag(Stream output, DicomTag tag, uint length, Encoder encoder)
    {
        output.Write(encoder.UInt16(tag.Group));
        output.Write(encoder.UInt16(tag.Element));
        output.Write(encoder.UInt32(length));
    }

    /// <summary>Encodes and pads to even length the way the VR requires (NUL for UI, space otherwise).</summary>
    public static byte[] Text(string value, string vr, Encoding? encoding = null)
    {
        var bytes = (encoding ?? Encoding.Latin1).GetBytes(value);
        if (bytes.Length % 2 == 1)
            bytes = [.. bytes, vr == "UI" ? (byte)0 : (byte)' '];
        return bytes;
    }

    private sealed record Encoder(bool ExplicitVR, bool LittleEndian)
    {
        public byte[] UInt16(ushort value)
        {
            var bytes = new byte[2];
            if (LittleEndian) BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
            else BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
            return bytes;
        }

        public byte[] UInt32(uint value)
        {
            var bytes = new byte[4];
            if (LittleEndian) BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            else BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            return bytes;
        }
    }

    internal abstract class Node;

    private sealed class RawNode(byte[] bytes) : Node
    {
        public byte[] Bytes { get; } = bytes;
    }

    private sealed class ElementNode(DicomTag tag, string vr, byte[] value) : Node
    {
        public DicomTag Tag { get; } = tag;
        public string VR { get; } = vr;
        public byte[] Value { get; } = value;
        public uint? DeclaredLength { get; init; }
        public ushort[]? UShorts { get; init; }
        public uint? UInt { get; init; }
    }

    private sealed class SequenceNode(DicomTag tag, string vr, bool undefinedLength) : Node
    {
        public DicomTag Tag { get; } = tag;
        public string VR { get; } = vr;
        public bool UndefinedLength { get; } = undefinedLength;
        public List<Node> Children { get; } = [];
    }

    internal sealed class ItemNode(bool undefinedLength) : Node
    {
        public bool UndefinedLength { get; } = undefinedLength;
        public List<Node> Children { get; } = [];
    }

    private sealed class FragmentsNode(DicomTag tag, byte[][] items) : Node
    {
        public DicomTag Tag { get; } = tag;
        public byte[][] Items { get; } = items;
    }
}

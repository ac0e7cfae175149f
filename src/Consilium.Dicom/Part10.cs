using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Consilium.Dicom;

/// <summary>The Part 10 envelope (preamble, "DICM", file meta group) and value decoding shared by the readers.</summary>
internal static class Part10
{
    private const int PreambleLength = 128;
    private const int MaxFormattedNumericLength = 4096;
    private const int MaxMetaValueLength = 4096;

    internal sealed record FileMeta(
        string TransferSyntaxUid,
        string? MediaStorageSopClassUid,
        string? MediaStorageSopInstanceUid,
        bool HasFileMeta);

    /// <summary>
    /// Reads up to the first dataset element and leaves the reader set up for the dataset's encoding
    /// (inflating it if need be). Meta elements are passed to <paramref name="onMetaElement"/> when given.
    /// </summary>
    public static FileMeta Open(DicomElementReader reader, DicomReadOptions options, Action<DicomElement>? onMetaElement = null)
    {
        var hasPrefix = reader.EnsureAvailable(PreambleLength + 4)
            && reader.Peek(PreambleLength + 4)[PreambleLength..].SequenceEqual("DICM"u8);
        FileMeta meta;
        if (hasPrefix)
        {
            reader.Skip(PreambleLength + 4, default);
            meta = ReadMetaGroup(reader, onMetaElement);
        }
        else
        {
            var head = reader.Peek(PreambleLength + 4);
            if (!options.AllowRawDataset)
            {
                throw reader.Error(DicomFormatError.NotDicom, head.Length < PreambleLength + 4 ? 0 : PreambleLength,
                    $"not a DICOM Part 10 file: {DescribeNonDicom(head, reader.Available)}");
            }
            meta = SniffRawDataset(reader, head, onMetaElement);
        }

        var encoding = DicomTransferSyntax.Resolve(meta.TransferSyntaxUid, out var deflated, out var known);
        reader.SetDatasetEncoding(encoding);
        if (!known)
        {
            reader.Warn(DicomWarningKind.UnknownTransferSyntax, reader.Position, DicomTag.TransferSyntaxUid,
                $"unknown transfer syntax {meta.TransferSyntaxUid}; dataset read as explicit VR little endian");
        }
        if (deflated)
            reader.StartInflating();
        return meta;
    }

    private static FileMeta ReadMetaGroup(DicomElementReader reader, Action<DicomElement>? onMetaElement)
    {
        reader.SetDatasetEncoding(DatasetEncoding.ExplicitLittleEndian);
        var metaStart = reader.Position;
        var metaEnd = long.MaxValue;
        string? transferSyntax = null, sopClass = null, sopInstance = null;

        while (true)
        {
            reader.SkipValue();
            if (reader.Position >= metaEnd || !reader.EnsureAvailable(2))
                break;
            // The group length is trusted when present (a deflated dataset cannot be peeked at), but a
            // group other than 0002 ends the meta group whatever it claims.
            if (BinaryPrimitives.ReadUInt16LittleEndian(reader.Peek(2)) != 0x0002)
            {
                if (metaEnd != long.MaxValue)
                {
                    reader.Warn(DicomWarningKind.Nonconformance, reader.Position, DicomTag.FileMetaInformationGroupLength,
                        $"the file meta group ends at offset {reader.Position}, before the end its group length gives ({metaEnd})");
                }
                break;
            }
            if (!reader.Read())
                break;
            if (reader.Token != DicomToken.Element)
                throw reader.Error(DicomFormatError.InvalidFileMeta, reader.TokenOffset, $"the file meta group holds a sequence {reader.Tag}");

            var tag = reader.Tag;
            var offset = reader.TokenOffset;
            if (tag == DicomTag.FileMetaInformationGroupLength && reader.VR == DicomVR.UL && reader.Length == 4)
            {
                var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(reader.ReadValue());
                metaEnd = reader.Position + groupLength;
                onMetaElement?.Invoke(new DicomElement(tag, DicomVR.UL, offset, 4, groupLength.ToString(CultureInfo.InvariantCulture)));
                continue;
            }
            // The meta group is read with its own small limit: UIDs are at most 64 bytes, and a caller's tight
            // string limit must not make the transfer syntax unreadable.
            var value = FormatValue(reader, DicomTextDecoder.Default, MaxMetaValueLength);
            onMetaElement?.Invoke(new DicomElement(tag, reader.VR, offset, reader.Length, value));
            if (tag == DicomTag.TransferSyntaxUid)
                transferSyntax = value;
            else if (tag == DicomTag.MediaStorageSopClassUid)
                sopClass = NullIfEmpty(value);
            else if (tag == DicomTag.MediaStorageSopInstanceUid)
                sopInstance = NullIfEmpty(value);
        }

        if (string.IsNullOrEmpty(transferSyntax))
        {
            throw reader.Error(DicomFormatError.MissingTransferSyntax, metaStart,
                "the file meta group has no (0002,0010) Transfer Syntax UID, so the dataset's encoding is unknown");
        }
        if (metaEnd != long.MaxValue && reader.Position > metaEnd)
        {
            throw reader.Error(DicomFormatError.InvalidFileMeta, metaEnd,
                $"the last file meta element runs past the end the group length gives ({metaEnd})");
        }
        return new FileMeta(transferSyntax, sopClass, sopInstance, HasFileMeta: true);
    }

    /// <summary>
    /// A file without the "DICM" prefix may be a bare dataset. Only the two beginnings a real one has are
    /// accepted: the meta group without its preamble, or group 0008 in explicit or implicit VR little endian.
    /// </summary>
    private static FileMeta SniffRawDataset(DicomElementReader reader, ReadOnlySpan<byte> head, Action<DicomElement>? onMetaElement)
    {
        if (head.Length >= 8)
        {
            var group = BinaryPrimitives.ReadUInt16LittleEndian(head);
            var explicitVR = DicomVRInfo.TryParse(head[4], head[5], out _);
            if (group == 0x0002 && explicitVR)
            {
                reader.Warn(DicomWarningKind.RawDataset, 0, null, "no preamble or 'DICM' prefix; the file starts with its meta group");
                return ReadMetaGroup(reader, onMetaElement);
            }
            if (group == 0x0008)
            {
                var implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
                if (explicitVR || implicitLength < 0x10000)
                {
                    var syntax = explicitVR ? DicomTransferSyntax.ExplicitVRLittleEndian : DicomTransferSyntax.ImplicitVRLittleEndian;
                    reader.Warn(DicomWarningKind.RawDataset, 0, null,
                        $"no preamble, 'DICM' prefix or file meta group; read as a raw dataset in {syntax}");
                    return new FileMeta(syntax, null, null, HasFileMeta: false);
                }
            }
        }
        throw reader.Error(DicomFormatError.NotDicom, 0,
            $"no 'DICM' prefix and the data does not start like a raw DICOM dataset: {DescribeNonDicom(head, reader.Available)}");
    }

    /// <summary>Names what a rejected upload most likely is, so the member can be told something useful.</summary>
    internal static string DescribeNonDicom(ReadOnlySpan<byte> head, int available)
    {
        if (available < PreambleLength + 4)
        {
            if (available == 0)
                return "the file is empty";
            if (LooksLikeText(head))
                return $"the file is {available} bytes of text, too short for the 132-byte preamble and 'DICM' prefix";
            return $"the file is only {available} bytes, too short for the 132-byte preamble and 'DICM' prefix";
        }
        var kind = head switch
        {
            _ when head.StartsWith("%PDF"u8) => "a PDF document",
            _ when head.StartsWith("PK\x03\x04"u8) => "a ZIP archive (a zipped study must be unpacked first)",
            _ when head.StartsWith("\x89PNG"u8) => "a PNG image",
            _ when head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) => "a JPEG image",
            _ when head.StartsWith("GIF8"u8) => "a GIF image",
            _ when head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8) => "a TIFF image",
            _ when head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) => "a gzip archive",
            _ when LooksLikeText(head) => "a text file",
            _ => null,
        };
        return kind is null
            ? "missing the 'DICM' prefix at offset 128"
            : $"missing the 'DICM' prefix at offset 128; the data looks like {kind}";
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
            return false;
        foreach (var b in head)
        {
            // Printable ASCII, whitespace, or any byte of a UTF-8 multi-byte sequence.
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Decodes the current element as a string, or returns null (with a warning) when it is over the
    /// string limit. Empty values come back as "".
    /// </summary>
    public static string? ReadString(DicomElementReader reader, DicomTextDecoder decoder, DicomReadOptions options) =>
        ReadString(reader, decoder, options.MaxStringLength);

    private static string? ReadString(DicomElementReader reader, DicomTextDecoder decoder, int maxLength)
    {
        if (reader.Length > maxLength)
        {
            reader.Warn(DicomWarningKind.ValueTooLong, reader.TokenOffset, reader.Tag,
                $"{reader.Length}-byte value over the {maxLength}-byte string limit was skipped");
            return null;
        }
        return decoder.Decode(reader.ReadValue(), reader.VR);
    }

    /// <summary>The value as dcmdump shows it: strings decoded, binary numbers in decimal, bulk data not at all.</summary>
    public static string? FormatValue(DicomElementReader reader, DicomTextDecoder decoder, DicomReadOptions options) =>
        FormatValue(reader, decoder, options.MaxStringLength);

    private static string? FormatValue(DicomElementReader reader, DicomTextDecoder decoder, int maxStringLength)
    {
        var vr = reader.VR;
        if (vr.IsString())
            return ReadString(reader, decoder, maxStringLength);
        if (vr is DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.FD
            or DicomVR.SV or DicomVR.UV or DicomVR.AT && reader.Length <= MaxFormattedNumericLength)
        {
            return FormatNumbers(reader.ReadValue(), vr, reader.Encoding.LittleEndian);
        }
        return null;
    }

    private static string FormatNumbers(ReadOnlySpan<byte> value, DicomVR vr, bool littleEndian)
    {
        var size = vr switch
        {
            DicomVR.US or DicomVR.SS => 2,
            DicomVR.FD or DicomVR.SV or DicomVR.UV => 8,
            _ => 4,
        };
        var builder = new StringBuilder();
        for (var i = 0; i + size <= value.Length; i += size)
        {
            if (i > 0)
                builder.Append('\\');
            var item = value.Slice(i, size);
            var c = CultureInfo.InvariantCulture;
            switch (vr)
            {
                case DicomVR.US: builder.Append((littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(item) : BinaryPrimitives.ReadUInt16BigEndian(item)).ToString(c)); break;
                case DicomVR.SS: builder.Append((littleEndian ? BinaryPrimitives.ReadInt16LittleEndian(item) : BinaryPrimitives.ReadInt16BigEndian(item)).ToString(c)); break;
                case DicomVR.UL: builder.Append((littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(item) : BinaryPrimitives.ReadUInt32BigEndian(item)).ToString(c)); break;
                case DicomVR.SL: builder.Append((littleEndian ? BinaryPrimitives.ReadInt32LittleEndian(item) : BinaryPrimitives.ReadInt32BigEndian(item)).ToString(c)); break;
                case DicomVR.FL: builder.Append((littleEndian ? BinaryPrimitives.ReadSingleLittleEndian(item) : BinaryPrimitives.ReadSingleBigEndian(item)).ToString(c)); break;
                case DicomVR.FD: builder.Append((littleEndian ? BinaryPrimitives.ReadDoubleLittleEndian(item) : BinaryPrimitives.ReadDoubleBigEndian(item)).ToString(c)); break;
                case DicomVR.SV: builder.Append((littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(item) : BinaryPrimitives.ReadInt64BigEndian(item)).ToString(c)); break;
                case DicomVR.UV: builder.Append((littleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(item) : BinaryPrimitives.ReadUInt64BigEndian(item)).ToString(c)); break;
                case DicomVR.AT:
                    var group = littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(item) : BinaryPrimitives.ReadUInt16BigEndian(item);
                    var element = littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(item[2..]) : BinaryPrimitives.ReadUInt16BigEndian(item[2..]);
                    builder.Append(new DicomTag(group, element).ToString());
                    break;
            }
        }
        return builder.ToString();
    }

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

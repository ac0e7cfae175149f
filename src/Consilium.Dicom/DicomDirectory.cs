using System.Buffers.Binary;

namespace Consilium.Dicom;

/// <summary>
/// The index of a DICOM CD/DVD (PS3.10 DICOMDIR): its directory records, in file order, linked into the
/// PATIENT → STUDY → SERIES → IMAGE hierarchy through the record offsets.
/// </summary>
public sealed class DicomDirectory
{
    public const string MediaStorageSopClassUid = "1.2.840.10008.1.3.10";

    private DicomDirectory(IReadOnlyList<DicomDirectoryRecord> records, IReadOnlyList<DicomDirectoryRecord> roots,
        IReadOnlyList<DicomWarning> warnings)
    {
        Records = records;
        RootRecords = roots;
        Warnings = warnings;
    }

    /// <summary>All records in the order they appear in (0004,1220).</summary>
    public IReadOnlyList<DicomDirectoryRecord> Records { get; }

    /// <summary>Top-level records (normally PATIENT), each with its <see cref="DicomDirectoryRecord.Children"/>.</summary>
    public IReadOnlyList<DicomDirectoryRecord> RootRecords { get; }

    public IReadOnlyList<DicomWarning> Warnings { get; }

    /// <summary>Records pointing at a file (IMAGE, SR DOCUMENT, ...), safe or not: check <see cref="DicomDirectoryRecord.IsReferencedFileIdSafe"/>.</summary>
    public IEnumerable<DicomDirectoryRecord> ReferencedFiles => Records.Where(r => r.ReferencedFileId is not null);

    internal static DicomDirectory Read(DicomElementReader reader, DicomReadOptions options)
    {
        var meta = Part10.Open(reader, options);
        if (meta.MediaStorageSopClassUid != MediaStorageSopClassUid)
        {
            throw reader.Error(DicomFormatError.NotADicomDirectory, 0,
                $"media storage SOP class is {meta.MediaStorageSopClassUid ?? "absent"}, not the DICOMDIR class {MediaStorageSopClassUid}");
        }

        var records = new List<DicomDirectoryRecord>();
        var topDecoder = DicomTextDecoder.Default;
        long? firstRootOffset = null;
        var inRecordSequence = false;
        RecordBuilder? current = null;

        while (reader.Read())
        {
            switch (reader.Token)
            {
                case DicomToken.Element when reader.Depth == 0:
                    if (reader.Tag == DicomTag.SpecificCharacterSet)
                        topDecoder = DicomTextDecoder.FromSpecificCharacterSet(Part10.ReadString(reader, DicomTextDecoder.Default, options));
                    else if (reader.Tag.Value == 0x00041200 && reader.Length == 4)
                        firstRootOffset = ReadUInt32(reader);
                    break;
                case DicomToken.SequenceStart when reader.Depth == 0:
                    if (reader.Tag == DicomTag.DirectoryRecordSequence)
                        inRecordSequence = true;
                    else
                        reader.SkipSequence();
                    break;
                case DicomToken.SequenceEnd when reader.Depth == 0 && reader.Tag == DicomTag.DirectoryRecordSequence:
                    inRecordSequence = false;
                    break;
                case DicomToken.ItemStart when inRecordSequence && reader.Depth == 1:
                    if (records.Count >= options.MaxElementCount)
                    {
                        throw reader.Error(DicomFormatError.TooManyElements, reader.TokenOffset,
                            $"more than {options.MaxElementCount} directory records");
                    }
                    current = new RecordBuilder(reader.TokenOffset, topDecoder);
                    break;
                case DicomToken.Element when inRecordSequence && reader.Depth == 1 && current is not null:
                    current.Accept(reader, options);
                    break;
                case DicomToken.SequenceStart when inRecordSequence && reader.Depth == 1:
                    // Records may nest sequences (e.g. a content sequence); nothing in them is needed.
                    reader.SkipSequence();
                    break;
                case DicomToken.ItemEnd when inRecordSequence && reader.Depth == 1 && current is not null:
                    records.Add(current.Build());
                    current = null;
                    break;
            }
        }

        var roots = Link(records, firstRootOffset, reader);
        return new DicomDirectory(records, roots, reader.Warnings.ToArray());
    }

    private static uint ReadUInt32(DicomElementReader reader)
    {
        var value = reader.ReadValue();
        return reader.Encoding.LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(value) : BinaryPrimitives.ReadUInt32BigEndian(value);
    }

    /// <summary>
    /// Follows the next/lower-level offsets. Offsets come from the file, so a hostile one may point anywhere
    /// or form a cycle: unknown offsets end a chain and a record is never linked twice.
    /// </summary>
    private static List<DicomDirectoryRecord> Link(List<DicomDirectoryRecord> records, long? firstRootOffset, DicomElementReader reader)
    {
        var byOffset = new Dictionary<long, DicomDirectoryRecord>(records.Count);
        foreach (var record in records)
            byOffset.TryAdd(record.Offset, record);

        var linked = new HashSet<DicomDirectoryRecord>();
        var roots = new List<DicomDirectoryRecord>();
        // Breadth-first with an explicit queue: a hostile lower-level chain may be as long as the record list.
        var pending = new Queue<(long Offset, DicomDirectoryRecord? Parent)>();
        if (firstRootOffset is { } rootOffset && rootOffset != 0)
            pending.Enqueue((rootOffset, null));
        while (pending.TryDequeue(out var next))
        {
            var chain = new List<DicomDirectoryRecord>();
            var offset = next.Offset;
            while (offset != 0 && byOffset.TryGetValue(offset, out var record) && linked.Add(record))
            {
                record.Parent = next.Parent;
                chain.Add(record);
                if (record.LowerLevelOffset != 0)
                    pending.Enqueue((record.LowerLevelOffset, record));
                offset = record.NextRecordOffset;
            }
            if (next.Parent is null)
                roots.AddRange(chain);
            else
                next.Parent.SetChildren(chain);
        }

        // Records the offsets do not reach (a writer that left the offsets at 0) become roots in file order,
        // so nothing the directory lists is lost.
        var unlinked = records.Where(r => !linked.Contains(r)).ToList();
        if (unlinked.Count > 0 && roots.Count > 0)
        {
            reader.Warn(DicomWarningKind.Nonconformance, 0, DicomTag.DirectoryRecordSequence,
                $"{unlinked.Count} directory records are not reachable through the record offsets");
        }
        roots.AddRange(unlinked);
        return roots;
    }

    private sealed class RecordBuilder(long offset, DicomTextDecoder topDecoder)
    {
        private readonly Dictionary<DicomTag, string> _attributes = [];
        private DicomTextDecoder _decoder = topDecoder;
        private string[]? _fileIdComponents;
        private string? _type;
        private uint _next, _lower;

        public void Accept(DicomElementReader reader, DicomReadOptions options)
        {
            var tag = reader.Tag;
            if (tag == DicomTag.OffsetOfTheNextDirectoryRecord && reader.Length == 4)
            {
                _next = ReadUInt32(reader);
                return;
            }
            if (tag == DicomTag.OffsetOfReferencedLowerLevelDirectoryEntity && reader.Length == 4)
            {
                _lower = ReadUInt32(reader);
                return;
            }
            // Implicit VR DICOMDIRs report tags missing from the small dictionary as UN: those stay undecoded.
            if (!reader.VR.IsString())
                return;
            var value = Part10.ReadString(reader, _decoder, options);
            if (value is null)
                return;
            if (tag == DicomTag.SpecificCharacterSet)
                _decoder = DicomTextDecoder.FromSpecificCharacterSet(value);
            else if (tag == DicomTag.DirectoryRecordType)
                _type = value;
            else if (tag == DicomTag.ReferencedFileId)
                _fileIdComponents = value.Split('\\');
            else
                _attributes[tag] = value;
        }

        public DicomDirectoryRecord Build() => new(
            offset, _type ?? "", _fileIdComponents, _next, _lower, _attributes);
    }
}

/// <summary>One directory record. <see cref="Attributes"/> holds its other string attributes (patient ID, UIDs, modality...).</summary>
public sealed class DicomDirectoryRecord
{
    private IReadOnlyList<DicomDirectoryRecord> _children = [];

    internal DicomDirectoryRecord(long offset, string recordType, string[]? fileIdComponents, uint nextRecordOffset,
        uint lowerLevelOffset, IReadOnlyDictionary<DicomTag, string> attributes)
    {
        Offset = offset;
        RecordType = recordType;
        NextRecordOffset = nextRecordOffset;
        LowerLevelOffset = lowerLevelOffset;
        Attributes = attributes;
        if (fileIdComponents is not null)
        {
            ReferencedFileId = string.Join('/', fileIdComponents.Select(c => c.Trim()));
            UnsafeReason = CheckFileId(fileIdComponents);
        }
    }

    /// <summary>Byte offset of the record's item in the DICOMDIR, the value other records link to.</summary>
    public long Offset { get; }

    /// <summary>PATIENT, STUDY, SERIES, IMAGE, SR DOCUMENT, PRIVATE...</summary>
    public string RecordType { get; }

    /// <summary>(0004,1500) with its components joined by '/', relative to the DICOMDIR's folder.</summary>
    public string? ReferencedFileId { get; }

    /// <summary>Why <see cref="ReferencedFileId"/> must not be opened, or null when it is a plain relative path.</summary>
    public string? UnsafeReason { get; }

    public bool IsReferencedFileIdSafe => ReferencedFileId is not null && UnsafeReason is null;

    public uint NextRecordOffset { get; }
    public uint LowerLevelOffset { get; }

    public IReadOnlyDictionary<DicomTag, string> Attributes { get; }

    public DicomDirectoryRecord? Parent { get; internal set; }

    public IReadOnlyList<DicomDirectoryRecord> Children => _children;

    public string? ReferencedSopInstanceUid => Attributes.GetValueOrDefault(DicomTag.ReferencedSopInstanceUidInFile);
    public string? ReferencedSopClassUid => Attributes.GetValueOrDefault(DicomTag.ReferencedSopClassUidInFile);
    public string? ReferencedTransferSyntaxUid => Attributes.GetValueOrDefault(DicomTag.ReferencedTransferSyntaxUidInFile);

    internal void SetChildren(IReadOnlyList<DicomDirectoryRecord> children) => _children = children;

    /// <summary>
    /// The full path of the referenced file under <paramref name="rootDirectory"/> (the DICOMDIR's folder),
    /// or null when the file ID is unsafe or would resolve outside that folder.
    /// </summary>
    public string? ResolvePath(string rootDirectory)
    {
        if (!IsReferencedFileIdSafe)
            return null;
        var root = Path.GetFullPath(rootDirectory);
        var full = Path.GetFullPath(Path.Combine(root, ReferencedFileId!.Replace('/', Path.DirectorySeparatorChar)));
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }

    // A file ID comes from a disc a member mailed in: treat it as an attacker-chosen path.
    private static string? CheckFileId(string[] components)
    {
        for (var i = 0; i < components.Length; i++)
        {
            var component = components[i].Trim();
            if (component.Length == 0)
                return i == 0 ? "absolute path (starts with a separator)" : "empty path component";
            if (component.Contains("..", StringComparison.Ordinal))
                return "path component contains '..'";
            if (component == ".")
                return "path component '.'";
            if (component.Contains('/') || component.Contains(':'))
                return "path component contains '/' or ':' (absolute or drive path)";
            if (component.Any(char.IsControl))
                return "path component contains control characters";
        }
        return null;
    }

    public override string ToString() => ReferencedFileId is null ? RecordType : $"{RecordType} {ReferencedFileId}";
}

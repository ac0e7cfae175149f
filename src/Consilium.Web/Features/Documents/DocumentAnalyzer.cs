using System.Buffers.Binary;
using System.IO.Compression;
using Consilium.Dicom;
using Consilium.Features.Records;
using Consilium.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Documents;

/// <summary>The member a document should be about, as enrolled.</summary>
internal sealed record MemberIdentity(string FirstName, string LastName, DateOnly DateOfBirth);

/// <summary>Everything learned from a stored document's bytes.</summary>
internal sealed class DocumentAnalysis
{
    public RecordKind? SuggestedKind { get; init; }
    public PatientCheck PatientCheck { get; init; } = PatientCheck.NotApplicable;
    public string? PatientCheckReason { get; init; }
    public string? SubjectName { get; init; }
    public string? SubjectBirthDate { get; init; }
    public DocumentSummary Summary { get; init; } = new();
    public List<DicomInstanceRecord> Instances { get; init; } = [];
    public List<ClinicalEntryDraft> Entries { get; init; } = [];
}

/// <summary>
/// Reads a document back from the store (seekable, authenticated) and checks it is what its first bytes said: a
/// complete PDF, PNG or JPEG, a DICOM instance the reader can walk to its end, an imaging-CD archive that is neither a
/// path-traversal attempt nor a zip bomb, or a FHIR R4 Bundle. Anything else is a <see cref="DocumentRejectedException"/>.
/// </summary>
internal sealed class DocumentAnalyzer(IDocumentStore store, IOptions<DocumentIntakeOptions> options)
{
    const int MaxWarnings = 20;
    static readonly DicomReadOptions WholeFile = new() { Scope = DicomReadScope.WholeFile };

    public async Task<DocumentAnalysis> AnalyzeAsync(string blobId, DocumentType type, MemberIdentity member, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(blobId, ct);
        return type switch
        {
            DocumentType.Pdf => await PdfAsync(stream, ct),
            DocumentType.Png => await PngAsync(stream, ct),
            DocumentType.Jpeg => await JpegAsync(stream, ct),
            DocumentType.Dicom => Dicom(stream, member),
            DocumentType.DicomArchive => Archive(stream, member),
            _ => await FhirBundleImport.ReadAsync(stream, options.Value.MaxFhirBundleBytes, member, ct),
        };
    }

    static async Task<DocumentAnalysis> PdfAsync(Stream stream, CancellationToken ct)
    {
        // A PDF's cross-reference and trailer are at its end; a file cut short in transfer has no end-of-file marker.
        var tail = new byte[(int)Math.Min(stream.Length, 4096)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        await stream.ReadExactlyAsync(tail, ct);
        if (tail.AsSpan().IndexOf("%%EOF"u8) < 0)
            throw DocumentRejectedException.Invalid("pdf-truncated", "Incomplete PDF",
                "The PDF has no end-of-file marker (%%EOF) near its end: it was cut short or is damaged. Upload the complete file.");
        return new DocumentAnalysis();
    }

    static async Task<DocumentAnalysis> PngAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[24];
        var tail = new byte[12];
        if (stream.Length < head.Length + tail.Length) throw PngDamaged();
        await stream.ReadExactlyAsync(head, ct);
        if (!head.AsSpan(12, 4).SequenceEqual("IHDR"u8)) throw PngDamaged();
        stream.Seek(-tail.Length, SeekOrigin.End);
        await stream.ReadExactlyAsync(tail, ct);
        if (!tail.AsSpan().SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82]))
            throw PngDamaged();
        return new DocumentAnalysis
        {
            Summary = new DocumentSummary { Width = (int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16)), Height = (int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20)) },
        };
    }

    static DocumentRejectedException PngDamaged() => DocumentRejectedException.Invalid("png-damaged", "Damaged PNG image",
        "The PNG image has no header chunk or no end chunk: it was cut short or is damaged. Upload the complete file.");

    /// <summary>Walks the JPEG's marker segments to its frame header, seeking over each segment.</summary>
    static async Task<DocumentAnalysis> JpegAsync(Stream stream, CancellationToken ct)
    {
        var marker = new byte[9];
        long position = 2;
        for (var segments = 0; segments < 1000 && position + 4 <= stream.Length; segments++)
        {
            stream.Position = position;
            await stream.ReadExactlyAsync(marker.AsMemory(0, 4), ct);
            if (marker[0] != 0xFF) break;
            var code = marker[1];
            if (code == 0xFF) { position++; continue; } // fill byte
            if (code is 0x01 or (>= 0xD0 and <= 0xD7)) { position += 2; continue; } // standalone markers
            var length = BinaryPrimitives.ReadUInt16BigEndian(marker.AsSpan(2));
            if (length < 2) break;
            if (code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (position + 9 > stream.Length) break;
                await stream.ReadExactlyAsync(marker.AsMemory(4, 5), ct);
                return new DocumentAnalysis
                {
                    Summary = new DocumentSummary { Height = BinaryPrimitives.ReadUInt16BigEndian(marker.AsSpan(5)), Width = BinaryPrimitives.ReadUInt16BigEndian(marker.AsSpan(7)) },
                };
            }
            if (code is 0xD9 or 0xDA) break; // end of image or start of scan before any frame header
            position += 2 + length;
        }
        throw DocumentRejectedException.Invalid("jpeg-damaged", "Damaged JPEG image",
            "The JPEG image has no readable frame header: it was cut short or is damaged. Upload the complete file.");
    }

    static DocumentAnalysis Dicom(Stream stream, MemberIdentity member)
    {
        DicomHeader header;
        try
        {
            header = DicomFile.ReadHeader(stream, WholeFile);
        }
        catch (DicomFormatException e)
        {
            throw NotReadableDicom(null, e);
        }
        if (header.IsDicomDirectory)
            throw DocumentRejectedException.Invalid("dicom-directory-alone", "DICOMDIR without images",
                "This is a DICOMDIR, the index of an imaging CD, without the images it lists. Upload the whole CD as one ZIP archive.");
        if (header.StudyInstanceUid is null || header.SeriesInstanceUid is null || header.SopInstanceUid is null)
            throw DocumentRejectedException.Invalid("dicom-missing-uids", "DICOM file without identifiers",
                "The DICOM file has no Study, Series or SOP Instance UID, so it cannot be placed in a study.");
        var check = PatientChecks.Combine([DicomPatientMatcher.Match(header, member.FirstName, member.LastName, member.DateOfBirth)]);
        return new DocumentAnalysis
        {
            SuggestedKind = KindFor(header.Modality),
            PatientCheck = check.Check,
            PatientCheckReason = check.Reason,
            Instances = [new DicomInstanceRecord(Guid.CreateVersion7(), null, header)],
            Summary = new DocumentSummary { Warnings = header.Warnings.Take(MaxWarnings).Select(w => w.ToString()).ToList() },
        };
    }

    /// <summary>Slide scans are digital pathology and waveforms ECGs; every other modality counts as imaging files.</summary>
    internal static RecordKind KindFor(string? modality) => modality switch
    {
        "SM" => RecordKind.DigitalPathology,
        "ECG" => RecordKind.Ecg,
        _ => RecordKind.ImagingFiles,
    };

    static DocumentRejectedException NotReadableDicom(string? entry, DicomFormatException e) =>
        DocumentRejectedException.Invalid(e.Error == DicomFormatError.NotDicom ? "dicom-not-dicom" : "dicom-invalid", "Not a readable DICOM file",
            (entry is null ? "The file is not a readable DICOM Part 10 file: " : $"The archive entry '{entry}' is not a readable DICOM Part 10 file: ")
            + e.Message + ".");

    DocumentAnalysis Archive(Stream stream, MemberIdentity member)
    {
        var limits = options.Value;
        var archiveLength = stream.Length;
        var declaredEntries = ZipDirectory.EntryCount(stream);
        if (declaredEntries > limits.MaxArchiveEntries)
            throw DocumentRejectedException.Invalid("archive-too-many-entries", "Too many files in the archive",
                $"The archive lists {declaredEntries:N0} files; at most {limits.MaxArchiveEntries:N0} are accepted (Documents:MaxArchiveEntries).");
        stream.Position = 0;
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            throw DocumentRejectedException.Invalid("archive-damaged", "Damaged ZIP archive", "The ZIP archive's directory cannot be read: it was cut short or is damaged.");
        }
        using (zip)
        {
            var files = zip.Entries.Where(e => !e.FullName.EndsWith('/') && !e.FullName.EndsWith('\\')).ToList();
            foreach (var entry in zip.Entries)
            {
                if (UnsafePath(entry.FullName) is { } why)
                    throw DocumentRejectedException.Invalid("archive-path-traversal", "Unsafe path in the archive",
                        $"The archive entry '{Shown(entry.FullName)}' has {why}. Archives whose paths leave their own folder are refused.");
            }
            var declaredTotal = files.Sum(e => e.Length);
            if (declaredTotal > limits.MaxArchiveUncompressedBytes)
                throw DocumentRejectedException.Invalid("archive-too-large", "Archive too large when unpacked",
                    $"The archive unpacks to {declaredTotal:N0} bytes; at most {limits.MaxArchiveUncompressedBytes:N0} are accepted (Documents:MaxArchiveUncompressedBytes).");
            foreach (var entry in files.Where(e => e.Length > 1024 * 1024))
            {
                if (entry.Length / Math.Max(1, entry.CompressedLength) > limits.MaxCompressionRatio)
                    throw BombRatio($"The archive entry '{Shown(entry.FullName)}' is compressed {entry.Length / Math.Max(1, entry.CompressedLength):N0} to 1");
            }
            if (declaredTotal > 1024 * 1024 && declaredTotal / Math.Max(1, archiveLength) > limits.MaxCompressionRatio)
                throw BombRatio($"The archive is compressed {declaredTotal / Math.Max(1, archiveLength):N0} to 1 overall");

            long budget = limits.MaxArchiveUncompressedBytes;
            bool Spend(long n) => (budget -= n) >= 0;
            // The budget counts each entry's full read once; the peek at its first bytes and a DICOMDIR's second read are
            // still held to the entry's declared size, so they cost at most that again.
            Stream Open(ZipArchiveEntry entry, bool spend = true)
            {
                try
                {
                    return new InflationGuardStream(entry.Open(), entry.Length, Shown(entry.FullName), spend ? Spend : _ => true);
                }
                catch (Exception e) when (e is InvalidDataException or NotSupportedException)
                {
                    throw DocumentRejectedException.Invalid("archive-unsupported-entry", "Unreadable archive entry",
                        $"The archive entry '{Shown(entry.FullName)}' is encrypted or compressed with a method Consilium cannot read.");
                }
            }

            var index = new DicomStudyIndex();
            var instances = new List<DicomInstanceRecord>();
            var matches = new List<PatientMatchResult>();
            var warnings = new List<string>();
            var dicomEntries = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var otherEntries = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var directories = new List<(string Entry, DicomDirectory Directory)>();
            var prefix = new byte[132];
            foreach (var entry in files)
            {
                var name = entry.FullName.Replace('\\', '/');
                try
                {
                    int read;
                    using (var head = Open(entry, spend: false)) read = head.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
                    if (read < prefix.Length || !prefix.AsSpan(128, 4).SequenceEqual("DICM"u8))
                    {
                        otherEntries.Add(name);
                        continue;
                    }
                    dicomEntries.Add(name);
                    using var body = Open(entry);
                    var header = DicomFile.ReadHeader(body, WholeFile);
                    if (header.IsDicomDirectory)
                    {
                        using var again = Open(entry, spend: false);
                        directories.Add((name, DicomFile.ReadDirectory(again, WholeFile)));
                        continue;
                    }
                    switch (index.Add(header, name))
                    {
                        case DicomIndexResult.MissingUids:
                            Warn(warnings, $"'{Shown(name)}' has no Study, Series or SOP Instance UID and was left out of the index.");
                            continue;
                        case DicomIndexResult.Duplicate:
                            Warn(warnings, $"'{Shown(name)}' repeats an instance already in this archive.");
                            continue;
                    }
                    instances.Add(new DicomInstanceRecord(Guid.CreateVersion7(), name, header));
                    matches.Add(DicomPatientMatcher.Match(header, member.FirstName, member.LastName, member.DateOfBirth));
                    foreach (var w in header.Warnings.Take(3)) Warn(warnings, $"'{Shown(name)}': {w}");
                }
                catch (DicomFormatException e)
                {
                    throw NotReadableDicom(Shown(name), e);
                }
                catch (InvalidDataException)
                {
                    throw DocumentRejectedException.Invalid("archive-damaged", "Damaged ZIP archive",
                        $"The archive entry '{Shown(name)}' cannot be unpacked: the archive is damaged.");
                }
            }

            foreach (var (entry, directory) in directories) CheckDirectory(entry, directory, dicomEntries, otherEntries, warnings);
            if (instances.Count == 0)
                throw DocumentRejectedException.Unsupported($"a ZIP archive of {files.Count} files without any DICOM image (archives are accepted as copies of an imaging CD)");

            var check = PatientChecks.Combine(matches);
            return new DocumentAnalysis
            {
                SuggestedKind = instances.Select(i => KindFor(i.Modality)).Distinct().Count() == 1 ? KindFor(instances[0].Modality) : RecordKind.ImagingFiles,
                PatientCheck = check.Check,
                PatientCheckReason = check.Reason,
                Instances = instances,
                Summary = new DocumentSummary
                {
                    ArchiveEntries = files.Count, ArchiveDicomFiles = instances.Count, ArchiveOtherFiles = otherEntries.Count,
                    HasDicomDirectory = directories.Count > 0, Warnings = warnings,
                },
            };
        }
    }

    /// <summary>Every file a DICOMDIR lists must be a safe relative path; missing ones are reported, non-DICOM ones refused.</summary>
    static void CheckDirectory(string entry, DicomDirectory directory, HashSet<string> dicomEntries, HashSet<string> otherEntries, List<string> warnings)
    {
        var folder = entry.Contains('/') ? entry[..(entry.LastIndexOf('/') + 1)] : "";
        var missing = 0;
        foreach (var record in directory.ReferencedFiles)
        {
            if (!record.IsReferencedFileIdSafe)
                throw DocumentRejectedException.Invalid("archive-path-traversal", "Unsafe path in the DICOMDIR",
                    $"The DICOMDIR lists '{Shown(record.ReferencedFileId ?? "")}', a path that leaves the CD ({record.UnsafeReason}).");
            var path = folder + record.ReferencedFileId;
            if (otherEntries.Contains(path))
                throw DocumentRejectedException.Invalid("dicomdir-not-dicom", "DICOMDIR lists a file that is not DICOM",
                    $"The DICOMDIR lists '{Shown(path)}', but that file is not a DICOM Part 10 file.");
            if (!dicomEntries.Contains(path)) missing++;
        }
        if (missing > 0) Warn(warnings, $"The DICOMDIR lists {missing} files that are not in the archive.");
    }

    static DocumentRejectedException BombRatio(string what) => DocumentRejectedException.Invalid("archive-compression-ratio", "Suspicious compression ratio",
        $"{what}, more than the limit (Documents:MaxCompressionRatio). Archives that inflate like this are zip bombs and are refused.");

    /// <summary>Why an entry name must not be used as a path, or null when it is a plain relative path.</summary>
    internal static string? UnsafePath(string name)
    {
        if (name.Any(char.IsControl)) return "control characters in its name";
        var path = name.Replace('\\', '/');
        if (path.StartsWith('/')) return "an absolute path";
        if (path.Length >= 2 && path[1] == ':') return "a drive path";
        if (path.Split('/').Any(s => s == "..")) return "a '..' component that climbs out of the archive";
        return null;
    }

    /// <summary>An entry name as shown in messages: at most 200 characters, no control characters.</summary>
    static string Shown(string name)
    {
        var clean = new string(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length <= 200 ? clean : clean[..200] + "…";
    }

    static void Warn(List<string> warnings, string warning)
    {
        if (warnings.Count < MaxWarnings) warnings.Add(warning);
    }
}

/// <summary>Reads an archive's end-of-central-directory record, so the entry count is known before the directory is parsed.</summary>
internal static class ZipDirectory
{
    public static long EntryCount(Stream stream)
    {
        var length = stream.Length;
        var tail = new byte[(int)Math.Min(length, 65_535 + 22)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        var at = tail.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        if (at < 0 || at + 22 > tail.Length)
            throw DocumentRejectedException.Invalid("archive-damaged", "Damaged ZIP archive",
                "The ZIP archive has no end-of-directory record: it was cut short or is damaged. Upload the complete file.");
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
        if (entries != 0xFFFF || at < 20 || !tail.AsSpan(at - 20, 4).SequenceEqual("PK\u0006\u0007"u8)) return entries;

        // ZIP64: the locator before the record points at the 64-bit record, which holds the real count.
        var record = (long)BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(at - 20 + 8));
        var zip64 = new byte[56];
        if (record < 0 || record + zip64.Length > length) return long.MaxValue;
        stream.Position = record;
        stream.ReadExactly(zip64);
        return zip64.AsSpan(0, 4).SequenceEqual("PK\u0006\u0006"u8) ? (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32)), long.MaxValue) : long.MaxValue;
    }
}

/// <summary>Folds per-instance patient matches into the document's check and a reason naming fields, never values.</summary>
internal static class PatientChecks
{
    public static (PatientCheck Check, string? Reason) Combine(IReadOnlyList<PatientMatchResult> results)
    {
        if (results.Count == 0) return (PatientCheck.NotApplicable, null);
        var mismatched = results.Where(r => r.Outcome == PatientMatchOutcome.Mismatch).ToList();
        if (mismatched.Count > 0)
            return (PatientCheck.Mismatch, Describe(mismatched, results.Count, "do not match the member"));
        var unknown = results.Where(r => r.Outcome == PatientMatchOutcome.Unknown).ToList();
        if (unknown.Count > 0)
            return (PatientCheck.Unknown, Describe(unknown, results.Count, "could not be fully checked"));
        return (PatientCheck.Match, "name and birth date match the member");
    }

    static string Describe(List<PatientMatchResult> some, int total, string what)
    {
        var reasons = string.Join("; ", some.SelectMany(r => r.Reason.Split("; ")).Distinct());
        return total == 1 ? $"{what}: {reasons}" : $"{some.Count} of {total} instances {what}: {reasons}";
    }
}

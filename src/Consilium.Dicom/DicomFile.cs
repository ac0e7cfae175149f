namespace Consilium.Dicom;

/// <summary>
/// Entry points for reading DICOM Part 10 files. All of them stream: pixel data is skipped (seeked over, or
/// read and discarded through a fixed buffer when the stream cannot seek), so memory stays flat whatever the
/// file size. Malformed input raises <see cref="DicomFormatException"/>; I/O failures of the stream itself
/// propagate unchanged. The stream is read from its current position and left open.
/// </summary>
public static class DicomFile
{
    // The last attribute DicomHeader extracts; in HeaderOnly scope nothing after it is looked at.
    private static readonly DicomTag LastHeaderTag = DicomTag.NumberOfFrames;

    public static DicomHeader ReadHeader(string path, DicomReadOptions? options = null)
    {
        using var stream = OpenFile(path);
        return ReadHeader(stream, options);
    }

    public static DicomHeader ReadHeader(Stream stream, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var reader = new DicomElementReader(stream, options);
        var meta = Part10.Open(reader, options);
        var builder = new HeaderBuilder(reader, options);

        while (reader.Read())
        {
            if (reader.Depth != 0)
                continue;
            if (options.Scope == DicomReadScope.HeaderOnly && reader.Tag > LastHeaderTag
                && reader.Token is DicomToken.Element or DicomToken.SequenceStart or DicomToken.FragmentsStart)
            {
                break;
            }
            switch (reader.Token)
            {
                case DicomToken.Element:
                    builder.Accept();
                    break;
                case DicomToken.SequenceStart or DicomToken.FragmentsStart when options.Scope == DicomReadScope.HeaderOnly:
                    reader.SkipSequence();
                    break;
            }
        }
        return builder.Build(meta);
    }

    /// <summary>
    /// Every top-level element, file meta group included, in file order: the listing dcmdump prints without
    /// the sequence contents. Always walks the whole file.
    /// </summary>
    public static IReadOnlyList<DicomElement> ReadElements(Stream stream, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var reader = new DicomElementReader(stream, options);
        var elements = new List<DicomElement>();
        Part10.Open(reader, options, elements.Add);
        var decoder = DicomTextDecoder.Default;

        while (reader.Read())
        {
            if (reader.Depth != 0 || reader.Token is not (DicomToken.Element or DicomToken.SequenceStart or DicomToken.FragmentsStart))
                continue;
            if (elements.Count >= options.MaxElementCount)
            {
                throw reader.Error(DicomFormatError.TooManyElements, reader.TokenOffset,
                    $"more than {options.MaxElementCount} top-level elements");
            }
            uint? length = reader.Length == DicomElementReader.UndefinedLength ? null : reader.Length;
            string? value = null;
            if (reader.Token == DicomToken.Element)
            {
                value = Part10.FormatValue(reader, decoder, options);
                if (reader.Tag == DicomTag.SpecificCharacterSet)
                    decoder = HeaderBuilder.CreateDecoder(reader, value);
            }
            elements.Add(new DicomElement(reader.Tag, reader.VR, reader.TokenOffset, length, value));
        }
        return elements;
    }

    public static IReadOnlyList<DicomElement> ReadElements(string path, DicomReadOptions? options = null)
    {
        using var stream = OpenFile(path);
        return ReadElements(stream, options);
    }

    /// <summary>Reads a DICOMDIR (media storage SOP class 1.2.840.10008.1.3.10); other files are rejected.</summary>
    public static DicomDirectory ReadDirectory(Stream stream, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var reader = new DicomElementReader(stream, options);
        return DicomDirectory.Read(reader, options);
    }

    public static DicomDirectory ReadDirectory(string path, DicomReadOptions? options = null)
    {
        using var stream = OpenFile(path);
        return ReadDirectory(stream, options);
    }

    // The reader does its own buffering, and only reads forward; FileStream's buffer would be a second copy.
    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

    private sealed class HeaderBuilder(DicomElementReader reader, DicomReadOptions options)
    {
        private DicomTextDecoder _decoder = DicomTextDecoder.Default;
        private string? _specificCharacterSet, _patientName, _patientId, _birthDate, _sex, _studyUid, _seriesUid,
            _sopInstanceUid, _sopClassUid, _modality, _studyDate, _studyTime, _studyDescription, _seriesDescription,
            _bodyPart, _accession, _institution, _referringPhysician, _seriesNumber, _instanceNumber, _frames;

        public void Accept()
        {
            // A switch on the tag keeps unwanted values from ever being decoded.
            switch (reader.Tag.Value)
            {
                case 0x00080005:
                    _specificCharacterSet = Read();
                    _decoder = CreateDecoder(reader, _specificCharacterSet);
                    break;
                case 0x00080016: _sopClassUid = Read(); break;
                case 0x00080018: _sopInstanceUid = Read(); break;
                case 0x00080020: _studyDate = Read(); break;
                case 0x00080030: _studyTime = Read(); break;
                case 0x00080050: _accession = Read(); break;
                case 0x00080060: _modality = Read(); break;
                case 0x00080080: _institution = Read(); break;
                case 0x00080090: _referringPhysician = Read(); break;
                case 0x00081030: _studyDescription = Read(); break;
                case 0x0008103E: _seriesDescription = Read(); break;
                case 0x00100010: _patientName = Read(); break;
                case 0x00100020: _patientId = Read(); break;
                case 0x00100030: _birthDate = Read(); break;
                case 0x00100040: _sex = Read(); break;
                case 0x00180015: _bodyPart = Read(); break;
                case 0x0020000D: _studyUid = Read(); break;
                case 0x0020000E: _seriesUid = Read(); break;
                case 0x00200011: _seriesNumber = Read(); break;
                case 0x00200013: _instanceNumber = Read(); break;
                case 0x00280008: _frames = Read(); break;
            }
        }

        private string? Read() => Part10.NullIfEmpty(Part10.ReadString(reader, _decoder, options));

        internal static DicomTextDecoder CreateDecoder(DicomElementReader reader, string? specificCharacterSet)
        {
            var decoder = DicomTextDecoder.FromSpecificCharacterSet(specificCharacterSet);
            if (decoder.UnsupportedReason is { } reason)
                reader.Warn(DicomWarningKind.UnsupportedCharacterSet, reader.TokenOffset, DicomTag.SpecificCharacterSet, reason);
            return decoder;
        }

        public DicomHeader Build(Part10.FileMeta meta) => new()
        {
            TransferSyntaxUid = meta.TransferSyntaxUid,
            MediaStorageSopClassUid = meta.MediaStorageSopClassUid,
            MediaStorageSopInstanceUid = meta.MediaStorageSopInstanceUid,
            HasFileMeta = meta.HasFileMeta,
            SpecificCharacterSet = _specificCharacterSet,
            PatientName = _patientName is null ? null : DicomPersonName.Parse(_patientName),
            PatientId = _patientId,
            PatientBirthDate = _birthDate,
            PatientSex = _sex,
            StudyInstanceUid = _studyUid,
            SeriesInstanceUid = _seriesUid,
            SopInstanceUid = _sopInstanceUid,
            SopClassUid = _sopClassUid,
            Modality = _modality,
            StudyDate = _studyDate,
            StudyTime = _studyTime,
            StudyDescription = _studyDescription,
            SeriesDescription = _seriesDescription,
            BodyPartExamined = _bodyPart,
            AccessionNumber = _accession,
            InstitutionName = _institution,
            ReferringPhysicianName = _referringPhysician is null ? null : DicomPersonName.Parse(_referringPhysician),
            SeriesNumber = ParseInteger(_seriesNumber, DicomTag.SeriesNumber),
            InstanceNumber = ParseInteger(_instanceNumber, DicomTag.InstanceNumber),
            NumberOfFrames = ParseInteger(_frames, DicomTag.NumberOfFrames),
            Warnings = reader.Warnings.ToArray(),
        };

        private int? ParseInteger(string? text, DicomTag tag)
        {
            var value = DicomValue.ParseInteger(text);
            if (text is not null && value is null)
                reader.Warn(DicomWarningKind.Nonconformance, reader.Position, tag, "integer string that is not an integer");
            return value;
        }
    }
}

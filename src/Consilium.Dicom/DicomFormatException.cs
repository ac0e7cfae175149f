namespace Consilium.Dicom;

/// <summary>What is wrong with input that could not be read as DICOM.</summary>
public enum DicomFormatError
{
    /// <summary>No "DICM" prefix at offset 128 (and no raw dataset accepted): a PDF, a text file, a photo...</summary>
    NotDicom,
    /// <summary>The data ends inside an element header, a value or an open sequence.</summary>
    Truncated,
    /// <summary>A declared length runs past the end of the file (only detectable on seekable streams).</summary>
    LengthBeyondEndOfData,
    /// <summary>A declared length runs past the end of the enclosing item or sequence.</summary>
    LengthBeyondContainer,
    /// <summary>The file meta group has no (0002,0010) Transfer Syntax UID, so the dataset cannot be decoded.</summary>
    MissingTransferSyntax,
    /// <summary>The file meta group is not the explicit VR little endian group 0002 it must be.</summary>
    InvalidFileMeta,
    /// <summary>An explicit VR header whose two VR bytes are not letters.</summary>
    InvalidValueRepresentation,
    /// <summary>Undefined length (FFFFFFFF) on an element that cannot have one.</summary>
    InvalidUndefinedLength,
    /// <summary>An item or delimitation tag where none may appear, or something else inside a sequence.</summary>
    UnexpectedDelimiter,
    /// <summary>A non-bulk element longer than <see cref="DicomReadOptions.MaxElementLength"/>.</summary>
    ElementTooLong,
    /// <summary>Sequences nested deeper than <see cref="DicomReadOptions.MaxSequenceDepth"/>.</summary>
    NestingTooDeep,
    /// <summary>More elements or directory records than <see cref="DicomReadOptions.MaxElementCount"/>.</summary>
    TooManyElements,
    /// <summary>The deflated dataset is not valid raw deflate data.</summary>
    InvalidDeflateData,
    /// <summary>The deflated dataset inflates beyond <see cref="DicomReadOptions.MaxInflatedLength"/>.</summary>
    InflatedDataTooLarge,
    /// <summary>A DICOMDIR was expected but the file is another kind of DICOM object.</summary>
    NotADicomDirectory,
}

/// <summary>
/// The input is not DICOM the reader can accept. <see cref="Offset"/> is the byte offset in the file where the
/// problem was found; for a deflated dataset it is the offset in the inflated data (the message says so).
/// </summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException(DicomFormatError error, long offset, string message, Exception? innerException = null)
        : base($"{message} (at byte offset {offset})", innerException)
    {
        Error = error;
        Offset = offset;
        Reason = message;
    }

    public DicomFormatError Error { get; }

    public long Offset { get; }

    /// <summary>The message without the offset suffix.</summary>
    public string Reason { get; }
}

using System.Text.Json;
using Consilium.Dicom;
using Consilium.Features.Cases;
using Consilium.Features.Fhir;
using Consilium.X12;
using Hl7.Fhir.Model;

namespace Consilium.Fuzz;

/// <summary>
/// The fuzz targets. Each takes one input and may reject it only with the reader's documented exception, the one the
/// platform turns into a 4xx naming the problem; any other exception escapes and is a crash. A hang (the time limit of
/// fuzz/run.sh) or an allocation past the heap limit (an OutOfMemoryException, also a crash) is a finding too.
/// This class has no static state: nothing of the instrumented assemblies may run before SharpFuzz has mapped AFL's
/// coverage memory (an instrumented static constructor would write through a null pointer).
/// </summary>
public static class Targets
{
    public static readonly string[] Names = ["x12", "dicom", "fhir"];

    public static Action<byte[]>? For(string name) => name switch
    {
        "x12" => X12,
        "dicom" => Dicom,
        "fhir" => Fhir,
        _ => null,
    };

    /// <summary>
    /// The X12 reader strict and lenient, with and without the claim filter, read through a stream that hands out a few
    /// bytes at a time (segments and the ISA header then straddle buffer refills). Every 837, 278 and 834 event is built
    /// and serialized, so lazily computed properties run too. Allowed: <see cref="X12FormatException"/>.
    /// </summary>
    public static void X12(byte[] input)
    {
        foreach (var options in Setup.X12Modes)
        {
            try
            {
                using var stream = new TrickleStream(input);
                var result = X12Reader.Read(stream, "fuzz.x12", e => JsonSerializer.SerializeToUtf8Bytes(e, e.GetType(), Setup.EventJson), options with { BufferSize = 4096 });
                _ = result.Errors.Select(e => e.ToString()).Count() + result.Warnings.Select(w => w.ToString()).Count();
            }
            catch (X12FormatException e)
            {
                _ = e.Message;
            }
        }
    }

    /// <summary>
    /// The DICOM reader as document intake uses it: the whole-file walk (seekable, and non-seekable as a ZIP entry is),
    /// the DICOMDIR reader, the element list, then the patient check and the study index on what was read. Allowed:
    /// <see cref="DicomFormatException"/>.
    /// </summary>
    public static void Dicom(byte[] input)
    {
        try
        {
            var header = DicomFile.ReadHeader(new MemoryStream(input, writable: false), Setup.WholeFile);
            _ = DicomPatientMatcher.Match(header, "Jordan", "Avery", new DateOnly(1971, 4, 12));
            _ = new DicomStudyIndex().Add(header, "fuzz.dcm");
            _ = header.ToString();
        }
        catch (DicomFormatException) { }
        try
        {
            _ = DicomFile.ReadHeader(new TrickleStream(input), Setup.Small);
        }
        catch (DicomFormatException) { }
        try
        {
            var directory = DicomFile.ReadDirectory(new MemoryStream(input, writable: false), Setup.WholeFile);
            foreach (var record in directory.Records) _ = record.ToString();
        }
        catch (DicomFormatException) { }
        try
        {
            foreach (var element in DicomFile.ReadElements(new MemoryStream(input, writable: false), Setup.Small)) _ = element.ToString();
        }
        catch (DicomFormatException) { }
    }

    /// <summary>
    /// POST /fhir without the database: the strict parse of the body, the transaction checks and the mapping to an intake,
    /// then the intake's own field validation with the errors renamed to FHIR paths as the handler does. Allowed:
    /// <see cref="FhirInputException"/> (a 400, 413, 415 or 422 OperationOutcome).
    /// </summary>
    public static void Fhir(byte[] input)
    {
        try
        {
            var resource = FhirApi.Parse(new MemoryStream(input, writable: false));
            if (resource is not Bundle bundle) return;
            var (key, intake) = FhirReferralHandlers.Read(bundle);
            var errors = new Dictionary<string, string[]>();
            CaseIntake.Create(intake.Questions, intake.Diagnosis?.Codes, intake.Diagnosis?.Text, intake.ProposedTreatment?.Codes, intake.ProposedTreatment?.Text,
                intake.TreatingPhysician?.Name, intake.TreatingPhysician?.Npi, intake.TreatingPhysician?.Organization, intake.TreatingPhysician?.Contact,
                intake.Urgency, intake.PreferredLanguage, intake.StateOfResidence, intake.HeardVia, errors);
            foreach (var field in errors.Keys) _ = FhirReferralHandlers.FhirPath(field);
            _ = ReferralIdentifiers.Parse(key);
        }
        catch (FhirInputException) { }
    }
}

/// <summary>The targets' options, built on first use (after SharpFuzz has set up the coverage map).</summary>
static class Setup
{
    public static readonly JsonSerializerOptions EventJson = new() { IncludeFields = false };

    public static readonly X12ReaderOptions[] X12Modes =
    [
        X12ReaderOptions.Strict,
        X12ReaderOptions.Lenient with { ValidateCounts = false },
        // The filtered path: claims are validated from raw segment copies and replayed through the full parse when a
        // code matches (these prefixes match most codes, so both the dropped and the replayed claims are exercised).
        X12ReaderOptions.Lenient with { ClaimFilter = new ClaimCodeFilter(["99213"], ["M", "S", "Z", "C", "I", "2", "6", "7", "0"]) },
    ];

    public static readonly DicomReadOptions WholeFile = new() { Scope = DicomReadScope.WholeFile };

    /// <summary>Lower limits, raw datasets allowed: the limits themselves are exercised.</summary>
    public static readonly DicomReadOptions Small = new() { Scope = DicomReadScope.WholeFile, MaxInflatedLength = 16 * 1024 * 1024, MaxElementCount = 10_000, AllowRawDataset = true };
}

/// <summary>A read-only, non-seekable stream that returns at most a few bytes per read, as a slow network or a ZIP entry may.</summary>
sealed class TrickleStream(byte[] data) : Stream
{
    int position;
    int turn;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, data.Length - position), 1 + (turn++ * 7919 % 13));
        data.AsSpan(position, n).CopyTo(buffer);
        position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

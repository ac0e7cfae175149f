using Consilium.Infrastructure.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Consilium.Features.Documents;

/// <summary>A stream read once from start to end: it cannot seek or be written, and its position is the bytes read so far.</summary>
internal abstract class ForwardReadStream : Stream
{
    /// <summary>The bytes handed out so far: the stream's position.</summary>
    protected abstract long BytesRead { get; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// The request body as the store reads it: the bytes already read for sniffing, then the rest of the body, cut off with
/// <see cref="DocumentTooLargeException"/> past the upload limit (a body without a declared length is only known to be
/// too large once it is).
/// </summary>
internal sealed class UploadBodyStream(byte[] prefix, int prefixLength, Stream body, long limit) : ForwardReadStream
{
    int _prefixPosition;
    long _total;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPosition < prefixLength) return Count(TakePrefix(buffer));
        return Count(body.Read(buffer));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefixPosition < prefixLength) return Count(TakePrefix(buffer.Span));
        return Count(await body.ReadAsync(buffer, cancellationToken));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    int TakePrefix(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, prefixLength - _prefixPosition);
        prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
        _prefixPosition += n;
        return n;
    }

    int Count(int read)
    {
        _total += read;
        if (_total > limit) throw new DocumentTooLargeException(limit);
        return read;
    }

    protected override long BytesRead => _total;
}

/// <summary>
/// An archive entry as it inflates, held to the size its header declared and to what is left of the archive's
/// budget: a zip bomb that lies about its sizes is stopped after the bytes it announced, not after gigabytes.
/// </summary>
internal sealed class InflationGuardStream(Stream inner, long declared, string entry, Func<long, bool> spend) : ForwardReadStream
{
    long _read;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _read += n;
        if (_read > declared)
            throw DocumentRejectedException.Invalid("archive-size-mismatch", "Archive entry larger than declared",
                $"The archive entry '{entry}' inflates to more than the {declared:N0} bytes its header declares: the archive is damaged or hostile.");
        if (!spend(n))
            throw DocumentRejectedException.Invalid("archive-too-large", "Archive too large when unpacked",
                "The archive inflates past the configured limit (Documents:MaxArchiveUncompressedBytes).");
        return n;
    }

    protected override long BytesRead => _read;

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A <c>multipart/form-data</c> upload (what <c>curl -F file=@scan.pdf</c> and HTML forms send): the first part with a
/// file name is the document, streamed like a raw body; other fields before it are read past and ignored. Framing
/// errors become a 400 naming the problem, never a 500.
/// </summary>
internal static class MultipartUpload
{
    const int MaxFieldsBeforeFile = 16;

    public static bool IsMultipart(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    public static async Task<(Stream Body, string? FileName, string? ContentType)> OpenFileAsync(Stream body, string contentType, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 70)
            throw Malformed("the Content-Type multipart/form-data has no boundary parameter (or one longer than 70 characters)");
        var reader = new MultipartReader(boundary, body);
        try
        {
            for (var fields = 0; fields <= MaxFieldsBeforeFile; fields++)
            {
                var section = await reader.ReadNextSectionAsync(ct)
                    ?? throw Malformed("it has no file part. Send the file as a part with Content-Disposition: form-data; name=\"file\"; filename=\"...\"");
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition()) continue;
                var name = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                return (new MultipartPartStream(section.Body), string.IsNullOrEmpty(name) ? null : name, section.ContentType);
            }
            throw Malformed($"more than {MaxFieldsBeforeFile} fields come before the file part");
        }
        catch (Exception e) when (IsFraming(e))
        {
            throw Malformed("its parts are not framed by the boundary the Content-Type declares (cut short, or a damaged part header)");
        }
    }

    /// <summary>What MultipartReader throws for bad framing: a plain IOException at an unexpected end, InvalidDataException for bad headers.</summary>
    internal static bool IsFraming(Exception e) => e.GetType() == typeof(IOException) || e is InvalidDataException;

    internal static DocumentRejectedException Malformed(string why) =>
        new(400, "multipart-malformed", "Malformed multipart body", $"The multipart/form-data body cannot be read: {why}.");

    /// <summary>The file part's bytes; a part cut off before its closing boundary is a malformed body, not a server error.</summary>
    sealed class MultipartPartStream(Stream inner) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try { return inner.Read(buffer); }
            catch (Exception e) when (IsFraming(e)) { throw Malformed("the file part ends without the closing boundary (the upload was cut short)"); }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try { return await inner.ReadAsync(buffer, cancellationToken); }
            catch (Exception e) when (IsFraming(e)) { throw Malformed("the file part ends without the closing boundary (the upload was cut short)"); }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override long BytesRead => throw new NotSupportedException();
    }
}

using Consilium.Infrastructure.Storage;

namespace Consilium.Features.Documents;

/// <summary>
/// The request body as the store reads it: the bytes already read for sniffing, then the rest of the body, cut off with
/// <see cref="DocumentTooLargeException"/> past the upload limit (a body without a declared length is only known to be
/// too large once it is).
/// </summary>
internal sealed class UploadBodyStream(byte[] prefix, int prefixLength, Stream body, long limit) : Stream
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

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _total; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// An archive entry as it inflates, held to the size its header declared and to what is left of the archive's
/// budget: a zip bomb that lies about its sizes is stopped after the bytes it announced, not after gigabytes.
/// </summary>
internal sealed class InflationGuardStream(Stream inner, long declared, string entry, Func<long, bool> spend) : Stream
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

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

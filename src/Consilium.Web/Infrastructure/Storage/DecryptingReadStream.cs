using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Consilium.Infrastructure.Storage;

/// <summary>
/// Plaintext of a blob, one authenticated chunk at a time. A chunk is decrypted into a private buffer and copied out
/// only after its tag checked, so a caller never sees unauthenticated bytes. Positional reads (no shared file offset)
/// make seeking cheap, which serves HTTP range requests from viewers.
/// </summary>
internal sealed class DecryptingReadStream : Stream
{
    const int TagSize = BlobFormat.TagSize;

    readonly SafeFileHandle _file;
    readonly string _blobId;
    readonly byte[] _idBytes;
    readonly byte[] _noncePrefix;
    readonly int _chunkSize;
    readonly long _chunkCount;
    readonly int _lastSealedLength;
    readonly long _length;
    readonly AesGcm _aes;
    readonly ILogger _logger;
    readonly byte[] _sealed;
    readonly byte[] _plain;
    readonly byte[] _nonce = new byte[BlobFormat.NonceSize];
    readonly byte[] _aad = new byte[BlobFormat.ChunkAadSize];

    long _loadedChunk = -1;
    int _loadedLength;
    long _position;
    bool _disposed;

    DecryptingReadStream(SafeFileHandle file, string blobId, byte[] idBytes, byte[] noncePrefix, int chunkSize, ReadOnlySpan<byte> dataKey,
        long chunkCount, int lastSealedLength, ILogger logger)
    {
        _file = file;
        _blobId = blobId;
        _idBytes = idBytes;
        _noncePrefix = noncePrefix;
        _chunkSize = chunkSize;
        _chunkCount = chunkCount;
        _lastSealedLength = lastSealedLength;
        _length = (chunkCount - 1) * chunkSize + (lastSealedLength - TagSize);
        _aes = new AesGcm(dataKey, TagSize);
        _logger = logger;
        _sealed = new byte[chunkSize + TagSize];
        _plain = new byte[chunkSize];
    }

    /// <summary>
    /// Works out the chunk layout from the file length and authenticates the last chunk, whose final flag proves
    /// that nothing was cut off or appended: after this, <see cref="Length"/> can be trusted.
    /// </summary>
    public static async Task<DecryptingReadStream> OpenAsync(SafeFileHandle file, string blobId, byte[] idBytes, byte[] noncePrefix, int chunkSize,
        byte[] dataKey, ILogger logger, CancellationToken cancellationToken)
    {
        var body = RandomAccess.GetLength(file) - BlobFormat.HeaderSize;
        long stride = chunkSize + TagSize;
        if (body < TagSize)
            throw Invalid(0, "the blob ends before its first chunk");
        var chunkCount = (body + stride - 1) / stride;
        var lastSealed = (int)(body - (chunkCount - 1) * stride);
        if (chunkCount > BlobFormat.MaxChunks)
            throw Invalid(chunkCount - 1, "the blob has more chunks than the format allows");
        if (lastSealed < TagSize)
            throw Invalid(chunkCount - 1, "the last chunk is shorter than its tag");

        var stream = new DecryptingReadStream(file, blobId, idBytes, noncePrefix, chunkSize, dataKey, chunkCount, lastSealed, logger);
        try
        {
            await stream.LoadAsync(chunkCount - 1, cancellationToken);
            return stream;
        }
        catch
        {
            // The caller still owns the handle when opening fails.
            stream._aes.Dispose();
            CryptographicOperations.ZeroMemory(stream._plain);
            throw;
        }

        DocumentIntegrityException Invalid(long chunk, string reason)
        {
            StorageLog.IntegrityFailure(logger, blobId, chunk);
            return new DocumentIntegrityException(blobId, chunk, reason);
        }
    }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => !_disposed;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _length) return 0;
        var chunk = _position / _chunkSize;
        if (chunk != _loadedChunk)
        {
            var sealedLength = SealedLength(chunk);
            var read = 0;
            while (read < sealedLength)
            {
                var n = RandomAccess.Read(_file, _sealed.AsSpan(read, sealedLength - read), ChunkOffset(chunk) + read);
                if (n == 0) break;
                read += n;
            }
            Authenticate(chunk, read);
        }
        return CopyOut(buffer, chunk);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Pooled state machines: one read per chunk awaits I/O, and a 4 GB document has 65,536 chunks.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _length) return 0;
        var chunk = _position / _chunkSize;
        if (chunk != _loadedChunk) await LoadAsync(chunk, cancellationToken);
        return CopyOut(buffer.Span, chunk);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    async ValueTask LoadAsync(long chunk, CancellationToken cancellationToken)
    {
        var read = await DocumentStore.ReadFullyAsync(_file, _sealed.AsMemory(0, SealedLength(chunk)), ChunkOffset(chunk), cancellationToken);
        Authenticate(chunk, read);
    }

    void Authenticate(long chunk, int read)
    {
        _loadedChunk = -1;
        var sealedLength = SealedLength(chunk);
        if (read < sealedLength)
            Fail(chunk, "the file ends inside this chunk");
        var plainLength = sealedLength - TagSize;
        var final = chunk == _chunkCount - 1;
        BlobFormat.ChunkNonce(_nonce, _noncePrefix, chunk);
        BlobFormat.ChunkAad(_aad, _idBytes, chunk, final);
        try
        {
            _aes.Decrypt(_nonce, _sealed.AsSpan(0, plainLength), _sealed.AsSpan(plainLength, TagSize), _plain.AsSpan(0, plainLength), _aad);
        }
        catch (CryptographicException)
        {
            // AesGcm clears the output on a tag mismatch; nothing of this chunk is reachable.
            Fail(chunk, final
                ? "the chunk does not authenticate as the last one (changed, truncated, reordered or extended)"
                : "the chunk does not authenticate (changed, reordered or truncated)");
        }
        _loadedChunk = chunk;
        _loadedLength = plainLength;
    }

    int CopyOut(Span<byte> destination, long chunk)
    {
        var offset = (int)(_position - chunk * _chunkSize);
        var count = Math.Min(destination.Length, _loadedLength - offset);
        _plain.AsSpan(offset, count).CopyTo(destination);
        _position += count;
        return count;
    }

    int SealedLength(long chunk) => chunk == _chunkCount - 1 ? _lastSealedLength : _chunkSize + TagSize;

    long ChunkOffset(long chunk) => BlobFormat.HeaderSize + chunk * (_chunkSize + (long)TagSize);

    void Fail(long chunk, string reason)
    {
        StorageLog.IntegrityFailure(_logger, _blobId, chunk);
        throw new DocumentIntegrityException(_blobId, chunk, reason);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _aes.Dispose();
            _file.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
        }
        base.Dispose(disposing);
    }
}

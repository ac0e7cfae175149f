using System.Security.Cryptography;
using Consilium.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Consilium.Tests.Storage;

/// <summary>A storage root and key directory of its own under the temp folder; the real store on real files.</summary>
internal sealed class TempStorage : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "consilium-tests", "storage-" + Guid.NewGuid().ToString("N"));

    public string Root => Path.Combine(Directory, "files");
    public string KeyDirectory => Path.Combine(Directory, "keys");

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>No keys: the embedded mode, which generates one under <see cref="KeyDirectory"/>.</summary>
    public DocumentStorageOptions Options(long maxDocumentBytes = DocumentStorageOptions.DefaultMaxDocumentBytes) => new()
    {
        Root = Root,
        KeyDirectory = KeyDirectory,
        MaxDocumentBytes = maxDocumentBytes,
    };

    public DocumentStorageOptions Options(string activeKeyId, params (string Id, byte[] Key)[] keys)
    {
        var options = Options();
        options.ActiveMasterKeyId = activeKeyId;
        options.MasterKeys = keys.Select(k => new MasterKeyOptions { Id = k.Id, Key = Convert.ToBase64String(k.Key) }).ToList();
        return options;
    }

    public DocumentStore Store(DocumentStorageOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), Ring(options), NullLogger<DocumentStore>.Instance);

    public DocumentStore Store(string activeKeyId, params (string Id, byte[] Key)[] keys) => Store(Options(activeKeyId, keys));

    public KeyRotation Rotation(DocumentStorageOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), Ring(options), NullLogger<KeyRotation>.Instance);

    public static MasterKeyRing Ring(DocumentStorageOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<MasterKeyRing>.Instance);

    public string PathOf(string blobId) => BlobIds.PathOf(Root, blobId);

    /// <summary>Every file under the root, temporary ones included: what a failed write must not leave behind.</summary>
    public string[] Files() =>
        System.IO.Directory.Exists(Root) ? System.IO.Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray() : [];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>
/// Bytes made up on the fly, like an upload body: not seekable, never held in memory. Optionally fails or runs a
/// callback once it has produced a given number of bytes, and hashes what it produced so tests can compare.
/// </summary>
internal sealed class GeneratedStream(long length) : Stream
{
    // 1 MiB + 7: not a multiple of the chunk size, so no two chunks of a long stream carry the same plaintext.
    static readonly byte[] Pattern = CreatePattern(1024 * 1024 + 7);

    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long _position;

    public long? FailAt { get; init; }
    public Exception? Failure { get; init; }
    public long? CallbackAt { get; init; }
    public Action? Callback { get; set; }

    public string Sha256 => Convert.ToHexStringLower(_hash.GetCurrentHash());

    /// <summary>What the stream produces at <paramref name="offset"/>.</summary>
    public static void Expected(long offset, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++) destination[i] = Pattern[(offset + i) % Pattern.Length];
    }

    static byte[] CreatePattern(int size)
    {
        var bytes = new byte[size];
        new Random(20261124).NextBytes(bytes);
        return bytes;
    }

    public override int Read(Span<byte> buffer)
    {
        if (FailAt is { } failAt && _position >= failAt) throw Failure ?? new IOException("generated failure");
        if (CallbackAt is { } at && _position >= at)
        {
            Callback?.Invoke();
            Callback = null;
        }
        var count = (int)Math.Min(buffer.Length, length - _position);
        var written = 0;
        while (written < count)
        {
            var start = (int)((_position + written) % Pattern.Length);
            var n = Math.Min(count - written, Pattern.Length - start);
            Pattern.AsSpan(start, n).CopyTo(buffer[written..]);
            written += n;
        }
        _hash.AppendData(buffer[..count]);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

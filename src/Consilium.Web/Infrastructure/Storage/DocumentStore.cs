using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Consilium.Infrastructure.Storage;

/// <summary>Encrypted, streaming storage for members' documents. Format and key handling: docs/adr/0007-document-encryption.md.</summary>
internal interface IDocumentStore
{
    /// <summary>
    /// Streams <paramref name="plaintext"/> into a new blob and returns its random id, plaintext length and SHA-256.
    /// Throws <see cref="DocumentTooLargeException"/> past the configured limit. On any failure nothing is left behind.
    /// </summary>
    Task<StoredBlob> WriteAsync(Stream plaintext, CancellationToken cancellationToken);

    /// <summary>
    /// A seekable stream of the plaintext, decrypted and authenticated one chunk at a time. Opening checks the header and
    /// the last chunk (so <see cref="Stream.Length"/> is authentic); a bad chunk throws
    /// <see cref="DocumentIntegrityException"/> before any of its bytes are returned.
    /// </summary>
    Task<Stream> OpenReadAsync(string blobId, CancellationToken cancellationToken);

    /// <summary>True when the blob existed and is now gone.</summary>
    Task<bool> DeleteAsync(string blobId, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string blobId, CancellationToken cancellationToken);
}

/// <summary>What the caller records: the blob's id, the plaintext length and its SHA-256 (lowercase hex).</summary>
internal sealed record StoredBlob(string Id, long Length, string Sha256);

/// <summary>Blob ids are 128 random bits in lowercase hex; anything else is refused before it gets near a path.</summary>
internal static class BlobIds
{
    public const int Length = BlobFormat.IdSize * 2;
    public const string FileExtension = ".blob";

    public static string New(Span<byte> raw)
    {
        RandomNumberGenerator.Fill(raw);
        return Convert.ToHexStringLower(raw);
    }

    public static bool IsValid(string? id) => id is { Length: Length } && !id.AsSpan().ContainsAnyExcept("0123456789abcdef");

    public static byte[] Parse(string? id) =>
        IsValid(id) ? Convert.FromHexString(id!) : throw new ArgumentException("A blob id is 32 lowercase hexadecimal characters.", nameof(id));

    /// <summary>Two hex characters of fan-out keep directories small when there are millions of blobs.</summary>
    public static string PathOf(string root, string id) => Path.Combine(root, id[..2], id + FileExtension);
}

internal sealed partial class DocumentStore(IOptions<DocumentStorageOptions> options, MasterKeyRing keys, ILogger<DocumentStore> logger) : IDocumentStore
{
    const int ChunkSize = BlobFormat.ChunkSize;
    const int HeaderReadAttempts = 2;

    readonly string _root = options.Value.FullRoot;
    readonly long _limit = options.Value.MaxDocumentBytes;

    public async Task<StoredBlob> WriteAsync(Stream plaintext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        long? declared = plaintext.CanSeek ? plaintext.Length - plaintext.Position : null;
        if (declared > _limit) throw new DocumentTooLargeException(_limit);

        var idBytes = new byte[BlobFormat.IdSize];
        var id = BlobIds.New(idBytes);
        var path = BlobIds.PathOf(_root, id);
        var directory = Path.GetDirectoryName(path)!;
        // A fixed name per id: ids are random, and rotation enumerates only *.blob, so it never sees a half-written file.
        var temp = path + ".tmp";
        MasterKeyRing.CreatePrivateDirectory(_root);
        MasterKeyRing.CreatePrivateDirectory(directory);

        var masterKey = keys.Active;
        var dataKey = RandomNumberGenerator.GetBytes(BlobFormat.KeySize);
        var header = new byte[BlobFormat.HeaderSize];
        BlobFormat.WriteFixed(header, idBytes, ChunkSize, RandomNumberGenerator.GetBytes(BlobFormat.NoncePrefixSize));
        BlobFormat.WriteSlot(header, 0, generation: 1, masterKey, dataKey);

        FileStream? file = null;
        var renamed = false;
        try
        {
            var fileOptions = MasterKeyRing.PrivateFile(FileMode.CreateNew);
            fileOptions.BufferSize = 0; // whole chunks go straight to the file; a FileStream buffer would only copy them
            // Reserving the space up front turns a full disk into an immediate error instead of one after gigabytes.
            if (declared is { } known) fileOptions.PreallocationSize = EncryptedLength(known);
            file = new FileStream(temp, fileOptions);
            await file.WriteAsync(header, cancellationToken);
            var (length, sha256) = await EncryptAsync(plaintext, file, dataKey, idBytes, BlobFormat.NoncePrefix(header).ToArray(), cancellationToken);
            file.Flush(flushToDisk: true);
            await file.DisposeAsync();
            file = null;

            File.Move(temp, path);
            renamed = true;
            DurableFiles.FlushDirectory(directory);
            LogWritten(logger, id, length, masterKey.Id);
            return new StoredBlob(id, length, sha256);
        }
        catch (Exception e)
        {
            if (file is not null)
            {
                try { await file.DisposeAsync(); }
                catch (IOException) { } // the temporary file is deleted below whatever its state
            }
            TryDelete(temp);
            if (renamed) TryDelete(path); // a rename that cannot be made durable is not reported as stored
            if (e is IOException io && e is not StorageFullException && IsOutOfSpace(io, declared)) throw new StorageFullException(io);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    async Task<(long Length, string Sha256)> EncryptAsync(
        Stream input, FileStream output, byte[] dataKey, byte[] idBytes, byte[] noncePrefix, CancellationToken cancellationToken)
    {
        // Two plaintext buffers: a chunk is final only once a read past it hits the end, so the next one is read first.
        var current = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkSize + BlobFormat.TagSize];
        var nonce = new byte[BlobFormat.NonceSize];
        var aad = new byte[BlobFormat.ChunkAadSize];
        using var aes = new AesGcm(dataKey, BlobFormat.TagSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            long total = 0;
            var count = await FillAsync(input, current, cancellationToken);
            for (long chunk = 0; ; chunk++)
            {
                var lookahead = count == ChunkSize ? await FillAsync(input, next, cancellationToken) : 0;
                if (total + count + lookahead > _limit) throw new DocumentTooLargeException(_limit);
                var final = lookahead == 0;
                total += count;
                hash.AppendData(current, 0, count);
                BlobFormat.ChunkNonce(nonce, noncePrefix, chunk);
                BlobFormat.ChunkAad(aad, idBytes, chunk, final);
                aes.Encrypt(nonce, current.AsSpan(0, count), sealedChunk.AsSpan(0, count), sealedChunk.AsSpan(count, BlobFormat.TagSize), aad);
                await output.WriteAsync(sealedChunk.AsMemory(0, count + BlobFormat.TagSize), cancellationToken);
                if (final) return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
                (current, next) = (next, current);
                count = lookahead;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(current);
            CryptographicOperations.ZeroMemory(next);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    static async ValueTask<int> FillAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    /// <summary>
    /// ENOSPC or EDQUOT from a write; or a failed reservation (its IOException carries no error code) when the volume
    /// indeed has less room than was asked for.
    /// </summary>
    bool IsOutOfSpace(IOException e, long? declared)
    {
        if (e.HResult is 28 or 122) return true;
        if (declared is not { } known) return false;
        try { return new DriveInfo(_root).AvailableFreeSpace < EncryptedLength(known); }
        catch (IOException) { return false; }
    }

    static long EncryptedLength(long plaintextLength)
    {
        var chunks = Math.Max(1, (plaintextLength + ChunkSize - 1) / ChunkSize);
        return BlobFormat.HeaderSize + plaintextLength + chunks * BlobFormat.TagSize;
    }

    public async Task<Stream> OpenReadAsync(string blobId, CancellationToken cancellationToken)
    {
        var idBytes = BlobIds.Parse(blobId);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(BlobIds.PathOf(_root, blobId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Document blob {blobId} does not exist.", e);
        }

        var dataKey = new byte[BlobFormat.KeySize];
        try
        {
            var header = new byte[BlobFormat.HeaderSize];
            var unlocked = await ReadHeaderAsync(handle, blobId, idBytes, header, dataKey, keys, cancellationToken);
            return await DecryptingReadStream.OpenAsync(
                handle, blobId, idBytes, BlobFormat.NoncePrefix(header).ToArray(), unlocked.ChunkSize, dataKey, logger, cancellationToken);
        }
        catch (Exception e)
        {
            handle.Dispose();
            // Chunk failures were logged where they were found.
            if (e is DocumentIntegrityException { Chunk: null }) StorageLog.IntegrityFailure(logger, blobId, null);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Reads and unlocks the header. A header that does not authenticate is read once more after a pause: a concurrent
    /// key rotation writes the spare slot, flushes, then clears the old one, so a read that straddled both writes (and
    /// saw a torn new slot beside a cleared old one) is transient.
    /// </summary>
    internal static async Task<UnlockedHeader> ReadHeaderAsync(
        SafeFileHandle handle, string blobId, byte[] idBytes, byte[] header, byte[] dataKey, MasterKeyRing keys, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var read = await ReadFullyAsync(handle, header, 0, cancellationToken);
            if (read < BlobFormat.HeaderSize)
                throw new DocumentIntegrityException(blobId, null, $"the file is shorter ({read} bytes) than a header");
            try
            {
                return Unlock(header, blobId, idBytes, keys, dataKey);
            }
            catch (DocumentIntegrityException) when (attempt < HeaderReadAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Finds a key slot that authenticates, newest generation first. Unknown keys and changed headers are told apart
    /// so an operator sees "configure key X" rather than "tampering" when a key is missing.
    /// </summary>
    internal static UnlockedHeader Unlock(ReadOnlySpan<byte> header, string blobId, ReadOnlySpan<byte> idBytes, MasterKeyRing keys, Span<byte> dataKey)
    {
        var chunkSize = BlobFormat.ReadFixed(header, blobId, idBytes);
        var slots = new[] { BlobFormat.ReadSlot(header, 0), BlobFormat.ReadSlot(header, 1) };
        string? missing = null, different = null;
        var forged = false;
        foreach (var slot in slots.Where(s => !s.Empty).OrderByDescending(s => s.Generation))
        {
            if (slot.KeyId is null) forged = true;
            else if (!keys.TryGet(slot.KeyId, out var key)) missing ??= slot.KeyId;
            else if (!key.CheckValue.AsSpan().SequenceEqual(slot.CheckValue)) different ??= slot.KeyId;
            else if (BlobFormat.TryUnwrap(header, slot.Index, key, dataKey))
                return new UnlockedHeader(chunkSize, slot, slots[1 - slot.Index]);
            else forged = true;
        }
        if (forged || (missing is null && different is null))
            throw new DocumentIntegrityException(blobId, null, "no key slot authenticates; the header was changed");
        if (different is not null)
            throw new DocumentKeyException(blobId, different,
                $"Document blob {blobId} is wrapped with master key '{different}', but the configured key with that id is different key material.");
        throw new DocumentKeyException(blobId, missing!,
            $"Document blob {blobId} is wrapped with master key '{missing}', which is not configured (configured: {string.Join(", ", keys.Ids)}).");
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<int> ReadFullyAsync(SafeFileHandle handle, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer[filled..], offset + filled, cancellationToken);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    public Task<bool> DeleteAsync(string blobId, CancellationToken cancellationToken)
    {
        BlobIds.Parse(blobId);
        var path = BlobIds.PathOf(_root, blobId);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        DurableFiles.FlushDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult(true);
    }

    public Task<bool> ExistsAsync(string blobId, CancellationToken cancellationToken)
    {
        BlobIds.Parse(blobId);
        return Task.FromResult(File.Exists(BlobIds.PathOf(_root, blobId)));
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort while another failure is already on its way to the caller.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document blob {BlobId} stored: {Length} bytes, data key wrapped with {KeyId}")]
    static partial void LogWritten(ILogger logger, string blobId, long length, string keyId);
}

internal sealed record UnlockedHeader(int ChunkSize, KeySlot Active, KeySlot Other);

internal static partial class StorageLog
{
    public static void IntegrityFailure(ILogger logger, string blobId, long? chunk)
    {
        if (chunk is { } c) LogChunkFailure(logger, blobId, c);
        else LogHeaderFailure(logger, blobId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document blob {BlobId} failed authentication at chunk {Chunk}")]
    static partial void LogChunkFailure(ILogger logger, string blobId, long chunk);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document blob {BlobId} failed authentication in its header")]
    static partial void LogHeaderFailure(ILogger logger, string blobId);
}

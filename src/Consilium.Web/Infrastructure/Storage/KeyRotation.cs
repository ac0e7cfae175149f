using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Consilium.Infrastructure.Storage;

/// <summary>Re-wraps every blob's data key under another master key; the chunk bodies are never read or written.</summary>
internal interface IKeyRotation
{
    /// <summary>
    /// Safe while the server reads and writes: each header changes by two ordered, flushed slot writes, so a reader
    /// always finds a slot that works. Idempotent: run it again until <see cref="KeyRotationResult.Rewrapped"/> is 0
    /// and <see cref="KeyRotationResult.Failed"/> is 0 before removing the old key.
    /// </summary>
    Task<KeyRotationResult> RotateAsync(string newKeyId, IProgress<KeyRotationProgress>? progress, CancellationToken cancellationToken);
}

internal sealed record KeyRotationProgress(long Examined, long Rewrapped, long AlreadyCurrent, long Failed);

/// <summary><see cref="Failures"/> keeps the first <see cref="KeyRotation.MaxListedFailures"/>; <see cref="Failed"/> counts all.</summary>
internal sealed record KeyRotationResult(string KeyId, long Examined, long Rewrapped, long AlreadyCurrent, long Failed, IReadOnlyList<KeyRotationFailure> Failures);

internal sealed record KeyRotationFailure(string BlobId, string Reason);

internal sealed partial class KeyRotation(IOptions<DocumentStorageOptions> options, MasterKeyRing keys, ILogger<KeyRotation> logger) : IKeyRotation
{
    public const int MaxListedFailures = 1000;

    readonly string _root = options.Value.FullRoot;

    public async Task<KeyRotationResult> RotateAsync(string newKeyId, IProgress<KeyRotationProgress>? progress, CancellationToken cancellationToken)
    {
        if (!keys.TryGet(newKeyId, out var newKey))
            throw new ArgumentException(
                $"Master key '{newKeyId}' is not configured; add it to {DocumentStorageOptions.Section}:MasterKeys first (configured: {string.Join(", ", keys.Ids)}).",
                nameof(newKeyId));

        long examined = 0, rewrapped = 0, current = 0, failed = 0;
        var failures = new List<KeyRotationFailure>();
        if (!Directory.Exists(_root)) return new KeyRotationResult(newKeyId, 0, 0, 0, 0, failures);

        using var exclusive = AcquireRotationLock();
        foreach (var (blobId, path) in Blobs())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await RewrapAsync(blobId, path, newKey, cancellationToken)) rewrapped++;
                else current++;
            }
            catch (FileNotFoundException)
            {
                continue; // deleted since it was listed
            }
            catch (Exception e) when (e is DocumentIntegrityException or DocumentKeyException or IOException or UnauthorizedAccessException)
            {
                failed++;
                if (failures.Count < MaxListedFailures) failures.Add(new KeyRotationFailure(blobId, e.Message));
                LogBlobFailed(logger, blobId, e.GetType().Name);
            }
            examined++;
            progress?.Report(new KeyRotationProgress(examined, rewrapped, current, failed));
        }
        LogRotated(logger, newKeyId, examined, rewrapped, current, failed);
        return new KeyRotationResult(newKeyId, examined, rewrapped, current, failed, failures);
    }

    /// <summary>
    /// Writes the new wrap into the spare slot, flushes, checks it reads back, then clears the old slot and flushes.
    /// At every instant one slot on disk unwraps the data key, whatever happens to the process or the machine.
    /// </summary>
    async Task<bool> RewrapAsync(string blobId, string path, MasterKey newKey, CancellationToken cancellationToken)
    {
        var idBytes = BlobIds.Parse(blobId);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var header = new byte[BlobFormat.HeaderSize];
        var dataKey = new byte[BlobFormat.KeySize];
        var check = new byte[BlobFormat.KeySize];
        try
        {
            var unlocked = await DocumentStore.ReadHeaderAsync(file, blobId, idBytes, header, dataKey, keys, cancellationToken);
            var onNewKey = unlocked.Active.KeyId == newKey.Id;
            if (onNewKey && unlocked.Other.Empty) return false;

            var keep = unlocked.Active.Index;
            if (!onNewKey)
            {
                keep = unlocked.Other.Index;
                BlobFormat.WriteSlot(header, keep, unlocked.Active.Generation + 1, newKey, dataKey);
                WriteSlot(file, header, keep);
                // Read back through the file system before the old slot goes: it may be the only working copy.
                var reread = new byte[BlobFormat.HeaderSize];
                await DocumentStore.ReadFullyAsync(file, reread, 0, CancellationToken.None);
                if (!BlobFormat.TryUnwrap(reread, keep, newKey, check) || !CryptographicOperations.FixedTimeEquals(check, dataKey))
                    throw new IOException($"The re-wrapped key slot of document blob {blobId} did not read back; the old slot was kept.");
            }
            var clear = 1 - keep;
            header.AsSpan(BlobFormat.SlotOffset(clear), BlobFormat.SlotSize).Clear();
            WriteSlot(file, header, clear);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(check);
        }
    }

    static void WriteSlot(SafeFileHandle file, byte[] header, int slot)
    {
        var offset = BlobFormat.SlotOffset(slot);
        RandomAccess.Write(file, header.AsSpan(offset, BlobFormat.SlotSize), offset);
        RandomAccess.FlushToDisk(file);
    }

    IEnumerable<(string BlobId, string Path)> Blobs()
    {
        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            var fanOut = Path.GetFileName(directory);
            foreach (var path in Directory.EnumerateFiles(directory, "*" + BlobIds.FileExtension))
            {
                var id = Path.GetFileNameWithoutExtension(path);
                if (BlobIds.IsValid(id) && id.StartsWith(fanOut, StringComparison.Ordinal)) yield return (id, path);
            }
        }
    }

    /// <summary>One rotation at a time per storage root, across processes (the server and `./consilium keys rotate`).</summary>
    FileStream AcquireRotationLock()
    {
        try
        {
            return new FileStream(Path.Combine(_root, ".rotation.lock"), MasterKeyRing.PrivateFile(FileMode.OpenOrCreate));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Another key rotation is running on {_root}.", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key rotation could not re-wrap document blob {BlobId}: {ExceptionType}")]
    static partial void LogBlobFailed(ILogger logger, string blobId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Key rotation to {KeyId}: {Examined} blobs examined, {Rewrapped} re-wrapped, {Current} already current, {Failed} failed")]
    static partial void LogRotated(ILogger logger, string keyId, long examined, long rewrapped, long current, long failed);
}

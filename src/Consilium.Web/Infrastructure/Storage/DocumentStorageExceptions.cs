namespace Consilium.Infrastructure.Storage;

/// <summary>
/// A blob failed authentication: changed, truncated, extended, reordered or not a blob at all. Thrown before any
/// plaintext of the failing chunk is returned. <see cref="Chunk"/> is null when the header itself is at fault.
/// </summary>
internal sealed class DocumentIntegrityException(string blobId, long? chunk, string reason)
    : Exception(chunk is { } c
        ? $"Document blob {blobId} failed its integrity check at chunk {c}: {reason}."
        : $"Document blob {blobId} failed its integrity check in its header: {reason}.")
{
    public string BlobId { get; } = blobId;
    public long? Chunk { get; } = chunk;
}

/// <summary>The blob's data key is wrapped with a master key this process does not have, or has different material for.</summary>
internal sealed class DocumentKeyException(string blobId, string keyId, string message) : Exception(message)
{
    public string BlobId { get; } = blobId;
    public string KeyId { get; } = keyId;
}

/// <summary>A write passed <see cref="DocumentStorageOptions.MaxDocumentBytes"/>; nothing was stored. Callers answer 413.</summary>
internal sealed class DocumentTooLargeException(long limitBytes)
    : Exception($"The document is larger than the limit of {limitBytes} bytes; nothing was stored.")
{
    public long LimitBytes { get; } = limitBytes;
}

/// <summary>The storage path has no room for the blob (ENOSPC, a quota, or space that could not be reserved); nothing was stored. Callers answer 507.</summary>
internal sealed class StorageFullException(IOException inner)
    : IOException("The document storage is full; nothing was stored.", inner);

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Consilium.Infrastructure.Storage;

/// <summary>
/// Layout of a blob file (format 1). All integers little endian. docs/adr/0007-document-encryption.md explains why.
/// <code>
/// header, 512 bytes
///   fixed part, 128 bytes, written once
///     0   6  magic "CSLDOC"
///     6   2  format version (1)
///     8   4  header size (512)
///     12  4  plaintext chunk size C
///     16  16 blob id (the 128 random bits the file is named after)
///     32  8  nonce prefix (random per file)
///     40  88 zero
///   key slot 0 at 128 and key slot 1 at 320, 192 bytes each; an unused slot is all zero
///     0   4  generation (≥ 1; the higher valid slot wins)
///     4   1  master key id length n (1..64)
///     5   64 master key id, UTF-8, zero padded
///     69  16 master key check value (HMAC-SHA256(master key, label), first 16 bytes)
///     85  47 zero
///     132 12 wrap nonce (random)
///     144 32 data key, AES-256-GCM encrypted under the master key
///     176 16 wrap tag; associated data = fixed part ‖ slot bytes 0..132
/// chunks from offset 512: each is AES-256-GCM ciphertext of C plaintext bytes (the last one 0..C) followed by its tag
///   nonce = nonce prefix ‖ chunk index (uint32 big endian)
///   associated data = blob id ‖ chunk index (uint64) ‖ final flag (1 byte)
/// </code>
/// The file length alone gives the chunk count: every chunk but the last is exactly C + 16 bytes.
/// </summary>
internal static class BlobFormat
{
    public const ushort Version = 1;
    public const int HeaderSize = 512;
    public const int FixedSize = 128;
    public const int SlotSize = 192;
    public const int ChunkSize = 64 * 1024;
    public const int TagSize = 16;
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int NoncePrefixSize = 8;
    public const int IdSize = 16;
    public const int MaxKeyIdBytes = 64;
    public const int ChunkAadSize = IdSize + 8 + 1;

    // A chunk index must fit the nonce's 32-bit counter.
    public const long MaxChunks = 1L << 32;

    // Readers accept any chunk size in this range so the writer's choice can change without a new format version.
    public const int MinChunkSize = 4 * 1024;
    public const int MaxChunkSize = 16 * 1024 * 1024;

    static ReadOnlySpan<byte> Magic => "CSLDOC"u8;
    static ReadOnlySpan<byte> CheckLabel => "Consilium document master key check v1"u8;

    const int SlotMetaSize = 132;
    const int SlotNonceOffset = 132;
    const int SlotWrappedOffset = 144;
    const int SlotTagOffset = 176;

    public static int SlotOffset(int slot) => FixedSize + slot * SlotSize;

    public static void WriteFixed(Span<byte> header, ReadOnlySpan<byte> blobId, int chunkSize, ReadOnlySpan<byte> noncePrefix)
    {
        header[..FixedSize].Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)chunkSize);
        blobId.CopyTo(header[16..]);
        noncePrefix.CopyTo(header[32..]);
    }

    /// <summary>Checks the fixed part and returns the chunk size. Nothing here is trusted until a slot authenticates it.</summary>
    public static int ReadFixed(ReadOnlySpan<byte> header, string blobId, ReadOnlySpan<byte> expectedId)
    {
        if (!header[..Magic.Length].SequenceEqual(Magic))
            throw new DocumentIntegrityException(blobId, null, "the file does not start with a Consilium document header");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        if (version != Version)
            throw new DocumentIntegrityException(blobId, null, $"the header declares format version {version}; this build reads version {Version}");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != HeaderSize)
            throw new DocumentIntegrityException(blobId, null, "the header declares a wrong header size");
        var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (chunkSize is < MinChunkSize or > MaxChunkSize)
            throw new DocumentIntegrityException(blobId, null, $"the header declares an impossible chunk size ({chunkSize})");
        if (!header.Slice(16, IdSize).SequenceEqual(expectedId))
            throw new DocumentIntegrityException(blobId, null, "the header belongs to a different blob");
        return (int)chunkSize;
    }

    public static ReadOnlySpan<byte> NoncePrefix(ReadOnlySpan<byte> header) => header.Slice(32, NoncePrefixSize);

    public static byte[] CheckValue(ReadOnlySpan<byte> masterKey) => HMACSHA256.HashData(masterKey, CheckLabel)[..16];

    public static KeySlot ReadSlot(ReadOnlySpan<byte> header, int slot)
    {
        var s = header.Slice(SlotOffset(slot), SlotSize);
        if (!s.ContainsAnyExcept((byte)0)) return new KeySlot(slot, Empty: true, 0, null, []);
        var generation = BinaryPrimitives.ReadUInt32LittleEndian(s);
        int idLength = s[4];
        var keyId = idLength is >= 1 and <= MaxKeyIdBytes ? Encoding.UTF8.GetString(s.Slice(5, idLength)) : null;
        return new KeySlot(slot, Empty: false, generation, keyId, s.Slice(69, 16).ToArray());
    }

    /// <summary>Fills <paramref name="slot"/> of the header with <paramref name="dataKey"/> wrapped under the master key.</summary>
    public static void WriteSlot(Span<byte> header, int slot, uint generation, MasterKey masterKey, ReadOnlySpan<byte> dataKey)
    {
        var s = header.Slice(SlotOffset(slot), SlotSize);
        s.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(s, generation);
        var idLength = Encoding.UTF8.GetBytes(masterKey.Id, s.Slice(5, MaxKeyIdBytes));
        s[4] = (byte)idLength;
        masterKey.CheckValue.CopyTo(s[69..]);
        RandomNumberGenerator.Fill(s.Slice(SlotNonceOffset, NonceSize));

        Span<byte> aad = stackalloc byte[FixedSize + SlotMetaSize];
        header[..FixedSize].CopyTo(aad);
        s[..SlotMetaSize].CopyTo(aad[FixedSize..]);
        using var aes = new AesGcm(masterKey.Material, TagSize);
        aes.Encrypt(s.Slice(SlotNonceOffset, NonceSize), dataKey, s.Slice(SlotWrappedOffset, KeySize), s.Slice(SlotTagOffset, TagSize), aad);
    }

    /// <summary>False when the slot does not authenticate under <paramref name="masterKey"/>: a changed header or a torn slot.</summary>
    public static bool TryUnwrap(ReadOnlySpan<byte> header, int slot, MasterKey masterKey, Span<byte> dataKey)
    {
        var s = header.Slice(SlotOffset(slot), SlotSize);
        Span<byte> aad = stackalloc byte[FixedSize + SlotMetaSize];
        header[..FixedSize].CopyTo(aad);
        s[..SlotMetaSize].CopyTo(aad[FixedSize..]);
        using var aes = new AesGcm(masterKey.Material, TagSize);
        try
        {
            aes.Decrypt(s.Slice(SlotNonceOffset, NonceSize), s.Slice(SlotWrappedOffset, KeySize), s.Slice(SlotTagOffset, TagSize), dataKey, aad);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public static void ChunkNonce(Span<byte> nonce, ReadOnlySpan<byte> prefix, long chunk)
    {
        prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], checked((uint)chunk));
    }

    public static void ChunkAad(Span<byte> aad, ReadOnlySpan<byte> blobId, long chunk, bool final)
    {
        blobId.CopyTo(aad);
        BinaryPrimitives.WriteUInt64LittleEndian(aad[IdSize..], (ulong)chunk);
        aad[IdSize + 8] = final ? (byte)1 : (byte)0;
    }
}

/// <summary>What a key slot claims about itself; none of it is trusted until the slot authenticates.</summary>
internal sealed record KeySlot(int Index, bool Empty, uint Generation, string? KeyId, byte[] CheckValue);

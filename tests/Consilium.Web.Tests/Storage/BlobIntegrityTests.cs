using System.Security.Cryptography;
using Consilium.Infrastructure.Storage;

namespace Consilium.Tests.Storage;

/// <summary>
/// Changes made to a stored blob behind the store's back. Each one must end in an exception naming the blob and the
/// chunk, and no byte of a chunk that failed may reach the caller.
/// </summary>
public sealed class BlobIntegrityTests : IDisposable
{
    const int Chunk = BlobFormat.ChunkSize;
    const int Sealed = Chunk + BlobFormat.TagSize;
    const int Header = BlobFormat.HeaderSize;

    // Four chunks: three full, the last 1000 bytes.
    static readonly byte[] Plaintext = RandomNumberGenerator.GetBytes(3 * Chunk + 1000);

    readonly TempStorage _storage = new();
    readonly DocumentStore _store;

    public BlobIntegrityTests() => _store = _storage.Store("k1", ("k1", TempStorage.NewKey()));

    public void Dispose() => _storage.Dispose();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Untouched_ReadsBack()
    {
        var id = await WriteAsync();

        var (read, error) = await ReadAllAsync(id);

        Assert.Null(error);
        Assert.Equal(Plaintext, read);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 100)]
    [InlineData(2, Chunk)]       // in the tag
    [InlineData(2, Sealed - 1)]  // last byte of the tag
    public async Task OneFlippedBitInAChunk_FailsAtThatChunk_AfterOnlyTheChunksBeforeIt(int chunk, int offsetInChunk)
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes[Header + chunk * Sealed + offsetInChunk] ^= 0x01);

        var (read, error) = await ReadAllAsync(id);

        Assert.Equal((id, (long?)chunk), (error!.BlobId, error.Chunk));
        Assert.Contains(id, error.Message, StringComparison.Ordinal);
        Assert.Contains($"chunk {chunk}", error.Message, StringComparison.Ordinal);
        Assert.Equal(Plaintext[..(chunk * Chunk)], read);
    }

    [Fact]
    public async Task OneFlippedBitInTheLastChunk_FailsOnOpen()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes[^1] ^= 0x80);

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Equal(3, error.Chunk);
    }

    [Fact]
    public async Task LastChunkCutOff_TheNewLastChunkWasNotWrittenAsFinal_FailsOnOpen()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes[..(Header + 3 * Sealed)]);

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Equal(2, error.Chunk);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)]
    [InlineData(1000 + BlobFormat.TagSize - 1)]  // all that is left of the last chunk is less than a tag
    public async Task TruncatedInsideTheLastChunk_FailsOnOpen(int bytesCut)
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes[..^bytesCut]);

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Equal(3, error.Chunk);
    }

    [Fact]
    public async Task TruncatedToTheHeader_FailsOnOpen()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes[..Header]);

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Equal(0, error.Chunk);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(Header - 1)]
    public async Task TruncatedInsideTheHeader_FailsOnOpenNamingTheHeader(int length)
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes[..length]);

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Null(error.Chunk);
        Assert.Contains("header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoChunksSwapped_FailsAtTheFirstOfThem()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes =>
        {
            var first = bytes.AsSpan(Header, Sealed).ToArray();
            bytes.AsSpan(Header + Sealed, Sealed).CopyTo(bytes.AsSpan(Header));
            first.CopyTo(bytes.AsSpan(Header + Sealed));
        });

        var (read, error) = await ReadAllAsync(id);

        Assert.Equal(0, error!.Chunk);
        Assert.Empty(read);
    }

    [Fact]
    public async Task ACopyOfAChunkAppended_FailsOnOpen()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => [.. bytes, .. bytes.AsSpan(Header + Sealed, Sealed)]);

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Equal(4, error.Chunk);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(BlobFormat.TagSize)]
    [InlineData(Sealed)]
    public async Task BytesAppended_FailsOnOpen(int count)
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => [.. bytes, .. RandomNumberGenerator.GetBytes(count)]);

        await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));
    }

    [Fact]
    public async Task SingleChunkBlobExtendedByAnotherBlobsLastChunk_FailsBecauseItsOwnChunkWasFinal()
    {
        var small = await WriteAsync([1, 2, 3]);
        var other = await WriteAsync([4, 5, 6]);
        var otherBytes = await File.ReadAllBytesAsync(_storage.PathOf(other), Ct);
        await ModifyAsync(small, bytes => [.. bytes, .. otherBytes.AsSpan(Header)]);

        var (read, error) = await ReadAllAsync(small, expectOpenFailure: true);

        Assert.NotNull(error);
        Assert.Empty(read);
    }

    [Fact]
    public async Task AnotherBlobsFileUnderThisId_FailsNamingTheHeader()
    {
        var original = await WriteAsync();
        var forged = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Directory.CreateDirectory(Path.GetDirectoryName(_storage.PathOf(forged))!);
        File.Copy(_storage.PathOf(original), _storage.PathOf(forged));

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(forged, Ct));

        Assert.Equal((forged, (long?)null), (error.BlobId, error.Chunk));
        Assert.Contains("different blob", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every byte of the fixed part and of the slot in use. The key id and check value pick the key, so changing them
    /// reads as "that key is not here"; every other change is an integrity failure.
    /// </summary>
    [Fact]
    public async Task AnyHeaderByteChanged_NeverReads_AndIsAnIntegrityFailureUnlessItRenamesTheKey()
    {
        var id = await WriteAsync([9, 8, 7]);
        var path = _storage.PathOf(id);
        var original = await File.ReadAllBytesAsync(path, Ct);
        // The id's length byte, the two bytes of "k1" and the check value; the id's zero padding is authenticated like the rest.
        var slot = BlobFormat.SlotOffset(0);
        var keySelectors = Enumerable.Range(slot + 4, 3).Concat(Enumerable.Range(slot + 69, 16)).ToHashSet();
        var wrong = new List<string>();

        for (var position = 0; position < BlobFormat.SlotOffset(1); position++)
        {
            var changed = (byte[])original.Clone();
            changed[position] ^= 0x04;
            await File.WriteAllBytesAsync(path, changed, Ct);

            var error = await Record.ExceptionAsync(() => _store.OpenReadAsync(id, Ct));

            var expected = keySelectors.Contains(position) ? typeof(DocumentKeyException) : typeof(DocumentIntegrityException);
            if (error?.GetType() != expected) wrong.Add($"byte {position}: {error?.GetType().Name ?? "read fine"}");
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task SpareKeySlotDamaged_StillReads_AsAnInterruptedRotationLeavesIt()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => RandomNumberGenerator.Fill(bytes.AsSpan(BlobFormat.SlotOffset(1), BlobFormat.SlotSize)));

        var (read, error) = await ReadAllAsync(id);

        Assert.Null(error);
        Assert.Equal(Plaintext, read);
    }

    [Fact]
    public async Task BothKeySlotsCleared_FailsNamingTheHeader()
    {
        var id = await WriteAsync();
        await ModifyAsync(id, bytes => bytes.AsSpan(BlobFormat.SlotOffset(0), 2 * BlobFormat.SlotSize).Clear());

        var error = await Assert.ThrowsAsync<DocumentIntegrityException>(() => _store.OpenReadAsync(id, Ct));

        Assert.Null(error.Chunk);
    }

    async Task<string> WriteAsync(byte[]? plaintext = null) => (await _store.WriteAsync(new MemoryStream(plaintext ?? Plaintext), Ct)).Id;

    async Task ModifyAsync(string id, Action<byte[]> change) => await ModifyAsync(id, bytes =>
    {
        change(bytes);
        return bytes;
    });

    async Task ModifyAsync(string id, Func<byte[], byte[]> change)
    {
        var path = _storage.PathOf(id);
        await File.WriteAllBytesAsync(path, change(await File.ReadAllBytesAsync(path, Ct)), Ct);
    }

    /// <summary>Reads in small pieces and keeps whatever arrived before a failure, to prove what leaked and what did not.</summary>
    async Task<(byte[] Read, DocumentIntegrityException? Error)> ReadAllAsync(string id, bool expectOpenFailure = false)
    {
        var received = new MemoryStream();
        try
        {
            await using var stream = await _store.OpenReadAsync(id, Ct);
            Assert.False(expectOpenFailure, "opened");
            var buffer = new byte[10_000];
            int n;
            while ((n = await stream.ReadAsync(buffer, Ct)) > 0) received.Write(buffer, 0, n);
            return (received.ToArray(), null);
        }
        catch (DocumentIntegrityException e)
        {
            return (received.ToArray(), e);
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using Consilium.Infrastructure.Storage;

namespace Consilium.Tests.Storage;

/// <summary>Writing and reading blobs on real files: round trips, limits, failures mid-write, ids and keys.</summary>
public sealed class DocumentStoreTests : IDisposable
{
    const int Chunk = BlobFormat.ChunkSize;

    readonly TempStorage _storage = new();
    readonly (string, byte[]) _k1 = ("k1", TempStorage.NewKey());

    public void Dispose() => _storage.Dispose();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(2 * Chunk)]
    [InlineData(3 * Chunk + 1000)]
    public async Task WriteThenRead_AnySize_ReturnsTheSameBytesLengthAndHash(int size)
    {
        var store = _storage.Store("k1", _k1);
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var blob = await store.WriteAsync(new MemoryStream(plaintext), Ct);

        Assert.Equal(size, blob.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(plaintext)), blob.Sha256);
        // Header, then every chunk (at least one, possibly empty) with its 16-byte tag.
        var chunks = Math.Max(1, (size + Chunk - 1) / Chunk);
        Assert.Equal(BlobFormat.HeaderSize + size + chunks * 16L, new FileInfo(_storage.PathOf(blob.Id)).Length);

        await using var read = await store.OpenReadAsync(blob.Id, Ct);
        Assert.Equal(size, read.Length);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy, Ct);
        Assert.Equal(plaintext, copy.ToArray());

        // The synchronous path, with a buffer that straddles chunk boundaries.
        read.Position = 0;
        Assert.Equal(plaintext, ReadAllSync(read, 7919));
    }

    [Fact]
    public async Task WriteAsync_DistinctiveText_NeverAppearsInTheStoredBytes()
    {
        var store = _storage.Store("k1", _k1);
        var marker = Encoding.ASCII.GetBytes("PATIENT-JANE-DOE-MRN-4711-");
        var plaintext = Enumerable.Repeat(marker, 12_000).SelectMany(b => b).ToArray(); // ~300 KB, five chunks

        var first = await store.WriteAsync(new MemoryStream(plaintext), Ct);
        var second = await store.WriteAsync(new MemoryStream(plaintext), Ct);

        var stored = await File.ReadAllBytesAsync(_storage.PathOf(first.Id), Ct);
        Assert.Equal(-1, stored.AsSpan().IndexOf(marker.AsSpan(0, 8)));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first.Sha256, second.Sha256);
        var other = await File.ReadAllBytesAsync(_storage.PathOf(second.Id), Ct);
        Assert.False(stored.AsSpan(BlobFormat.HeaderSize).SequenceEqual(other.AsSpan(BlobFormat.HeaderSize)), "same plaintext, same ciphertext");
    }

    [Fact]
    public async Task WriteAsync_StoredFile_IsNamedAfterTheRandomIdAndPrivate()
    {
        var store = _storage.Store("k1", _k1);

        var blob = await store.WriteAsync(new MemoryStream("hello"u8.ToArray()), Ct);

        Assert.Matches("^[0-9a-f]{32}$", blob.Id);
        Assert.Equal([_storage.PathOf(blob.Id)], _storage.Files());
        Assert.Equal(Path.Combine(_storage.Root, blob.Id[..2], blob.Id + ".blob"), _storage.PathOf(blob.Id));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_storage.PathOf(blob.Id)));
    }

    [Fact]
    public async Task OpenReadAsync_Seek_ReturnsTheBytesAtThatOffset()
    {
        var store = _storage.Store("k1", _k1);
        var plaintext = RandomNumberGenerator.GetBytes(5 * Chunk + 321);
        var blob = await store.WriteAsync(new MemoryStream(plaintext), Ct);
        await using var read = await store.OpenReadAsync(blob.Id, Ct);

        read.Seek(100_000, SeekOrigin.Begin);
        var middle = new byte[150_000];
        await read.ReadExactlyAsync(middle, Ct);
        read.Seek(-10, SeekOrigin.End);
        var tail = new byte[20];
        var tailCount = await read.ReadAtLeastAsync(tail, 20, throwOnEndOfStream: false, Ct);

        Assert.Equal(plaintext[100_000..250_000], middle);
        Assert.Equal(10, tailCount);
        Assert.Equal(plaintext[^10..], tail[..10]);
    }

    [Fact]
    public async Task WriteAsync_ExactlyTheLimit_IsStored()
    {
        var store = _storage.Store(WithLimit(3 * Chunk + 5));

        var blob = await store.WriteAsync(new GeneratedStream(3 * Chunk + 5), Ct);

        Assert.Equal(3 * Chunk + 5, blob.Length);
    }

    [Theory]
    [InlineData(100)]            // inside the first chunk
    [InlineData(Chunk)]          // the first byte past it is in the lookahead
    [InlineData(3 * Chunk + 5)]  // after several chunks were already on disk
    public async Task WriteAsync_OneByteOverTheLimit_ThrowsAndLeavesNoFile(int limit)
    {
        var store = _storage.Store(WithLimit(limit));

        var error = await Assert.ThrowsAsync<DocumentTooLargeException>(() => store.WriteAsync(new GeneratedStream(limit + 1L), Ct));

        Assert.Equal(limit, error.LimitBytes);
        Assert.Empty(_storage.Files());
    }

    [Fact]
    public async Task WriteAsync_SeekableInputOverTheLimit_RefusedBeforeReading()
    {
        var store = _storage.Store(WithLimit(1000));
        var input = new MemoryStream(new byte[5000]);

        await Assert.ThrowsAsync<DocumentTooLargeException>(() => store.WriteAsync(input, Ct));

        Assert.Equal(0, input.Position);
        Assert.Empty(_storage.Files());
    }

    [Fact]
    public async Task WriteAsync_CancelledMidWrite_LeavesNoFile()
    {
        var store = _storage.Store("k1", _k1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var input = new GeneratedStream(20 * 1024 * 1024) { CallbackAt = 5 * 1024 * 1024, Callback = cancel.Cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(input, cancel.Token));

        Assert.True(input.Position >= 5 * 1024 * 1024, "cancelled before writing anything");
        Assert.Empty(_storage.Files());
    }

    [Fact]
    public async Task WriteAsync_InputFailsMidWrite_PropagatesAndLeavesNoFile()
    {
        var store = _storage.Store("k1", _k1);
        var input = new GeneratedStream(20 * 1024 * 1024) { FailAt = 5 * 1024 * 1024, Failure = new IOException("No space left on device") };

        var error = await Assert.ThrowsAsync<IOException>(() => store.WriteAsync(input, Ct));

        Assert.Equal("No space left on device", error.Message);
        Assert.Empty(_storage.Files());
    }

    [Fact]
    public async Task WriteAsync_ReservesTheSpaceOfAKnownLength_AndStillEndsAtTheRealLength()
    {
        var store = _storage.Store("k1", _k1);
        var plaintext = RandomNumberGenerator.GetBytes(2 * Chunk + 17);

        var blob = await store.WriteAsync(new MemoryStream(plaintext), Ct);

        Assert.Equal(BlobFormat.HeaderSize + plaintext.Length + 3 * 16L, new FileInfo(_storage.PathOf(blob.Id)).Length);
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcde/")]
    [InlineData("report.pdf")]
    public async Task EveryOperation_IdThatIsNotABlobId_IsRefusedBeforeTouchingAPath(string id)
    {
        var store = _storage.Store("k1", _k1);

        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(id, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(id, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(id, Ct));
    }

    [Fact]
    public async Task DeleteAsync_ExistingBlob_RemovesItOnce()
    {
        var store = _storage.Store("k1", _k1);
        var blob = await store.WriteAsync(new MemoryStream([1, 2, 3]), Ct);

        Assert.True(await store.ExistsAsync(blob.Id, Ct));
        Assert.True(await store.DeleteAsync(blob.Id, Ct));

        Assert.False(await store.ExistsAsync(blob.Id, Ct));
        Assert.False(await store.DeleteAsync(blob.Id, Ct));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(blob.Id, Ct));
        Assert.Contains(blob.Id, missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReadAsync_SameIdWithDifferentKeyMaterial_SaysTheKeyIsDifferent()
    {
        var blob = await _storage.Store("k1", _k1).WriteAsync(new MemoryStream([1, 2, 3]), Ct);
        var impostor = _storage.Store("k1", ("k1", TempStorage.NewKey()));

        var error = await Assert.ThrowsAsync<DocumentKeyException>(() => impostor.OpenReadAsync(blob.Id, Ct));

        Assert.Equal(("k1", blob.Id), (error.KeyId, error.BlobId));
        Assert.Contains("different key material", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReadAsync_KeyNoLongerConfigured_NamesTheMissingKey()
    {
        var blob = await _storage.Store("k1", _k1).WriteAsync(new MemoryStream([1, 2, 3]), Ct);
        var withoutK1 = _storage.Store("k2", ("k2", TempStorage.NewKey()));

        var error = await Assert.ThrowsAsync<DocumentKeyException>(() => withoutK1.OpenReadAsync(blob.Id, Ct));

        Assert.Equal("k1", error.KeyId);
        Assert.Contains("'k1', which is not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbeddedMode_NoKeyConfigured_GeneratesOnePrivateKeyFileAndReusesIt()
    {
        var options = _storage.Options();
        var blob = await _storage.Store(options).WriteAsync(new MemoryStream([4, 5, 6]), Ct);

        var keyFile = Assert.Single(Directory.GetFiles(_storage.KeyDirectory, "master-*.key"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_storage.KeyDirectory));
        }
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(keyFile, Ct)).Length);

        // A new process (here: a new store) finds the same key rather than generating another.
        await using var read = await _storage.Store(_storage.Options()).OpenReadAsync(blob.Id, Ct);
        Assert.Equal([4, 5, 6], ReadAllSync(read, 16));
        Assert.Single(Directory.GetFiles(_storage.KeyDirectory, "master-*.key"));
        var keyId = Path.GetFileNameWithoutExtension(keyFile)["master-".Length..];
        Assert.Equal(keyId, BlobFormat.ReadSlot(await File.ReadAllBytesAsync(_storage.PathOf(blob.Id), Ct), 0).KeyId);
    }

    [Fact]
    public async Task EmbeddedMode_KeyFileReadableByOthers_IsRefused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }
        await _storage.Store(_storage.Options()).WriteAsync(new MemoryStream([1]), Ct);
        var keyFile = Assert.Single(Directory.GetFiles(_storage.KeyDirectory, "master-*.key"));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _storage.Store(_storage.Options()).WriteAsync(new MemoryStream([1]), Ct));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    DocumentStorageOptions WithLimit(long limit)
    {
        var options = _storage.Options("k1", _k1);
        options.MaxDocumentBytes = limit;
        return options;
    }

    internal static byte[] ReadAllSync(Stream stream, int bufferSize)
    {
        var result = new MemoryStream();
        var buffer = new byte[bufferSize];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) result.Write(buffer, 0, n);
        return result.ToArray();
    }
}

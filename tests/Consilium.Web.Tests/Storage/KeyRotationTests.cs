using System.Security.Cryptography;
using Consilium.Infrastructure.Storage;

namespace Consilium.Tests.Storage;

public sealed class KeyRotationTests : IDisposable
{
    readonly TempStorage _storage = new();
    readonly (string, byte[]) _k1 = ("k1", TempStorage.NewKey());
    readonly (string, byte[]) _k2 = ("k2", TempStorage.NewKey());

    public void Dispose() => _storage.Dispose();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RotateAsync_BlobsUnderTheOldKey_AreRewrappedWithBodiesUntouched()
    {
        var old = _storage.Store("k1", _k1);
        var contents = new[] { Array.Empty<byte>(), RandomNumberGenerator.GetBytes(200_000), RandomNumberGenerator.GetBytes(10) };
        var ids = new List<string>();
        foreach (var content in contents) ids.Add((await old.WriteAsync(new MemoryStream(content), Ct)).Id);
        var before = ids.Select(id => File.ReadAllBytes(_storage.PathOf(id))).ToList();
        var reports = new List<KeyRotationProgress>();

        var result = await _storage.Rotation(_storage.Options("k2", _k1, _k2)).RotateAsync("k2", new SyncProgress(reports.Add), Ct);

        Assert.Equal((3L, 3L, 0L, 0L), (result.Examined, result.Rewrapped, result.AlreadyCurrent, result.Failed));
        Assert.Equal(3, reports.Count);
        Assert.Equal(3, reports[^1].Rewrapped);
        for (var i = 0; i < ids.Count; i++)
        {
            var after = await File.ReadAllBytesAsync(_storage.PathOf(ids[i]), Ct);
            Assert.Equal(before[i].Length, after.Length);
            Assert.True(before[i].AsSpan(BlobFormat.HeaderSize).SequenceEqual(after.AsSpan(BlobFormat.HeaderSize)), "a chunk body changed");
            Assert.True(before[i].AsSpan(0, BlobFormat.FixedSize).SequenceEqual(after.AsSpan(0, BlobFormat.FixedSize)), "the fixed header changed");
            var slots = new[] { BlobFormat.ReadSlot(after, 0), BlobFormat.ReadSlot(after, 1) };
            Assert.Equal(["k2"], slots.Where(s => !s.Empty).Select(s => s.KeyId));
        }

        // Readable with the new key alone; the old key alone no longer opens anything.
        var newOnly = _storage.Store("k2", _k2);
        for (var i = 0; i < ids.Count; i++)
        {
            await using var read = await newOnly.OpenReadAsync(ids[i], Ct);
            Assert.Equal(contents[i], DocumentStoreTests.ReadAllSync(read, 4096));
        }
        var oldOnly = await Assert.ThrowsAsync<DocumentKeyException>(() => old.OpenReadAsync(ids[1], Ct));
        Assert.Equal("k2", oldOnly.KeyId);
    }

    [Fact]
    public async Task RotateAsync_RunTwice_SecondRunChangesNothing()
    {
        var old = _storage.Store("k1", _k1);
        for (var i = 0; i < 4; i++) await old.WriteAsync(new MemoryStream([(byte)i]), Ct);
        var options = _storage.Options("k2", _k1, _k2);
        await _storage.Rotation(options).RotateAsync("k2", null, Ct);
        var snapshot = _storage.Files().ToDictionary(f => f, File.ReadAllBytes);

        var again = await _storage.Rotation(options).RotateAsync("k2", null, Ct);

        Assert.Equal((4L, 0L, 4L, 0L), (again.Examined, again.Rewrapped, again.AlreadyCurrent, again.Failed));
        foreach (var (file, bytes) in snapshot) Assert.Equal(bytes, await File.ReadAllBytesAsync(file, Ct));
    }

    [Fact]
    public async Task RotateAsync_BlobUnderARemovedKey_IsReportedAndStillFailsClearlyOnRead()
    {
        var k0 = ("k0", TempStorage.NewKey());
        var orphan = (await _storage.Store("k0", k0).WriteAsync(new MemoryStream([1, 2, 3]), Ct)).Id;
        var fine = (await _storage.Store("k1", _k1).WriteAsync(new MemoryStream([4, 5, 6]), Ct)).Id;
        var options = _storage.Options("k2", _k1, _k2);

        var result = await _storage.Rotation(options).RotateAsync("k2", null, Ct);

        Assert.Equal((2L, 1L, 1L), (result.Examined, result.Rewrapped, result.Failed));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(orphan, failure.BlobId);
        Assert.Contains("'k0', which is not configured", failure.Reason, StringComparison.Ordinal);
        var store = _storage.Store(options);
        var error = await Assert.ThrowsAsync<DocumentKeyException>(() => store.OpenReadAsync(orphan, Ct));
        Assert.Equal("k0", error.KeyId);
        await using var read = await store.OpenReadAsync(fine, Ct);
        Assert.Equal([4, 5, 6], DocumentStoreTests.ReadAllSync(read, 16));
    }

    [Fact]
    public async Task RotateAsync_KeyThatIsNotConfigured_IsRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _storage.Rotation(_storage.Options("k1", _k1)).RotateAsync("k9", null, Ct));

        Assert.Contains("'k9' is not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateAsync_InterruptedBeforeTheOldSlotWasCleared_ReadsMeanwhileAndTheNextRunFinishes()
    {
        var id = (await _storage.Store("k1", _k1).WriteAsync(new MemoryStream([1, 2, 3]), Ct)).Id;
        var path = _storage.PathOf(id);
        var options = _storage.Options("k2", _k1, _k2);
        // What a crash between the two slot writes leaves: the new slot written, the old one still there.
        var header = new byte[BlobFormat.HeaderSize];
        await using (var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.ReadExactly(header);
            var dataKey = new byte[32];
            Assert.True(BlobFormat.TryUnwrap(header, 0, TryKey(options, "k1"), dataKey));
            BlobFormat.WriteSlot(header, 1, 2, TryKey(options, "k2"), dataKey);
            file.Position = 0;
            file.Write(header);
        }

        await using (var read = await _storage.Store(options).OpenReadAsync(id, Ct))
            Assert.Equal([1, 2, 3], DocumentStoreTests.ReadAllSync(read, 16));
        var result = await _storage.Rotation(options).RotateAsync("k2", null, Ct);

        Assert.Equal(1, result.Rewrapped);
        var after = await File.ReadAllBytesAsync(path, Ct);
        Assert.True(BlobFormat.ReadSlot(after, 0).Empty);
        Assert.Equal("k2", BlobFormat.ReadSlot(after, 1).KeyId);
    }

    [Fact]
    public async Task RotateAsync_SpareSlotTorn_OverwritesItAndClearsTheOldOne()
    {
        var id = (await _storage.Store("k1", _k1).WriteAsync(new MemoryStream([1, 2, 3]), Ct)).Id;
        var path = _storage.PathOf(id);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        RandomNumberGenerator.Fill(bytes.AsSpan(BlobFormat.SlotOffset(1), 100));
        await File.WriteAllBytesAsync(path, bytes, Ct);
        var options = _storage.Options("k2", _k1, _k2);

        var result = await _storage.Rotation(options).RotateAsync("k2", null, Ct);

        Assert.Equal(1, result.Rewrapped);
        var after = await File.ReadAllBytesAsync(path, Ct);
        Assert.True(BlobFormat.ReadSlot(after, 0).Empty);
        Assert.Equal("k2", BlobFormat.ReadSlot(after, 1).KeyId);
        await using var read = await _storage.Store("k2", _k2).OpenReadAsync(id, Ct);
        Assert.Equal([1, 2, 3], DocumentStoreTests.ReadAllSync(read, 16));
    }

    [Fact]
    public async Task RotateAsync_WhileStreamsAreOpenAndBlobsAreReadAndWritten_NothingFails()
    {
        var writer = _storage.Store("k1", _k1);
        var content = RandomNumberGenerator.GetBytes(3 * BlobFormat.ChunkSize + 5);
        var ids = new List<string>();
        for (var i = 0; i < 60; i++) ids.Add((await writer.WriteAsync(new MemoryStream(content), Ct)).Id);
        var options = _storage.Options("k2", _k1, _k2);
        var server = _storage.Store(options);
        // A download that started before the rotation and ends after it.
        var longRead = await server.OpenReadAsync(ids[0], Ct);
        var firstHalf = new byte[content.Length / 2];
        await longRead.ReadExactlyAsync(firstHalf, Ct);

        using var stop = new CancellationTokenSource();
        var completedReads = new long[1];
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            for (var i = r; !stop.IsCancellationRequested; i++)
            {
                await using var read = await server.OpenReadAsync(ids[i % ids.Count], Ct);
                var copy = new MemoryStream();
                await read.CopyToAsync(copy, Ct);
                Assert.Equal(content, copy.ToArray());
                Interlocked.Increment(ref completedReads[0]);
            }
        })).ToArray();
        var writes = Task.Run(async () =>
        {
            var written = new List<string>();
            while (!stop.IsCancellationRequested) written.Add((await server.WriteAsync(new MemoryStream(content), Ct)).Id);
            return written;
        });

        // Rotating 60 small headers can be quicker than starting a thread on a busy machine: every ten blobs the
        // rotation waits until more reads have completed, so reads certainly overlap it.
        var readsDuringRotation = 0L;
        var seen = Interlocked.Read(ref completedReads[0]);
        var result = await _storage.Rotation(options).RotateAsync("k2", new SyncProgress(p =>
        {
            if (p.Examined % 10 != 0) return;
            SpinWait.SpinUntil(() => Interlocked.Read(ref completedReads[0]) > seen, TimeSpan.FromSeconds(10));
            readsDuringRotation += Interlocked.Read(ref completedReads[0]) - seen;
            seen = Interlocked.Read(ref completedReads[0]);
        }), Ct);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        var written = await writes;

        Assert.Equal(0, result.Failed);
        Assert.True(result.Rewrapped >= 60, $"{result.Rewrapped} re-wrapped");
        Assert.True(readsDuringRotation >= 6, $"{readsDuringRotation} reads completed during the rotation");
        var rest = new byte[content.Length - firstHalf.Length];
        await longRead.ReadExactlyAsync(rest, Ct);
        await longRead.DisposeAsync();
        Assert.Equal(content, firstHalf.Concat(rest).ToArray());
        var newOnly = _storage.Store("k2", _k2);
        foreach (var id in ids.Concat(written))
        {
            await using var read = await newOnly.OpenReadAsync(id, Ct);
            Assert.Equal(content.Length, read.Length);
        }
    }

    [Fact]
    public async Task RotateAsync_SecondRotationOnTheSameRoot_IsRefusedWhileTheFirstRuns()
    {
        var writer = _storage.Store("k1", _k1);
        await writer.WriteAsync(new MemoryStream([1]), Ct);
        var options = _storage.Options("k2", _k1, _k2);
        Exception? second = null;

        await _storage.Rotation(options).RotateAsync("k2", new SyncProgress(_ =>
            second = Record.Exception(() => _storage.Rotation(options).RotateAsync("k2", null, Ct).GetAwaiter().GetResult())), Ct);

        var refused = Assert.IsType<InvalidOperationException>(second);
        Assert.Contains("Another key rotation is running", refused.Message, StringComparison.Ordinal);
    }

    static MasterKey TryKey(DocumentStorageOptions options, string id) =>
        TempStorage.Ring(options).TryGet(id, out var key) ? key : throw new InvalidOperationException(id);

    /// <summary>Reports on the rotating thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class SyncProgress(Action<KeyRotationProgress> report) : IProgress<KeyRotationProgress>
    {
        public void Report(KeyRotationProgress value) => report(value);
    }
}

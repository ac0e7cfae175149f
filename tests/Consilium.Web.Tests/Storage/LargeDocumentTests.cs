using Consilium.Infrastructure.Storage;

namespace Consilium.Tests.Storage;

/// <summary>Runs alone: it measures the whole process's allocations, which parallel tests would inflate.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class LargeDocumentCollection;

/// <summary>A multi-gigabyte document goes through the store in flat memory, both ways.</summary>
[Collection(typeof(LargeDocumentCollection))]
public sealed class LargeDocumentTests : IDisposable
{
    // Past 2 GiB (int.MaxValue) and not a whole number of chunks.
    const long Size = 2L * 1024 * 1024 * 1024 + 12_345;
    // A Release build allocates only its buffers here (~0.2 MB writing, ~0.3 MB reading). A Debug build, what
    // `dotnet test` runs by default, also allocates every async state machine as an object: ~10 MB for 32,768 chunks.
    // Anything proportional to the document would be gigabytes; the budget is under 1% of it.
    const long AllocationBudget = 16 * 1024 * 1024;

    readonly TempStorage _storage = new();

    public void Dispose() => _storage.Dispose();

    [Fact]
    public async Task WriteAndRead_2GiBGeneratedStream_AllocatesAFewMegabytesAtMost()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = _storage.Store("k1", ("k1", TempStorage.NewKey()));
        await store.WriteAsync(new GeneratedStream(3 * BlobFormat.ChunkSize), ct); // JIT and first-use costs, not measured
        using var input = new GeneratedStream(Size);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var blob = await store.WriteAsync(input, ct);
        var writeAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(Size, blob.Length);
        Assert.Equal(input.Sha256, blob.Sha256);

        before = GC.GetTotalAllocatedBytes(precise: true);
        long read = 0;
        var buffer = new byte[81_920];
        var expected = new byte[buffer.Length];
        var mismatchAt = -1L;
        var reads = 0;
        await using (var stream = await store.OpenReadAsync(blob.Id, ct))
        {
            Assert.Equal(Size, stream.Length);
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0)
            {
                // Spot checks, about one every 64 MB: generating the expected bytes costs more than the read itself.
                if (reads++ % 800 == 0 && mismatchAt < 0)
                {
                    GeneratedStream.Expected(read, expected.AsSpan(0, n));
                    if (!buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n))) mismatchAt = read;
                }
                read += n;
            }
        }
        var readAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(Size, read);
        Assert.Equal(-1, mismatchAt);
        Assert.True(writeAllocated < AllocationBudget && readAllocated < AllocationBudget,
            $"{Size} bytes: writing allocated {writeAllocated} bytes, reading {readAllocated}");
    }
}

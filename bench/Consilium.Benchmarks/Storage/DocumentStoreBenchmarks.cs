using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Consilium.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Consilium.Benchmarks.Storage;

/// <summary>
/// Storing a 256 MB document: the streaming store beside the naive way (buffer everything, one AES-GCM call, write,
/// flush). Both flush to disk, as a stored record must survive a crash. How to run: docs/performance.md, "Document storage".
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class DocumentWriteBenchmarks
{
    private readonly StorageBench _bench = new();

    [GlobalSetup]
    public void Setup() => _bench.Setup();

    [IterationCleanup]
    public void RemoveBlobs() => _bench.RemoveBlobs();

    [GlobalCleanup]
    public void Cleanup() => _bench.Cleanup();

    [Benchmark(Baseline = true, Description = "Buffer, encrypt whole, write (naive)")]
    public long Naive()
    {
        var plaintext = new MemoryStream();
        new GeneratingStream(StorageBench.Size).CopyTo(plaintext);
        var bytes = plaintext.ToArray();
        var hash = SHA256.HashData(bytes);
        var sealedBytes = new byte[12 + 16 + bytes.Length];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        using (var aes = new AesGcm(_bench.DataKey, 16))
            aes.Encrypt(sealedBytes.AsSpan(0, 12), bytes, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16));
        using var file = new FileStream(Path.Combine(_bench.Root, "naive-" + Convert.ToHexStringLower(hash)), FileMode.CreateNew);
        file.Write(sealedBytes);
        file.Flush(flushToDisk: true);
        return file.Length;
    }

    [Benchmark(Description = "DocumentStore.WriteAsync")]
    public async Task<long> Streaming() => (await _bench.Store.WriteAsync(new GeneratingStream(StorageBench.Size), CancellationToken.None)).Length;
}

/// <summary>Reading the same 256 MB document back, from the page cache.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class DocumentReadBenchmarks
{
    private readonly StorageBench _bench = new();
    private string _blobId = "";
    private string _naivePath = "";

    [GlobalSetup]
    public void Setup()
    {
        _bench.Setup();
        _blobId = _bench.Store.WriteAsync(new GeneratingStream(StorageBench.Size), CancellationToken.None).GetAwaiter().GetResult().Id;
        var plaintext = new byte[StorageBench.Size];
        new GeneratingStream(StorageBench.Size).ReadExactly(plaintext);
        var sealedBytes = new byte[12 + 16 + plaintext.Length];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        using (var aes = new AesGcm(_bench.DataKey, 16))
            aes.Encrypt(sealedBytes.AsSpan(0, 12), plaintext, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16));
        _naivePath = Path.Combine(_bench.Root, "naive");
        File.WriteAllBytes(_naivePath, sealedBytes);
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Cleanup();

    [Benchmark(Baseline = true, Description = "ReadAllBytes, decrypt whole (naive)")]
    public long Naive()
    {
        var sealedBytes = File.ReadAllBytes(_naivePath);
        var plaintext = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(_bench.DataKey, 16);
        aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plaintext);
        return plaintext.Length;
    }

    [Benchmark(Description = "DocumentStore.OpenReadAsync, CopyToAsync")]
    public async Task<long> Streaming()
    {
        await using var stream = await _bench.Store.OpenReadAsync(_blobId, CancellationToken.None);
        await stream.CopyToAsync(Stream.Null);
        return stream.Length;
    }
}

internal sealed class StorageBench
{
    public const int Size = 256 * 1024 * 1024;

    public string Root { get; private set; } = "";
    public DocumentStore Store { get; private set; } = null!;
    public byte[] DataKey { get; } = RandomNumberGenerator.GetBytes(32);

    public void Setup()
    {
        Root = Path.Combine(Path.GetTempPath(), $"consilium-bench-storage-{Environment.ProcessId}");
        Directory.CreateDirectory(Root);
        var options = Options.Create(new DocumentStorageOptions
        {
            Root = Path.Combine(Root, "files"),
            KeyDirectory = Path.Combine(Root, "keys"),
            MasterKeys = [new MasterKeyOptions { Id = "bench", Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }],
            ActiveMasterKeyId = "bench",
        });
        Store = new DocumentStore(options, new MasterKeyRing(options, NullLogger<MasterKeyRing>.Instance), NullLogger<DocumentStore>.Instance);
    }

    public void RemoveBlobs()
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/keys/", StringComparison.Ordinal)))
            File.Delete(file);
    }

    public void Cleanup() => Directory.Delete(Root, recursive: true);
}

/// <summary>An upload body stand-in: bytes made up on the fly from a 1 MB random pattern, not seekable.</summary>
internal sealed class GeneratingStream(long length) : Stream
{
    private static readonly byte[] Pattern = RandomNumberGenerator.GetBytes(1024 * 1024 + 7);
    private long _position;

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var written = 0; written < count;)
        {
            var start = (int)((_position + written) % Pattern.Length);
            var n = Math.Min(count - written, Pattern.Length - start);
            Pattern.AsSpan(start, n).CopyTo(buffer[written..]);
            written += n;
        }
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using System.Net;
using System.Security.Cryptography;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Storage;

namespace Consilium.Tests.Documents;

/// <summary>
/// A multi-gigabyte DICOM study streamed through the real HTTP pipeline (TestServer, routing, authentication, the upload
/// endpoint, the encrypted store, the whole-file DICOM check) while the managed heap is sampled. Runs alone, in the
/// collection that measures memory, so other tests' allocations do not blur the figure.
/// </summary>
[Collection(typeof(LargeDocumentCollection))]
public sealed class LargeUploadTests
{
    // Past 2 GiB (int.MaxValue) and not a whole number of storage chunks.
    const long PixelBytes = 2L * 1024 * 1024 * 1024 + 12_345;
    // The body is over 2 GB; holding even a tenth of it would show. Measured: see docs/performance.md.
    const long HeapGrowthBudget = 64L * 1024 * 1024;

    [Fact]
    public async Task Upload_2GiBDicomGeneratedOnTheFly_IsStoredWithTheManagedHeapFlat()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite);
        var c = await DocumentCase.ArrangeAsync(app);
        using var client = app.ClientFor(c.Coordinator);
        client.Timeout = TimeSpan.FromMinutes(10);
        // Warm-up: JIT and first-use costs are not what is measured.
        await (await client.UploadAsync(c.CaseId, DocumentTestData.Dicom("QUINTERO-TEST^ZELDA", "19700517"), "warm.dcm")).JsonAsync(HttpStatusCode.Created);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                try { await Task.Delay(10, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, ct);

        var body = new GeneratedDicomContent(PixelBytes);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{c.CaseId}/documents") { Content = body };
        request.Headers.Add(Consilium.Features.Documents.DocumentsApi.FileNameHeader, "study.dcm");
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        started.Stop();
        await sampling.CancelAsync();
        await sampler;
        var document = await response.JsonAsync(HttpStatusCode.Created);

        TestContext.Current.TestOutputHelper?.WriteLine($"{body.Length:N0} bytes in {started.Elapsed.TotalSeconds:N1} s; heap grew at most {(peak - baseline) / 1024.0 / 1024:N1} MB");
        Assert.Equal("Dicom", (string?)document["type"]);
        Assert.Equal(body.Length, (long)document["length"]!);
        Assert.Equal(body.Sha256, (string?)document["sha256"]);
        Assert.Equal("1.2.826.0.1.3680043.9.7433.2", (string?)document["instances"]![0]!["studyInstanceUid"]);
        Assert.True(peak - baseline < HeapGrowthBudget, $"The managed heap grew by {peak - baseline:N0} bytes for a {body.Length:N0}-byte upload.");
    }

    /// <summary>A DICOM header and then <c>pixelBytes</c> of generated pixel data, written as it is sent; its SHA-256 is known once sent.</summary>
    internal sealed class GeneratedDicomContent : HttpContent
    {
        readonly byte[] _header;
        readonly long _pixelBytes;

        public GeneratedDicomContent(long pixelBytes)
        {
            using var header = new MemoryStream();
            DocumentTestData.WriteDicomHeader(header, "QUINTERO-TEST^ZELDA", "19700517", "1.2.826.0.1.3680043.9.7433.2", "1.2.826.0.1.3680043.9.7433.2.1",
                "1.2.826.0.1.3680043.9.7433.2.1.1", "CT", checked((uint)pixelBytes));
            _header = header.ToArray();
            _pixelBytes = pixelBytes;
        }

        public long Length => _header.Length + _pixelBytes;
        public string? Sha256 { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(_header);
            await stream.WriteAsync(_header, cancellationToken);
            var block = new byte[1024 * 1024];
            for (var i = 0; i < block.Length; i++) block[i] = (byte)(i * 31 + (i >> 11));
            for (long left = _pixelBytes; left > 0;)
            {
                var n = (int)Math.Min(block.Length, left);
                hash.AppendData(block, 0, n);
                await stream.WriteAsync(block.AsMemory(0, n), cancellationToken);
                left -= n;
            }
            Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = Length;
            return true;
        }
    }
}

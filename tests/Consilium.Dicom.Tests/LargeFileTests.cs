using Consilium.Dicom.Tests.Support;

namespace Consilium.Dicom.Tests;

/// <summary>Pixel data is never held in memory: reading allocates the same whatever the file size.</summary>
public class LargeFileTests
{
    private const long PixelDataLength = 210L * 1024 * 1024;
    // Buffers, the header's strings and the warnings list: a few hundred kilobytes at most.
    private const long AllocationBudget = 1024 * 1024;

    [Fact]
    public void ReadHeader_210MBInstanceOnDisk_AllocatesFarLessThanTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-large-{Guid.NewGuid():N}.dcm");
        try
        {
            var head = Samples.Header().Bytes(DicomTag.PixelData, "OW", [], declaredLength: (uint)PixelDataLength).ToArray();
            using (var file = File.Create(path))
            {
                file.Write(head);
                // SetLength leaves the pixel data as a hole: a 210 MB file without writing 210 MB.
                file.SetLength(head.Length + PixelDataLength);
            }
            var whole = new DicomReadOptions { Scope = DicomReadScope.WholeFile };
            DicomFile.ReadHeader(path, whole); // JIT and pool warm-up, not measured

            var (seekable, seekableBytes) = Measure(() => DicomFile.ReadHeader(path, whole));
            var (headerOnly, headerOnlyBytes) = Measure(() => DicomFile.ReadHeader(path));
            var (streamed, streamedBytes) = Measure(() =>
            {
                using var pipe = new NonSeekableStream(File.OpenRead(path));
                return DicomFile.ReadHeader(pipe, whole);
            });

            Samples.AssertStandardHeader(seekable);
            Assert.Equal(seekable, headerOnly);
            Assert.Equal(seekable, streamed);
            Assert.True(seekableBytes < AllocationBudget, $"seek: {seekableBytes} bytes allocated for a {new FileInfo(path).Length}-byte file");
            Assert.True(headerOnlyBytes < AllocationBudget, $"header only: {headerOnlyBytes} bytes allocated");
            Assert.True(streamedBytes < AllocationBudget, $"read-and-discard: {streamedBytes} bytes allocated");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadHeader_PixelDataNear4GB_SeekedOverWithoutReading()
    {
        // 0xFFFFFFF0 bytes: past int.MaxValue, so any 32-bit length arithmetic would overflow.
        const uint length = 0xFFFFFFF0;
        var head = Samples.Header().Bytes(DicomTag.PixelData, "OB", [], declaredLength: length).ToArray();
        var stream = new ZeroTailStream(head, head.Length + (long)length);

        var (header, allocated) = Measure(() => DicomFile.ReadHeader(stream, new DicomReadOptions { Scope = DicomReadScope.WholeFile }));

        Samples.AssertStandardHeader(header);
        Assert.True(stream.BytesRead < 128 * 1024, $"read {stream.BytesRead} bytes");
        Assert.True(allocated < AllocationBudget, $"{allocated} bytes allocated");
    }

    [Fact]
    public void ReadHeader_EncapsulatedFragmentsOver200MB_Streamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-frag-{Guid.NewGuid():N}.dcm");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write(Samples.Header("1.2.840.10008.1.2.4.90").ToArray());
                // (7FE0,0010) OB, undefined length; an empty offset table; 210 fragments of 1 MB; delimiter.
                file.Write([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
                file.Write([0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0]);
                var fragment = new byte[1024 * 1024];
                for (var i = 0; i < 210; i++)
                {
                    file.Write([0xFE, 0xFF, 0x00, 0xE0, 0x00, 0x00, 0x10, 0x00]);
                    file.Write(fragment);
                }
                file.Write([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
            }

            var (header, allocated) = Measure(() =>
            {
                using var pipe = new NonSeekableStream(File.OpenRead(path));
                return DicomFile.ReadHeader(pipe, new DicomReadOptions { Scope = DicomReadScope.WholeFile });
            });

            Samples.AssertStandardHeader(header);
            Assert.True(allocated < AllocationBudget, $"{allocated} bytes allocated");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (T Result, long Allocated) Measure<T>(Func<T> read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = read();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

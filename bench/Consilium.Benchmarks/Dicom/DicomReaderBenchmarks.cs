using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Consilium.Dicom;

namespace Consilium.Benchmarks.Dicom;

/// <summary>
/// Header extraction from a generated 500 MB instance, beside the naive approach of loading the file first.
/// How to run: docs/performance.md, "DICOM reader".
/// </summary>
[MemoryDiagnoser]
public class DicomLargeFileBenchmarks
{
    private const long PixelDataLength = 500L * 1024 * 1024;
    private static readonly DicomReadOptions WholeFile = new() { Scope = DicomReadScope.WholeFile };

    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"consilium-bench-{Environment.ProcessId}.dcm");
        WriteInstance(_path);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true, Description = "ReadAllBytes, then parse")]
    public string? Naive() => DicomFile.ReadHeader(new MemoryStream(File.ReadAllBytes(_path))).PatientId;

    [Benchmark(Description = "Header only")]
    public string? HeaderOnly() => DicomFile.ReadHeader(_path).PatientId;

    [Benchmark(Description = "Whole file, seek over pixel data")]
    public string? WholeFileSeek() => DicomFile.ReadHeader(_path, WholeFile).PatientId;

    [Benchmark(Description = "Whole file, non-seekable stream")]
    public string? WholeFileStreamed()
    {
        using var stream = new ForwardOnlyStream(File.OpenRead(_path));
        return DicomFile.ReadHeader(stream, WholeFile).PatientId;
    }

    /// <summary>A realistic CT header followed by 500 MB of pixel data left as a sparse hole.</summary>
    private static void WriteInstance(string path)
    {
        using var file = File.Create(path);
        var header = new MemoryStream();
        header.Write(new byte[128]);
        header.Write("DICM"u8);
        var meta = new MemoryStream();
        Element(meta, 0x0002, 0x0001, "OB", [0, 1]);
        Element(meta, 0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.2");
        Element(meta, 0x0002, 0x0003, "UI", "1.2.826.0.1.3680043.9.1.1.1.1");
        Element(meta, 0x0002, 0x0010, "UI", DicomTransferSyntax.ExplicitVRLittleEndian);
        var groupLength = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)meta.Length);
        Element(header, 0x0002, 0x0000, "UL", groupLength);
        meta.WriteTo(header);
        Element(header, 0x0008, 0x0005, "CS", "ISO_IR 192");
        Element(header, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2");
        Element(header, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.1.1.1.1");
        Element(header, 0x0008, 0x0020, "DA", "20240115");
        Element(header, 0x0008, 0x0060, "CS", "CT");
        Element(header, 0x0008, 0x1030, "LO", "CT THORAX ABDOMEN");
        Element(header, 0x0010, 0x0010, "PN", "Müller^Jörg");
        Element(header, 0x0010, 0x0020, "LO", "MRN-001");
        Element(header, 0x0010, 0x0030, "DA", "19700203");
        Element(header, 0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.9.1.1");
        Element(header, 0x0020, 0x000E, "UI", "1.2.826.0.1.3680043.9.1.1.1");
        Element(header, 0x0028, 0x0008, "IS", "1000");
        Element(header, 0x0028, 0x0010, "US", [0, 2]);
        // (7FE0,0010) OW with the pixel data length; the bytes themselves are never written.
        header.Write([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0]);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)PixelDataLength);
        header.Write(length);
        header.WriteTo(file);
        file.SetLength(file.Length + PixelDataLength);
    }

    private static void Element(Stream output, ushort group, ushort element, string vr, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length % 2 == 1)
            bytes = [.. bytes, vr == "UI" ? (byte)0 : (byte)' '];
        Element(output, group, element, vr, bytes);
    }

    private static void Element(Stream output, ushort group, ushort element, string vr, byte[] value)
    {
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(head, group);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], element);
        head[4] = (byte)vr[0];
        head[5] = (byte)vr[1];
        if (vr is "OB" or "OW" or "UN" or "SQ" or "UT")
        {
            head[6] = 0;
            head[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)value.Length);
            output.Write(head);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(head[6..], (ushort)value.Length);
            output.Write(head[..8]);
        }
        output.Write(value);
    }

    /// <summary>What an upload body looks like to the reader: no Length, no Seek.</summary>
    internal sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>Header extraction from the shared sample files (13 instances, 2 KB to 290 KB).</summary>
[MemoryDiagnoser]
public class DicomSampleFileBenchmarks
{
    private static readonly DicomReadOptions WholeFile = new() { Scope = DicomReadScope.WholeFile };

    private string[] _paths = [];

    [GlobalSetup]
    public void Setup()
    {
        _paths = SharedSamples();
        if (_paths.Length == 0)
            throw new InvalidOperationException("Shared samples not found: expected ../shared/data/dicom next to the folder holding Consilium.slnx.");
    }

    [Benchmark(Baseline = true, Description = "ReadAllBytes, then parse")]
    public int Naive()
    {
        var count = 0;
        foreach (var path in _paths)
            count += DicomFile.ReadHeader(new MemoryStream(File.ReadAllBytes(path))).PatientName is null ? 0 : 1;
        return count;
    }

    [Benchmark(Description = "Header only")]
    public int HeaderOnly()
    {
        var count = 0;
        foreach (var path in _paths)
            count += DicomFile.ReadHeader(path).PatientName is null ? 0 : 1;
        return count;
    }

    [Benchmark(Description = "Whole file")]
    public int WholeFileWalk()
    {
        var count = 0;
        foreach (var path in _paths)
            count += DicomFile.ReadHeader(path, WholeFile).PatientName is null ? 0 : 1;
        return count;
    }

    private static string[] SharedSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Consilium.slnx")))
                continue;
            var dicom = Path.Combine(dir.FullName, "..", "shared", "data", "dicom");
            return Directory.Exists(dicom)
                ? Directory.EnumerateFiles(dicom, "*.dcm", SearchOption.AllDirectories)
                    .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}malformed{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                    .ToArray()
                : [];
        }
        return [];
    }
}

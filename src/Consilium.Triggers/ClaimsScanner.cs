using System.Diagnostics;
using Consilium.X12;

namespace Consilium.Triggers;

/// <summary>What a scan reads: a file on disk, by path, shown under <see cref="Name"/>.</summary>
public sealed record ScanInput(string Path, string? DisplayName = null)
{
    public string Name => DisplayName ?? System.IO.Path.GetFileName(Path);
}

public enum ScanFileFormat { X12, ClaimsCsv, EobNdjson }

public sealed record ScanOptions
{
    /// <summary>Skip a failing transaction (X12) or claim (CSV, NDJSON) and list it, instead of failing the whole scan.</summary>
    public bool Lenient { get; init; }
    /// <summary>Let the X12 reader build only claims whose codes the rules read (the default; off only to compare).</summary>
    public bool PreFilter { get; init; } = true;
    public IProgress<ScanProgress>? Progress { get; init; }
    /// <summary>Sees every claim read (voids and replacements included), after the engine. Set, it turns the pre-filter off:
    /// every claim is then built, which costs throughput (docs/performance.md, "Claim facts").</summary>
    public Action<ClaimEvent>? OnClaim { get; init; }
    /// <summary>Bytes between progress reports.</summary>
    public long ProgressEvery { get; init; } = 4 << 20;
}

/// <summary>Progress of a scan: bytes read so far of all files, and the file being read.</summary>
public readonly record struct ScanProgress(long BytesRead, long TotalBytes, int FileIndex, int FileCount, string FileName);

/// <summary>A problem in one file: with --lenient a skipped transaction or claim, or a file that could not be read at all.</summary>
public sealed record ScanError(string FileName, string Message);

/// <summary>Totals of a scan, for the command line's summary and the platform's job record.</summary>
public sealed class ScanSummary
{
    public int Files { get; internal set; }
    public long Bytes { get; internal set; }
    public int Interchanges { get; internal set; }
    public long Claims { get; internal set; }
    public long ServiceLines { get; internal set; }
    public long PriorAuthorizations { get; internal set; }
    /// <summary>Transactions (X12) or claims (CSV, NDJSON) skipped in a lenient scan.</summary>
    public long Skipped { get; internal set; }
    public List<ScanError> Errors { get; } = [];
    public TimeSpan Elapsed { get; internal set; }
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? Bytes / 1e6 / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Reads claims and prior-authorization files (X12 837/278, claims CSV, FHIR EOB NDJSON; the format is recognised from
/// the first bytes) into a <see cref="TriggerEngine"/>. Strict by default: the first malformed input throws
/// (<see cref="X12FormatException"/> or <see cref="X12.ClaimFileFormatException"/>), and the caller writes nothing.
/// </summary>
public static class ClaimsScanner
{
    public static ScanSummary Scan(TriggerEngine engine, IReadOnlyList<ScanInput> inputs, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScanOptions();
        var summary = new ScanSummary();
        var clock = Stopwatch.StartNew();
        long total = inputs.Sum(i => new FileInfo(i.Path).Length);
        long before = 0;
        var filter = options.PreFilter && options.OnClaim is null ? engine.CreateFilter() : null;
        for (int index = 0; index < inputs.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var input = inputs[index];
            var offset = before;
            using var file = new FileStream(input.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            using var stream = new ProgressStream(file, read => options.Progress?.Report(new ScanProgress(offset + read, total, index, inputs.Count, input.Name)), options.ProgressEvery);
            ReadOne(engine, stream, input.Name, Detect(file), options, filter, summary, cancellationToken);
            summary.Files++;
            before += file.Length;
            summary.Bytes += file.Length;
            options.Progress?.Report(new ScanProgress(before, total, index, inputs.Count, input.Name));
        }
        summary.Elapsed = clock.Elapsed;
        return summary;
    }

    /// <summary>
    /// Scans one file given as a stream that need not seek (an encrypted blob being decrypted, an upload): the format is
    /// read from its first bytes, which are then replayed. <paramref name="length"/> is for progress only.
    /// </summary>
    public static ScanSummary ScanStream(TriggerEngine engine, Stream content, string name, long length, ScanOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ScanOptions();
        var summary = new ScanSummary();
        var clock = Stopwatch.StartNew();
        var head = new byte[64];
        int n = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        using var replay = new PrefixedStream(head.AsMemory(0, n), content);
        using var stream = new ProgressStream(replay, read => options.Progress?.Report(new ScanProgress(read, length, 0, 1, name)), options.ProgressEvery);
        var format = Detect(new MemoryStream(head, 0, n));
        ReadOne(engine, stream, name, format, options, filter: options.PreFilter && options.OnClaim is null ? engine.CreateFilter() : null, summary, cancellationToken);
        summary.Files = 1;
        summary.Bytes = stream.Position;
        summary.Elapsed = clock.Elapsed;
        options.Progress?.Report(new ScanProgress(summary.Bytes, length, 0, 1, name));
        return summary;
    }

    /// <summary>A stream that first returns a few bytes already read, then the rest of the inner stream.</summary>
    sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        int used;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (used < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - used);
                prefix.Span.Slice(used, n).CopyTo(buffer);
                used += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (used < prefix.Length) return Read(buffer.Span);
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    static void ReadOne(TriggerEngine engine, Stream stream, string name, ScanFileFormat format, ScanOptions options, ClaimCodeFilter? filter,
        ScanSummary summary, CancellationToken cancellationToken)
    {
        try
        {
            Read(engine, stream, name, format, options, filter, summary, cancellationToken);
        }
        catch (X12FormatException e) when (options.Lenient)
        {
            // Lenient reads still throw for what leaves a file unreadable (no ISA, UTF-16, truncation): list it, go on.
            summary.Errors.Add(new ScanError(name, e.Message));
        }
    }

    static void Read(TriggerEngine engine, Stream stream, string name, ScanFileFormat format, ScanOptions options, ClaimCodeFilter? filter,
        ScanSummary summary, CancellationToken cancellationToken)
    {
        var mode = options.Lenient ? X12ErrorMode.Lenient : X12ErrorMode.Strict;
        Action<X12Event> add = engine.Add;
        if (options.OnClaim is { } onClaim)
            add = e =>
            {
                engine.Add(e);
                if (e is ClaimEvent claim) onClaim(claim);
            };
        switch (format)
        {
            case ScanFileFormat.X12:
                var x12Options = (options.Lenient ? X12ReaderOptions.Lenient : X12ReaderOptions.Strict) with { ClaimFilter = filter };
                var result = X12Reader.Read(stream, name, add, x12Options, cancellationToken);
                summary.Interchanges += result.InterchangeCount;
                summary.Claims += result.ClaimCount;
                summary.ServiceLines += result.ServiceLineCount;
                summary.Skipped += result.SkippedTransactionCount;
                foreach (var error in result.Errors) summary.Errors.Add(new ScanError(name, error.ToString()));
                break;
            case ScanFileFormat.ClaimsCsv:
            case ScanFileFormat.EobNdjson:
                var claims = format == ScanFileFormat.ClaimsCsv
                    ? ClaimsCsvReader.Read(stream, name, add, mode)
                    : EobNdjsonReader.Read(stream, name, add, mode);
                summary.Claims += claims.ClaimCount;
                summary.ServiceLines += claims.ServiceLineCount;
                summary.Skipped += claims.SkippedClaimCount;
                foreach (var error in claims.Errors) summary.Errors.Add(new ScanError(name, error.ToString()));
                break;
        }
        summary.PriorAuthorizations = engine.AuthorizationRequests;
    }

    /// <summary>X12 starts with ISA (after an optional BOM and whitespace), NDJSON with '{'; anything else is read as CSV.</summary>
    public static ScanFileFormat Detect(Stream stream)
    {
        var start = stream.Position;
        Span<byte> head = stackalloc byte[64];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        var bytes = head[..n];
        if (bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        bytes = bytes.TrimStart(" \t\r\n"u8);
        if (bytes.StartsWith("ISA"u8)) return ScanFileFormat.X12;
        if (bytes.StartsWith("{"u8)) return ScanFileFormat.EobNdjson;
        return ScanFileFormat.ClaimsCsv;
    }

    /// <summary>Counts bytes read and reports every <c>every</c> bytes; a report is a delegate call, nothing else.</summary>
    sealed class ProgressStream(Stream inner, Action<long> report, long every) : Stream
    {
        long read;
        long next;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        int Count(int n)
        {
            read += n;
            if (read - next >= every)
            {
                next = read;
                report(read);
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

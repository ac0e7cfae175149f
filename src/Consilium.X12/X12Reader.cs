using System.Runtime.CompilerServices;

namespace Consilium.X12;

/// <summary>
/// Reads 837P/837I claims, 278 authorizations and 834 enrollments from an X12 stream, one buffer at a time.
/// </summary>
/// <example>
/// <code>
/// var result = X12Reader.Read(stream, "claims.edi", e => { if (e is ClaimEvent c) Check(c); });
/// // or
/// var events = X12Reader.ReadAsync(stream, "claims.edi", X12ReaderOptions.Lenient);
/// await foreach (var e in events) { … }
/// Console.WriteLine(events.Result.ClaimCount);
/// </code>
/// </example>
public static class X12Reader
{
    /// <summary>
    /// Synchronous callback read: the fastest path. In strict mode <paramref name="onEvent"/> sees events as
    /// they are parsed, and an error fails the read (so treat everything seen as void); in lenient mode it
    /// sees a transaction's events only after its SE has validated.
    /// </summary>
    public static X12ReadResult Read(Stream stream, string fileName, Action<X12Event> onEvent,
        X12ReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        options ??= X12ReaderOptions.Strict;
        using var reader = new X12SegmentReader(stream, fileName, leaveOpen: true, options.BufferSize);
        var engine = new X12Engine(reader, options, onEvent);
        while (true)
        {
            engine.ProcessBuffered();
            Drain(engine, onEvent);
            if (reader.IsFinished) return engine.Result;
            cancellationToken.ThrowIfCancellationRequested();
            reader.Fill();
        }
    }

    public static async Task<X12ReadResult> ReadAsync(Stream stream, string fileName, Action<X12Event> onEvent,
        X12ReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        options ??= X12ReaderOptions.Strict;
        using var reader = new X12SegmentReader(stream, fileName, leaveOpen: true, options.BufferSize);
        var engine = new X12Engine(reader, options, onEvent);
        while (true)
        {
            engine.ProcessBuffered();
            Drain(engine, onEvent);
            if (reader.IsFinished) return engine.Result;
            await reader.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Events as an async stream; <see cref="X12EventStream.Result"/> is complete once enumeration ends.</summary>
    public static X12EventStream ReadAsync(Stream stream, string fileName, X12ReaderOptions? options = null) =>
        new(stream, fileName, options ?? X12ReaderOptions.Strict);

    /// <summary>Reads a whole file into a list; for tests and small inputs only.</summary>
    public static (List<X12Event> Events, X12ReadResult Result) ReadAll(string path, X12ReaderOptions? options = null)
    {
        using var stream = File.OpenRead(path);
        var events = new List<X12Event>();
        var result = Read(stream, Path.GetFileName(path), events.Add, options);
        return (events, result);
    }

    static void Drain(X12Engine engine, Action<X12Event> onEvent)
    {
        var ready = engine.Ready;
        if (ready.Count == 0) return;
        foreach (var e in ready) onEvent(e);
        ready.Clear();
    }
}

/// <summary>An async sequence of events whose <see cref="Result"/> is filled in when enumeration completes.</summary>
public sealed class X12EventStream : IAsyncEnumerable<X12Event>
{
    readonly Stream stream;
    readonly string fileName;
    readonly X12ReaderOptions options;
    X12ReadResult? result;

    internal X12EventStream(Stream stream, string fileName, X12ReaderOptions options)
    {
        this.stream = stream;
        this.fileName = fileName;
        this.options = options;
    }

    public X12ReadResult Result => result ?? throw new InvalidOperationException("The stream has not been read to the end yet.");

    public IAsyncEnumerator<X12Event> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Enumerate(cancellationToken).GetAsyncEnumerator(cancellationToken);

    async IAsyncEnumerable<X12Event> Enumerate([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new X12SegmentReader(stream, fileName, leaveOpen: true, options.BufferSize);
        var engine = new X12Engine(reader, options);
        var batch = new List<X12Event>();
        while (true)
        {
            engine.ProcessBuffered();
            if (engine.Ready.Count > 0)
            {
                // Copy out before yielding: the consumer may take its time, and the engine reuses its list.
                batch.AddRange(engine.Ready);
                engine.Ready.Clear();
                foreach (var e in batch) yield return e;
                batch.Clear();
            }
            if (reader.IsFinished) break;
            await reader.FillAsync(cancellationToken).ConfigureAwait(false);
        }
        result = engine.Result;
    }
}

namespace Consilium.X12.Transactions;

/// <summary>Caches shared by the parsers of one read; see <see cref="BytesCache{T}"/>.</summary>
sealed class ParseCaches
{
    public readonly StringPool Pool = new();
    public readonly BytesCache<int[]> Pointers = new(16, 1 << 8);
    public readonly BytesCache<string[]> Modifiers = new(24, 1 << 10);
}

/// <summary>Where parsers hand their events: counted per transaction, then buffered or passed straight on.</summary>
interface IEventSink
{
    void Emit(X12Event e);

    /// <summary>A claim that was read and validated but not built (<see cref="X12ReaderOptions.ClaimFilter"/>).</summary>
    void Filtered(long lines);
}

/// <summary>One transaction set parser, reused across transactions so its scratch lists are allocated once.</summary>
abstract class TransactionParser(ParseCaches caches)
{
    protected readonly ParseCaches Caches = caches;
    protected readonly StringPool Pool = caches.Pool;
    protected X12SegmentReader R = null!;
    protected X12TransactionInfo Info = null!;
    IEventSink sink = null!;

    public void Begin(X12SegmentReader reader, X12TransactionInfo info, IEventSink eventSink)
    {
        R = reader;
        Info = info;
        sink = eventSink;
        Reset();
    }

    protected void Emit(X12Event e) => sink.Emit(e);

    protected void Filtered(long lines) => sink.Filtered(lines);

    protected ProviderRef Provider() => Parse.Provider(R, Pool);

    protected abstract void Reset();
    public abstract void OnSegment(int key);
    public abstract void End();

    protected string? Pooled(int element) => Pool.Get(R.GetElement(element));
    protected string? Pooled(int element, int component) => Pool.Get(R.GetComponent(element, component));
    protected string? Str(int element) => R.GetString(element);
}

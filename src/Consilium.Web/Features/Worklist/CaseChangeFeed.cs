using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Consilium.Features.Cases;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Worklist;

public sealed class WorklistOptions
{
    public const string Section = "Worklist";

    /// <summary>How often a node reads the change table while a browser on it listens. The delay of a change made on another node.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a hole in the sequence is waited for: on PostgreSQL a transaction can commit after a later one, so a
    /// missing number may still appear; after this it is taken as a rolled-back transaction's.
    /// </summary>
    public TimeSpan GapTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A comment line sent on an idle stream, so proxies (nginx's 60 s read timeout) keep it open.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Change rows older than this are deleted; a browser away longer reloads the page.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    internal static bool Validate(WorklistOptions o) =>
        o.PollInterval > TimeSpan.Zero && o.GapTimeout >= o.PollInterval && o.Heartbeat > TimeSpan.Zero && o.Retention >= TimeSpan.FromMinutes(5);
}

/// <summary>
/// What a listening worklist is told: no name, no concern, nothing about the member. The case's SLA due times and
/// coordinator come along so each stream can send the row's badges as the page would render them now.
/// </summary>
public sealed record CaseChangeEvent(long Sequence, Guid CaseId, Guid ProgramId, CaseStatus Status, string Stage, int Version,
    Guid? CoordinatorUserId = null, DateTimeOffset? FirstContactDueAt = null, DateTimeOffset? PacketDueAt = null)
{
    /// <summary>The row's SLA state for the user <paramref name="me"/> at <paramref name="now"/>, decided as on the page.</summary>
    public WorklistSla Sla(Guid? me, DateTimeOffset now) => WorklistSla.Of(Status, FirstContactDueAt, PacketDueAt, CoordinatorUserId, me, now);

    /// <summary>
    /// The events of <paramref name="rows"/>, with the SLA fields of their cases read in one query per pass (not per
    /// stream). The due times are the case's current ones: they are set at intake and rarely move.
    /// </summary>
    internal static async Task<IReadOnlyList<CaseChangeEvent>> OfAsync(ConsiliumDbContext db, IReadOnlyList<CaseChange> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.CaseId).Distinct().ToList();
        var cases = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.CoordinatorUserId, c.FirstContactDueAt, c.PacketDueAt }).ToDictionaryAsync(c => c.Id, ct);
        return rows.Select(r =>
        {
            var c = cases.GetValueOrDefault(r.CaseId);
            return new CaseChangeEvent(r.Sequence, r.CaseId, r.ProgramId, r.Status, Navigation.StageLabel(r.Status), r.Version,
                c?.CoordinatorUserId, c?.FirstContactDueAt, c?.PacketDueAt);
        }).ToList();
    }
}

/// <summary>
/// This node's reader of the change table. While at least one stream is open it reads the rows committed since the
/// last pass (by any node) and hands each to the streams whose user serves the case's program. Rows are followed by a
/// watermark below which every number was seen; numbers above it are remembered, so a transaction that commits after a
/// later one is still delivered, once.
/// </summary>
public sealed partial class CaseChangeFeed(IServiceScopeFactory scopes, IOptions<WorklistOptions> options, TimeProvider clock, ILogger<CaseChangeFeed> logger)
    : BackgroundService
{
    const int BatchSize = 500;

    readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();
    readonly SemaphoreSlim _listening = new(0);
    readonly Lock _gate = new();
    readonly HashSet<long> _seenAbove = [];
    long? _watermark;
    long _gapSince;
    long _lastPrune;

    /// <summary>
    /// Opens a subscription for the cases of <paramref name="programs"/> from the change numbered <paramref name="after"/>
    /// on. Changes this node had already read before are the caller's to replay (<see cref="SinceAsync"/>). Dispose it
    /// when the stream ends.
    /// </summary>
    public Subscription Subscribe(IReadOnlySet<Guid> programs, long after)
    {
        var subscription = new Subscription(this, programs, after);
        lock (_gate)
        {
            _subscriptions[subscription] = 0;
            _watermark ??= after;
        }
        _listening.Release();
        return subscription;
    }

    /// <summary>The number of the latest change: where a new stream starts.</summary>
    public static async Task<long> LatestAsync(ConsiliumDbContext db, CancellationToken ct) =>
        await db.Set<CaseChange>().MaxAsync(c => (long?)c.Sequence, ct) ?? 0;

    /// <summary>Changes after <paramref name="after"/> for <paramref name="programs"/>: what a reconnecting stream missed.</summary>
    public static async Task<IReadOnlyList<CaseChangeEvent>> SinceAsync(ConsiliumDbContext db, long after, IReadOnlySet<Guid> programs, CancellationToken ct)
    {
        var ids = programs.ToList();
        var rows = await db.Set<CaseChange>().AsNoTracking().Where(c => c.Sequence > after && ids.Contains(c.ProgramId))
            .OrderBy(c => c.Sequence).Take(BatchSize).ToListAsync(ct);
        return await CaseChangeEvent.OfAsync(db, rows, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var idle = false;
            lock (_gate)
            {
                if (_subscriptions.IsEmpty)
                {
                    // Nobody listens here: forget the position; the next listener sets it.
                    (_watermark, _gapSince, idle) = (null, 0, true);
                    _seenAbove.Clear();
                }
            }
            if (idle)
            {
                // Old rows are deleted even on a node nobody watches, so the table cannot grow without bound.
                if (!await _listening.WaitAsync(TimeSpan.FromHours(1), stoppingToken)) await PruneIdleAsync(stoppingToken);
                continue;
            }
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(logger, e.GetType().Name);
            }
            // Real time, not the platform clock: this is a delivery delay, not a business deadline.
            await Task.Delay(options.Value.PollInterval, stoppingToken);
        }
    }

    internal async Task PollAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>();
        long watermark;
        lock (_gate)
        {
            if (_watermark is null) return;
            watermark = _watermark.Value;
        }

        var rows = await db.Set<CaseChange>().AsNoTracking().Where(c => c.Sequence > watermark).OrderBy(c => c.Sequence).Take(BatchSize).ToListAsync(ct);
        var events = await CaseChangeEvent.OfAsync(db, rows, ct);
        lock (_gate)
        {
            // The position was reset (every stream closed) while the rows were read: they belong to nobody.
            if (_watermark != watermark) return;
            foreach (var change in events.Where(e => _seenAbove.Add(e.Sequence)))
                foreach (var subscription in _subscriptions.Keys) subscription.Offer(change);
            Advance();
        }
        await PruneAsync(db, ct);
    }

    void Advance()
    {
        var now = Stopwatch.GetTimestamp();
        while (_seenAbove.Count > 0)
        {
            var next = _watermark!.Value + 1;
            if (_seenAbove.Remove(next))
            {
                (_watermark, _gapSince) = (next, 0);
                continue;
            }
            if (_gapSince == 0) _gapSince = now;
            if (Stopwatch.GetElapsedTime(_gapSince, now) < options.Value.GapTimeout) return;
            (_watermark, _gapSince) = (next, 0);
        }
    }

    async Task PruneIdleAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await PruneAsync(scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>(), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogPollFailed(logger, e.GetType().Name);
        }
    }

    async Task PruneAsync(ConsiliumDbContext db, CancellationToken ct)
    {
        var now = Stopwatch.GetTimestamp();
        if (_lastPrune != 0 && Stopwatch.GetElapsedTime(_lastPrune, now) < TimeSpan.FromHours(1)) return;
        _lastPrune = now;
        // A row's time is the platform clock's (the case's UpdatedAt): its age is measured on the same clock, or a row
        // just written under a clock that differs from the machine's (a test's, a replay's) could be deleted unread.
        var before = clock.GetUtcNow() - options.Value.Retention;
        await db.Set<CaseChange>().Where(c => c.At < before).ExecuteDeleteAsync(ct);
    }

    void Remove(Subscription subscription) => _subscriptions.TryRemove(subscription, out _);

    /// <summary>One open stream's queue. A stream too slow to keep up loses its oldest events (it resynchronises by version).</summary>
    public sealed class Subscription : IDisposable
    {
        readonly CaseChangeFeed _feed;
        readonly IReadOnlySet<Guid> _programs;
        readonly long _after;
        readonly Channel<CaseChangeEvent> _queue = Channel.CreateBounded<CaseChangeEvent>(
            new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        internal Subscription(CaseChangeFeed feed, IReadOnlySet<Guid> programs, long after) => (_feed, _programs, _after) = (feed, programs, after);

        public ChannelReader<CaseChangeEvent> Events => _queue.Reader;

        internal void Offer(CaseChangeEvent change)
        {
            if (change.Sequence > _after && _programs.Contains(change.ProgramId)) _queue.Writer.TryWrite(change);
        }

        public void Dispose()
        {
            _feed.Remove(this);
            _queue.Writer.TryComplete();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worklist change feed pass failed with {ExceptionType}; retrying at the next poll")]
    static partial void LogPollFailed(ILogger logger, string exceptionType);
}

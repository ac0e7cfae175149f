using Consilium.Infrastructure.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Consilium.Infrastructure;

/// <summary>Where a node takes "now" from (docs/deployment.md, Clock skew).</summary>
public enum ClockSource
{
    /// <summary>On PostgreSQL, the database server's clock: every node agrees on when a timer is due, whatever its own clock says.</summary>
    Database,
    /// <summary>The node's own clock, as read by the operating system. Always the case on SQLite (one node, one machine).</summary>
    Node,
}

public sealed class ClockOptions
{
    public const string Section = "Clock";

    public ClockSource Source { get; set; } = ClockSource.Database;

    /// <summary>How often a node measures its offset from the database server's clock again.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An offset larger than this is logged as a warning: the node's time service needs attention.</summary>
    public TimeSpan WarnAbove { get; set; } = TimeSpan.FromSeconds(2);

    internal static bool Validate(ClockOptions o) => o.SyncInterval >= TimeSpan.FromSeconds(1) && o.WarnAbove > TimeSpan.Zero;
}

/// <summary>
/// The platform clock of a node on PostgreSQL: the node's clock corrected by its offset from the database server's clock,
/// measured at start and every <see cref="ClockOptions.SyncInterval"/> by <see cref="DatabaseClockSync"/>. SLA timers, job
/// heartbeats and their staleness, expiries and audit timestamps are then compared on one clock shared by all nodes, so
/// a node whose clock runs ahead neither fires a timer early nor takes over another node's live job. Only the wall clock
/// is corrected; intervals (timers, stopwatches) stay on the node's monotonic clock.
/// </summary>
public sealed class DatabaseTimeProvider : TimeProvider
{
    long offsetTicks;
    long syncs;

    /// <summary>Database clock minus node clock at the last measurement (zero until the first one).</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref offsetTicks));

    public bool IsSynchronized => Volatile.Read(ref syncs) > 0;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Volatile.Read(ref offsetTicks));

    internal void SetOffset(TimeSpan offset)
    {
        Volatile.Write(ref offsetTicks, offset.Ticks);
        Interlocked.Increment(ref syncs);
    }
}

/// <summary>
/// Measures the node's offset from PostgreSQL's <c>clock_timestamp()</c>: three round trips, the shortest one kept, its
/// midpoint taken as the moment the server read its clock (the error is at most half that round trip, well under a
/// millisecond on a LAN). The first measurement happens while the server starts, before any timer runs; a failed
/// measurement keeps the last offset and is retried at the next interval.
/// </summary>
internal sealed partial class DatabaseClockSync(
    DatabaseTimeProvider clock, DatabaseSettings settings, IOptions<ClockOptions> options, ILogger<DatabaseClockSync> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MeasureAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogFailed(logger, e.GetType().Name);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SyncInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await MeasureAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
    }

    internal async Task MeasureAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        TimeSpan? best = null;
        var bestRoundTrip = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var sent = TimeProvider.System.GetUtcNow();
            var started = TimeProvider.System.GetTimestamp();
            var server = (DateTime)(await command.ExecuteScalarAsync(ct))!;
            var roundTrip = TimeProvider.System.GetElapsedTime(started);
            if (roundTrip >= bestRoundTrip) continue;
            bestRoundTrip = roundTrip;
            best = new DateTimeOffset(DateTime.SpecifyKind(server, DateTimeKind.Utc)) - (sent + roundTrip / 2);
        }
        var previous = clock.IsSynchronized ? clock.Offset : (TimeSpan?)null;
        clock.SetOffset(best!.Value);
        if (previous is null || (best.Value - previous.Value).Duration() > TimeSpan.FromMilliseconds(500))
        {
            if (best.Value.Duration() > options.Value.WarnAbove) LogLargeOffset(logger, best.Value.TotalMilliseconds, bestRoundTrip.TotalMilliseconds);
            else LogOffset(logger, best.Value.TotalMilliseconds, bestRoundTrip.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Clock: {OffsetMs:0.0} ms from the database server's clock (round trip {RoundTripMs:0.0} ms); the platform uses the database's time")]
    static partial void LogOffset(ILogger logger, double offsetMs, double roundTripMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock: this node's clock is {OffsetMs:0} ms off the database server's (round trip {RoundTripMs:0.0} ms); the platform uses the database's time, but fix the node's time service")]
    static partial void LogLargeOffset(ILogger logger, double offsetMs, double roundTripMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock: measuring the offset from the database failed with {ExceptionType}; keeping the last offset")]
    static partial void LogFailed(ILogger logger, string exceptionType);
}

public static class PlatformClock
{
    /// <summary>
    /// The node's <see cref="TimeProvider"/>: on PostgreSQL with <see cref="ClockSource.Database"/> (the default), the
    /// database-corrected clock and the hosted service that keeps it corrected; otherwise the system clock.
    /// Register right after the database initializer, so the first measurement precedes every timer.
    /// </summary>
    public static IServiceCollection AddPlatformClock(this IServiceCollection services, IConfiguration configuration, DatabaseSettings database)
    {
        services.AddOptions<ClockOptions>().BindConfiguration(ClockOptions.Section)
            .Validate(ClockOptions.Validate, "Clock: SyncInterval is at least one second and WarnAbove positive.").ValidateOnStart();
        var source = configuration.GetSection(ClockOptions.Section).Get<ClockOptions>()?.Source ?? ClockSource.Database;
        if (database.Provider == DatabaseProvider.Postgres && source == ClockSource.Database)
        {
            var clock = new DatabaseTimeProvider();
            services.AddSingleton(clock);
            services.AddSingleton<TimeProvider>(clock);
            services.AddHostedService<DatabaseClockSync>();
        }
        else
        {
            services.AddSingleton(TimeProvider.System);
        }
        return services;
    }
}

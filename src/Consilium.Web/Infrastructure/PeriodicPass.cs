namespace Consilium.Infrastructure;

/// <summary>
/// Runs a pass every <see cref="Interval"/> of the platform clock (so tests move it with a fake clock); a zero interval
/// turns it off. A failed pass is reported by its exception type only (a message can carry health information) and
/// tried again at the next tick: an exception escaping a <see cref="BackgroundService"/> stops the host, and one
/// pass is not worth the node.
/// </summary>
internal abstract class PeriodicPass(TimeProvider clock) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether the first pass runs at start rather than after the first interval.</summary>
    protected virtual bool RunAtStart => false;

    protected abstract Task PassAsync(CancellationToken ct);

    protected abstract void Failed(string exceptionType);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = Interval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        if (RunAtStart) await RunAsync(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await RunAsync(stoppingToken);
    }

    async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PassAsync(stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            Failed(e.GetType().Name);
        }
    }
}

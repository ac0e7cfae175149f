using System.Threading.Channels;

namespace Consilium.Infrastructure;

/// <summary>
/// Wakes a background worker on this node at once (work was just queued here) instead of at its next poll. Notifications
/// while the worker is busy collapse into one. Each worker has its own subclass, so each is its own service.
/// </summary>
public abstract class WakeSignal
{
    readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Returns when notified or when <paramref name="interval"/> has passed on <paramref name="clock"/>, whichever comes first.</summary>
    internal async Task WaitAsync(TimeSpan interval, TimeProvider clock, CancellationToken ct)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(interval, clock, wake.Token);
        var signalled = _channel.Reader.ReadAsync(wake.Token).AsTask();
        try
        {
            await Task.WhenAny(delay, signalled);
        }
        finally
        {
            await wake.CancelAsync();
        }
        await Task.WhenAll(delay, signalled).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

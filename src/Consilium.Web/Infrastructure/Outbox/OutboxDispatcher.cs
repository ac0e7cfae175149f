using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Infrastructure.Outbox;

/// <summary>
/// One pass over the due outbox messages. A message is claimed with a conditional UPDATE (it succeeds on one node
/// only), handled, then marked sent, or rescheduled with a growing delay, or failed after the last attempt. Works the
/// same on SQLite and PostgreSQL and with any number of nodes.
/// </summary>
public sealed partial class OutboxDispatcher(
    ConsiliumDbContext db, IEnumerable<IOutboxHandler> handlers, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxDispatcher> logger)
{
    /// <summary>This process, as written into the claims it makes.</summary>
    internal static readonly string Node = Clip($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", 100);

    /// <summary>Handles up to a batch of due messages; returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var due = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Status == OutboxStatus.Pending && m.AvailableAt <= now && (m.LockedUntil == null || m.LockedUntil < now))
            .OrderBy(m => m.AvailableAt).ThenBy(m => m.Id)
            .Select(m => m.Id).Take(o.BatchSize).ToListAsync(ct);

        var sent = 0;
        foreach (var id in due)
        {
            now = clock.GetUtcNow();
            var lease = now + o.Lease;
            var claimed = await db.Set<OutboxMessage>()
                .Where(m => m.Id == id && m.Status == OutboxStatus.Pending && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.LockedUntil, lease).SetProperty(m => m.LockedBy, Node)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
            if (claimed == 0) continue;

            var message = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id, ct);
            var handler = handlers.FirstOrDefault(h => h.Kind == message.Kind);
            try
            {
                if (handler is null) throw new InvalidOperationException($"No outbox handler for kind '{message.Kind}'.");
                await handler.HandleAsync(message.Payload, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await FailAsync(message, e, ct);
                continue;
            }

            var at = clock.GetUtcNow();
            await db.Set<OutboxMessage>().Where(m => m.Id == id && m.LockedBy == Node)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, at)
                    .SetProperty(m => m.Payload, "").SetProperty(m => m.LockedUntil, (DateTimeOffset?)null).SetProperty(m => m.LastError, (string?)null), ct);
            LogSent(logger, id, message.Kind, message.Attempts);
            sent++;
        }
        return sent;
    }

    async Task FailAsync(OutboxMessage message, Exception e, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var error = e.GetType().Name;
        var exhausted = message.Attempts >= o.MaxAttempts;
        var delay = TimeSpan.FromTicks(Math.Min(o.MaxRetryDelay.Ticks, o.RetryDelay.Ticks * (1L << Math.Min(20, message.Attempts - 1))));
        var next = now + delay;
        await db.Set<OutboxMessage>().Where(m => m.Id == message.Id && m.LockedBy == Node)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, exhausted ? OutboxStatus.Failed : OutboxStatus.Pending)
                .SetProperty(m => m.AvailableAt, next).SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.LastError, error), ct);
        if (exhausted) LogGaveUp(logger, message.Id, message.Kind, message.Attempts, error);
        else LogRetry(logger, message.Id, message.Kind, message.Attempts, error, delay);
    }

    static string Clip(string value, int max) => value.Length <= max ? value : value[^max..];

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} ({Kind}) sent on attempt {Attempt}")]
    static partial void LogSent(ILogger logger, Guid messageId, string kind, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} ({Kind}) attempt {Attempt} failed with {ExceptionType}; retrying in {Delay}")]
    static partial void LogRetry(ILogger logger, Guid messageId, string kind, int attempt, string exceptionType, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({Kind}) failed {Attempt} times, last with {ExceptionType}; giving up")]
    static partial void LogGaveUp(ILogger logger, Guid messageId, string kind, int attempt, string exceptionType);
}

/// <summary>Runs dispatch passes: at once when this node committed messages, otherwise every poll interval.</summary>
internal sealed partial class OutboxWorker(
    IServiceScopeFactory scopes, OutboxSignal signal, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int sent;
                do
                {
                    await using var scope = scopes.CreateAsyncScope();
                    sent = await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(stoppingToken);
                } while (sent >= options.Value.BatchSize);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A database that is not there yet (an unmigrated PostgreSQL) or briefly unreachable: try again next time.
                LogPassFailed(logger, e.GetType().Name);
            }

            await signal.WaitAsync(options.Value.PollInterval, clock, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox pass failed with {ExceptionType}; retrying at the next poll")]
    static partial void LogPassFailed(ILogger logger, string exceptionType);
}

using System.Threading.Channels;
using Consilium.Infrastructure.Persistence;

namespace Consilium.Infrastructure.Outbox;

/// <summary>Carries out one kind of outbox message. Throwing means "try again later".</summary>
public interface IOutboxHandler
{
    string Kind { get; }

    Task HandleAsync(string payload, CancellationToken cancellationToken);
}

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often each node looks for due messages even when nothing woke it (messages written by other nodes, retries).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages handled per pass.</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>Attempts before a message is marked failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; each further attempt doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a node holds a claimed message; another node may take it after that (the first one died).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Turns the dispatcher off on this node (messages are still written and other nodes send them).</summary>
    public bool Enabled { get; set; } = true;

    internal static bool Validate(OutboxOptions o) =>
        o.PollInterval > TimeSpan.Zero && o.BatchSize is > 0 and <= 500 && o.MaxAttempts is > 0 and <= 100 &&
        o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay && o.Lease >= TimeSpan.FromSeconds(10);
}

/// <summary>Wakes this node's dispatcher at once after a unit of work committed outbox messages.</summary>
public sealed class OutboxSignal : WakeSignal;

/// <summary>
/// Adds messages to the current unit of work. Call <see cref="Notify"/> after the save that commits them, so this node
/// sends them now rather than at its next poll.
/// </summary>
public sealed class OutboxWriter(ConsiliumDbContext db, TimeProvider clock, OutboxSignal signal)
{
    public OutboxMessage Add(string kind, string payload, string summary)
    {
        var message = OutboxMessage.Create(kind, payload, summary, clock.GetUtcNow());
        db.Add(message);
        return message;
    }

    public void Notify() => signal.Notify();
}

public static class OutboxSetup
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section)
            .Validate(OutboxOptions.Validate, "Outbox options are not valid: intervals must be positive, BatchSize 1–500, MaxAttempts 1–100, Lease at least 10 s.")
            .ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<OutboxWriter>();
        services.AddScoped<OutboxDispatcher>();
        services.AddHostedService<OutboxWorker>();
        return services;
    }
}

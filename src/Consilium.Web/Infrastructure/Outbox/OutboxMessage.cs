using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Infrastructure.Outbox;

public enum OutboxStatus
{
    Pending,
    Sent,
    /// <summary>Gave up after the configured number of attempts; stays for an operator to see.</summary>
    Failed,
}

/// <summary>
/// A side effect (an email today) recorded in the same transaction as the change that causes it, and carried out
/// afterwards by <see cref="OutboxDispatcher"/>. Delivery is at least once: a crash between sending and marking sent
/// sends again.
/// </summary>
public sealed class OutboxMessage
{
    public const int MaxPayloadLength = 64 * 1024;

    OutboxMessage() { Kind = ""; Payload = ""; Summary = ""; }

    public Guid Id { get; private set; }

    /// <summary>Which <see cref="IOutboxHandler"/> carries it out ("email").</summary>
    public string Kind { get; private set; }

    /// <summary>What the handler needs, as JSON. Cleared once sent: a sent email's body (and any link in it) is not kept.</summary>
    public string Payload { get; private set; }

    /// <summary>Recipient and subject, for the operator's outbox page. Never a body.</summary>
    public string Summary { get; private set; }

    public OutboxStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Not before this instant: the first attempt at once, retries after a growing delay.</summary>
    public DateTimeOffset AvailableAt { get; private set; }

    /// <summary>A node that claimed the message holds it until then; a node that died lets it go when this passes.</summary>
    public DateTimeOffset? LockedUntil { get; private set; }

    public string? LockedBy { get; private set; }
    public int Attempts { get; private set; }

    /// <summary>The exception type of the last failure; never its message (it can echo an address or a body).</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    public static OutboxMessage Create(string kind, string payload, string summary, DateTimeOffset now)
    {
        if (payload.Length > MaxPayloadLength) throw new InvalidOperationException($"An outbox payload is limited to {MaxPayloadLength} characters.");
        return new OutboxMessage
        {
            Id = Guid.CreateVersion7(now), Kind = kind, Payload = payload, Summary = summary.Length <= 500 ? summary : summary[..500],
            Status = OutboxStatus.Pending, CreatedAt = now, AvailableAt = now,
        };
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Kind).HasMaxLength(40);
        builder.Property(m => m.Payload).HasMaxLength(OutboxMessage.MaxPayloadLength);
        builder.Property(m => m.Summary).HasMaxLength(500);
        builder.Property(m => m.LockedBy).HasMaxLength(100);
        builder.Property(m => m.LastError).HasMaxLength(200);
        // The enum-by-name convention covers Consilium.Features; this one lives in Infrastructure.
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(40);
        builder.HasIndex(m => new { m.Status, m.AvailableAt });
    }
}

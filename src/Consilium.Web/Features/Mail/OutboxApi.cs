using Consilium.Features.Identity;
using Consilium.Infrastructure.Outbox;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Mail;

/// <summary>One outgoing message as the operator sees it: who, what subject, how it went. Never the body (it can carry a secure link).</summary>
public sealed record OutboxItem(Guid Id, string Kind, string Summary, OutboxStatus Status, int Attempts, string? LastError, DateTimeOffset CreatedAt,
    DateTimeOffset AvailableAt, DateTimeOffset? SentAt);

public sealed record OutboxPage(MailDelivery Delivery, string? PickupDirectory, int Pending, int Failed, IReadOnlyList<OutboxItem> Items);

public sealed class OutboxQueries(ConsiliumDbContext db, Microsoft.Extensions.Options.IOptions<MailOptions> mail,
    Microsoft.Extensions.Options.IOptions<Infrastructure.StorageOptions> storage)
{
    public async Task<OutboxPage> ListAsync(OutboxStatus? status, int take, CancellationToken ct)
    {
        var query = db.Set<OutboxMessage>().AsNoTracking();
        if (status is { } s) query = query.Where(m => m.Status == s);
        var items = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(Math.Clamp(take, 1, 500))
            .Select(m => new OutboxItem(m.Id, m.Kind, m.Summary, m.Status, m.Attempts, m.LastError, m.CreatedAt, m.AvailableAt, m.SentAt)).ToListAsync(ct);
        var pending = await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Pending, ct);
        var failed = await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Failed, ct);
        var delivery = mail.Value.EffectiveDelivery;
        return new OutboxPage(delivery, delivery == MailDelivery.Pickup ? mail.Value.FullPickupDirectory(storage.Value) : null, pending, failed, items);
    }
}

public static class OutboxApi
{
    public static IServiceCollection AddOutboxPage(this IServiceCollection services) => services.AddScoped<OutboxQueries>();

    public static IEndpointRouteBuilder MapOutbox(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/outbox", List).WithTags("Mail").RequireAuthorization(Policies.OutboxRead);
        return app;
    }

    static async Task<Ok<OutboxPage>> List([FromQuery] OutboxStatus? status, [FromQuery] int? take, OutboxQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.ListAsync(status, take ?? 100, ct));
}

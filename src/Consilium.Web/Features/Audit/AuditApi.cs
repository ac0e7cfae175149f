using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Audit;

public sealed record AuditEntryView(long Id, DateTimeOffset At, Guid? UserId, string UserName, string Role, AuditAction Action,
    string ObjectType, string? ObjectId, Guid? PatientId, AuditOutcome Outcome, string Source, string? Reason);

public sealed record AuditQuery(Guid? PatientId, Guid? UserId, DateTimeOffset? From, DateTimeOffset? To, AuditAction? Action, long? AfterId, int? Take);

/// <summary>The auditor's read of the trail. Reading it is itself audited.</summary>
public sealed class AuditHandlers(ConsiliumDbContext db, AuditTrail audit)
{
    public async Task<IReadOnlyList<AuditEntryView>> SearchAsync(AuditQuery query, CancellationToken ct)
    {
        var entries = db.AuditEntries.AsNoTracking();
        if (query.PatientId is { } patient) entries = entries.Where(e => e.PatientId == patient);
        if (query.UserId is { } userId) entries = entries.Where(e => e.UserId == userId);
        if (query.From is { } from) entries = entries.Where(e => e.At >= from);
        if (query.To is { } to) entries = entries.Where(e => e.At < to);
        if (query.Action is { } action) entries = entries.Where(e => e.Action == action);
        if (query.AfterId is { } after) entries = entries.Where(e => e.Id > after);
        var take = Math.Clamp(query.Take ?? 100, 1, 1000);
        var found = await entries.OrderBy(e => e.Id).Take(take)
            .Select(e => new AuditEntryView(e.Id, e.At, e.UserId, e.UserName, e.Role, e.Action, e.ObjectType, e.ObjectId, e.PatientId, e.Outcome, e.Source, e.Reason))
            .ToListAsync(ct);
        audit.Record(AuditAction.Query, "AuditTrail", null, query.PatientId);
        await db.SaveChangesAsync(ct);
        return found;
    }
}

public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services) =>
        services.AddScoped<AuditTrail>().AddScoped<AuditHandlers>();

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", Search).WithTags("Audit").RequireAuthorization(Policies.AuditRead);
        return app;
    }

    static async Task<Ok<IReadOnlyList<AuditEntryView>>> Search([AsParameters] AuditQueryParameters p, AuditHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SearchAsync(new AuditQuery(p.PatientId, p.UserId, p.From, p.To, p.Action, p.AfterId, p.Take), ct));

    internal sealed record AuditQueryParameters(
        [FromQuery] Guid? PatientId, [FromQuery] Guid? UserId, [FromQuery] DateTimeOffset? From, [FromQuery] DateTimeOffset? To,
        [FromQuery] AuditAction? Action, [FromQuery] long? AfterId, [FromQuery] int? Take);
}

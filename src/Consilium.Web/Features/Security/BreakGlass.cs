using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Security;

/// <summary>
/// Emergency access to one case outside a user's normal reach: a mandatory reason, a short time box, every access
/// under it marked in the audit trail, and the privacy officer notified at once.
/// </summary>
public sealed class BreakGlassGrant
{
    public const int MinimumReasonLength = 20;
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaximumDuration = TimeSpan.FromHours(4);

    BreakGlassGrant() { Reason = ""; UserName = ""; }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public string UserName { get; private set; }
    public Guid CaseId { get; private set; }
    public Guid MemberId { get; private set; }
    public string Reason { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }

    public static BreakGlassGrant Open(Actor actor, Guid caseId, Guid memberId, string? reason, TimeSpan? duration, DateTimeOffset now)
    {
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length < MinimumReasonLength)
            throw new RuleViolationException("reason", $"Say why emergency access is needed, in at least {MinimumReasonLength} characters.");
        if (trimmed.Length > 1000) throw new RuleViolationException("reason", "The reason is longer than 1000 characters.");
        var length = duration ?? DefaultDuration;
        if (length <= TimeSpan.Zero || length > MaximumDuration)
            throw new RuleViolationException("minutes", $"Emergency access lasts between 1 and {MaximumDuration.TotalMinutes:0} minutes.");
        return new BreakGlassGrant
        {
            Id = Guid.CreateVersion7(now), UserId = actor.UserId ?? throw new ForbiddenException("Only a signed-in user can break the glass."),
            UserName = actor.Name, CaseId = caseId, MemberId = memberId, Reason = trimmed, StartedAt = now, ExpiresAt = now + length,
        };
    }
}

/// <summary>A message for a group of users (e.g. the privacy officers), shown where they work until read.</summary>
public sealed class Notification
{
    Notification() { Audience = ""; Subject = ""; }

    public Notification(string audience, string subject, string? link, DateTimeOffset at)
    {
        Id = Guid.CreateVersion7(at);
        Audience = audience;
        Subject = subject;
        Link = link;
        CreatedAt = at;
    }

    public Guid Id { get; private set; }
    public string Audience { get; private set; }
    public string Subject { get; private set; }
    public string? Link { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ReadAt { get; private set; }

    public void MarkRead(DateTimeOffset at) => ReadAt ??= at;
}

internal sealed class BreakGlassConfiguration : IEntityTypeConfiguration<BreakGlassGrant>, IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<BreakGlassGrant> builder)
    {
        builder.ToTable("BreakGlassGrants");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Reason).HasMaxLength(1000);
        builder.Property(g => g.UserName).HasMaxLength(256);
        builder.HasIndex(g => new { g.UserId, g.CaseId, g.ExpiresAt });
        builder.HasOne<Case>().WithMany().HasForeignKey(g => g.CaseId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("Notifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Audience).HasMaxLength(40);
        builder.Property(n => n.Subject).HasMaxLength(500);
        builder.Property(n => n.Link).HasMaxLength(500);
        builder.HasIndex(n => new { n.Audience, n.ReadAt });
    }
}

public sealed record BreakGlassRequest(string? Reason, int? Minutes);

public sealed record BreakGlassView(Guid Id, Guid CaseId, string Reason, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt);

public sealed class BreakGlassHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    public const string PrivacyOfficers = Roles.Auditor;

    public async Task<BreakGlassView> OpenAsync(Guid caseId, BreakGlassRequest request, CancellationToken ct)
    {
        var target = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => new { c.Id, c.Number, c.MemberId }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Case", caseId);
        var now = clock.GetUtcNow();
        BreakGlassGrant grant;
        try
        {
            grant = BreakGlassGrant.Open(user.Actor, target.Id, target.MemberId, request.Reason,
                request.Minutes is { } m ? TimeSpan.FromMinutes(m) : null, now);
        }
        catch (RuleViolationException)
        {
            await audit.RecordFailureAsync(AuditAction.PermissionChange, "BreakGlass", caseId, target.MemberId, AuditOutcome.Failure, "break-glass refused: no adequate reason", ct);
            throw;
        }
        db.Add(grant);
        db.Add(new Notification(PrivacyOfficers,
            $"Break-glass: {user.Name} ({user.Role}) opened emergency access to case {target.Number} until {grant.ExpiresAt:u}. Reason: {grant.Reason}",
            $"/audit?breakGlass=true&objectId={caseId}", now));
        audit.Record(AuditAction.PermissionChange, "BreakGlass", caseId, target.MemberId, reason: AuditHandlers.BreakGlassPrefix + grant.Reason);
        await db.SaveChangesAsync(ct);
        return new BreakGlassView(grant.Id, grant.CaseId, grant.Reason, grant.StartedAt, grant.ExpiresAt);
    }

    public async Task<IReadOnlyList<Notification>> UnreadForAsync(string audience, CancellationToken ct) =>
        await db.Set<Notification>().AsNoTracking().Where(n => n.Audience == audience && n.ReadAt == null)
            .OrderByDescending(n => n.CreatedAt).Take(50).ToListAsync(ct);
}

public static class BreakGlassApi
{
    public static IServiceCollection AddBreakGlass(this IServiceCollection services) => services.AddScoped<BreakGlassHandlers>();

    public static IEndpointRouteBuilder MapBreakGlass(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/cases/{id:guid}/break-glass", Open).WithTags("Cases").RequireAuthorization(Policies.BreakGlass);
        return app;
    }

    static async Task<Created<BreakGlassView>> Open(Guid id, BreakGlassRequest request, BreakGlassHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.OpenAsync(id, request, ct);
        return TypedResults.Created($"/api/cases/{id}", view);
    }
}

using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Mail;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Opinions;

/// <summary>
/// The opinion clock: business days (Monday–Friday, UTC, no holiday calendar) from the complete packet — the latest
/// arrival at ReadyForReview — to the signed opinion. The target is the case's own (fixed at intake from its program),
/// or the configured default. Only a case waiting for its opinion (ready, assigned, in review) can be overdue; a case
/// on hold or sent back for records is not.
/// </summary>
public static class OpinionClock
{
    public static readonly CaseStatus[] Waiting = [CaseStatus.ReadyForReview, CaseStatus.Assigned, CaseStatus.InReview];

    public static OpinionDueView Of(Case @case, int defaultBusinessDays, DateTimeOffset now, DateTimeOffset? escalatedAt)
    {
        var ordered = @case.Transitions.OrderBy(t => t.At).ThenBy(t => t.Sequence).ToList();
        var days = @case.OpinionBusinessDays ?? defaultBusinessDays;
        var ready = ordered.LastOrDefault(t => t.To == CaseStatus.ReadyForReview)?.At;
        if (ready is null) return new OpinionDueView(null, null, days, 0, false, escalatedAt);
        var due = CaseSla.AddBusinessDays(ready.Value, days);
        var signed = ordered.FirstOrDefault(t => t.To == CaseStatus.OpinionDelivered && t.At >= ready)?.At;
        var elapsed = BusinessDaysBetween(ready.Value, signed ?? now);
        return new OpinionDueView(ready, due, days, elapsed, Waiting.Contains(@case.Status) && now > due, escalatedAt);
    }

    /// <summary>Whole business days from <paramref name="from"/> to <paramref name="to"/>, counted as <see cref="CaseSla.AddBusinessDays"/> adds them.</summary>
    public static int BusinessDaysBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var n = 0;
        while (n < 10_000 && CaseSla.AddBusinessDays(from, n + 1) <= to) n++;
        return n;
    }
}

public sealed record OpinionSlaRow(Guid CaseId, string CaseNumber, string ProgramName, CaseStatus Status, string? ReviewerName,
    DateTimeOffset? PacketCompleteAt, DateTimeOffset? DueAt, int BusinessDays, int BusinessDaysElapsed, bool Overdue, DateTimeOffset? EscalatedAt);

/// <summary>The opinion clock of every case waiting for an opinion in the programs the user serves, overdue first.</summary>
public sealed class OpinionSlaHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IOptions<OpinionSlaOptions> options)
{
    public async Task<IReadOnlyList<OpinionSlaRow>> ListAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cases = await db.Cases.AsNoTracking().VisibleTo(db, user, now).Include(c => c.Transitions)
            .Where(c => OpinionClock.Waiting.Contains(c.Status)).ToListAsync(ct);
        var ids = cases.Select(c => c.Id).ToList();
        var programIds = cases.Select(c => c.ProgramId).Distinct().ToList();
        var reviewerIds = cases.Where(c => c.ReviewerUserId != null).Select(c => c.ReviewerUserId!.Value).Distinct().ToList();
        var programs = await db.Programs.AsNoTracking().Where(p => programIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var reviewers = await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var escalations = (await db.Set<OpinionSlaEscalation>().AsNoTracking().Where(e => ids.Contains(e.CaseId)).ToListAsync(ct))
            .GroupBy(e => e.CaseId).ToDictionary(g => g.Key, g => g.Max(e => e.EscalatedAt));

        var rows = cases.Select(c =>
            {
                var due = OpinionClock.Of(c, options.Value.DefaultBusinessDays, now, escalations.TryGetValue(c.Id, out var at) ? at : null);
                return new OpinionSlaRow(c.Id, c.Number, programs[c.ProgramId], c.Status, c.ReviewerUserId is { } r ? reviewers.GetValueOrDefault(r) : null,
                    due.PacketCompleteAt, due.DueAt, due.BusinessDays, due.BusinessDaysElapsed, due.Overdue, due.EscalatedAt);
            })
            .OrderByDescending(r => r.Overdue).ThenBy(r => r.DueAt ?? DateTimeOffset.MaxValue).ToList();
        foreach (var c in cases) audit.Record(AuditAction.Query, "OpinionSla", c.Id, c.MemberId);
        await db.SaveChangesAsync(ct);
        return rows;
    }
}

/// <summary>
/// Finds opinions past their due date and escalates each once per due date: a row the SLA page shows, and an email to
/// the program's admins (no clinical content: the case number, the due date, where to look). Safe on many nodes: the
/// (case, due date) pair is unique, so a node that loses the race rolls back its emails with its row.
/// </summary>
public sealed partial class OpinionSlaMonitor(
    IServiceScopeFactory scopes, IOptions<OpinionSlaOptions> options, TimeProvider clock, ILogger<OpinionSlaMonitor> logger)
{
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<CurrentActor>().Use(Actor.System("opinion SLA monitor"), "system");
        var db = sp.GetRequiredService<ConsiliumDbContext>();
        var now = clock.GetUtcNow();

        var waiting = await db.Cases.AsNoTracking().Include(c => c.Transitions).Where(c => OpinionClock.Waiting.Contains(c.Status)).ToListAsync(ct);
        var overdue = waiting.Select(c => (Case: c, Due: OpinionClock.Of(c, options.Value.DefaultBusinessDays, now, null)))
            .Where(x => x.Due.Overdue).ToList();
        var escalated = 0;
        foreach (var (c, due) in overdue)
        {
            var dueAt = due.DueAt!.Value;
            if (await db.Set<OpinionSlaEscalation>().AnyAsync(e => e.CaseId == c.Id && e.DueAt == dueAt, ct)) continue;
            try
            {
                await EscalateAsync(sp, db, c, due, now, ct);
                escalated++;
            }
            catch (DbUpdateException)
            {
                // Another node escalated it first; its row and emails stand, ours were rolled back.
                db.ChangeTracker.Clear();
            }
        }
        return escalated;
    }

    static async Task EscalateAsync(IServiceProvider sp, ConsiliumDbContext db, Case c, OpinionDueView due, DateTimeOffset now, CancellationToken ct)
    {
        var mailer = sp.GetRequiredService<Mailer>();
        var audit = sp.GetRequiredService<AuditTrail>();
        var admins = await (
            from s in db.ProgramStaff
            join ur in db.UserRoles on s.UserId equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            join u in db.Users on s.UserId equals u.Id
            where s.ProgramId == c.ProgramId && r.Name == Roles.ProgramAdmin && u.Email != null
            select new { u.Email, u.DisplayName }).ToListAsync(ct);
        var reviewer = c.ReviewerUserId is { } id ? await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        var program = await db.Programs.Where(p => p.Id == c.ProgramId).Select(p => p.Name).SingleAsync(ct);
        var notified = 0;
        foreach (var admin in admins.Where(a => Mailer.IsAddress(a.Email)))
        {
            mailer.Queue(new EmailMessage(admin.Email!, admin.DisplayName, $"Opinion overdue: case {c.Number}",
                $"The opinion for case {c.Number} ({program}) was due {due.DueAt:yyyy-MM-dd HH:mm} UTC, {due.BusinessDays} business days after the " +
                $"packet was complete, and is not signed yet ({due.BusinessDaysElapsed} business days so far; the case is {c.Status}" +
                (reviewer is null ? ", with no reviewer assigned" : $", assigned to {reviewer}") + ").\n\n" +
                $"Opinion SLA: {mailer.Options.Link("/opinions/sla")}\nThe case: {mailer.Options.Link($"/cases/{c.Id}")}\n"));
            notified++;
        }
        db.Add(new OpinionSlaEscalation(c.Id, due.DueAt!.Value, notified, now));
        audit.Record(AuditAction.Create, "OpinionSlaEscalation", c.Id, c.MemberId, reason: $"opinion overdue since {due.DueAt:O}; {notified} program admin(s) emailed");
        await db.SaveChangesAsync(ct);
        mailer.Flush();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Opinion SLA check escalated {Count} case(s)")]
    internal static partial void LogEscalated(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opinion SLA check failed with {ExceptionType}; retrying at the next interval")]
    internal static partial void LogFailed(ILogger logger, string exceptionType);

    internal ILogger Logger => logger;
}

/// <summary>Runs the SLA check at start and then every <see cref="OpinionSlaOptions.CheckInterval"/> of the platform clock.</summary>
internal sealed class OpinionSlaTimer(OpinionSlaMonitor monitor, IOptions<OpinionSlaOptions> options, TimeProvider clock) : PeriodicPass(clock)
{
    protected override TimeSpan Interval => options.Value.CheckInterval;
    protected override bool RunAtStart => true;

    protected override async Task PassAsync(CancellationToken ct)
    {
        var count = await monitor.RunOnceAsync(ct);
        if (count > 0) OpinionSlaMonitor.LogEscalated(monitor.Logger, count);
    }

    protected override void Failed(string exceptionType) => OpinionSlaMonitor.LogFailed(monitor.Logger, exceptionType);
}

using System.Globalization;
using System.Text;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Physicians;

public sealed record StipendLine(Guid StipendId, Guid PhysicianId, string PhysicianName, string Npi, string CaseNumber, PanelRole Role,
    DateTimeOffset EarnedAt, decimal Amount, StipendStatus Status);

public sealed record PhysicianStatementTotal(Guid PhysicianId, string PhysicianName, string Npi, int Opinions, decimal Amount);

public sealed record StipendStatement(string Month, Guid? PhysicianId, IReadOnlyList<StipendLine> Lines, IReadOnlyList<PhysicianStatementTotal> Physicians,
    int Opinions, decimal Total);

/// <summary>
/// Stipends: each completed opinion (the case reached OpinionDelivered) earns the lead reviewer, and each panel member who
/// accepted, their rate per opinion. Accrual is idempotent (one stipend per physician and case); the monthly statement
/// lists what was earned in a UTC calendar month, per physician and in total.
/// </summary>
public sealed class StipendHandlers(ConsiliumDbContext db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Creates the stipends completed opinions have earned and not yet received. Returns how many.</summary>
    public static async Task<int> AccrueAsync(ConsiliumDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var done = new[] { CaseStatus.OpinionDelivered, CaseStatus.Closed };
        var stipends = db.Set<Stipend>();
        var leads = await (from c in db.Cases
                           join p in db.Physicians on c.ReviewerUserId equals p.UserId
                           where done.Contains(c.Status) && !stipends.Any(s => s.CaseId == c.Id && s.PhysicianId == p.Id)
                           select new { CaseId = c.Id, PhysicianId = p.Id, p.StipendPerOpinion, Role = PanelRole.Lead }).ToListAsync(ct);
        var panel = await (from o in db.Set<ReviewerOffer>()
                           join c in db.Cases on o.CaseId equals c.Id
                           join p in db.Physicians on o.PhysicianId equals p.Id
                           where o.Role == PanelRole.Panelist && o.Status == OfferStatus.Accepted && done.Contains(c.Status)
                               && !stipends.Any(s => s.CaseId == c.Id && s.PhysicianId == p.Id)
                           select new { CaseId = c.Id, PhysicianId = p.Id, p.StipendPerOpinion, Role = PanelRole.Panelist }).ToListAsync(ct);
        var owed = leads.Concat(panel).DistinctBy(x => (x.CaseId, x.PhysicianId)).ToList();
        if (owed.Count == 0) return 0;
        var caseIds = owed.Select(o => o.CaseId).Distinct().ToList();
        var delivered = (await db.CaseTransitions.AsNoTracking().Where(t => caseIds.Contains(t.CaseId) && t.To == CaseStatus.OpinionDelivered)
                .Select(t => new { t.CaseId, t.At }).ToListAsync(ct))
            .GroupBy(t => t.CaseId).ToDictionary(g => g.Key, g => g.Min(t => t.At));
        var now = clock.GetUtcNow();
        var added = 0;
        foreach (var o in owed)
        {
            if (!delivered.TryGetValue(o.CaseId, out var at)) continue;
            db.Add(Stipend.Earn(o.PhysicianId, o.CaseId, o.Role, o.StipendPerOpinion, at, now));
            added++;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node accrued the same opinions at the same moment; what it wrote stands.
            db.ChangeTracker.Clear();
            return 0;
        }
        return added;
    }

    /// <summary>The statement for <paramref name="month"/> ("YYYY-MM"), for one physician or the whole network.</summary>
    public async Task<StipendStatement> StatementAsync(string? month, Guid? physicianId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(month) || !DateOnly.TryParseExact(month.Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            throw new RuleViolationException("month", "The month is required, as YYYY-MM.");
        if (physicianId is { } pid && !await db.Physicians.AnyAsync(p => p.Id == pid, ct))
            throw new RuleViolationException("physicianId", "No physician with this id is in the network.");
        await AccrueAsync(db, clock, ct);

        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = start.AddMonths(1);
        var query = from s in db.Set<Stipend>().AsNoTracking()
                    join p in db.Physicians on s.PhysicianId equals p.Id
                    join c in db.Cases on s.CaseId equals c.Id
                    where s.EarnedAt >= start && s.EarnedAt < end
                    select new { s, p.Name, p.Npi, c.Number, c.MemberId };
        if (physicianId is { } id) query = query.Where(x => x.s.PhysicianId == id);
        var rows = await query.ToListAsync(ct);
        var lines = rows.OrderBy(r => r.Name).ThenBy(r => r.s.PhysicianId).ThenBy(r => r.s.EarnedAt).ThenBy(r => r.Number)
            .Select(r => new StipendLine(r.s.Id, r.s.PhysicianId, r.Name, r.Npi, r.Number, r.s.Role, r.s.EarnedAt, r.s.Amount, r.s.Status)).ToList();
        var totals = lines.GroupBy(l => (l.PhysicianId, l.PhysicianName, l.Npi))
            .Select(g => new PhysicianStatementTotal(g.Key.PhysicianId, g.Key.PhysicianName, g.Key.Npi, g.Count(), g.Sum(l => l.Amount))).ToList();
        // Case numbers lead back to members: the statement is an export that touches each of those cases.
        audit.Record(AuditAction.Export, "StipendStatement", physicianId?.ToString() ?? "all", null, reason: $"{first:yyyy-MM}: {lines.Count} stipends");
        foreach (var memberId in rows.Select(r => r.MemberId).Distinct()) audit.Record(AuditAction.Export, "Stipend", null, memberId, reason: $"statement {first:yyyy-MM}");
        await db.SaveChangesAsync(ct);
        return new StipendStatement(first.ToString("yyyy-MM", CultureInfo.InvariantCulture), physicianId, lines, totals, lines.Count, lines.Sum(l => l.Amount));
    }

    /// <summary>
    /// The statement as CSV: one line per stipend, a subtotal line after each physician's, and the total last. Amounts in
    /// dollars with two decimals; a field that starts like a formula is quoted with a leading apostrophe.
    /// </summary>
    public static string Csv(StipendStatement statement)
    {
        var csv = new StringBuilder("month,physician_npi,physician_name,case_number,role,earned_on,amount,status,line\n");
        foreach (var physician in statement.Physicians)
        {
            foreach (var l in statement.Lines.Where(l => l.PhysicianId == physician.PhysicianId))
                Line(csv, statement.Month, l.Npi, l.PhysicianName, l.CaseNumber, l.Role.ToString(), l.EarnedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), l.Amount, l.Status.ToString(), "stipend");
            Line(csv, statement.Month, physician.Npi, physician.PhysicianName, "", "", "", physician.Amount, "", $"subtotal ({physician.Opinions} opinions)");
        }
        Line(csv, statement.Month, "", "", "", "", "", statement.Total, "", $"total ({statement.Opinions} opinions)");
        return csv.ToString();
    }

    static void Line(StringBuilder csv, params object[] fields)
    {
        csv.AppendJoin(',', fields.Select(f => f is decimal d ? d.ToString("0.00", CultureInfo.InvariantCulture) : Escape((string)f)));
        csv.Append('\n');
    }

    static string Escape(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}

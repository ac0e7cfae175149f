using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Funding;

public sealed record PaymentRow(Guid Id, Guid CaseId, string CaseNumber, string ProgramName, Guid MemberId, string MemberName, decimal Amount,
    PaymentStatus Status, PaymentMethod? Method, string? Reference, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt, string? RecordedBy, int Version);

public sealed record MarkPaidRequest(PaymentMethod? Method, string? Reference, int? Version);

/// <summary>Self-pay payments of the programs a program admin serves; recording one as paid is the admin's act.</summary>
public sealed class PaymentHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<PaymentRow>> ListAsync(PaymentStatus? status, CancellationToken ct)
    {
        var served = CaseAccess.ServedProgramIds(db, user);
        var rows = from p in db.Set<Payment>().AsNoTracking()
                   join c in db.Cases on p.CaseId equals c.Id
                   join m in db.Members on c.MemberId equals m.Id
                   join g in db.Programs on c.ProgramId equals g.Id
                   where served.Contains(c.ProgramId)
                   select new { p, c.Number, Program = g.Name, c.MemberId, Name = m.FirstName + " " + m.LastName };
        if (status is { } s) rows = rows.Where(r => r.p.Status == s);
        var found = await rows.Take(500).ToListAsync(ct);
        var list = found.OrderByDescending(r => r.p.CreatedAt)
            .Select(r => new PaymentRow(r.p.Id, r.p.CaseId, r.Number, r.Program, r.MemberId, r.Name, r.p.Amount, r.p.Status, r.p.Method, r.p.Reference,
                r.p.CreatedAt, r.p.PaidAt, r.p.RecordedBy, r.p.Version)).ToList();
        // Each row names a member: an access to their information.
        foreach (var row in list) audit.Record(AuditAction.Query, "Payment", row.Id, row.MemberId);
        await db.SaveChangesAsync(ct);
        return list;
    }

    public async Task<PaymentView> MarkPaidAsync(Guid paymentId, MarkPaidRequest request, CancellationToken ct)
    {
        if (request.Method is not { } method) throw new RequestValidationException(new() { ["method"] = [$"This field is required: one of {string.Join(", ", Enum.GetNames<PaymentMethod>())}."] });
        var served = CaseAccess.ServedProgramIds(db, user);
        var found = await (from p in db.Set<Payment>()
                           join c in db.Cases on p.CaseId equals c.Id
                           where p.Id == paymentId && served.Contains(c.ProgramId)
                           select new { p, c.MemberId }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Payment", paymentId);
        var payment = found.p;
        try
        {
            if (request.Version is { } version && version != payment.Version)
                throw new ConflictException($"The payment is at version {payment.Version}, not {version}: someone changed it since you read it.",
                    new Dictionary<string, object?> { ["currentVersion"] = payment.Version });
            payment.MarkPaid(method, request.Reference, user.Actor, clock.GetUtcNow());
            audit.Record(AuditAction.Update, "Payment", payment.Id, found.MemberId, reason: $"marked paid ({method})");
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DomainException or DbUpdateConcurrencyException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, "Payment", paymentId, found.MemberId, AuditOutcome.Failure, $"mark paid: {e.GetType().Name}", ct);
            throw;
        }
        return PaymentView.Of(payment);
    }
}

using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Funding;

public sealed record FundView(Guid Id, Guid ProgramId, string ProgramName, string Name, decimal Balance, int Version);

public sealed record FundEntryView(long Id, FundEntryKind Kind, decimal Amount, decimal BalanceAfter, Guid? AwardId, Guid? CaseId, string? CaseNumber,
    string? Note, string Actor, DateTimeOffset At);

public sealed record AwardView(Guid Id, Guid CaseId, string CaseNumber, decimal Amount, decimal Refunded, DateTimeOffset AwardedAt, string AwardedBy);

public sealed record FundDetailView(FundView Fund, IReadOnlyList<AwardView> Awards, IReadOnlyList<FundEntryView> Ledger);

public sealed record ContributionRequest(decimal? Amount, string? Note);

public sealed record AwardRequest(Guid? CaseId, string? CaseNumber, decimal? Amount, string? Note);

public sealed record RefundRequest(decimal? Amount, string? Note);

/// <summary>
/// Grant funds: every change to a fund runs in a transaction that first locks the fund's row (FOR UPDATE on
/// PostgreSQL; SQLite's write transaction locks the whole database), so concurrent awards are applied one after the
/// other against the true balance: none is lost, and none overdraws the fund.
/// </summary>
public sealed class FundingHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    IQueryable<GrantFund> Visible() => db.Set<GrantFund>().Where(f => CaseAccess.ServedProgramIds(db, user).Contains(f.ProgramId));

    public async Task<IReadOnlyList<FundView>> ListAsync(CancellationToken ct) =>
        await (from f in Visible().AsNoTracking()
               join p in db.Programs on f.ProgramId equals p.Id
               orderby p.Name
               select new FundView(f.Id, f.ProgramId, p.Name, f.Name, f.Balance, f.Version)).ToListAsync(ct);

    public async Task<FundDetailView> GetAsync(Guid id, CancellationToken ct)
    {
        var fund = (await ListAsync(ct)).SingleOrDefault(f => f.Id == id) ?? throw new NotFoundException("Fund", id);
        var awards = await (from a in db.Set<GrantAward>().AsNoTracking()
                            where a.FundId == id
                            join c in db.Cases on a.CaseId equals c.Id
                            select new { a, c.Number }).ToListAsync(ct);
        var entries = await (from e in db.Set<GrantFundEntry>().AsNoTracking()
                             where e.FundId == id
                             orderby e.Id descending
                             select e).Take(500).ToListAsync(ct);
        var numbers = awards.ToDictionary(a => a.a.CaseId, a => a.Number);
        return new FundDetailView(fund,
            awards.OrderByDescending(a => a.a.AwardedAt).Select(a => new AwardView(a.a.Id, a.a.CaseId, a.Number, a.a.Amount, a.a.Refunded, a.a.AwardedAt, a.a.AwardedBy)).ToList(),
            entries.Select(e => new FundEntryView(e.Id, e.Kind, e.Amount, e.BalanceAfter, e.AwardId, e.CaseId,
                e.CaseId is { } c ? numbers.GetValueOrDefault(c) : null, e.Note, e.ActorName, e.At)).ToList());
    }

    public async Task<FundView> ContributeAsync(Guid fundId, ContributionRequest request, CancellationToken ct)
    {
        if (request.Amount is not { } amount) throw new RequestValidationException(new() { ["amount"] = ["This field is required."] });
        return await WithLockedFundAsync(fundId, async fund =>
        {
            db.Add(fund.Contribute(amount, request.Note, user.Actor, clock.GetUtcNow()));
            audit.Record(AuditAction.Update, "GrantFund", fund.Id, null, reason: $"contribution {Money.Format(amount)}");
            await Task.CompletedTask;
        }, ct);
    }

    /// <summary>Grants money to a case of the fund's program, named by id or by case number.</summary>
    public async Task<AwardView> AwardAsync(Guid fundId, AwardRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Amount is null) errors["amount"] = ["This field is required."];
        if (request.CaseId is null && string.IsNullOrWhiteSpace(request.CaseNumber)) errors["caseId"] = ["Name the case, by id or by case number."];
        if (errors.Count > 0) throw new RequestValidationException(errors);

        GrantAward? award = null;
        string number = "";
        Guid memberId = Guid.Empty;
        try
        {
            await WithLockedFundAsync(fundId, async fund =>
            {
                var number0 = request.CaseNumber?.Trim().ToUpperInvariant();
                var target = await db.Cases.AsNoTracking()
                    .Where(c => c.ProgramId == fund.ProgramId && (request.CaseId != null ? c.Id == request.CaseId : c.Number == number0))
                    .Select(c => new { c.Id, c.Number, c.MemberId }).SingleOrDefaultAsync(ct)
                    ?? throw new RuleViolationException(request.CaseId is null ? "caseNumber" : "caseId", "No case of the fund's program has this id or number.");
                var (a, entry) = fund.Award(target.Id, request.Amount!.Value, request.Note, user.Actor, clock.GetUtcNow());
                db.Add(a);
                db.Add(entry);
                audit.Record(AuditAction.Update, "GrantFund", fund.Id, target.MemberId, reason: $"award {Money.Format(a.Amount)} to case {target.Number}");
                (award, number, memberId) = (a, target.Number, target.MemberId);
            }, ct);
        }
        catch (ConflictException)
        {
            await audit.RecordFailureAsync(AuditAction.Update, "GrantFund", fundId, memberId == Guid.Empty ? null : memberId, AuditOutcome.Failure,
                "award refused: it would overdraw the fund", ct);
            throw;
        }
        return new AwardView(award!.Id, award.CaseId, number, award.Amount, award.Refunded, award.AwardedAt, award.AwardedBy);
    }

    public async Task<AwardView> RefundAsync(Guid fundId, Guid awardId, RefundRequest request, CancellationToken ct)
    {
        if (request.Amount is not { } amount) throw new RequestValidationException(new() { ["amount"] = ["This field is required."] });
        GrantAward? award = null;
        string number = "";
        await WithLockedFundAsync(fundId, async fund =>
        {
            award = await db.Set<GrantAward>().SingleOrDefaultAsync(a => a.Id == awardId && a.FundId == fundId, ct)
                ?? throw new NotFoundException("Award", awardId);
            var target = await db.Cases.AsNoTracking().Where(c => c.Id == award.CaseId).Select(c => new { c.Number, c.MemberId }).SingleAsync(ct);
            db.Add(fund.Refund(award, amount, request.Note, user.Actor, clock.GetUtcNow()));
            audit.Record(AuditAction.Update, "GrantFund", fund.Id, target.MemberId, reason: $"refund {Money.Format(amount)} of an award to case {target.Number}");
            number = target.Number;
        }, ct);
        return new AwardView(award!.Id, award.CaseId, number, award.Amount, award.Refunded, award.AwardedAt, award.AwardedBy);
    }

    async Task<FundView> WithLockedFundAsync(Guid fundId, Func<GrantFund, Task> change, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var fund = await LockAsync(fundId, ct);
        if (fund is null || !await CaseAccess.ServedProgramIds(db, user).AnyAsync(p => p == fund.ProgramId, ct))
            throw new NotFoundException("Fund", fundId);
        await change(fund);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        var program = await db.Programs.Where(p => p.Id == fund.ProgramId).Select(p => p.Name).SingleAsync(ct);
        return new FundView(fund.Id, fund.ProgramId, program, fund.Name, fund.Balance, fund.Version);
    }

    /// <summary>
    /// PostgreSQL: a row lock held to commit. SQLite: the transaction began IMMEDIATE, so it already holds the one write
    /// lock and no other writer can read-then-write the balance in between.
    /// </summary>
    Task<GrantFund?> LockAsync(Guid fundId, CancellationToken ct) => db.IsSqlite
        ? db.Set<GrantFund>().SingleOrDefaultAsync(f => f.Id == fundId, ct)
        : db.Set<GrantFund>().FromSqlInterpolated($"SELECT * FROM \"GrantFunds\" WHERE \"Id\" = {fundId} FOR UPDATE").SingleOrDefaultAsync(ct);
}

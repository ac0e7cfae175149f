using Consilium.Features.Cases;
using Consilium.Features.Opinions;
using Consilium.Features.Programs;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Outcomes;

/// <summary>
/// One (category, opinion month) of a program: the counts and sums of its case outcomes that have an opinion that month.
/// The same shape is what <see cref="OutcomeCalculator"/> aggregates the rows into, so the roll-up and a row-level
/// computation are one definition. Aggregates only: no member, no case.
/// </summary>
public sealed class OutcomeMonth
{
    public Guid ProgramId { get; set; }
    public ConditionCategory Category { get; set; }
    /// <summary>yyyymm of the opinion date.</summary>
    public int Month { get; set; }
    public int Cases { get; set; }
    public int DxChanged { get; set; }
    public int TxChanged { get; set; }
    public int AnyChanged { get; set; }
    public int SurgeryProposed { get; set; }
    public int SurgeryAlternative { get; set; }
    public int HospitalizationProposed { get; set; }
    public int HospitalizationRecommended { get; set; }
    public int SiteChanged { get; set; }
    public int SlaKnown { get; set; }
    public int SlaMet { get; set; }
    public int Responses { get; set; }
    public int Promoters { get; set; }
    public int Detractors { get; set; }
    public int FollowKnown { get; set; }
    public int Followed { get; set; }
    public int Priced { get; set; }
    public long SavingsCents { get; set; }
    public int HighCost { get; set; }
    public long HighCostSavingsCents { get; set; }
}

public enum OutcomeHistogram
{
    /// <summary>By opinion month: Days = days from request to opinion, Days2 = days from request to complete packet (<see cref="OutcomeDayCount.None"/> when unknown).</summary>
    OpinionDays = 0,
    /// <summary>By opinion month: Days = days from trigger to opinion (cases with a trigger date only).</summary>
    TriggerDays = 1,
    /// <summary>By request month: the cases opened (with or without an opinion); Days and Days2 unused.</summary>
    Opened = 2,
}

/// <summary>A count of a program's cases per month and day value: the histograms the percentiles are read off.</summary>
public sealed class OutcomeDayCount
{
    /// <summary>Stands for "no value" in the key (a null day count).</summary>
    public const int None = int.MinValue;

    public Guid ProgramId { get; set; }
    public OutcomeHistogram Kind { get; set; }
    public int Month { get; set; }
    public int Days { get; set; }
    public int Days2 { get; set; }
    public long Count { get; set; }
}

/// <summary>That a program's roll-up has been built (after that it is kept in step at every import and refresh).</summary>
public sealed class OutcomeRollupState
{
    public Guid ProgramId { get; set; }
    public DateTimeOffset BuiltAt { get; set; }
}

/// <summary>
/// Keeps a program's monthly roll-up (<see cref="OutcomeMonth"/>, <see cref="OutcomeDayCount"/>) in step with its case
/// outcome rows. Whoever changes the rows calls <see cref="UpdateAsync"/> in the same transaction, after
/// <see cref="LockAsync"/>, with the months the change touched: those months are recomputed from the rows (delete and
/// insert), so the roll-up is always exactly what a row-level computation of those months gives. A program whose roll-up
/// was never built (rows from before the roll-up existed, or seeded by COPY) is built whole the first time.
/// </summary>
public sealed class OutcomeRollup(ConsiliumDbContext db, TimeProvider clock)
{
    /// <summary>Above this many touched months one pass over the program's rows is cheaper than a pass per month.</summary>
    const int MonthByMonthLimit = 6;

    /// <summary>
    /// Serializes roll-up maintenance per program for the current transaction: a PostgreSQL advisory lock on the program;
    /// on SQLite the transaction (BEGIN IMMEDIATE) already holds the database's single write lock.
    /// </summary>
    public async Task LockAsync(Guid programId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("The roll-up is maintained inside a transaction.");
        if (db.IsSqlite) return;
        var key = BitConverter.ToInt64(programId.ToByteArray(), 0) ^ 0x0C05_1110_0000_0008;
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);
    }

    /// <summary>yyyymm of a date.</summary>
    public static int MonthOf(DateOnly d) => d.Year * 100 + d.Month;

    /// <summary>Recomputes the given months (opinion or request months) of the program from its rows; builds the whole roll-up if it never was.</summary>
    public async Task UpdateAsync(Guid programId, IReadOnlyCollection<int> months, CancellationToken ct)
    {
        var state = await db.Set<OutcomeRollupState>().SingleOrDefaultAsync(s => s.ProgramId == programId, ct);
        if (state is null)
        {
            await RebuildAsync(programId, ct);
            return;
        }
        if (months.Count == 0) return;
        if (months.Count > MonthByMonthLimit)
        {
            await RebuildAsync(programId, ct);
            return;
        }
        var list = months.Distinct().ToList();
        await db.Set<OutcomeMonth>().Where(m => m.ProgramId == programId && list.Contains(m.Month)).ExecuteDeleteAsync(ct);
        await db.Set<OutcomeDayCount>().Where(m => m.ProgramId == programId && list.Contains(m.Month)).ExecuteDeleteAsync(ct);
        var rows = db.Set<CaseOutcome>().AsNoTracking().Where(o => o.ProgramId == programId);
        foreach (var month in list)
        {
            var first = new DateOnly(month / 100, month % 100, 1);
            var last = first.AddMonths(1).AddDays(-1);
            var opinions = rows.Where(o => o.OpinionOn != null && o.OpinionOn >= first && o.OpinionOn <= last);
            db.AddRange(await OutcomeCalculator.Aggregate(opinions, programId).ToListAsync(ct));
            db.AddRange(await OpinionHistogramsAsync(opinions, programId, ct));
            var opened = await rows.CountAsync(o => o.RequestedOn >= first && o.RequestedOn <= last, ct);
            if (opened > 0)
                db.Add(new OutcomeDayCount { ProgramId = programId, Kind = OutcomeHistogram.Opened, Month = month, Days = OutcomeDayCount.None, Days2 = OutcomeDayCount.None, Count = opened });
        }
        state.BuiltAt = clock.GetUtcNow();
        db.Entry(state).Property(s => s.BuiltAt).IsModified = true; // also when the caller turned automatic change detection off
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Builds the program's whole roll-up from its rows (one pass per figure), replacing what was there.</summary>
    public async Task RebuildAsync(Guid programId, CancellationToken ct)
    {
        await db.Set<OutcomeMonth>().Where(m => m.ProgramId == programId).ExecuteDeleteAsync(ct);
        await db.Set<OutcomeDayCount>().Where(m => m.ProgramId == programId).ExecuteDeleteAsync(ct);
        var rows = db.Set<CaseOutcome>().AsNoTracking().Where(o => o.ProgramId == programId);
        var opinions = rows.Where(o => o.OpinionOn != null);
        db.AddRange(await OutcomeCalculator.Aggregate(opinions, programId).ToListAsync(ct));
        db.AddRange(await OpinionHistogramsAsync(opinions, programId, ct));
        var opened = await rows.GroupBy(o => o.RequestedOn.Year * 100 + o.RequestedOn.Month).Select(g => new { Month = g.Key, N = g.LongCount() }).ToListAsync(ct);
        db.AddRange(opened.Select(o => new OutcomeDayCount
            { ProgramId = programId, Kind = OutcomeHistogram.Opened, Month = o.Month, Days = OutcomeDayCount.None, Days2 = OutcomeDayCount.None, Count = o.N }));
        var state = await db.Set<OutcomeRollupState>().SingleOrDefaultAsync(s => s.ProgramId == programId, ct);
        if (state is null) db.Add(new OutcomeRollupState { ProgramId = programId, BuiltAt = clock.GetUtcNow() });
        else
        {
            state.BuiltAt = clock.GetUtcNow();
            db.Entry(state).Property(s => s.BuiltAt).IsModified = true;
        }
        await db.SaveChangesAsync(ct);
    }

    static async Task<List<OutcomeDayCount>> OpinionHistogramsAsync(IQueryable<CaseOutcome> opinions, Guid programId, CancellationToken ct)
    {
        var (days, trigger) = await OutcomeCalculator.HistogramsAsync(opinions, ct);
        return days.Select(d => new OutcomeDayCount
            {
                ProgramId = programId, Kind = OutcomeHistogram.OpinionDays, Month = d.Month,
                Days = d.DaysToOpinion ?? OutcomeDayCount.None, Days2 = d.DaysToPacket ?? OutcomeDayCount.None, Count = d.N,
            })
            .Concat(trigger.Select(t => new OutcomeDayCount
                { ProgramId = programId, Kind = OutcomeHistogram.TriggerDays, Month = t.Month, Days = t.Days, Days2 = OutcomeDayCount.None, Count = t.N }))
            .ToList();
    }
}

internal sealed class OutcomeMonthConfiguration : IEntityTypeConfiguration<OutcomeMonth>
{
    public void Configure(EntityTypeBuilder<OutcomeMonth> b)
    {
        b.ToTable("OutcomeMonths");
        b.HasKey(x => new { x.ProgramId, x.Month, x.Category });
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OutcomeDayCountConfiguration : IEntityTypeConfiguration<OutcomeDayCount>
{
    public void Configure(EntityTypeBuilder<OutcomeDayCount> b)
    {
        b.ToTable("OutcomeDayCounts");
        b.HasKey(x => new { x.ProgramId, x.Month, x.Kind, x.Days, x.Days2 });
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OutcomeRollupStateConfiguration : IEntityTypeConfiguration<OutcomeRollupState>
{
    public void Configure(EntityTypeBuilder<OutcomeRollupState> b)
    {
        b.ToTable("OutcomeRollupStates");
        b.HasKey(x => x.ProgramId);
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

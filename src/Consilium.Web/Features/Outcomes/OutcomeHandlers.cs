using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Features.Triggers;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Outcomes;

/// <summary>
/// Outcomes for the people who may see a program's aggregates: its program admins (who serve it) and the analysts of
/// its sponsor or co-sponsors. Every computation reads member-level rows and is audited as a query on the program;
/// nothing returned names or identifies a member.
/// </summary>
public sealed class OutcomeHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, OutcomeCalculator calculator,
    OutcomeRollup rollup, TimeProvider clock)
{
    // One request (the dashboard, an export) asks for several reports of the same program: it is looked up and its
    // live cases mapped once per request, not once per report.
    readonly Dictionary<Guid, CareProgram> programs = [];
    readonly HashSet<Guid> refreshed = [];

    public async Task<OutcomeReport> OutcomesAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct, AuditAction action = AuditAction.Query)
    {
        CheckPeriod(from, to);
        var program = await ProgramAsync(programId, ct);
        await RefreshAsync(program, ct);
        var report = await calculator.ComputeAsync(program, from, to, ct);
        audit.Record(action, "ProgramOutcomes", programId, null, reason: $"aggregates {Period(from, to)}");
        await db.SaveChangesAsync(ct);
        return report;
    }

    /// <summary>The programs the user may see outcomes of, by name.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> ProgramsAsync(CancellationToken ct) =>
        (await Visible().AsNoTracking().OrderBy(p => p.Name).Select(p => new { p.Id, p.Name }).ToListAsync(ct)).Select(p => (p.Id, p.Name)).ToList();

    /// <summary>Engagement (trigger candidates, by the roster's demographics) and completion (cases) per group of each dimension.</summary>
    public async Task<FairAccessReport> FairAccessAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        CheckPeriod(from, to);
        var program = await ProgramAsync(programId, ct);
        await RefreshAsync(program, ct);
        var (start, end) = (from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue);
        var cases = db.Set<CaseOutcome>().AsNoTracking().Where(o => o.ProgramId == programId && o.RequestedOn >= start && o.RequestedOn <= end);
        var byAge = await cases.GroupBy(o => o.AgeBand).Select(g => new GroupCount(g.Key, g.Count(), g.Count(o => o.OpinionOn != null))).ToListAsync(ct);
        var bySex = await cases.GroupBy(o => o.Sex).Select(g => new GroupCount(g.Key, g.Count(), g.Count(o => o.OpinionOn != null))).ToListAsync(ct);
        var byState = await cases.GroupBy(o => o.State).Select(g => new GroupCount(g.Key, g.Count(), g.Count(o => o.OpinionOn != null))).ToListAsync(ct);
        var byLanguage = await cases.GroupBy(o => o.Language).Select(g => new GroupCount(g.Key, g.Count(), g.Count(o => o.OpinionOn != null))).ToListAsync(ct);
        var byCategory = (await cases.GroupBy(o => o.Category).Select(g => new { g.Key, Opened = g.Count(), Completed = g.Count(o => o.OpinionOn != null) }).ToListAsync(ct))
            .Select(g => new GroupCount(CostKeys.Category(g.Key), g.Opened, g.Completed)).ToList();

        var candidates = await OutreachFigures.RowsAsync(db, programId, from, to, ct);
        var memberIds = candidates.Where(c => c.MemberId != null).Select(c => c.MemberId!.Value).Distinct().ToList();
        var members = await db.Members.AsNoTracking().Where(m => memberIds.Contains(m.Id))
            .Select(m => new { m.Id, m.DateOfBirth, m.Sex, m.State, m.PreferredLanguage }).ToDictionaryAsync(m => m.Id, ct);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Dictionary<string, (int Targeted, int Engaged)> Engagement(Func<OutreachFigures.CandidateRow, string?> key) =>
            candidates.GroupBy(c => key(c) ?? "unknown").ToDictionary(g => g.Key, g => (OutreachFigures.Targeted(g), OutreachFigures.Engaged(g)));

        var dimensions = new List<FairAccessDimension>
        {
            Dimension("ageBand", byAge, Engagement(c => c.MemberId is { } id && members.TryGetValue(id, out var m) ? CaseOutcome.AgeBandAt(m.DateOfBirth, to ?? today) : null)),
            Dimension("sex", bySex, Engagement(c => c.MemberId is { } id && members.TryGetValue(id, out var m) ? m.Sex.ToString() : null)),
            Dimension("state", byState, Engagement(c => c.MemberId is { } id && members.TryGetValue(id, out var m) ? m.State : null)),
            Dimension("language", byLanguage, Engagement(c => c.MemberId is { } id && members.TryGetValue(id, out var m) ? m.PreferredLanguage : null)),
            Dimension("category", byCategory, Engagement(c => c.Category.ToLowerInvariant())),
        };
        audit.Record(AuditAction.Query, "ProgramFairAccess", programId, null, reason: $"aggregates {Period(from, to)}");
        await db.SaveChangesAsync(ct);
        return new FairAccessReport(programId, from, to, MetricDefinitions.MinimumCellSize, dimensions,
            MetricDefinitions.All.Where(d => d.Metric is "engagementRate" or "fair access completionRate" or "four-fifths flag").ToList());
    }

    /// <summary>Disability episodes of engaged members against the matched non-engaged targeted members; aggregates only, audited.</summary>
    public async Task<AbsenceReport> AbsenceAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        CheckPeriod(from, to);
        await ProgramAsync(programId, ct);
        var report = await AbsenceFigures.ComputeAsync(db, programId, from, to, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        audit.Record(AuditAction.Query, "ProgramAbsence", programId, null, reason: $"aggregates {Period(from, to)}");
        await db.SaveChangesAsync(ct);
        return report;
    }

    /// <summary>Everything the dashboard shows, for its CSV and XLSX export; the outcomes audited as an export.</summary>
    public async Task<OutcomeExport.Reports> ExportAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct) =>
        new(await OutcomesAsync(programId, from, to, ct, AuditAction.Export), await ClaimsAsync(programId, from, to, ct), await AbsenceAsync(programId, from, to, ct),
            await IsHospitalAsync(programId, ct) ? await HospitalAsync(programId, from, to, ct) : null);

    /// <summary>Claims-verified outcomes from the program's stored claims; aggregates only, audited.</summary>
    public async Task<ClaimsOutcomeReport> ClaimsAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        CheckPeriod(from, to);
        var program = await ProgramAsync(programId, ct);
        await RefreshAsync(program, ct);
        var report = await ClaimsFigures.ComputeAsync(db, programId, from, to, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        audit.Record(AuditAction.Query, "ProgramClaimsOutcomes", programId, null, reason: $"aggregates {Period(from, to)}");
        await db.SaveChangesAsync(ct);
        return report;
    }

    /// <summary>The hospital view of a hospital's program; refused (409) for a program whose sponsor is not a hospital.</summary>
    public async Task<HospitalReport> HospitalAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        CheckPeriod(from, to);
        var program = await ProgramAsync(programId, ct);
        if (!await IsHospitalAsync(program, ct)) throw new ConflictException("The hospital view is for programs whose sponsor is a hospital.");
        await RefreshAsync(program, ct);
        var report = await ClaimsFigures.HospitalAsync(db, program, from, to, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        audit.Record(AuditAction.Query, "ProgramHospitalView", programId, null, reason: $"aggregates {Period(from, to)}");
        await db.SaveChangesAsync(ct);
        return report;
    }

    public async Task<bool> IsHospitalAsync(CareProgram program, CancellationToken ct) =>
        await db.Sponsors.AnyAsync(s => s.Id == program.SponsorId && s.Kind == Sponsors.SponsorKind.Hospital, ct);

    /// <summary>Whether a program the user may see outcomes of is a hospital's (the dashboard shows the hospital view then).</summary>
    public async Task<bool> IsHospitalAsync(Guid programId, CancellationToken ct) => await IsHospitalAsync(await ProgramAsync(programId, ct), ct);

    /// <summary>Sets a hospital program's host institution (billing NPIs and state); program admins who serve it.</summary>
    public async Task<HostInstitutionView> SetHostInstitutionAsync(Guid programId, HostInstitutionRequest request, CancellationToken ct)
    {
        if (!await CaseAccess.ServesProgramAsync(db, user, programId, ct)) throw new NotFoundException("Program", programId);
        var program = await db.Programs.SingleOrDefaultAsync(p => p.Id == programId, ct) ?? throw new NotFoundException("Program", programId);
        if (!await IsHospitalAsync(program, ct)) throw new ConflictException("A host institution is set only for a program whose sponsor is a hospital.");
        program.SetHostInstitution(request.Npis, request.State);
        audit.Record(AuditAction.Update, "ProgramHostInstitution", programId, null, reason: $"{program.HostNpis.Count} NPIs, state {program.HostState ?? "none"}");
        await db.SaveChangesAsync(ct);
        programs.Remove(programId);
        return new HostInstitutionView(program.HostNpis, program.HostState);
    }

    sealed record GroupCount(string? Group, int Opened, int Completed);

    static FairAccessDimension Dimension(string name, List<GroupCount> cases, Dictionary<string, (int Targeted, int Engaged)> engagement)
    {
        const int k = MetricDefinitions.MinimumCellSize;
        var keys = cases.Select(c => c.Group ?? "unknown").Concat(engagement.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = keys.Select(key =>
        {
            var opened = cases.Where(c => (c.Group ?? "unknown") == key).Sum(c => c.Opened);
            var completed = cases.Where(c => (c.Group ?? "unknown") == key).Sum(c => c.Completed);
            var (targeted, engaged) = engagement.GetValueOrDefault(key);
            return (Key: key, Targeted: targeted, Engagement: targeted >= k ? (double?)Math.Round((double)engaged / targeted, 4) : null,
                Opened: opened, Completion: opened >= k ? (double?)Math.Round((double)completed / opened, 4) : null);
        }).ToList();
        var bestEngagement = rows.Max(r => r.Engagement);
        var bestCompletion = rows.Max(r => r.Completion);
        return new FairAccessDimension(name, rows.Select(r => new FairAccessGroup(r.Key,
            r.Targeted is > 0 and < k ? null : r.Targeted, r.Engagement, r.Engagement < 0.8 * bestEngagement,
            r.Opened is > 0 and < k ? null : r.Opened, r.Completion, r.Completion < 0.8 * bestCompletion)).ToList());
    }

    /// <summary>Change rates per treating physician (NPI) and organization: program admins only, cells under 11 suppressed.</summary>
    public async Task<DiscordanceReport> DiscordanceAsync(Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        CheckPeriod(from, to);
        if (user.Role == Roles.SponsorAnalyst) throw new ForbiddenException("Provider discordance is shown to program admins only.");
        var program = await ProgramAsync(programId, ct);
        await RefreshAsync(program, ct);
        var (start, end) = (from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue);
        var opinions = db.Set<CaseOutcome>().AsNoTracking().Where(o => o.ProgramId == programId && o.OpinionOn != null && o.OpinionOn >= start && o.OpinionOn <= end);
        var physicians = await opinions.Where(o => o.TreatingNpi != null).GroupBy(o => o.TreatingNpi!).Select(g => new ProviderCount(g.Key, g.Count(),
            g.Count(o => o.DiagnosisAgreement == Opinions.DiagnosisAgreement.Refined || o.DiagnosisAgreement == Opinions.DiagnosisAgreement.Changed),
            g.Count(o => o.TreatmentAgreement == Opinions.TreatmentAgreement.Modify || o.TreatmentAgreement == Opinions.TreatmentAgreement.Change))).ToListAsync(ct);
        var organizations = await opinions.Where(o => o.TreatingOrganization != null).GroupBy(o => o.TreatingOrganization!).Select(g => new ProviderCount(g.Key, g.Count(),
            g.Count(o => o.DiagnosisAgreement == Opinions.DiagnosisAgreement.Refined || o.DiagnosisAgreement == Opinions.DiagnosisAgreement.Changed),
            g.Count(o => o.TreatmentAgreement == Opinions.TreatmentAgreement.Modify || o.TreatmentAgreement == Opinions.TreatmentAgreement.Change))).ToListAsync(ct);
        audit.Record(AuditAction.Query, "ProviderDiscordance", programId, null, reason: $"aggregates {Period(from, to)}");
        await db.SaveChangesAsync(ct);
        return new DiscordanceReport(programId, from, to, MetricDefinitions.MinimumCellSize, MetricDefinitions.GovernanceNote,
            physicians.OrderBy(p => p.Provider, StringComparer.Ordinal).Select(Row).ToList(),
            organizations.OrderBy(p => p.Provider, StringComparer.Ordinal).Select(Row).ToList());
    }

    sealed record ProviderCount(string Provider, int Cases, int DxChanged, int TxChanged);

    static DiscordanceRow Row(ProviderCount p) => p.Cases < MetricDefinitions.MinimumCellSize
        ? new DiscordanceRow(p.Provider, null, null, null, true)
        : new DiscordanceRow(p.Provider, p.Cases, Math.Round((double)p.DxChanged / p.Cases, 4), Math.Round((double)p.TxChanged / p.Cases, 4), false);

    public async Task<IReadOnlyList<CostEntryView>> CostTableAsync(Guid programId, CancellationToken ct)
    {
        await ProgramAsync(programId, ct);
        return await db.Set<ProgramCost>().AsNoTracking().Where(c => c.ProgramId == programId).OrderBy(c => c.Key)
            .Select(c => new CostEntryView(c.Key, c.Cost, c.Label)).ToListAsync(ct);
    }

    /// <summary>Replaces the program's cost table; every entry is checked and a bad one is named by its index.</summary>
    public async Task<IReadOnlyList<CostEntryView>> SaveCostTableAsync(Guid programId, CostTableRequest request, CancellationToken ct)
    {
        if (!await CaseAccess.ServesProgramAsync(db, user, programId, ct)) throw new NotFoundException("Program", programId);
        if (request.Entries is null) throw new RuleViolationException("entries", "This field is required (an empty list clears the table).");
        var errors = new Dictionary<string, string[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<ProgramCost>();
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var e = request.Entries[i];
            var key = e?.Key?.Trim().ToLowerInvariant();
            if (key is null || key.Length == 0) { errors[$"entries[{i}].key"] = ["This field is required."]; continue; }
            if (key.StartsWith("procedure:", StringComparison.Ordinal)) key = "procedure:" + key["procedure:".Length..].ToUpperInvariant();
            if (CostKeys.Problem(key) is { } problem) { errors[$"entries[{i}].key"] = [problem]; continue; }
            if (!seen.Add(key)) { errors[$"entries[{i}].key"] = ["This key is already in the table."]; continue; }
            if (e!.Cost is not { } cost || cost < 0 || cost > 100_000_000m || decimal.Round(cost, 2) != cost)
            { errors[$"entries[{i}].cost"] = ["A dollar amount from 0 to 100,000,000 with at most two decimals."]; continue; }
            var label = e.Label?.Trim();
            if (label?.Length > 200) { errors[$"entries[{i}].label"] = ["At most 200 characters."]; continue; }
            entries.Add(new ProgramCost(programId, key, cost, string.IsNullOrEmpty(label) ? null : label));
        }
        if (errors.Count > 0) throw new RequestValidationException(errors);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Set<ProgramCost>().Where(c => c.ProgramId == programId).ExecuteDeleteAsync(ct);
        db.AddRange(entries);
        audit.Record(AuditAction.Update, "ProgramCostTable", programId, null, reason: $"{entries.Count} entries");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await CostTableAsync(programId, ct);
    }

    IQueryable<CareProgram> Visible() => user.Role switch
    {
        Roles.SponsorAnalyst when user.SponsorId is { } sponsor => db.Programs.Where(p => p.SponsorId == sponsor || p.CoSponsors.Any(c => c.SponsorId == sponsor)),
        Roles.ProgramAdmin => db.Programs.Where(p => CaseAccess.ServedProgramIds(db, user).Contains(p.Id)),
        Roles.System => db.Programs,
        _ => db.Programs.Where(_ => false),
    };

    async Task<CareProgram> ProgramAsync(Guid programId, CancellationToken ct)
    {
        if (programs.TryGetValue(programId, out var known)) return known;
        var program = await Visible().AsNoTracking().SingleOrDefaultAsync(p => p.Id == programId, ct) ?? throw new NotFoundException("Program", programId);
        programs[programId] = program;
        return program;
    }

    /// <summary>
    /// Maps the live cases into outcome rows before counting and brings the monthly roll-up of the months that changed in
    /// step, in one transaction under the program's roll-up lock; the audit entry of the read follows in its own save.
    /// </summary>
    async Task RefreshAsync(CareProgram program, CancellationToken ct)
    {
        if (!refreshed.Add(program.Id)) return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await rollup.LockAsync(program.Id, ct);
            var touched = await calculator.RefreshLiveAsync(program, ct);
            await db.SaveChangesAsync(ct);
            await rollup.UpdateAsync(program.Id, touched, ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request mapped the same live cases at the same moment; its rows and roll-up are as good as ours.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
        }
    }

    static void CheckPeriod(DateOnly? from, DateOnly? to)
    {
        if (from is { } f && to is { } t && f > t) throw new RuleViolationException("from", "The period starts after it ends: from must be on or before to.");
    }

    static string Period(DateOnly? from, DateOnly? to) => $"{from?.ToString("yyyy-MM-dd") ?? "start"}..{to?.ToString("yyyy-MM-dd") ?? "now"}";
}

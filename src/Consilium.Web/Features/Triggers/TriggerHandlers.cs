using System.Security.Cryptography;
using System.Text.Json;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Features.Shared;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Consilium.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Triggers;

public sealed class TriggerOptions
{
    public const string Section = "Triggers";

    /// <summary>Largest claims or 278 file accepted by the upload (default 8 GiB).</summary>
    public long MaxFileBytes { get; set; } = 8L << 30;
    /// <summary>A member contacted (an outreach outcome recorded) within this many days is suppressed from new candidates.</summary>
    public int ContactWindowDays { get; set; } = 90;
    /// <summary>How often an idle node looks for queued scans.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>A running scan whose heartbeat is older than this was abandoned by a dead node and is taken up again.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Attempts before a scan that keeps failing for reasons other than its file is marked failed.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>
    /// A folder watched for claims files (relative to the data directory, or absolute; unset: none). A file dropped into
    /// <c>&lt;folder&gt;/&lt;program id&gt;/</c> is taken into encrypted storage, queued for a scan and removed.
    /// </summary>
    public string? WatchDirectory { get; set; }
    /// <summary>A dropped file is taken once it has not changed for this long (so a file still being copied is left alone).</summary>
    public TimeSpan WatchSettle { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Most bytes of claims files a backtest in the platform reads (default 4 GiB, several seconds of one core): a
    /// larger history goes through <c>./consilium backtest</c>.
    /// </summary>
    public long BacktestMaxBytes { get; set; } = 4L << 30;
}

public sealed record RuleSetView(Guid ProgramId, int Version, string Name, string RulesVersion, string SavedBy, DateTimeOffset? SavedAt, bool IsDefault, JsonElement Rules);

public sealed record ScanJobView(Guid Id, Guid ProgramId, string FileName, long Bytes, string Sha256, bool Lenient, ScanJobStatus Status, long BytesRead,
    double Progress, string SubmittedBy, DateTimeOffset SubmittedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Attempts, int? RuleSetVersion,
    long Claims, long PriorAuthorizations, int Candidates, int Suppressed, int Duplicates, int Skipped, string? Errors)
{
    internal static ScanJobView Of(ScanJob j) => new(j.Id, j.ProgramId, j.FileName, j.Bytes, j.Sha256, j.Lenient, j.Status, j.BytesRead,
        j.Bytes > 0 ? Math.Round(Math.Min(1.0, (double)j.BytesRead / j.Bytes), 3) : 0, j.SubmittedBy, j.SubmittedAt, j.StartedAt, j.FinishedAt,
        j.Attempts, j.RuleSetVersion, j.Claims, j.PriorAuthorizations, j.Candidates, j.Suppressed, j.Duplicates, j.Skipped, j.Errors);
}

public sealed record CandidateView(Guid Id, Guid ProgramId, Guid ScanJobId, string MemberId, Guid? RosterMemberId, string? MemberName, string TriggerId,
    string Category, string TriggerName, string Sentence, bool Interceptable, DateOnly FirstDate, DateOnly LastDate, IReadOnlyList<string> ClaimIds,
    IReadOnlyList<string> Codes, IReadOnlyList<Evidence> Evidence, decimal? EstimatedCost, string Currency, int Priority, string RulesVersion,
    CandidateStatus Status, string? SuppressionReason, Guid? CaseId, OutreachOutcome? Outcome, DateTimeOffset? OutcomeAt);

public sealed record OutcomeRequest(OutreachOutcome? Outcome);

public sealed record DismissRequest(string? Reason);

/// <summary>A backtest: the period, and the rules to try (a draft rule set as JSON; absent, the program's rules in force).</summary>
public sealed record BacktestRequest(DateOnly? From, DateOnly? To, JsonElement? Rules);

/// <summary>
/// A backtest's result: the report (per trigger and in total; counts and estimated costs only, no member) and what it
/// read: every distinct claims file the program has scanned successfully.
/// </summary>
public sealed record BacktestView(Guid ProgramId, bool Draft, int? RuleSetVersion, int Files, long Bytes, long Claims, long PriorAuthorizations,
    long SkippedTransactions, BacktestReport Report);

/// <summary>Outreach figures for a program: the engagement rate is cases opened from triggers over members targeted.</summary>
public sealed record OutreachSummary(Guid ProgramId, int Candidates, int MembersTargeted, int Suppressed, int Dismissed, int OutreachStarted,
    int Reached, int Declined, int NoAnswer, int CasesOpened, double? EngagementRate);

/// <summary>
/// The one definition of the outreach figures, used by the worklist's summary and by the program outcomes: members
/// targeted are the distinct members with a candidate on the worklist or in outreach; engaged are the distinct members
/// a case was opened for from a candidate; the engagement rate is engaged over targeted. A period counts candidates
/// found within it (UTC days, both ends included).
/// </summary>
public static class OutreachFigures
{
    public sealed record CandidateRow(string MemberExternalId, Guid? MemberId, string Category, CandidateStatus Status, OutreachOutcome? Outcome, Guid? CaseId);

    public static async Task<OutreachSummary> ComputeAsync(ConsiliumDbContext db, Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct) =>
        Summarize(programId, await RowsAsync(db, programId, from, to, ct));

    public static async Task<List<CandidateRow>> RowsAsync(ConsiliumDbContext db, Guid programId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var query = db.Set<TriggerCandidate>().AsNoTracking().Where(c => c.ProgramId == programId);
        if (from is { } f) { var start = new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); query = query.Where(c => c.FoundAt >= start); }
        if (to is { } t) { var end = new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero); query = query.Where(c => c.FoundAt < end); }
        return await query.Select(c => new CandidateRow(c.MemberExternalId, c.MemberId, c.Category, c.Status, c.Outcome, c.CaseId)).ToListAsync(ct);
    }

    /// <summary>Distinct members with a candidate on the worklist or in outreach.</summary>
    public static int Targeted(IEnumerable<CandidateRow> rows) =>
        rows.Where(r => r.Status is CandidateStatus.Open or CandidateStatus.Outreach).Select(r => r.MemberExternalId).Distinct().Count();

    /// <summary>Distinct members a case was opened for from a candidate.</summary>
    public static int Engaged(IEnumerable<CandidateRow> rows) => rows.Where(r => r.CaseId is not null).Select(r => r.MemberExternalId).Distinct().Count();

    public static OutreachSummary Summarize(Guid programId, IReadOnlyCollection<CandidateRow> rows)
    {
        var targeted = Targeted(rows);
        var casesOpened = Engaged(rows);
        return new OutreachSummary(programId, rows.Count, targeted,
            rows.Count(r => r.Status == CandidateStatus.Suppressed), rows.Count(r => r.Status == CandidateStatus.Dismissed),
            rows.Count(r => r.Status == CandidateStatus.Outreach), rows.Count(r => r.Outcome == OutreachOutcome.Reached),
            rows.Count(r => r.Outcome == OutreachOutcome.Declined), rows.Count(r => r.Outcome == OutreachOutcome.NoAnswer),
            casesOpened, targeted == 0 ? null : Math.Round((double)casesOpened / targeted, 4));
    }
}

/// <summary>What the scanner needs from the platform: the program's rules and who to keep off the worklist.</summary>
public sealed record ScanContext(RuleSet Rules, int RuleSetVersion, Func<Candidate, string?> Suppress);

/// <summary>
/// The platform side of the trigger engine: a program's rules as versioned JSON, claims files uploaded for a background
/// scan, the candidate worklist, outreach that opens a case at Referred linked to its evidence, and outreach outcomes.
/// Every read of candidates (member identifiers with clinical codes) is audited.
/// </summary>
internal sealed class TriggerHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, IDocumentStore store,
    IOptions<TriggerOptions> options)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RuleSetView> RulesAsync(Guid programId, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        var current = await CurrentRulesAsync(programId, ct);
        using var document = JsonDocument.Parse(current?.Json ?? RuleSet.DefaultJson);
        return current is null
            ? new RuleSetView(programId, 0, RuleSet.Default.Name, RuleSet.Default.Version, "Consilium", null, true, document.RootElement.Clone())
            : new RuleSetView(programId, current.Version, current.Name, current.RulesVersion, current.SavedBy, current.SavedAt, false, document.RootElement.Clone());
    }

    /// <summary>Saves a new version of the program's rules; a file that does not parse is refused naming the place.</summary>
    public async Task<RuleSetView> SaveRulesAsync(Guid programId, string json, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        RuleSet parsed;
        try { parsed = RuleSet.Parse(json, "rules"); }
        catch (RuleSetException e) { throw new RuleViolationException("rules", e.Message); }
        var latest = await db.Set<ProgramRuleSet>().Where(r => r.ProgramId == programId).MaxAsync(r => (int?)r.Version, ct) ?? 0;
        var saved = ProgramRuleSet.Create(programId, latest + 1, parsed, json, user.Name, clock.GetUtcNow());
        db.Add(saved);
        audit.Record(AuditAction.Update, "ProgramRuleSet", saved.Id, null, reason: $"version {saved.Version}: {parsed.Name} {parsed.Version}");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { throw new ConflictException("Another version of the rules was saved at the same time. Reload and save again."); }
        return await RulesAsync(programId, ct);
    }

    /// <summary>
    /// What a rule set would have caught over a period (<see cref="Backtest"/>), read from the claims files the program has
    /// scanned (each distinct file once, strict or lenient as it was scanned), so an admin sees a draft's reach before
    /// saving it. Runs in the request, on one core; refused above <see cref="TriggerOptions.BacktestMaxBytes"/>.
    /// Audited as a query of the program's claims.
    /// </summary>
    public async Task<BacktestView> BacktestAsync(Guid programId, BacktestRequest request, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        if (request.From is not { } from) throw new RuleViolationException("from", "Give the first day of the period (yyyy-MM-dd).");
        if (request.To is not { } to) throw new RuleViolationException("to", "Give the last day of the period (yyyy-MM-dd).");
        if (to < from) throw new RuleViolationException("to", $"The period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd}).");
        RuleSet rules;
        int? version = null;
        bool draft = request.Rules is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        if (draft)
        {
            try { rules = RuleSet.Parse(request.Rules!.Value.GetRawText(), "rules"); }
            catch (RuleSetException e) { throw new RuleViolationException("rules", e.Message); }
        }
        else
        {
            var current = await CurrentRulesAsync(programId, ct);
            rules = InForce(current);
            version = current?.Version ?? 0;
        }

        var files = (await db.Set<ScanJob>().AsNoTracking().Where(j => j.ProgramId == programId && j.Status == ScanJobStatus.Succeeded)
            .OrderBy(j => j.SubmittedAt).ToListAsync(ct)).DistinctBy(j => j.Sha256).ToList();
        long bytes = files.Sum(j => j.Bytes), max = options.Value.BacktestMaxBytes;
        if (bytes > max)
            throw new RuleViolationException("files",
                $"The program's claims files hold {bytes:N0} bytes, more than a backtest in the platform reads ({max:N0}, Triggers:BacktestMaxBytes): run ./consilium backtest over the files instead.");
        var engine = new TriggerEngine(rules);
        long claims = 0, authorizations = 0, skipped = 0;
        foreach (var job in files)
        {
            await using var content = await store.OpenReadAsync(job.BlobId, ct);
            var summary = await Task.Run(() => ClaimsScanner.ScanStream(engine, content, job.FileName, job.Bytes, new ScanOptions { Lenient = job.Lenient }, ct), ct);
            claims += summary.Claims;
            authorizations += summary.PriorAuthorizations;
            skipped += summary.Skipped;
        }
        var report = Backtest.Run(engine, from, to);
        audit.Record(AuditAction.Query, "ProgramRuleSet", version, null,
            reason: $"backtest {from:yyyy-MM-dd} to {to:yyyy-MM-dd} of {(draft ? "a draft" : $"version {version}")} ({rules.Name} {rules.Version}) over {files.Count} files, {claims} claims: {report.Candidates} episodes, {report.MembersFlagged} members");
        await db.SaveChangesAsync(ct);
        return new BacktestView(programId, draft, version, files.Count, bytes, claims, authorizations, skipped, report);
    }

    /// <summary>Streams an uploaded file into encrypted storage and queues its scan.</summary>
    public async Task<ScanJobView> SubmitAsync(Guid programId, Stream content, string? fileName, bool lenient, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        var name = SafeName(fileName);
        var blob = await store.WriteAsync(content, ct);
        try
        {
            if (blob.Length == 0) throw new RuleViolationException("body", "The file is empty: send the claims or 278 file as the request body.");
            var job = ScanJob.Submit(programId, name, blob.Id, blob.Sha256, blob.Length, lenient, user.Name, clock.GetUtcNow());
            db.Add(job);
            audit.Record(AuditAction.Create, "ScanJob", job.Id, null, reason: $"{blob.Length} bytes{(lenient ? ", lenient" : "")}");
            await db.SaveChangesAsync(ct);
            return ScanJobView.Of(job);
        }
        catch
        {
            await store.DeleteAsync(blob.Id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Queues a file dropped into the watched folder (the system actor; the program must exist).</summary>
    internal async Task<ScanJobView?> SubmitDroppedAsync(Guid programId, string path, string fileName, CancellationToken ct)
    {
        if (!await db.Programs.AnyAsync(p => p.Id == programId, ct)) return null;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return await SubmitAsync(programId, file, fileName, lenient: false, ct);
    }

    public async Task<IReadOnlyList<ScanJobView>> JobsAsync(Guid programId, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        var jobs = await db.Set<ScanJob>().AsNoTracking().Where(j => j.ProgramId == programId).ToListAsync(ct);
        return [.. jobs.OrderByDescending(j => j.SubmittedAt).Take(100).Select(ScanJobView.Of)];
    }

    public async Task<ScanJobView> JobAsync(Guid jobId, CancellationToken ct)
    {
        var job = await db.Set<ScanJob>().AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, ct);
        if (job is null || !await ServesAsync(job.ProgramId, ct)) throw new NotFoundException("Scan", jobId);
        return ScanJobView.Of(job);
    }

    public async Task<IReadOnlyList<CandidateView>> WorklistAsync(Guid programId, CandidateStatus? status, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        var query = db.Set<TriggerCandidate>().AsNoTracking().Where(c => c.ProgramId == programId);
        query = status is { } s ? query.Where(c => c.Status == s) : query.Where(c => c.Status == CandidateStatus.Open);
        var rows = await query.OrderByDescending(c => c.Priority).ThenBy(c => c.FirstDate).Take(500).ToListAsync(ct);
        var views = await ViewsAsync(rows, ct);
        audit.Record(AuditAction.Query, "TriggerCandidate", null, null, reason: $"worklist of {views.Count} ({status?.ToString() ?? "Open"})");
        await db.SaveChangesAsync(ct);
        return views;
    }

    public async Task<CandidateView> CandidateAsync(Guid candidateId, CancellationToken ct)
    {
        var candidate = await FindAsync(candidateId, ct);
        audit.Record(AuditAction.Read, "TriggerCandidate", candidate.Id, candidate.MemberId);
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([candidate], ct))[0];
    }

    /// <summary>Opens a case at Referred for the flagged member, linked to the candidate and its evidence.</summary>
    public async Task<CandidateView> StartOutreachAsync(Guid candidateId, CancellationToken ct)
    {
        var candidate = await FindAsync(candidateId, ct);
        var memberId = candidate.MemberForOutreach();
        var program = await db.Programs.SingleAsync(p => p.Id == candidate.ProgramId, ct);
        var member = await db.Members.SingleAsync(m => m.Id == memberId, ct);
        var category = CategoryOf(candidate);
        if (!program.Covers(category))
            category = program.Covers(ConditionCategory.Other)
                ? ConditionCategory.Other
                : throw new ConflictException($"The program does not cover {category}, the condition this trigger points to.");

        var errors = new Dictionary<string, string[]>();
        var diagnoses = candidate.Codes.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(ClinicalCodes.NormalizeIcd10Cm).OfType<string>().Take(CaseIntake.MaxCodes).ToList();
        var procedures = candidate.Codes.Split('|', StringSplitOptions.RemoveEmptyEntries)
            .Where(c => ClinicalCodes.NormalizeIcd10Cm(c) is null).Select(ClinicalCodes.NormalizeProcedure).OfType<string>().Take(CaseIntake.MaxCodes).ToList();
        var intake = CaseIntake.Create([], [.. diagnoses], null, [.. procedures], candidate.TriggerName, null, null, null, null,
            Urgency.Routine, member.PreferredLanguage, member.State, ReferralSource.Trigger, errors);

        var now = clock.GetUtcNow();
        var coordinator = user.Role == Roles.Coordinator ? user.UserId : await CoordinatorAssignment.PickAsync(db, program.Id, ct);
        var @case = Case.Open(program.Id, memberId, category, IntakeChannel.Trigger, candidate.Sentence, CaseStatus.Referred, user.Actor, now,
            coordinator, intake, program.Sla);
        candidate.StartOutreach(@case.Id);
        db.Cases.Add(@case);
        audit.Record(AuditAction.Create, "Case", @case.Id, memberId, reason: $"outreach from trigger {candidate.TriggerId} (candidate {candidate.Id})");
        audit.Record(AuditAction.Update, "TriggerCandidate", candidate.Id, memberId, reason: "outreach started");
        await SaveAsync(ct);
        return (await ViewsAsync([candidate], ct))[0];
    }

    public async Task<CandidateView> RecordOutcomeAsync(Guid candidateId, OutcomeRequest request, CancellationToken ct)
    {
        if (request.Outcome is not { } outcome) throw new RuleViolationException("outcome", "This field is required: Reached, Declined or NoAnswer.");
        var candidate = await FindAsync(candidateId, ct);
        candidate.RecordOutcome(outcome, user.Name, clock.GetUtcNow());
        audit.Record(AuditAction.Update, "TriggerCandidate", candidate.Id, candidate.MemberId, reason: $"outreach outcome {outcome}");
        await SaveAsync(ct);
        return (await ViewsAsync([candidate], ct))[0];
    }

    public async Task<CandidateView> DismissAsync(Guid candidateId, DismissRequest request, CancellationToken ct)
    {
        var candidate = await FindAsync(candidateId, ct);
        candidate.Dismiss(request.Reason ?? "");
        audit.Record(AuditAction.Update, "TriggerCandidate", candidate.Id, candidate.MemberId, reason: "dismissed");
        await SaveAsync(ct);
        return (await ViewsAsync([candidate], ct))[0];
    }

    public async Task<OutreachSummary> SummaryAsync(Guid programId, CancellationToken ct)
    {
        await RequireProgramAsync(programId, ct);
        return await OutreachFigures.ComputeAsync(db, programId, null, null, ct);
    }

    /// <summary>The rules in force for a program and the suppression of members with an open case or a recent contact.</summary>
    public async Task<ScanContext> ScanContextAsync(Guid programId, CancellationToken ct)
    {
        if (!await db.Programs.AnyAsync(p => p.Id == programId, ct)) throw new NotFoundException("Program", programId);
        var current = await CurrentRulesAsync(programId, ct);
        var rules = InForce(current);
        var openStatuses = CaseLifecycle.TerminalStages.ToList();
        var openCases = await (
            from c in db.Cases
            join m in db.Members on c.MemberId equals m.Id
            where c.ProgramId == programId && !openStatuses.Contains(c.Status)
            select m.ExternalId).Distinct().ToListAsync(ct);
        var since = clock.GetUtcNow().AddDays(-options.Value.ContactWindowDays);
        var contacted = await db.Set<TriggerCandidate>().Where(c => c.ProgramId == programId && c.OutcomeAt != null && c.OutcomeAt >= since)
            .Select(c => c.MemberExternalId).Distinct().ToListAsync(ct);
        var open = new HashSet<string>(openCases, StringComparer.Ordinal);
        var recent = new HashSet<string>(contacted, StringComparer.Ordinal);
        var window = options.Value.ContactWindowDays;
        return new ScanContext(rules, current?.Version ?? 0, c =>
            open.Contains(c.MemberId) ? "open case" : recent.Contains(c.MemberId) ? $"contacted within {window} days" : null);
    }

    internal static ConditionCategory CategoryOf(TriggerCandidate c)
    {
        var id = c.TriggerId;
        if (id.Contains("spin", StringComparison.Ordinal)) return ConditionCategory.Spine;
        if (id.Contains("knee", StringComparison.Ordinal) || id.Contains("hip", StringComparison.Ordinal)) return ConditionCategory.Musculoskeletal;
        if (id.Contains("cabg", StringComparison.Ordinal) || id.Contains("pci", StringComparison.Ordinal) || id.Contains("card", StringComparison.Ordinal))
            return ConditionCategory.Cardiac;
        if (id.Contains("cancer", StringComparison.Ordinal) || id.Contains("onc", StringComparison.Ordinal)) return ConditionCategory.Oncology;
        return ConditionCategory.Other;
    }

    /// <summary>The rules a program's latest saved version holds, or the shipped library when it saved none.</summary>
    static RuleSet InForce(ProgramRuleSet? current) =>
        current is null ? RuleSet.Default : RuleSet.Parse(current.Json, $"program rules version {current.Version}");

    async Task<ProgramRuleSet?> CurrentRulesAsync(Guid programId, CancellationToken ct) =>
        await db.Set<ProgramRuleSet>().AsNoTracking().Where(r => r.ProgramId == programId).OrderByDescending(r => r.Version).FirstOrDefaultAsync(ct);

    async Task<TriggerCandidate> FindAsync(Guid candidateId, CancellationToken ct)
    {
        var candidate = await db.Set<TriggerCandidate>().SingleOrDefaultAsync(c => c.Id == candidateId, ct);
        if (candidate is null || !await ServesAsync(candidate.ProgramId, ct)) throw new NotFoundException("Candidate", candidateId);
        return candidate;
    }

    async Task<List<CandidateView>> ViewsAsync(IReadOnlyList<TriggerCandidate> rows, CancellationToken ct)
    {
        var memberIds = rows.Select(r => r.MemberId).OfType<Guid>().Distinct().ToList();
        var names = await db.Members.AsNoTracking().Where(m => memberIds.Contains(m.Id))
            .Select(m => new { m.Id, m.FirstName, m.LastName }).ToDictionaryAsync(m => m.Id, m => $"{m.FirstName} {m.LastName}", ct);
        return [.. rows.Select(c => new CandidateView(c.Id, c.ProgramId, c.ScanJobId, c.MemberExternalId, c.MemberId,
            c.MemberId is { } id && names.TryGetValue(id, out var n) ? n : null, c.TriggerId, c.Category, c.TriggerName, c.Sentence, c.Interceptable,
            c.FirstDate, c.LastDate, Split(c.ClaimIds), Split(c.Codes), JsonSerializer.Deserialize<List<Evidence>>(c.EvidenceJson, Json) ?? [],
            c.EstimatedCost, c.Currency, c.Priority, c.RulesVersion, c.Status, c.SuppressionReason, c.CaseId, c.Outcome, c.OutcomeAt))];
    }

    static IReadOnlyList<string> Split(string s) => s.Split('|', StringSplitOptions.RemoveEmptyEntries);

    async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw new ConflictException("Someone else changed this candidate at the same time. Reload it."); }
    }

    async Task RequireProgramAsync(Guid programId, CancellationToken ct)
    {
        if (!await ServesAsync(programId, ct)) throw new NotFoundException("Program", programId);
    }

    Task<bool> ServesAsync(Guid programId, CancellationToken ct) => CaseAccess.ServesProgramAsync(db, user, programId, ct);

    /// <summary>The user's file name is kept as a label only (never a path): its last segment, printable, at most 200 characters.</summary>
    internal static string SafeName(string? fileName)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Trim();
        name = new string([.. name.Where(ch => !char.IsControl(ch))]);
        if (name is "" or "." or "..") name = "claims";
        return name.Length > 200 ? name[..200] : name;
    }
}

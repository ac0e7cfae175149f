using System.Text.Json;
using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Consilium.Triggers;
using Consilium.X12;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Triggers;

/// <summary>Wakes this node's runner when a scan was queued here, instead of waiting for the next poll.</summary>
internal sealed class ScanSignal : Infrastructure.WakeSignal;

/// <summary>
/// Runs queued scans, one at a time per node. A job is claimed with one conditional UPDATE (queued, or running with a
/// heartbeat older than <see cref="TriggerOptions.StaleAfter"/>), so two nodes never run the same scan and a scan whose
/// node died is taken up again. Progress and the heartbeat are written every second. Candidates, the job's totals and
/// the audit entry commit together; a file that fails to read writes no candidate.
/// </summary>
internal sealed partial class ScanJobRunner(IServiceScopeFactory scopes, ScanSignal signal, IOptions<TriggerOptions> options, TimeProvider clock,
    IOptions<Infrastructure.StorageOptions> storage, ILogger<ScanJobRunner> logger) : BackgroundService
{
    readonly string _node = Truncate($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");

    static string Truncate(string s) => s.Length > 200 ? s[^200..] : s;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TakeDroppedFilesAsync(stoppingToken);
                while (await RunNextAsync(stoppingToken)) { }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, e.GetType().Name);
            }
            // Polling is on the wall clock, not the injected one: nodes must find each other's queued scans in real time.
            await signal.WaitAsync(options.Value.PollInterval, TimeProvider.System, stoppingToken);
        }
    }

    /// <summary>Claims and runs one job; false when none is waiting.</summary>
    internal async Task<bool> RunNextAsync(CancellationToken ct)
    {
        var jobId = await ClaimAsync(ct);
        if (jobId is not { } id) return false;
        await RunAsync(id, ct);
        return true;
    }

    /// <summary>
    /// Takes files dropped into the watched folder: each is first renamed to a name only this node knows (so two nodes
    /// sharing the folder never take the same file), then stored encrypted, queued, and deleted.
    /// </summary>
    internal async Task TakeDroppedFilesAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.Value.WatchDirectory)) return;
        var root = Path.GetFullPath(options.Value.WatchDirectory, storage.Value.FullDataDirectory);
        if (!Directory.Exists(root)) return;
        var settled = DateTime.UtcNow - options.Value.WatchSettle;
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            if (!Guid.TryParse(Path.GetFileName(folder), out var programId)) continue;
            foreach (var path in Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(path);
                if (name.StartsWith('.') || File.GetLastWriteTimeUtc(path) > settled) continue;
                var taken = Path.Combine(folder, $".taking-{Guid.NewGuid():N}");
                try { File.Move(path, taken); }
                catch (IOException) { continue; }
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.System("watched folder"), "watch");
                var job = await scope.ServiceProvider.GetRequiredService<TriggerHandlers>().SubmitDroppedAsync(programId, taken, name, ct);
                if (job is null)
                {
                    File.Move(taken, Path.Combine(folder, $".unknown-program-{name}"), overwrite: true);
                    continue;
                }
                File.Delete(taken);
            }
        }
    }

    async Task<Guid?> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>();
        var now = clock.GetUtcNow();
        var stale = now - options.Value.StaleAfter;
        var waiting = await db.Set<ScanJob>().AsNoTracking()
            .Where(j => j.Status == ScanJobStatus.Queued || (j.Status == ScanJobStatus.Running && j.Heartbeat < stale))
            .OrderBy(j => j.SubmittedAt).Select(j => j.Id).Take(5).ToListAsync(ct);
        foreach (var id in waiting)
        {
            var claimed = await db.Set<ScanJob>()
                .Where(j => j.Id == id && (j.Status == ScanJobStatus.Queued || (j.Status == ScanJobStatus.Running && j.Heartbeat < stale)))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, ScanJobStatus.Running)
                    .SetProperty(j => j.Node, _node)
                    .SetProperty(j => j.Heartbeat, now)
                    .SetProperty(j => j.StartedAt, now)
                    .SetProperty(j => j.BytesRead, 0L)
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                    .SetProperty(j => j.Version, j => j.Version + 1), ct);
            if (claimed == 1) return id;
        }
        return null;
    }

    async Task RunAsync(Guid jobId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        services.GetRequiredService<CurrentActor>().Use(Actor.System("claims scan"), "scan");
        var db = services.GetRequiredService<ConsiliumDbContext>();
        var job = await db.Set<ScanJob>().SingleAsync(j => j.Id == jobId, ct);
        var handlers = services.GetRequiredService<TriggerHandlers>();
        var context = await handlers.ScanContextAsync(job.ProgramId, ct);
        var engine = new TriggerEngine(context.Rules);
        long read = 0;
        var progress = new Progress(v => Interlocked.Exchange(ref read, v.BytesRead));

        ScanSummary summary;
        // Every claim read is kept (docs/metrics.md, "Claim facts"), spooled encrypted while the file is read and loaded
        // with the candidates below, so a scan that fails stores none of its claims.
        using var spool = new ClaimFactSpool();
        try
        {
            await using var content = await services.GetRequiredService<IDocumentStore>().OpenReadAsync(job.BlobId, ct);
            var scan = Task.Run(() => ClaimsScanner.ScanStream(engine, content, job.FileName, job.Bytes,
                new ScanOptions { Lenient = job.Lenient, Progress = progress, ProgressEvery = 1 << 20, OnClaim = spool.Add }, ct), ct);
            while (await Task.WhenAny(scan, Task.Delay(TimeSpan.FromSeconds(1), ct)) != scan)
                await BeatAsync(jobId, Interlocked.Read(ref read), ct);
            summary = await scan;
        }
        catch (Exception e) when (e is X12FormatException or ClaimFileFormatException)
        {
            await FailAsync(db, job, e.Message, ct);
            return;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogScanFailed(logger, jobId, job.Attempts, e.GetType().Name);
            if (job.Attempts >= options.Value.MaxAttempts) await FailAsync(db, job, $"The scan failed {job.Attempts} times ({e.GetType().Name}).", ct);
            else await db.Set<ScanJob>().Where(j => j.Id == jobId && j.Node == _node).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, ScanJobStatus.Queued), ct);
            return;
        }

        var previous = await db.Set<TriggerCandidate>().AsNoTracking().Where(c => c.ProgramId == job.ProgramId)
            .Select(c => new { c.MemberExternalId, c.TriggerId, c.FirstDate }).ToListAsync(ct);
        var evaluation = engine.Evaluate(new EvaluationOptions
        {
            Suppress = context.Suppress,
            Previous = [.. previous.Select(p => new PreviousCandidate(p.MemberExternalId, p.TriggerId, p.FirstDate))],
        });
        var externalIds = evaluation.Candidates.Select(c => c.MemberId).Concat(evaluation.Suppressed.Select(s => s.Candidate.MemberId)).Distinct().ToList();
        var members = await db.Members.AsNoTracking().Where(m => m.ProgramId == job.ProgramId && externalIds.Contains(m.ExternalId))
            .Select(m => new { m.Id, m.ExternalId }).ToDictionaryAsync(m => m.ExternalId, m => m.Id, StringComparer.Ordinal, ct);

        var now = clock.GetUtcNow();
        var audit = services.GetRequiredService<AuditTrail>();
        int suppressed = evaluation.Suppressed.Count, found = 0;
        foreach (var c in evaluation.Candidates)
        {
            var memberId = members.TryGetValue(c.MemberId, out var m) ? m : (Guid?)null;
            db.Add(TriggerCandidate.Found(job.ProgramId, job.Id, memberId, c, Evidence(c), memberId is null ? "not on the roster" : null, now));
            if (memberId is null) suppressed++; else found++;
        }
        foreach (var s in evaluation.Suppressed)
            db.Add(TriggerCandidate.Found(job.ProgramId, job.Id, members.TryGetValue(s.Candidate.MemberId, out var m) ? m : null, s.Candidate,
                Evidence(s.Candidate), s.Reason, now));
        var errors = summary.Errors.Count == 0 ? null : string.Join('\n', summary.Errors.Take(50).Select(e => $"{e.FileName}: {e.Message}"));
        job.Succeed(context.RuleSetVersion, summary.Claims, summary.PriorAuthorizations, found, suppressed, evaluation.Duplicates, (int)summary.Skipped, errors, now);
        audit.Record(AuditAction.Create, "ScanJob", job.Id, null,
            reason: $"scan finished: {summary.Claims} claims ({spool.Count} kept as claim facts), {found} candidates, {suppressed} suppressed, {evaluation.Duplicates} already found");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            // The load can outlast StaleAfter with no heartbeat beside it, so the job's row is held from here to the
            // commit: a node that finds the heartbeat stale waits on that row and then sees the job finished, instead
            // of taking it over and scanning the file again. A job already taken over is left to its new node.
            var held = await db.Set<ScanJob>().Where(j => j.Id == jobId && j.Node == _node && j.Status == ScanJobStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Heartbeat, now), ct);
            if (held == 0)
            {
                await tx.RollbackAsync(ct);
                LogScanTakenOver(logger, jobId);
                return;
            }
            await ClaimFactStore.MergeAsync(db, job.ProgramId, job.Id, spool.Read(), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException e)
        {
            // Another node finished the same job after taking it over as stale: its result (claims included) stands.
            await tx.RollbackAsync(ct);
            LogScanFailed(logger, jobId, job.Attempts, e.GetType().Name);
        }
    }

    async Task BeatAsync(Guid jobId, long read, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>();
        var now = clock.GetUtcNow();
        await db.Set<ScanJob>().Where(j => j.Id == jobId && j.Node == _node && j.Status == ScanJobStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.BytesRead, read).SetProperty(j => j.Heartbeat, now), ct);
    }

    async Task FailAsync(ConsiliumDbContext db, ScanJob job, string error, CancellationToken ct)
    {
        await db.Entry(job).ReloadAsync(ct);
        job.Fail(error.Length > 4000 ? error[..4000] : error, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    static string Evidence(Candidate c) => JsonSerializer.Serialize(c.Evidence, TriggerHandlers.Json);

    sealed class Progress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan pass failed with {ExceptionType}; retrying at the next poll")]
    static partial void LogPassFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan {JobId} was taken over by another node before its result was stored; its result stands")]
    static partial void LogScanTakenOver(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan {JobId} attempt {Attempt} failed with {ExceptionType}")]
    static partial void LogScanFailed(ILogger logger, Guid jobId, int attempt, string exceptionType);
}

using Consilium.Dicom;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Documents;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Imaging;

/// <summary>How this node follows the archive's change feed (section <c>Imaging:Feed</c>).</summary>
public sealed class ArchiveFeedOptions
{
    public const string Section = "Imaging:Feed";

    /// <summary>How often the node reads the feed. Zero turns the reader off on this node (another node reads it).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a node holds the feed; another node takes over after that when the first one died.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Changes read per request to the archive.</summary>
    public int PageSize { get; set; } = 100;

    internal static bool Validate(ArchiveFeedOptions o) =>
        o.PollInterval >= TimeSpan.Zero && o.Lease >= TimeSpan.FromSeconds(10) && o.PageSize is > 0 and <= 1000;
}

public enum FeedPassOutcome
{
    /// <summary>No archive configured.</summary>
    Off,
    /// <summary>Another node holds the feed.</summary>
    Busy,
    Done,
}

/// <summary>What one pass did: the studies it attached and queued, and where the cursor stands.</summary>
public sealed record FeedPass(FeedPassOutcome Outcome, int Attached, int Queued, long Sequence);

/// <summary>
/// One pass over the archive's change feed from the stored cursor: each <c>StableStudy</c> the platform does not know yet
/// is matched to a case — by accession number (the case number), else by patient against the members of cases collecting
/// records — and attached when exactly one case fits, else queued for a coordinator. The study's row, its audit entry and
/// the cursor's move commit together, under the feed lease, so a study is never attached twice and a restart resumes
/// where the last commit left off.
/// </summary>
public sealed partial class ArchiveFeed(ConsiliumDbContext db, OrthancClient archive, AuditTrail audit, CurrentActor actor,
    IOptions<ImagingOptions> imaging, IOptions<ArchiveFeedOptions> options, TimeProvider clock, ILogger<ArchiveFeed> logger)
{
    internal static readonly string Node = Clip($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", 100);

    /// <summary>The stages in which a case waits for records: the only ones a study is matched to by patient.</summary>
    internal static readonly CaseStatus[] AwaitingRecords = [CaseStatus.CollectingRecords];

    public async Task<FeedPass> PollOnceAsync(CancellationToken ct)
    {
        if (!imaging.Value.Enabled) return new FeedPass(FeedPassOutcome.Off, 0, 0, 0);
        if (!actor.IsAuthenticated) actor.Use(Actor.System("imaging archive"), "change feed");
        if (!await ClaimAsync(ct)) return new FeedPass(FeedPassOutcome.Busy, 0, 0, 0);
        var (attached, queued) = (0, 0);
        var since = await db.Set<ArchiveFeedCursor>().AsNoTracking().Where(c => c.Id == ArchiveFeedCursor.SingletonId).Select(c => c.Sequence).SingleAsync(ct);
        try
        {
            if (since == ArchiveFeedCursor.NotStarted)
            {
                // The first pass of an installation starts at the archive's end: what it held before is not the facilities'
                // answer to this program's record requests (to replay it, set the cursor's Sequence to 0).
                since = await archive.ReadLastSequenceAsync(ct);
                if (!await MoveCursorAsync(since, ct)) throw new FeedLeaseLostException();
                LogStarted(logger, since);
                return new FeedPass(FeedPassOutcome.Done, 0, 0, since);
            }
            while (true)
            {
                var page = await archive.ReadChangesAsync(since, options.Value.PageSize, ct);
                if (page.Changes.Count == 0 && page.Last < since)
                {
                    // The archive's feed is behind the cursor: it was rebuilt (a new index). Follow it from where it is now.
                    LogRewound(logger, since, page.Last);
                    since = page.Last;
                }
                foreach (var change in page.Changes.Where(c => c.Seq > since))
                {
                    if (change is { ChangeType: "StableStudy", ResourceType: "Study" })
                    {
                        var outcome = await ProcessAsync(change, ct);
                        if (outcome == ArchiveStudyStatus.Attached) attached++;
                        else if (outcome == ArchiveStudyStatus.Unmatched) queued++;
                    }
                    since = change.Seq;
                }
                since = Math.Max(since, page.Last);
                if (!await MoveCursorAsync(since, ct)) throw new FeedLeaseLostException();
                if (page.Done || page.Changes.Count == 0) break;
            }
        }
        finally
        {
            await db.Set<ArchiveFeedCursor>().Where(c => c.Id == ArchiveFeedCursor.SingletonId && c.LockedBy == Node)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.LockedUntil, (DateTimeOffset?)null).SetProperty(c => c.LockedBy, (string?)null), CancellationToken.None);
        }
        if (attached + queued > 0) LogPass(logger, attached, queued, since);
        return new FeedPass(FeedPassOutcome.Done, attached, queued, since);
    }

    /// <summary>Takes the feed's lease unless another node holds an unexpired one (a conditional UPDATE: one node wins).</summary>
    async Task<bool> ClaimAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = now + options.Value.Lease;
        return await db.Set<ArchiveFeedCursor>()
            .Where(c => c.Id == ArchiveFeedCursor.SingletonId && (c.LockedUntil == null || c.LockedUntil < now || c.LockedBy == Node))
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.LockedBy, Node).SetProperty(c => c.LockedUntil, until), ct) == 1;
    }

    /// <summary>Moves the cursor and renews the lease, only while this node still holds it.</summary>
    async Task<bool> MoveCursorAsync(long sequence, CancellationToken ct)
    {
        var until = clock.GetUtcNow() + options.Value.Lease;
        return await db.Set<ArchiveFeedCursor>().Where(c => c.Id == ArchiveFeedCursor.SingletonId && c.LockedBy == Node)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Sequence, sequence).SetProperty(c => c.LockedUntil, until), ct) == 1;
    }

    /// <returns>What became of the study; null when there was nothing to do (already known, or gone from the archive).</returns>
    async Task<ArchiveStudyStatus?> ProcessAsync(ArchiveChange change, CancellationToken ct)
    {
        var study = await archive.ReadStudyAsync(change.Id, ct);
        // Deleted since it became stable, or a UID no DICOM study can have (over 64 characters): nothing to attach.
        if (study is null || study.StudyInstanceUid.Length is 0 or > 64) return null;
        var uid = study.StudyInstanceUid;
        if (await db.Set<ArchiveStudy>().AnyAsync(s => s.StudyInstanceUid == uid, ct)) return null; // seen before (more instances later)
        // Consilium's own push of an uploaded document: the case already has it.
        if (await db.Set<CaseDocument>().SelectMany(d => d.Instances).AnyAsync(i => i.StudyInstanceUid == uid, ct)) return null;

        var now = clock.GetUtcNow();
        var row = ArchiveStudy.Received(study, change.Seq, now);
        var (match, how, reason) = await MatchAsync(study, ct);
        if (match is not null)
        {
            row.Attach(match.Id, how, reason, Actor.System("imaging archive"), now);
            audit.Record(AuditAction.Create, "ImagingStudy", uid, match.MemberId,
                reason: $"attached to case {match.Number} from the imaging archive's change feed ({reason})");
        }
        else
        {
            row.Queue(reason);
            audit.Record(AuditAction.Create, "ArchiveStudy", row.Id, null, reason: $"queued for a coordinator: {reason}");
        }
        db.Add(row);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await MoveCursorAsync(change.Seq, ct)) throw new FeedLeaseLostException();
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return row.Status;
    }

    sealed record Candidate(Guid Id, string Number, Guid MemberId, CaseStatus Status, CaseStatus? HeldFrom);

    /// <summary>The one case the study belongs to, how that was decided and why; or no case and why not (no patient data in the reason).</summary>
    async Task<(Candidate? Case, ArchiveMatch How, string Reason)> MatchAsync(ArchivedStudy study, CancellationToken ct)
    {
        if (CaseNumberOf(study.AccessionNumber) is { } number)
        {
            var byAccession = await db.Cases.AsNoTracking().Where(c => c.Number == number)
                .Select(c => new Candidate(c.Id, c.Number, c.MemberId, c.Status, c.HeldFrom)).SingleOrDefaultAsync(ct);
            if (byAccession is not null)
            {
                var open = byAccession.Status == CaseStatus.OnHold || CaseLifecycle.OpenStages.Contains(byAccession.Status);
                return open
                    ? (byAccession, ArchiveMatch.Accession, $"accession number is case {number}")
                    : (null, ArchiveMatch.Accession, $"accession number names case {number}, which is {byAccession.Status}");
            }
        }

        // The facility's own accession number (the usual case): match the patient against cases waiting for records.
        var birth = DicomValue.ParseDate(study.BirthDate);
        if (study.PatientName is null || birth is null)
            return (null, ArchiveMatch.Patient, "no case number in the accession number, and no patient name and birth date to match");
        var people = await db.Cases.AsNoTracking().Where(c => AwaitingRecords.Contains(c.Status))
            .Join(db.Members.AsNoTracking().Where(m => m.DateOfBirth == birth.Value), c => c.MemberId, m => m.Id, (c, m) => new { Case = c, Member = m })
            .Select(x => new { Candidate = new Candidate(x.Case.Id, x.Case.Number, x.Case.MemberId, x.Case.Status, x.Case.HeldFrom), x.Member.FirstName, x.Member.LastName, x.Member.DateOfBirth, x.Member.Sex })
            .ToListAsync(ct);
        var name = DicomPersonName.Parse(study.PatientName);
        var matches = people
            .Where(p => DicomPatientMatcher.Match(name, study.BirthDate, p.FirstName, p.LastName, p.DateOfBirth).Outcome == PatientMatchOutcome.Match
                && SexAgrees(study.Sex, p.Sex))
            .Select(p => p.Candidate).ToList();
        return matches.Count switch
        {
            1 => (matches[0], ArchiveMatch.Patient, $"patient name, birth date{(SexOf(study.Sex) is null ? "" : " and sex")} match the member of case {matches[0].Number}, collecting records"),
            0 => (null, ArchiveMatch.Patient, "no case collecting records has a member with this patient's name and birth date"),
            var n => (null, ArchiveMatch.Patient, $"{n} cases collecting records have a member with this patient's name and birth date ({string.Join(", ", matches.Select(m => m.Number).Order(StringComparer.Ordinal))})"),
        };
    }

    /// <summary>
    /// The accession-number convention: the coordinator gives the facility the case number ("C-7KQ2M9XD") to put in
    /// Accession Number (0008,0050). Case, spaces and the hyphen are forgiven ("c7kq2m9xd", "7KQ2M9XD").
    /// </summary>
    internal static string? CaseNumberOf(string? accession)
    {
        if (accession is null) return null;
        var folded = new string(accession.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        if (folded.Length == 9 && folded[0] == 'C') folded = folded[1..];
        return folded.Length == 8 ? "C-" + folded : null;
    }

    static Sex? SexOf(string? dicom) => dicom?.Trim().ToUpperInvariant() switch
    {
        "F" => Sex.Female,
        "M" => Sex.Male,
        "O" => Sex.Other,
        _ => null,
    };

    /// <summary>Compared only when both sides state it.</summary>
    static bool SexAgrees(string? dicom, Sex member) => SexOf(dicom) is not { } sex || member == Sex.Unknown || sex == member;

    static string Clip(string value, int max) => value.Length <= max ? value : value[^max..];

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive change feed: first pass, starting after the archive's latest change {Sequence}")]
    static partial void LogStarted(ILogger logger, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive change feed ends at {Last}, behind the stored cursor {Cursor}: the archive's index was rebuilt; following it from {Last}")]
    static partial void LogRewound(ILogger logger, long cursor, long last);

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive change feed: {Attached} studies attached, {Queued} queued for a coordinator, cursor at {Sequence}")]
    static partial void LogPass(ILogger logger, int attached, int queued, long sequence);
}

/// <summary>Another node took the feed over (this one was too slow to renew its lease): stop; nothing was committed twice.</summary>
public sealed class FeedLeaseLostException() : Exception("The archive change-feed lease passed to another node.");

/// <summary>Reads the change feed every poll interval, on every node; the lease lets one of them work at a time.</summary>
internal sealed partial class ArchiveFeedWorker(IServiceScopeFactory scopes, IOptions<ImagingOptions> imaging, IOptions<ArchiveFeedOptions> options,
    TimeProvider clock, ILogger<ArchiveFeedWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!imaging.Value.Enabled || options.Value.PollInterval == TimeSpan.Zero) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ArchiveFeed>().PollOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The archive or the database is unreachable for a moment: the cursor did not move, try again next time.
                LogPassFailed(logger, e.GetType().Name);
            }
            try { await Task.Delay(options.Value.PollInterval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive change-feed pass failed with {ExceptionType}; retrying at the next poll")]
    static partial void LogPassFailed(ILogger logger, string exceptionType);
}

public static class ArchiveFeedSetup
{
    internal static IServiceCollection AddArchiveFeed(this IServiceCollection services)
    {
        services.AddOptions<ArchiveFeedOptions>().BindConfiguration(ArchiveFeedOptions.Section)
            .Validate(ArchiveFeedOptions.Validate, "Imaging:Feed options are not valid: PollInterval zero or more, Lease at least 10 s, PageSize 1–1000.")
            .ValidateOnStart();
        services.AddScoped<ArchiveFeed>();
        services.AddScoped<UnmatchedStudies>();
        services.AddHostedService<ArchiveFeedWorker>();
        return services;
    }
}

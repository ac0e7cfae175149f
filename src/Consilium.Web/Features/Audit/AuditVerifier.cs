using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Audit;

public enum AuditProblemKind
{
    /// <summary>An entry's fields no longer produce its stored hash.</summary>
    Altered,
    /// <summary>One or more sequence numbers are missing.</summary>
    Removed,
    /// <summary>An entry does not follow its predecessor (entries moved, swapped or replaced).</summary>
    Reordered,
    /// <summary>The trail ends before a point it is known to have reached (anchor or chain head).</summary>
    Truncated,
}

public sealed record AuditProblem(AuditProblemKind Kind, long Sequence, long? EntryId, string Description);

public sealed record AuditVerification(long EntriesChecked, long AnchorsChecked, long LastSequence, string LastHash, AuditProblem? FirstProblem)
{
    public bool IsIntact => FirstProblem is null;
}

/// <summary>
/// Walks the whole trail in sequence order, recomputing every hash, then checks the chain head and every anchor
/// against it. Reports the first entry that was altered, removed or reordered, or that the tail was cut.
/// Streams in pages, so a trail of millions of entries is checked in flat memory.
/// </summary>
public sealed class AuditVerifier(ConsiliumDbContext db)
{
    const int PageSize = 5_000;

    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        long expected = 1, checkedCount = 0, afterSequence = 0;
        var previousHash = AuditChain.Genesis;
        AuditProblem? problem = null;

        while (problem is null)
        {
            var page = await db.AuditEntries.AsNoTracking().Where(e => e.Sequence > afterSequence)
                .OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0) break;
            foreach (var entry in page)
            {
                problem = Check(entry, expected, previousHash);
                if (problem is not null) break;
                previousHash = entry.Hash;
                expected++;
                checkedCount++;
            }
            afterSequence = page[^1].Sequence;
        }

        var last = expected - 1;
        var anchors = await db.AuditAnchors.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync(ct);
        if (problem is null)
        {
            var head = await db.AuditChainHead.AsNoTracking().SingleAsync(ct);
            if (head.Sequence > last)
                problem = new(AuditProblemKind.Truncated, last + 1, null,
                    $"The chain head says the trail reaches sequence {head.Sequence}, but it ends at {last}: entries {last + 1}–{head.Sequence} were removed.");
            else if (head.Sequence == last && head.Hash != previousHash)
                problem = new(AuditProblemKind.Altered, last, null, $"The chain head's hash does not match entry {last}.");
        }
        if (problem is null)
        {
            foreach (var anchor in anchors)
            {
                if (anchor.Sequence > last)
                {
                    problem = new(AuditProblemKind.Truncated, last + 1, null,
                        $"An anchor taken {anchor.At:u} records sequence {anchor.Sequence}, but the trail ends at {last}: the tail was cut from entry {last + 1}.");
                    break;
                }
                var hash = await db.AuditEntries.AsNoTracking().Where(e => e.Sequence == anchor.Sequence).Select(e => e.Hash).SingleOrDefaultAsync(ct);
                if (hash != anchor.Hash)
                {
                    problem = new(AuditProblemKind.Altered, anchor.Sequence, null,
                        $"Entry {anchor.Sequence} no longer has the hash its anchor of {anchor.At:u} recorded.");
                    break;
                }
            }
        }
        return new AuditVerification(checkedCount, anchors.Count, last, previousHash, problem);
    }

    static AuditProblem? Check(AuditEntry entry, long expected, string previousHash)
    {
        if (entry.Sequence > expected)
        {
            var missing = entry.Sequence - expected == 1 ? $"entry {expected} is" : $"entries {expected}–{entry.Sequence - 1} are";
            return new(AuditProblemKind.Removed, expected, null, $"The trail jumps from {expected - 1} to {entry.Sequence}: {missing} missing (removed).");
        }
        if (AuditChain.HashOf(entry, entry.PrevHash) != entry.Hash)
        {
            // An entry whose fields are intact but whose number was changed is a moved entry, not an edited one.
            const int reach = 1000;
            for (var original = Math.Max(1, entry.Sequence - reach); original <= entry.Sequence + reach; original++)
            {
                if (original != entry.Sequence && AuditChain.HashOf(entry, original, entry.PrevHash) == entry.Hash)
                    return new(AuditProblemKind.Reordered, entry.Sequence, entry.Id,
                        $"Entry {entry.Sequence} (id {entry.Id}) was written as entry {original}: entries were reordered.");
            }
            return new(AuditProblemKind.Altered, entry.Sequence, entry.Id,
                $"Entry {entry.Sequence} (id {entry.Id}, {entry.At:u}) was altered: its fields no longer match its hash.");
        }
        if (entry.PrevHash != previousHash)
            return new(AuditProblemKind.Reordered, entry.Sequence, entry.Id,
                $"Entry {entry.Sequence} (id {entry.Id}) does not follow entry {entry.Sequence - 1}: entries were reordered or replaced.");
        return null;
    }
}

/// <summary>Copies the chain head into the anchors table, and optionally to an append-only file outside the database.</summary>
public sealed partial class AuditAnchoring(ConsiliumDbContext db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<AuditOptions> options, ILogger<AuditAnchoring> logger)
{
    public async Task<AuditAnchor?> AnchorAsync(CancellationToken ct)
    {
        var head = await db.AuditChainHead.AsNoTracking().SingleAsync(ct);
        if (head.Sequence == 0) return null;
        var latest = await db.AuditAnchors.AsNoTracking().OrderByDescending(a => a.Sequence).FirstOrDefaultAsync(ct);
        if (latest?.Sequence == head.Sequence) return latest;

        var anchor = new AuditAnchor(head.Sequence, head.Hash, clock.GetUtcNow());
        db.AuditAnchors.Add(anchor);
        await db.SaveChangesAsync(ct);
        if (options.Value.AnchorFile is { Length: > 0 } file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            await File.AppendAllTextAsync(file, $"{anchor.At:O} {anchor.Sequence} {anchor.Hash}\n", ct);
        }
        LogAnchored(logger, anchor.Sequence);
        return anchor;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit trail anchored at sequence {Sequence}")]
    static partial void LogAnchored(ILogger logger, long sequence);
}

public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How often the chain head is anchored. Zero turns the timer off (anchors can still be taken with ./consilium audit anchor).</summary>
    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An append-only file that receives a copy of every anchor, ideally on other storage than the database.</summary>
    public string? AnchorFile { get; set; }
}

/// <summary>Takes an anchor on a timer.</summary>
internal sealed partial class AuditAnchorTimer(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditAnchorTimer> logger)
    : Infrastructure.PeriodicPass(clock)
{
    protected override TimeSpan Interval => options.Value.AnchorInterval;

    protected override async Task PassAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuditAnchoring>().AnchorAsync(ct);
    }

    protected override void Failed(string exceptionType) => LogFailed(logger, exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit anchor failed: {ExceptionType}; retrying at the next interval")]
    static partial void LogFailed(ILogger logger, string exceptionType);
}

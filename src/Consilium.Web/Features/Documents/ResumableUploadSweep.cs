using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Documents;

/// <summary>
/// Deletes resumable uploads past their expiry (<c>Documents:ResumableExpiry</c> after their last request) with the
/// bytes they hold. A finished upload's row is only a receipt and goes the same way; one a live PATCH is writing to
/// (lock renewed within a lease) is left for the next round.
/// </summary>
public sealed partial class ResumableUploadSweep(IServiceScopeFactory scopes, IOptions<DocumentIntakeOptions> options, TimeProvider clock,
    ILogger<ResumableUploadSweep> logger)
{
    internal ILogger Logger => logger;

    /// <summary>Returns how many uploads were deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<CurrentActor>().Use(Actor.System("resumable upload sweep"), "system");
        var db = sp.GetRequiredService<ConsiliumDbContext>();
        var store = sp.GetRequiredService<IDocumentStore>();
        var audit = sp.GetRequiredService<AuditTrail>();
        var now = clock.GetUtcNow();
        var busy = now - options.Value.ResumableLockLease;

        var expired = await db.Set<ResumableUpload>().AsNoTracking()
            .Where(u => u.ExpiresAt <= now && (u.LockToken == null || u.LockedAt < busy))
            .Select(u => new { u.Id, u.MemberId, u.Status, u.Offset, u.Length }).Take(500).ToListAsync(ct);
        var deleted = 0;
        foreach (var upload in expired)
        {
            var blobs = await db.Set<UploadSegment>().AsNoTracking().Where(s => s.UploadId == upload.Id).Select(s => s.BlobId).ToListAsync(ct);
            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                // Re-checked inside the delete: a PATCH that took the upload meanwhile keeps it.
                var gone = await db.Set<ResumableUpload>()
                    .Where(u => u.Id == upload.Id && u.ExpiresAt <= now && (u.LockToken == null || u.LockedAt < busy)).ExecuteDeleteAsync(ct);
                if (gone == 0) continue;
                if (upload.Status is ResumableUploadStatus.Receiving or ResumableUploadStatus.Completing)
                    audit.Record(AuditAction.Delete, ResumableUploadHandlers.ObjectType, upload.Id, upload.MemberId,
                        reason: $"expired unfinished at {upload.Offset} of {upload.Length} bytes");
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            foreach (var blob in blobs) await store.DeleteAsync(blob, CancellationToken.None);
            deleted++;
        }
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumable upload sweep deleted {Count} expired uploads")]
    internal static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resumable upload sweep failed: {ExceptionType}")]
    internal static partial void LogFailed(ILogger logger, string exceptionType);
}

internal sealed class ResumableUploadSweepTimer(ResumableUploadSweep sweep, IOptions<DocumentIntakeOptions> options, TimeProvider clock) : PeriodicPass(clock)
{
    protected override TimeSpan Interval => options.Value.ResumableSweepInterval;

    protected override async Task PassAsync(CancellationToken ct)
    {
        var count = await sweep.RunOnceAsync(ct);
        if (count > 0) ResumableUploadSweep.LogSwept(sweep.Logger, count);
    }

    protected override void Failed(string exceptionType) => ResumableUploadSweep.LogFailed(sweep.Logger, exceptionType);
}

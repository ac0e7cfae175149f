using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;

namespace Consilium.Features.Audit;

/// <summary>
/// Captures audit entries into the current unit of work, so an entry commits or rolls back with the change it
/// records. A failed change is recorded on its own afterwards, with the failure as its outcome.
/// </summary>
public sealed class AuditTrail(ConsiliumDbContext db, CurrentActor actor, TimeProvider clock)
{
    public void Record(AuditAction action, string objectType, object? objectId, Guid? patientId,
        AuditOutcome outcome = AuditOutcome.Success, string? reason = null)
    {
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow(), actor.UserId, Truncate(actor.Name, 256), actor.Role, action,
            objectType, objectId?.ToString(), patientId, outcome, Truncate(actor.Source, 64), reason is null ? null : Truncate(reason, 1000)));
    }

    /// <summary>
    /// Discards everything the failed unit of work had tracked (its success entry included) and commits one entry
    /// saying the attempt failed or was refused.
    /// </summary>
    public async Task RecordFailureAsync(AuditAction action, string objectType, object? objectId, Guid? patientId,
        AuditOutcome outcome, string reason, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        Record(action, objectType, objectId, patientId, outcome, reason);
        await db.SaveChangesAsync(cancellationToken);
    }

    static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}

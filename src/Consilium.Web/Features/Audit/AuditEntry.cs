namespace Consilium.Features.Audit;

/// <summary>ASTM E2147 action types.</summary>
public enum AuditAction
{
    Create,
    Read,
    Update,
    Delete,
    Print,
    Export,
    Query,
    SignIn,
    FailedSignIn,
    SignOut,
    PermissionChange,
    ConsentChange,
}

public enum AuditOutcome
{
    Success,
    /// <summary>The user was not allowed to do it.</summary>
    Denied,
    /// <summary>The user was allowed, but the operation failed (a conflict, a rule, an error).</summary>
    Failure,
}

/// <summary>
/// One access to or change of health information, or a security event. Written in the same transaction as the
/// change it records; never updated or deleted by the application.
/// </summary>
public sealed class AuditEntry
{
    AuditEntry() { UserName = ""; Role = ""; ObjectType = ""; Source = ""; }

    public AuditEntry(DateTimeOffset at, Guid? userId, string userName, string role, AuditAction action, string objectType,
        string? objectId, Guid? patientId, AuditOutcome outcome, string source, string? reason)
    {
        At = at;
        UserId = userId;
        UserName = userName;
        Role = role;
        Action = action;
        ObjectType = objectType;
        ObjectId = objectId;
        PatientId = patientId;
        Outcome = outcome;
        Source = source;
        Reason = reason;
    }

    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public Guid? UserId { get; private set; }
    public string UserName { get; private set; }
    public string Role { get; private set; }
    public AuditAction Action { get; private set; }
    public string ObjectType { get; private set; }
    public string? ObjectId { get; private set; }

    /// <summary>The member whose information was touched, so an accounting per patient is one query.</summary>
    public Guid? PatientId { get; private set; }

    public AuditOutcome Outcome { get; private set; }

    /// <summary>Client IP address, or "cli" / "system" for work not started by a web request.</summary>
    public string Source { get; private set; }

    public string? Reason { get; private set; }

    /// <summary>Position in the hash chain: 1, 2, 3… with no gaps. Assigned when the entry is sealed, at save time.</summary>
    public long Sequence { get; private set; }

    /// <summary>The <see cref="Hash"/> of the entry at <see cref="Sequence"/> − 1 (or <see cref="AuditChain.Genesis"/>).</summary>
    public string PrevHash { get; private set; } = "";

    /// <summary>SHA-256 over <see cref="PrevHash"/> and every field of this entry: altering, removing or reordering breaks the chain.</summary>
    public string Hash { get; private set; } = "";

    /// <summary>Places the entry after <paramref name="prevHash"/> in the chain. Called only by the DbContext, inside the chain lock.</summary>
    internal void Seal(long sequence, string prevHash)
    {
        // PostgreSQL keeps microseconds; drop the rest so the hash recomputed from the stored row is the same.
        At = new DateTimeOffset(At.UtcTicks - At.UtcTicks % 10, TimeSpan.Zero);
        Sequence = sequence;
        PrevHash = prevHash;
        Hash = AuditChain.HashOf(this, prevHash);
    }
}

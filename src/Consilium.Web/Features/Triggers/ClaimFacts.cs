using System.Data.Common;
using Consilium.Features.Programs;
using Consilium.Infrastructure.Persistence;
using Consilium.Triggers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;
using NpgsqlTypes;

namespace Consilium.Features.Triggers;

/// <summary>
/// One claim of a program as outcomes read it (docs/metrics.md, "Claim facts"), kept from every scan job: one row per
/// member and claim id whatever the number of files or re-scans that carried it. A replacement supersedes the original
/// and a void supersedes both (by <see cref="Rank"/>, in whatever order the files came); at the same rank the later
/// scan wins. A voided claim stays as a tombstone (<see cref="Voided"/>) so that re-scanning the original cannot bring
/// it back; outcomes never count it. Member-level health information: only ever aggregated.
/// </summary>
public sealed class StoredClaim
{
    StoredClaim() { MemberExternalId = ""; ClaimId = ""; Procedures = ""; }

    public Guid ProgramId { get; private set; }
    public string MemberExternalId { get; private set; }
    public string ClaimId { get; private set; }
    public string? FrequencyCode { get; private set; }
    public int Rank { get; private set; }
    public bool Voided { get; private set; }
    public DateOnly? ServiceFrom { get; private set; }
    public DateOnly? ServiceTo { get; private set; }
    /// <summary>CPT/HCPCS and ICD-10-PCS codes of the claim, without dots, separated by '|'.</summary>
    public string Procedures { get; private set; }
    public string? PrincipalDiagnosis { get; private set; }
    public string? BillingNpi { get; private set; }
    /// <summary>The claim's total charge (CLM02) in cents; the files carry no paid amount.</summary>
    public long ChargeCents { get; private set; }
    /// <summary>The scan whose copy of the claim stands.</summary>
    public Guid ScanJobId { get; private set; }

    public IEnumerable<string> ProcedureCodes => Procedures.Split('|', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class StoredClaimConfiguration : IEntityTypeConfiguration<StoredClaim>
{
    public void Configure(EntityTypeBuilder<StoredClaim> b)
    {
        b.ToTable("ClaimFacts");
        b.HasKey(x => new { x.ProgramId, x.MemberExternalId, x.ClaimId });
        b.Property(x => x.MemberExternalId).HasMaxLength(ClaimFact.MaxId);
        b.Property(x => x.ClaimId).HasMaxLength(ClaimFact.MaxId);
        b.Property(x => x.FrequencyCode).HasMaxLength(2);
        b.Property(x => x.Procedures).HasMaxLength(ClaimFact.MaxProcedures);
        b.Property(x => x.PrincipalDiagnosis).HasMaxLength(8);
        b.Property(x => x.BillingNpi).HasMaxLength(10);
        b.Ignore(x => x.ProcedureCodes);
        b.HasIndex(x => new { x.ProgramId, x.BillingNpi });
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Loads a scan's spooled claim facts into <c>ClaimFacts</c> inside the caller's transaction (the one that also saves the
/// job's candidates), so a scan adds its claims whole or not at all. PostgreSQL: binary COPY into a temporary table,
/// then one INSERT … ON CONFLICT that keeps, per claim, the highest rank and then the last read. SQLite: one prepared
/// upsert per claim with the same rule.
/// </summary>
internal static class ClaimFactStore
{
    const string Columns = "\"ProgramId\", \"MemberExternalId\", \"ClaimId\", \"FrequencyCode\", \"Rank\", \"Voided\", \"ServiceFrom\", \"ServiceTo\", " +
        "\"Procedures\", \"PrincipalDiagnosis\", \"BillingNpi\", \"ChargeCents\", \"ScanJobId\"";

    const string OnConflict = " ON CONFLICT (\"ProgramId\", \"MemberExternalId\", \"ClaimId\") DO UPDATE SET " +
        "\"FrequencyCode\" = excluded.\"FrequencyCode\", \"Rank\" = excluded.\"Rank\", \"Voided\" = excluded.\"Voided\", " +
        "\"ServiceFrom\" = excluded.\"ServiceFrom\", \"ServiceTo\" = excluded.\"ServiceTo\", \"Procedures\" = excluded.\"Procedures\", " +
        "\"PrincipalDiagnosis\" = excluded.\"PrincipalDiagnosis\", \"BillingNpi\" = excluded.\"BillingNpi\", " +
        "\"ChargeCents\" = excluded.\"ChargeCents\", \"ScanJobId\" = excluded.\"ScanJobId\" " +
        "WHERE excluded.\"Rank\" >= \"ClaimFacts\".\"Rank\"";

    /// <summary>Returns the number of claims read from the spool. Requires an open transaction on <paramref name="db"/>.</summary>
    public static async Task<long> MergeAsync(ConsiliumDbContext db, Guid programId, Guid scanJobId, IEnumerable<ClaimFact> facts, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("Merge claim facts inside a transaction.");
        var connection = db.Database.GetDbConnection();
        return connection switch
        {
            NpgsqlConnection pg => await MergePostgresAsync(pg, (NpgsqlTransaction)transaction, programId, scanJobId, facts, ct),
            SqliteConnection sqlite => MergeSqlite(sqlite, (SqliteTransaction)transaction, programId, scanJobId, facts),
            _ => throw new NotSupportedException(connection.GetType().Name),
        };
    }

    static async Task<long> MergePostgresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid programId, Guid scanJobId,
        IEnumerable<ClaimFact> facts, CancellationToken ct)
    {
        await Execute(connection, transaction, "CREATE TEMP TABLE claim_fact_load (\"Seq\" bigint, \"MemberExternalId\" text, \"ClaimId\" text, " +
            "\"FrequencyCode\" text, \"Rank\" integer, \"Voided\" boolean, \"ServiceFrom\" date, \"ServiceTo\" date, \"Procedures\" text, " +
            "\"PrincipalDiagnosis\" text, \"BillingNpi\" text, \"ChargeCents\" bigint) ON COMMIT DROP", ct);
        long n = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY claim_fact_load (\"Seq\", \"MemberExternalId\", \"ClaimId\", \"FrequencyCode\", \"Rank\", \"Voided\", \"ServiceFrom\", \"ServiceTo\", " +
            "\"Procedures\", \"PrincipalDiagnosis\", \"BillingNpi\", \"ChargeCents\") FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var f in facts)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(n++, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(f.MemberId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(f.ClaimId, NpgsqlDbType.Text, ct);
                await WriteNullable(copy, f.FrequencyCode, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(f.Rank, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(f.Voided, NpgsqlDbType.Boolean, ct);
                if (f.ServiceFrom is { } from) await copy.WriteAsync(from, NpgsqlDbType.Date, ct); else await copy.WriteNullAsync(ct);
                if (f.ServiceTo is { } to) await copy.WriteAsync(to, NpgsqlDbType.Date, ct); else await copy.WriteNullAsync(ct);
                await copy.WriteAsync(f.Procedures, NpgsqlDbType.Text, ct);
                await WriteNullable(copy, f.PrincipalDiagnosis, NpgsqlDbType.Text, ct);
                await WriteNullable(copy, f.BillingNpi, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(f.ChargeCents, NpgsqlDbType.Bigint, ct);
            }
            await copy.CompleteAsync(ct);
        }
        if (n == 0) return 0;
        await using var merge = new NpgsqlCommand(
            $"INSERT INTO \"ClaimFacts\" ({Columns}) SELECT DISTINCT ON (\"MemberExternalId\", \"ClaimId\") @program, \"MemberExternalId\", \"ClaimId\", " +
            "\"FrequencyCode\", \"Rank\", \"Voided\", \"ServiceFrom\", \"ServiceTo\", \"Procedures\", \"PrincipalDiagnosis\", \"BillingNpi\", \"ChargeCents\", @job " +
            "FROM claim_fact_load ORDER BY \"MemberExternalId\", \"ClaimId\", \"Rank\" DESC, \"Seq\" DESC" + OnConflict, connection, transaction);
        merge.Parameters.AddWithValue("program", programId);
        merge.Parameters.AddWithValue("job", scanJobId);
        merge.CommandTimeout = 0;
        await merge.ExecuteNonQueryAsync(ct);
        return n;
    }

    static Task WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    static long MergeSqlite(SqliteConnection connection, SqliteTransaction transaction, Guid programId, Guid scanJobId, IEnumerable<ClaimFact> facts)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO \"ClaimFacts\" ({Columns}) VALUES ($program, $member, $claim, $frequency, $rank, $voided, $from, $to, " +
            "$procedures, $dx, $npi, $cents, $job)" + OnConflict;
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "program", "member", "claim", "frequency", "rank", "voided", "from", "to", "procedures", "dx", "npi", "cents", "job" })
            p[name] = command.Parameters.Add(new SqliteParameter("$" + name, null));
        p["program"].Value = programId;
        p["job"].Value = scanJobId;
        command.Prepare();
        long n = 0;
        foreach (var f in facts)
        {
            p["member"].Value = f.MemberId;
            p["claim"].Value = f.ClaimId;
            p["frequency"].Value = (object?)f.FrequencyCode ?? DBNull.Value;
            p["rank"].Value = f.Rank;
            p["voided"].Value = f.Voided;
            p["from"].Value = f.ServiceFrom is { } from ? (object)from : DBNull.Value;
            p["to"].Value = f.ServiceTo is { } to ? (object)to : DBNull.Value;
            p["procedures"].Value = f.Procedures;
            p["dx"].Value = (object?)f.PrincipalDiagnosis ?? DBNull.Value;
            p["npi"].Value = (object?)f.BillingNpi ?? DBNull.Value;
            p["cents"].Value = f.ChargeCents;
            command.ExecuteNonQuery();
            n++;
        }
        return n;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consilium.Features.Outcomes;

/// <summary>Why a member was away, as the disability carrier codes it (coarse on purpose).</summary>
public enum AbsenceReason
{
    Musculoskeletal,
    Surgery,
    Cancer,
    Cardiac,
    MentalHealth,
    Pregnancy,
    Injury,
    Other,
}

/// <summary>
/// One short-term-disability episode of a program's member, from the carrier's file (`./consilium import disability`).
/// Member-level health information: only ever aggregated (docs/metrics.md, "Disability and absence").
/// </summary>
public sealed class DisabilityEpisode
{
    DisabilityEpisode() { EpisodeId = ""; MemberExternalId = ""; }

    public Guid Id { get; private set; }
    public Guid ProgramId { get; private set; }
    /// <summary>The carrier's episode id, unique per program: importing the same episodes twice adds nothing.</summary>
    public string EpisodeId { get; private set; }
    public string MemberExternalId { get; private set; }
    public DateOnly StartOn { get; private set; }
    /// <summary>The return-to-work date; null while the member is still away.</summary>
    public DateOnly? ReturnToWorkOn { get; private set; }
    /// <summary>Days away from work in the episode, as the carrier counts them.</summary>
    public int DaysAway { get; private set; }
    public AbsenceReason Reason { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    public static DisabilityEpisode Create(Guid programId, DisabilityRow row, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), ProgramId = programId, EpisodeId = row.EpisodeId, MemberExternalId = row.MemberId, StartOn = row.StartOn,
        ReturnToWorkOn = row.ReturnToWorkOn, DaysAway = row.DaysAway, Reason = row.Reason, RecordedAt = now,
    };
}

internal sealed class DisabilityEpisodeConfiguration : IEntityTypeConfiguration<DisabilityEpisode>
{
    public void Configure(EntityTypeBuilder<DisabilityEpisode> b)
    {
        b.ToTable("DisabilityEpisodes");
        b.HasKey(x => x.Id);
        b.Property(x => x.EpisodeId).HasMaxLength(80);
        b.Property(x => x.MemberExternalId).HasMaxLength(80);
        b.HasIndex(x => new { x.ProgramId, x.EpisodeId }).IsUnique();
        b.HasIndex(x => new { x.ProgramId, x.MemberExternalId, x.StartOn });
        b.HasOne<CareProgram>().WithMany().HasForeignKey(x => x.ProgramId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>One row of a disability file, checked.</summary>
public sealed record DisabilityRow(int Line, string EpisodeId, string MemberId, DateOnly StartOn, DateOnly? ReturnToWorkOn, int DaysAway, AbsenceReason Reason);

/// <summary>
/// Reads a short-term-disability file (docs/metrics.md, "Disability and absence"): a header naming the columns in any
/// order and case, then one episode per line. A bad row is refused with its line and column and none of the file is
/// used; messages never quote a value.
/// </summary>
public static class DisabilityCsv
{
    public static readonly IReadOnlyList<string> RequiredColumns = ["episode_id", "member_id", "start_on", "return_to_work_on", "days_away", "reason"];

    public static List<DisabilityRow> Read(Stream stream) => ImportCsv.Read(stream, RequiredColumns, "episode_id", "episodes", row =>
    {
        var memberId = row.Required("member_id");
        if (memberId.Length > 80) throw row.At("member_id", "at most 80 characters.");
        var start = row.Date("start_on", row.Required("start_on"));
        DateOnly? returned = row.Field("return_to_work_on") is { } r ? row.Date("return_to_work_on", r) : null;
        if (returned < start) throw row.At("return_to_work_on", "before start_on.");
        if (!int.TryParse(row.Required("days_away"), NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days > 3660)
            throw row.At("days_away", "a whole number of days from 0 to 3660.");
        var reason = row.Required("reason").ToLowerInvariant() switch
        {
            "musculoskeletal" => AbsenceReason.Musculoskeletal,
            "surgery" => AbsenceReason.Surgery,
            "cancer" => AbsenceReason.Cancer,
            "cardiac" => AbsenceReason.Cardiac,
            "mental_health" => AbsenceReason.MentalHealth,
            "pregnancy" => AbsenceReason.Pregnancy,
            "injury" => AbsenceReason.Injury,
            "other" => AbsenceReason.Other,
            _ => throw row.At("reason", "use musculoskeletal, surgery, cancer, cardiac, mental_health, pregnancy, injury or other."),
        };
        return new DisabilityRow(row.Line, row.Key, memberId, start, returned, days, reason);
    });
}

/// <summary>Loads a disability file into a program, all or nothing; episode ids already imported are left as they are.</summary>
public sealed class DisabilityImport(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    const string ObjectType = "DisabilityImport";

    public async Task<HistoryImportResult> ImportAsync(Guid programId, Stream content, string fileName, CancellationToken ct)
    {
        if (!await CaseAccess.ServesProgramAsync(db, user, programId, ct)) throw new NotFoundException("Program", programId);
        var name = Path.GetFileName(fileName);
        await using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        buffer.Position = 0;
        List<DisabilityRow> rows;
        try
        {
            rows = DisabilityCsv.Read(buffer);
        }
        catch (RuleViolationException e)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, null, AuditOutcome.Failure, $"{name} rejected: {e.Message}", ct);
            throw;
        }
        var existing = (await db.Set<DisabilityEpisode>().AsNoTracking().Where(e => e.ProgramId == programId).Select(e => e.EpisodeId).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var fresh = rows.Where(r => !existing.Contains(r.EpisodeId)).ToList();
        var now = clock.GetUtcNow();
        db.AddRange(fresh.Select(r => DisabilityEpisode.Create(programId, r, now)));
        audit.Record(AuditAction.Create, ObjectType, programId, null, reason: $"{name} sha256 {sha}: {rows.Count} rows, {fresh.Count} added, {rows.Count - fresh.Count} unchanged");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Another import of these episodes was saved at the same time. Import the file again: the episodes already in are left as they are.");
        }
        return new HistoryImportResult(name, sha, rows.Count, fresh.Count, rows.Count - fresh.Count);
    }
}

/// <summary>Days away and return to work, engaged members against the matched non-engaged targeted members.</summary>
public sealed record AbsenceReport(
    Guid ProgramId, DateOnly? From, DateOnly? To, int MinimumCellSize, int FollowUpDays, int? MembersWithFullFollowUp, int? EpisodesInWindows,
    MatchedComparison DaysAway, MatchedComparison DaysToReturn, int? StillAway, IReadOnlyList<MetricDefinition> Methods);

public static class AbsenceFigures
{
    public const int FollowUpDays = 365;

    /// <summary>
    /// For each targeted member whose 365 days after the index date have passed: the days away of the episodes starting
    /// in those days (0 without one), and, for members with such an episode, the days from the first one's start to
    /// the return to work (members still away counted apart). Each compared by <see cref="MatchedGroups.Compare"/>.
    /// </summary>
    public static async Task<AbsenceReport> ComputeAsync(ConsiliumDbContext db, Guid programId, DateOnly? from, DateOnly? to, DateOnly today, CancellationToken ct)
    {
        const int k = MetricDefinitions.MinimumCellSize;
        var targeted = (await MatchedGroups.TargetedAsync(db, programId, from, to, ct)).Where(t => t.IndexDate.AddDays(FollowUpDays) <= today).ToList();
        var episodes = (await db.Set<DisabilityEpisode>().AsNoTracking().Where(e => e.ProgramId == programId)
                .Select(e => new { e.MemberExternalId, e.StartOn, e.ReturnToWorkOn, e.DaysAway }).ToListAsync(ct))
            .ToLookup(e => e.MemberExternalId, StringComparer.Ordinal);
        var daysAway = new List<MatchedGroups.Subject>();
        var toReturn = new List<MatchedGroups.Subject>();
        var (inWindows, stillAway) = (0, 0);
        foreach (var member in targeted)
        {
            var end = member.IndexDate.AddDays(FollowUpDays);
            var window = episodes[member.MemberExternalId].Where(e => e.StartOn >= member.IndexDate && e.StartOn < end).OrderBy(e => e.StartOn).ToList();
            inWindows += window.Count;
            daysAway.Add(new(member.Stratum, member.Engaged, window.Sum(e => e.DaysAway)));
            if (window.Count == 0) continue;
            if (window[0].ReturnToWorkOn is { } back) toReturn.Add(new(member.Stratum, member.Engaged, back.DayNumber - window[0].StartOn.DayNumber));
            else stillAway++;
        }
        int? Shown(int n) => n is > 0 and < k ? null : n;
        return new AbsenceReport(programId, from, to, k, FollowUpDays, Shown(targeted.Count), Shown(inWindows),
            MatchedGroups.Compare(daysAway), MatchedGroups.Compare(toReturn), Shown(stillAway),
            MetricDefinitions.Absence);
    }
}

using System.Security.Cryptography;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Eligibility;

public sealed record RosterImportView(Guid Id, Guid ProgramId, string FileName, RosterFormat Format, string Sha256, string ImportedBy,
    DateTimeOffset ImportedAt, int Records, int Added, int Changed, int Terminated, int Unchanged, int Skipped)
{
    internal static RosterImportView Of(RosterImport r) => new(r.Id, r.ProgramId, r.FileName, r.Format, r.Sha256, r.ImportedBy, r.ImportedAt,
        r.Records, r.Added, r.Changed, r.Terminated, r.Unchanged, r.Skipped);
}

/// <summary>
/// Applies an eligibility roster to a program in one unit of work. The whole file is read and checked before anything
/// is written; one bad line or segment rejects the file. Applying a file whose records the program already holds
/// changes nothing, so importing the same file twice is harmless. A member missing from a file is not terminated: a
/// termination is always explicit (a coverage end date, or an 834 024 record).
/// </summary>
public sealed partial class RosterHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock, ILogger<RosterHandlers> logger)
{
    const string ObjectType = "RosterImport";

    public async Task<RosterImportView> ImportAsync(Guid programId, Stream content, string? fileName, RosterFormat? format, CancellationToken ct)
    {
        if (!await ServesAsync(programId, ct)) throw new NotFoundException("Program", programId);
        var name = string.IsNullOrWhiteSpace(fileName) ? "roster" : Path.GetFileName(fileName.Trim());

        await using var spooled = content.CanSeek ? null : await SpoolAsync(content, ct);
        var stream = spooled ?? content;
        var start = stream.Position;
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        stream.Position = start;
        var kind = format ?? await SniffAsync(stream, ct);
        stream.Position = start;

        List<RosterRecord> records;
        try
        {
            records = kind == RosterFormat.X12834 ? Roster834.Read(stream, name) : RosterCsv.Read(stream);
            var counts = await ApplyAsync(programId, records, ct);
            var import = new RosterImport(programId, name, kind, sha, user.Name, clock.GetUtcNow(), counts);
            db.Add(import);
            audit.Record(AuditAction.Create, ObjectType, import.Id, null,
                reason: $"{counts.Records} records: {counts.Added} added, {counts.Changed} changed, {counts.Terminated} terminated, {counts.Unchanged} unchanged");
            await db.SaveChangesAsync(ct);
            LogImported(logger, import.Id, programId, counts.Records, counts.Added, counts.Changed, counts.Terminated, counts.Unchanged);
            return RosterImportView.Of(import);
        }
        catch (RuleViolationException e)
        {
            // The message names a line or segment and a column, never a value from the file.
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, null, AuditOutcome.Failure, $"rejected: {e.Message}", ct);
            LogRejected(logger, programId, kind.ToString());
            throw;
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, null, AuditOutcome.Failure, "rejected: conflicting concurrent change", ct);
            throw new ConflictException("Another import or change to these members was saved at the same time. Import the file again.");
        }
    }

    public async Task<IReadOnlyList<RosterImportView>> ListAsync(Guid programId, CancellationToken ct)
    {
        if (!await ServesAsync(programId, ct)) throw new NotFoundException("Program", programId);
        var imports = await db.Set<RosterImport>().AsNoTracking().Where(r => r.ProgramId == programId).ToListAsync(ct);
        return imports.OrderByDescending(r => r.ImportedAt).Take(100).Select(RosterImportView.Of).ToList();
    }

    async Task<RosterCounts> ApplyAsync(Guid programId, List<RosterRecord> records, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var members = await db.Members.Where(m => m.ProgramId == programId).ToDictionaryAsync(m => m.ExternalId, StringComparer.Ordinal, ct);
        int added = 0, changed = 0, terminated = 0, unchanged = 0, skipped = 0;
        var touched = new Dictionary<Guid, AuditAction>();

        foreach (var record in records)
        {
            RosterChange change;
            Member? member;
            try
            {
                var id = record.Data.ExternalId.Trim();
                if (members.TryGetValue(id, out member))
                {
                    change = record.Action == RosterAction.Terminate
                        ? member.Terminate(record.Data.CoverageEnd, today)
                        : member.ApplyRoster(record.Data, now);
                }
                else if (record.Action == RosterAction.Terminate)
                {
                    skipped++;
                    continue;
                }
                else
                {
                    member = Member.FromRoster(programId, record.Data, now);
                    db.Members.Add(member);
                    members[member.ExternalId] = member;
                    change = RosterChange.Added;
                }
            }
            catch (RuleViolationException e)
            {
                throw RosterError.At(record.Position, $"{e.Field}: {e.Message}");
            }

            switch (change)
            {
                case RosterChange.Added: added++; touched[member.Id] = AuditAction.Create; break;
                case RosterChange.Changed: changed++; touched.TryAdd(member.Id, AuditAction.Update); break;
                case RosterChange.Terminated: terminated++; touched.TryAdd(member.Id, AuditAction.Update); break;
                default: unchanged++; break;
            }
        }
        foreach (var (memberId, action) in touched) audit.Record(action, "Member", memberId, memberId, reason: "eligibility roster");
        return new RosterCounts(records.Count, added, changed, terminated, unchanged, skipped);
    }

    Task<bool> ServesAsync(Guid programId, CancellationToken ct) => CaseAccess.ServesProgramAsync(db, user, programId, ct);

    /// <summary>An 834 starts with "ISA" (after any whitespace or byte-order mark); anything else is read as CSV.</summary>
    static async Task<RosterFormat> SniffAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[64];
        var n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var text = System.Text.Encoding.UTF8.GetString(head, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith("ISA", StringComparison.Ordinal) ? RosterFormat.X12834 : RosterFormat.Csv;
    }

    /// <summary>A request body cannot seek; the importer reads twice (hash, then records), so it goes to a private temp file first.</summary>
    static async Task<FileStream> SpoolAsync(Stream content, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"consilium-roster-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var file = new FileStream(path, options);
        try
        {
            await content.CopyToAsync(file, ct);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Roster import {ImportId} for program {ProgramId}: {Records} records, {Added} added, {Changed} changed, {Terminated} terminated, {Unchanged} unchanged")]
    static partial void LogImported(ILogger logger, Guid importId, Guid programId, int records, int added, int changed, int terminated, int unchanged);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Roster file for program {ProgramId} rejected ({Format})")]
    static partial void LogRejected(ILogger logger, Guid programId, string format);
}

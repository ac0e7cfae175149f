using Consilium.Features.Audit;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Physicians;

public sealed record PhysicianSummary(Guid Id, string Name, string Npi, string Specialty, string? Subspecialty, PhysicianStatus Status,
    int Licenses, int LicensesValidToday, DateOnly? NextExpiry, bool ImlcParticipant, IReadOnlyList<string> Languages, int WeeklyCapacity,
    decimal StipendPerOpinion, bool HasAccount, int Version);

public sealed record PhysicianView(Guid Id, string Name, string Npi, string Specialty, string? Subspecialty, string? Email, PhysicianStatus Status,
    IReadOnlyList<StateLicense> Licenses, IReadOnlyList<BoardCertification> Boards, bool ImlcParticipant, IReadOnlyList<string> Languages,
    IReadOnlyList<string> Affiliations, int WeeklyCapacity, decimal StipendPerOpinion, bool HasAccount, DateTimeOffset UpdatedAt, int Version);

public sealed record PhysicianImportResult(string? FileName, int Records, int Added, int Updated, int LinkedAccounts, IReadOnlyList<string> EmailsWithoutAccount);

public sealed record PhysicianStatusRequest(PhysicianStatus? Status, int? Version);

public sealed record ExpiringLicense(Guid PhysicianId, string PhysicianName, string Subspecialty, string State, string Number, DateOnly ExpiresOn, int DaysLeft, bool ViaCompact);

public sealed record CoverageRow(string Specialty, string Subspecialty, int Physicians, IReadOnlyDictionary<string, int> ReviewersByState, IReadOnlyList<string> StatesNotServed);

public sealed record CoverageView(DateOnly On, IReadOnlyList<string> States, IReadOnlyList<CoverageRow> Rows, IReadOnlyList<string> StatesWithoutDirectOpinion);

/// <summary>The network: physicians, their import from the network file, licence administration and the coverage map.</summary>
public sealed class PhysicianHandlers(ConsiliumDbContext db, AuditTrail audit, TimeProvider clock)
{
    const string ObjectType = "Physician";

    DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task<IReadOnlyList<PhysicianSummary>> ListAsync(string? search, PhysicianStatus? status, CancellationToken ct)
    {
        var query = db.Physicians.AsNoTracking();
        if (status is { } s) query = query.Where(p => p.Status == s);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            query = query.Where(p => p.Name.ToLower().Contains(term) || p.Npi == term || p.Specialty.ToLower().Contains(term)
                || (p.Subspecialty != null && p.Subspecialty.ToLower().Contains(term)));
        }
        var today = Today;
        var list = await query.OrderBy(p => p.Name).Take(1000).ToListAsync(ct);
        audit.Record(AuditAction.Query, ObjectType, null, null, reason: $"{list.Count} physicians listed");
        await db.SaveChangesAsync(ct);
        return list.Select(p => Summary(p, today)).ToList();
    }

    static PhysicianSummary Summary(Physician p, DateOnly today) => new(p.Id, p.Name, p.Npi, p.Specialty, p.Subspecialty, p.Status, p.Licenses.Count,
        p.Licenses.Count(l => l.IsValidOn(today)), p.Licenses.Where(l => l.ExpiresOn >= today).Select(l => (DateOnly?)l.ExpiresOn).Min(),
        p.ImlcParticipant, p.Languages, p.WeeklyCapacity, p.StipendPerOpinion, p.UserId is not null, p.Version);

    public async Task<PhysicianView> GetAsync(Guid id, CancellationToken ct)
    {
        var p = await db.Physicians.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException(ObjectType, id);
        audit.Record(AuditAction.Read, ObjectType, id, null);
        await db.SaveChangesAsync(ct);
        return View(p);
    }

    static PhysicianView View(Physician p) => new(p.Id, p.Name, p.Npi, p.Specialty, p.Subspecialty, p.Email, p.Status,
        p.Licenses.OrderBy(l => l.State, StringComparer.Ordinal).ToList(), p.Boards, p.ImlcParticipant, p.Languages, p.Affiliations,
        p.WeeklyCapacity, p.StipendPerOpinion, p.UserId is not null, p.UpdatedAt, p.Version);

    public async Task<PhysicianView> SetStatusAsync(Guid id, PhysicianStatusRequest request, CancellationToken ct)
    {
        if (request.Status is not { } status) throw new RuleViolationException("status", "This field is required: Active or Paused.");
        var p = await db.Physicians.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException(ObjectType, id);
        if (request.Version is { } v && v != p.Version)
            throw new ConflictException($"The physician is at version {p.Version}, not {v}: someone changed them since you read them.",
                new Dictionary<string, object?> { ["currentVersion"] = p.Version });
        p.SetStatus(status, clock.GetUtcNow());
        audit.Record(AuditAction.Update, ObjectType, id, null, reason: $"status {status}");
        await db.SaveChangesAsync(ct);
        return View(p);
    }

    /// <summary>
    /// Applies a network file: physicians are matched by NPI, added or replaced whole (licences included). All or nothing:
    /// a bad line rejects the file and nothing is written. An email that belongs to a reviewer account links the two.
    /// </summary>
    public async Task<PhysicianImportResult> ImportAsync(Stream stream, string? fileName, CancellationToken ct)
    {
        fileName = string.IsNullOrWhiteSpace(fileName) ? null : Path.GetFileName(fileName.Trim());
        if (fileName?.Length > 200) fileName = fileName[..200];
        List<PhysicianRow> rows;
        try
        {
            // The CSV reader reads synchronously; a request body may not be. The file is bounded (NetworkApi.MaxImportBytes).
            if (stream is not MemoryStream and not FileStream)
            {
                var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, ct);
                buffer.Position = 0;
                stream = buffer;
            }
            rows = PhysicianCsv.Read(stream);
        }
        catch (RuleViolationException e)
        {
            await audit.RecordFailureAsync(AuditAction.Create, "PhysicianImport", fileName, null, AuditOutcome.Failure, e.Message, ct);
            throw;
        }

        var now = clock.GetUtcNow();
        var npis = rows.Select(r => r.Profile.Npi).ToList();
        var existing = new Dictionary<string, Physician>(StringComparer.Ordinal);
        foreach (var chunk in npis.Chunk(500))
            foreach (var p in await db.Physicians.Where(p => chunk.Contains(p.Npi)).ToListAsync(ct)) existing[p.Npi] = p;

        var emails = rows.Where(r => r.Profile.Email is not null).Select(r => r.Profile.Email!.ToUpperInvariant()).ToList();
        var accounts = new Dictionary<string, (AppUser User, bool Reviewer)>(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in emails.Chunk(500))
        {
            var found = await (from u in db.Users
                               where chunk.Contains(u.NormalizedEmail!)
                               select new { User = u, Reviewer = db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Reviewer)) })
                .ToListAsync(ct);
            foreach (var f in found) accounts[f.User.Email!] = (f.User, f.Reviewer);
        }

        int added = 0, updated = 0, linked = 0;
        var unlinked = new List<string>();
        try
        {
            foreach (var (line, profile) in rows)
            {
                if (!existing.TryGetValue(profile.Npi, out var physician))
                {
                    physician = Physician.Create(profile.Name, profile.Npi, profile.Specialty, profile.Subspecialty, now);
                    db.Physicians.Add(physician);
                    added++;
                }
                else updated++;
                physician.Update(profile, now);
                if (profile.Email is null) continue;
                if (!accounts.TryGetValue(profile.Email, out var account))
                {
                    unlinked.Add(profile.Email);
                    continue;
                }
                if (!account.Reviewer) throw new RuleViolationException("file", $"line {line}: email: {profile.Email} belongs to an account that is not a reviewer's.");
                var other = account.User.PhysicianId;
                if (physician.UserId != account.User.Id)
                {
                    if (other is not null && other != physician.Id)
                        throw new RuleViolationException("file", $"line {line}: email: {profile.Email} is already linked to another physician.");
                    physician.LinkUser(account.User.Id);
                    account.User.PhysicianId = physician.Id;
                    linked++;
                }
            }
            audit.Record(AuditAction.Create, "PhysicianImport", fileName, null,
                reason: $"{rows.Count} physicians: {added} added, {updated} updated, {linked} linked to accounts");
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DomainException or DbUpdateException)
        {
            await audit.RecordFailureAsync(AuditAction.Create, "PhysicianImport", fileName, null, AuditOutcome.Failure, $"import rejected: {e.GetType().Name}", ct);
            throw;
        }
        return new PhysicianImportResult(fileName, rows.Count, added, updated, linked, unlinked);
    }

    /// <summary>Licences that expire between today and <paramref name="days"/> days from now, soonest first.</summary>
    public async Task<IReadOnlyList<ExpiringLicense>> ExpiringAsync(int days, CancellationToken ct)
    {
        if (days is < 1 or > 730) throw new RuleViolationException("days", "Between 1 and 730 days.");
        var today = Today;
        var until = today.AddDays(days);
        var physicians = await db.Physicians.AsNoTracking().Where(p => p.Licenses.Any(l => l.ExpiresOn >= today && l.ExpiresOn <= until)).ToListAsync(ct);
        audit.Record(AuditAction.Query, "PhysicianLicense", null, null, reason: $"expiring within {days} days");
        await db.SaveChangesAsync(ct);
        return physicians.SelectMany(p => p.Licenses.Where(l => l.ExpiresOn >= today && l.ExpiresOn <= until)
                .Select(l => new ExpiringLicense(p.Id, p.Name, p.Subspecialty ?? p.Specialty, l.State, l.Number, l.ExpiresOn, l.ExpiresOn.DayNumber - today.DayNumber, l.ViaCompact)))
            .OrderBy(l => l.ExpiresOn).ThenBy(l => l.PhysicianName).ThenBy(l => l.State, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// For each subspecialty, how many active reviewers (with an account) can give a direct opinion in each state today:
    /// a licence valid today, in a state whose rule allows direct opinions. A state with none is served only by
    /// educational consult.
    /// </summary>
    public async Task<CoverageView> CoverageAsync(CancellationToken ct)
    {
        var today = Today;
        var physicians = await db.Physicians.AsNoTracking().Where(p => p.Status == PhysicianStatus.Active && p.UserId != null).ToListAsync(ct);
        var notAllowed = (await db.Set<StateRuleSetting>().AsNoTracking().Where(s => s.Rule == StatePracticeRule.NotAllowed).Select(s => s.State).ToListAsync(ct)).ToHashSet();
        var states = UsStates.Codes.Order(StringComparer.Ordinal).ToList();
        var rows = new List<CoverageRow>();
        foreach (var sub in Taxonomy.Subspecialties)
        {
            var mine = physicians.Where(p => p.Specialty == sub.Specialty && p.Subspecialty == sub.Name).ToList();
            var byState = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in mine)
                foreach (var l in p.Licenses)
                    if (l.IsValidOn(today) && !notAllowed.Contains(l.State)) byState[l.State] = byState.GetValueOrDefault(l.State) + 1;
            rows.Add(new CoverageRow(sub.Specialty, sub.Name, mine.Count, byState, states.Where(s => !byState.ContainsKey(s)).ToList()));
        }
        audit.Record(AuditAction.Query, "NetworkCoverage", null, null);
        await db.SaveChangesAsync(ct);
        return new CoverageView(today, states, rows, notAllowed.Order(StringComparer.Ordinal).ToList());
    }
}

using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Physicians;

/// <summary>What matching needs to know of one physician that does not change from case to case.</summary>
public sealed record NetworkEntry(Guid Id, string Name, string Npi, string Specialty, string? Subspecialty, PhysicianStatus Status, Guid? UserId,
    IReadOnlyList<StateLicense> Licenses, IReadOnlyList<string> Languages, IReadOnlyList<string> Affiliations, int WeeklyCapacity, int Version);

/// <summary>
/// This node's copy of the network for matching. Loading every physician with their licences through EF Core takes
/// seconds for a network of 10,000; the network changes only on an import or an edit. So each match first asks the
/// database whether anything changed — the number of physicians and the sum of their versions, one aggregate query —
/// and, only when something did, reads every physician's version and reloads just the physicians whose version moved
/// (all of them the first time). Every change to a physician raises its <see cref="Physician.Version"/>, and physicians
/// are never deleted, so an unchanged answer means an unchanged network. Several nodes each keep their own copy and each
/// sees another node's change on its next match. Per-case figures (workload, turnaround, earlier offers) are not part
/// of it: they are read from the database for every match.
/// </summary>
public sealed class NetworkSnapshot
{
    sealed record Copy(int Count, long VersionSum, IReadOnlyList<NetworkEntry> Entries, Dictionary<Guid, NetworkEntry> ById);

    static readonly Copy Empty = new(0, 0, [], []);
    readonly SemaphoreSlim _refresh = new(1, 1);
    volatile Copy _copy = Empty;

    /// <summary>Physicians read from the database since the start, for tests and diagnostics: a refresh reads only the changed ones.</summary>
    public long PhysiciansRead { get; private set; }

    public async Task<IReadOnlyList<NetworkEntry>> GetAsync(ConsiliumDbContext db, CancellationToken ct)
    {
        var token = await db.Physicians.GroupBy(_ => 1).Select(g => new { Count = g.Count(), Sum = g.Sum(p => (long)p.Version) }).SingleOrDefaultAsync(ct);
        var (count, sum) = token is null ? (0, 0L) : (token.Count, token.Sum);
        if (_copy is var current && current.Count == count && current.VersionSum == sum) return current.Entries;

        await _refresh.WaitAsync(ct);
        try
        {
            current = _copy;
            if (current.Count == count && current.VersionSum == sum) return current.Entries;
            var versions = await db.Physicians.AsNoTracking().Select(p => new { p.Id, p.Version }).ToListAsync(ct);
            var changed = versions.Where(v => !current.ById.TryGetValue(v.Id, out var e) || e.Version != v.Version).Select(v => v.Id).ToList();
            var loaded = await LoadAsync(db, changed, ct);
            PhysiciansRead += loaded.Count;
            var byId = new Dictionary<Guid, NetworkEntry>(versions.Count);
            foreach (var v in versions)
                if (loaded.TryGetValue(v.Id, out var entry) || current.ById.TryGetValue(v.Id, out entry)) byId[v.Id] = entry;
            // The token of what was read, not of the first question: a change in between makes the next match refresh again.
            var copy = new Copy(byId.Count, byId.Values.Sum(e => (long)e.Version), byId.Values.ToArray(), byId);
            _copy = copy;
            return copy.Entries;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// The physicians with these ids, their licences read after them: a physician changed between the two reads carries
    /// its old version, so the next match reads it again.
    /// </summary>
    static async Task<Dictionary<Guid, NetworkEntry>> LoadAsync(ConsiliumDbContext db, List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        // Past a few hundred ids, reading everyone is cheaper than a long IN list.
        var all = ids.Count > 500;
        var physicians = db.Physicians.AsNoTracking().Where(p => all || ids.Contains(p.Id));
        var rows = await physicians
            .Select(p => new { p.Id, p.Name, p.Npi, p.Specialty, p.Subspecialty, p.Status, p.UserId, p.Languages, p.Affiliations, p.WeeklyCapacity, p.Version })
            .ToListAsync(ct);
        var licenses = (await physicians
                .SelectMany(p => p.Licenses, (p, l) => new { p.Id, l.State, l.Number, l.IssuedOn, l.ExpiresOn, l.ViaCompact })
                .ToListAsync(ct))
            .ToLookup(l => l.Id, l => new StateLicense(l.State, l.Number, l.IssuedOn, l.ExpiresOn, l.ViaCompact));
        var wanted = all ? null : ids.ToHashSet();
        return rows.Where(r => wanted is null || wanted.Contains(r.Id)).ToDictionary(r => r.Id, r => new NetworkEntry(r.Id, r.Name, r.Npi, r.Specialty,
            r.Subspecialty, r.Status, r.UserId, licenses[r.Id].ToArray(), r.Languages.ToArray(), r.Affiliations.ToArray(), r.WeeklyCapacity, r.Version));
    }
}

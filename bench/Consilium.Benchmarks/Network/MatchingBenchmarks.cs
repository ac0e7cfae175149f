using BenchmarkDotNet.Attributes;
using Consilium.Features;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Physicians;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Benchmarks.Network;

/// <summary>
/// Matching one lumbar-fusion case in Ohio against a network of 10,000 physicians spread over the taxonomy, each with 12 to
/// 15 licences. "Rank" is the decision alone over all 10,000 in memory; "Endpoint" is what GET /api/cases/{id}/matches
/// does on SQLite: ask whether the network changed (and reload this node's copy if it did), read the fitting physicians'
/// workload and turnaround, then rank.
/// How to run: docs/performance.md, "Matching".
/// </summary>
public abstract class MatchingFixture
{
    public const int NetworkSize = 10_000;

    protected List<MatchCandidate> _all = [];
    protected List<MatchCandidate> _fitting = [];
    protected MatchCriteria _criteria = null!;
    string _file = "";
    protected DbContextOptions<ConsiliumDbContext> _options = null!;
    Case _case = null!;
    protected readonly NetworkSnapshot _network = new();

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var physicians = Network(now);
        _criteria = new MatchCriteria("OH", StatePracticeRule.DirectOpinion, new DateOnly(2026, 3, 9), ConditionCategory.Spine, ["M51.16"], ["22630"],
            "en", "Riverside Orthopedics", null);
        _all = physicians.Select((p, i) => new MatchCandidate(p.Id, p.Name, p.Npi, p.Specialty, p.Subspecialty, p.Status, true, p.Licenses, p.Languages,
            p.Affiliations, p.WeeklyCapacity, i % 4, i % 3, i % 5 == 0 ? null : 2 + i % 7, null)).ToList();
        _fitting = _all.Where(c => ReviewerMatcher.Fit(c.Specialty, c.Subspecialty, _criteria).Item1 > 0).ToList();

        _file = Path.Combine(Path.GetTempPath(), $"consilium-matching-{Guid.NewGuid():N}.db");
        _options = new DbContextOptionsBuilder<ConsiliumDbContext>().UseSqlite($"Data Source={_file}").Options;
        using (var db = new ConsiliumDbContext(_options))
        {
            db.Database.EnsureCreated();
            db.Physicians.AddRange(physicians);
            db.SaveChanges();
        }
        var intake = new CaseIntake(["Do I need the fusion now?"], ["M51.16"], null, ["22630"], null,
            new TreatingPhysician("Dr. Lena Ortiz", null, "Riverside Orthopedics", null), Urgency.Routine, "en", "OH", null);
        _case = Case.Open(Guid.NewGuid(), Guid.NewGuid(), ConditionCategory.Spine, IntakeChannel.Coordinator, "Fusion proposed", CaseStatus.Referred,
            Actor.System("bench"), now, intake: intake);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    /// <summary>10,000 physicians: every subspecialty of the taxonomy, 12-15 licences from a pool of states, some expiring, some paused.</summary>
    static List<Physician> Network(DateTimeOffset now)
    {
        var random = new Random(42);
        var states = UsStates.Codes.Order(StringComparer.Ordinal).ToArray();
        var languages = new[] { "es", "zh", "vi", "fr", "ko", "ru", "ar", "pt" };
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var list = new List<Physician>(NetworkSize);
        for (var i = 0; i < NetworkSize; i++)
        {
            var sub = Taxonomy.Subspecialties[i % Taxonomy.Subspecialties.Count];
            var nine = (100_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var npi = nine + Npi.CheckDigit(nine);
            var licenses = states.OrderBy(_ => random.Next()).Take(12 + random.Next(4))
                .Select(s => new StateLicense(s, $"{s}{random.Next(100000, 999999)}", today.AddYears(-3), today.AddDays(random.Next(-30, 700)), random.Next(5) == 0))
                .ToList();
            var p = Physician.Create($"Dr. Bench {i:D5}", npi, sub.Specialty, sub.Name, now);
            p.Update(new PhysicianProfile(npi, p.Name, sub.Specialty, sub.Name, null, [], licenses, random.Next(3) == 0,
                random.Next(3) == 0 ? ["en", languages[random.Next(languages.Length)]] : ["en"], 1 + random.Next(5), 500m,
                random.Next(20) == 0 ? ["Riverside Orthopedics"] : ["Hospital " + random.Next(400)], random.Next(25) == 0 ? PhysicianStatus.Paused : PhysicianStatus.Active), now);
            p.LinkUser(Guid.CreateVersion7());
            list.Add(p);
        }
        return list;
    }

    protected async Task<int> EndpointAsync(NetworkSnapshot network)
    {
        await using var db = new ConsiliumDbContext(_options);
        var (_, outcome, _) = await MatchingHandlers.ComputeAsync(db, network, _case, new NetworkOptions(), new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), null, CancellationToken.None);
        return outcome.Ranked.Count;
    }
}

/// <summary>
/// Matching one lumbar-fusion case in Ohio against a network of 10,000 physicians (see <see cref="MatchingFixture"/>).
/// How to run: docs/performance.md, "Matching".
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class MatchingBenchmarks : MatchingFixture
{
    [Benchmark(Baseline = true, Description = "Rank all 10,000 in memory")]
    public int RankAll() => ReviewerMatcher.Rank(_criteria, _all).Ranked.Count;

    [Benchmark(Description = "Rank the fitting ones in memory")]
    public int RankFitting() => ReviewerMatcher.Rank(_criteria, _fitting).Ranked.Count;

    [Benchmark(Description = "Endpoint, network unchanged since the last match")]
    public Task<int> Endpoint() => EndpointAsync(_network);

    int _toggle;

    [IterationSetup(Target = nameof(EndpointAfterChange))]
    public void ChangeOnePhysician()
    {
        using var db = new ConsiliumDbContext(_options);
        var p = db.Physicians.OrderBy(x => x.Npi).First();
        p.SetCapacity(1 + _toggle++ % 2, p.StipendPerOpinion, DateTimeOffset.UtcNow);
        db.SaveChanges();
    }

    [Benchmark(Description = "Endpoint, first match after one physician changed")]
    public Task<int> EndpointAfterChange() => EndpointAsync(_network);

}

/// <summary>The first match on a node (or after an import that changed most of the network): every physician read.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class MatchingColdBenchmarks : MatchingFixture
{
    [Benchmark(Description = "Endpoint, first match on this node (whole network read)")]
    public Task<int> EndpointCold() => EndpointAsync(new NetworkSnapshot());
}

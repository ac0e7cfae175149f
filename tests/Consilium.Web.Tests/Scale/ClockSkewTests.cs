using System.Net;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Features.Programs;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Scale;

/// <summary>
/// Node B runs ten minutes off under libfaketime (LD_PRELOAD; .NET reads the wall clock through clock_gettime, which it
/// intercepts), node A and PostgreSQL on the machine's clock. The audit chain is ordered by its sequence, never by time,
/// so entries whose timestamps go backwards still verify; and a timer is due by the database's clock, which every node
/// adopts (Clock:Source=Database), so a node ahead of time neither fires it early nor twice. One test, three restarts of
/// node B (behind on its own clock, ahead on the database clock, back to normal): each restart is a few seconds.
/// </summary>
[Collection(TwoNodeCollection.Name)]
public sealed class ClockSkewTests(TwoNodes nodes)
{
    static readonly TimeSpan Skew = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task ANodeTenMinutesOff_LeavesTheAuditChainInSequenceOrder_AndNeitherFiresAnSlaTimerEarlyNorTwice()
    {
        nodes.SkipIfUnavailable();
        var faketime = FakeTime.Library();
        Assert.SkipWhen(faketime is null, $"libfaketime not found (set {FakeTime.Variable} or install faketime; ./test does).");
        await nodes.StartAsync(nodes.A);
        // On its own clock (Clock:Source=Node), as a node would be without the database clock: its timestamps are 10 minutes behind.
        await RestartSkewedAsync(FakeTime.Environment(faketime, "-10m", ("Clock__Source", "Node")));
        try
        {
            using var a = TwoNodes.Client(nodes.A.Url, nodes.CoordinatorToken);
            using var b = TwoNodes.Client(nodes.B.Url, nodes.CoordinatorToken);
            await AssertNodeBIsOffAsync(-Skew);
            var caseId = await nodes.CaseCollectingRecordsAsync(nodes.A.Url);
            long before;
            await using (var db = nodes.NewContext()) before = await db.AuditEntries.MaxAsync(e => e.Sequence);

            for (var i = 0; i < 6; i++)
                await (await (i % 2 == 0 ? a : b).GetAsync($"/api/cases/{caseId}")).JsonAsync(HttpStatusCode.OK);

            List<AuditEntry> reads;
            await using (var db = nodes.NewContext())
                reads = await db.AuditEntries.AsNoTracking()
                    .Where(e => e.Sequence > before && e.ObjectType == "Case" && e.ObjectId == caseId.ToString() && e.Action == AuditAction.Read)
                    .OrderBy(e => e.Sequence).ToListAsync();
            Assert.Equal(6, reads.Count);
            // In sequence order the timestamps jump back ten minutes at every read through B and forward again through A.
            for (var i = 1; i < reads.Count; i++)
            {
                var step = reads[i].At - reads[i - 1].At;
                if (i % 2 == 1) Assert.True(step < -(Skew - TimeSpan.FromMinutes(1)), $"entry {reads[i].Sequence} (node B) is {step} after the one before");
                else Assert.True(step > Skew - TimeSpan.FromMinutes(1), $"entry {reads[i].Sequence} (node A) is {step} after the one before");
            }

            var verify = await nodes.CliAsync("audit", "verify", "--db", nodes.Database);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains("audit trail intact", verify.Output);

            var dbNow = await DatabaseNowAsync();
            Assert.SkipWhen(dbNow.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || dbNow.AddSeconds(30).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
                "The audit chain part passed; the timer part is skipped: the opinion clock counts business days, and on a Saturday or Sunday (UTC) no opinion falls due within the next minute.");
            // Ten minutes ahead, with the default clock source: the node measures its offset from PostgreSQL and corrects it.
            await RestartSkewedAsync(FakeTime.Environment(faketime, "+10m"));
            await AssertNodeBIsOffAsync(Skew);
            // Its log says so (a warning: more than Clock:WarnAbove off).
            Assert.Contains("off the database server's", nodes.B.Process.Output);

            // A case that reached ReadyForReview one business day before "due", due a few seconds from now by the database.
            var due = (await DatabaseNowAsync()).AddSeconds(8);
            var ready = Enumerable.Range(1, 4).Select(k => due.AddDays(-k)).First(r => CaseSla.AddBusinessDays(r, 1) == due);
            Guid overdueId;
            await using (var db = nodes.NewContext())
            {
                var coordinator = await db.Users.Where(u => u.Email == "coordinator@demo.consilium.test").Select(u => u.Id).SingleAsync();
                var memberId = await db.Members.Where(m => m.ExternalId == "DEMO0001").Select(m => m.Id).SingleAsync();
                var actor = new Actor(coordinator, "Clock skew test", Roles.Coordinator);
                var intake = new CaseIntake([], ["M51.16"], null, [], null, null, Urgency.Routine, "en", "OH", null);
                var @case = Case.Open(nodes.ProgramId, memberId, ConditionCategory.Spine, IntakeChannel.Coordinator, "Opinion clock under clock skew",
                    CaseStatus.Intake, actor, ready, coordinator, intake, new SlaTargets(2, 7, 1));
                foreach (var next in new[] { CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords, CaseStatus.ReadyForReview })
                    @case.TransitionTo(next, actor, next == CaseStatus.ReadyForReview ? "packet complete" : null, ready);
                db.Cases.Add(@case);
                await db.SaveChangesAsync();
                overdueId = @case.Id;
            }

            // Both nodes check every second. Without the database clock, node B would escalate at once, 10 minutes early.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            DateTimeOffset seenAt;
            while (true)
            {
                var (now, escalated) = await EscalatedAsync(overdueId);
                Assert.False(escalated && now < due, $"escalated before it was due: the database's clock read {now:O}, the opinion was due {due:O}");
                if (escalated)
                {
                    seenAt = now;
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"not escalated 60 s after it was due ({due:O}); node B:\n{nodes.B.Process.Output}");
                await Task.Delay(100);
            }

            // A few more rounds on both nodes: still one escalation, one audit entry; stamped on the database's time by either node.
            await Task.Delay(TimeSpan.FromSeconds(2));
            await using (var db = nodes.NewContext())
            {
                var escalation = Assert.Single(await db.Set<OpinionSlaEscalation>().AsNoTracking().Where(e => e.CaseId == overdueId).ToListAsync());
                Assert.Equal(due, escalation.DueAt);
                Assert.InRange(escalation.EscalatedAt, due, seenAt + TimeSpan.FromSeconds(1));
                var audited = Assert.Single(await db.AuditEntries.AsNoTracking()
                    .Where(e => e.ObjectType == "OpinionSlaEscalation" && e.ObjectId == overdueId.ToString()).ToListAsync());
                Assert.InRange(audited.At, due, seenAt + TimeSpan.FromSeconds(1));
            }
            verify = await nodes.CliAsync("audit", "verify", "--db", nodes.Database);
            Assert.True(verify.ExitCode == 0, verify.Output);
        }
        finally
        {
            await nodes.RestartAsync(nodes.B);
        }
    }

    /// <summary>
    /// libfaketime also intercepts timed waits (pthread_cond_timedwait, poll); on a heavily loaded machine a skewed node's
    /// first database read at start has timed out once in several runs (the data-protection key ring), so the skewed
    /// start gets a second attempt. Everything after the start is asserted as is.
    /// </summary>
    async Task RestartSkewedAsync(Dictionary<string, string> environment)
    {
        try
        {
            await nodes.RestartAsync(nodes.B, environment);
        }
        catch (Exception first) when (first is not OperationCanceledException)
        {
            await nodes.RestartAsync(nodes.B, environment);
        }
    }

    /// <summary>Kestrel's Date header is the node's own wall clock: proof that libfaketime is in effect on node B.</summary>
    async Task AssertNodeBIsOffAsync(TimeSpan skew)
    {
        using var probe = new HttpClient { BaseAddress = new Uri(nodes.B.Url) };
        var date = (await probe.GetAsync("/health/live")).Headers.Date;
        var off = date!.Value - await DatabaseNowAsync();
        Assert.True((off - skew).Duration() < TimeSpan.FromMinutes(1), $"node B's clock is {off} off the database's, expected {skew}");
    }

    async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await using var db = nodes.NewContext();
        return await db.Database.SqlQueryRaw<DateTimeOffset>("SELECT clock_timestamp() AS \"Value\"").SingleAsync();
    }

    /// <summary>The database's clock and whether the case is escalated, read in one statement: an escalation seen at a time before it was due was early.</summary>
    async Task<(DateTimeOffset Now, bool Escalated)> EscalatedAsync(Guid caseId)
    {
        await using var db = nodes.NewContext();
        var row = await db.Database.SqlQuery<ClockAndFlag>(
            $"SELECT clock_timestamp() AS \"Now\", EXISTS (SELECT 1 FROM \"OpinionSlaEscalations\" WHERE \"CaseId\" = {caseId}) AS \"Escalated\"").SingleAsync();
        return (row.Now, row.Escalated);
    }

    sealed record ClockAndFlag(DateTimeOffset Now, bool Escalated);
}

/// <summary>libfaketime, which ./test installs (Debian's faketime package): FAKETIME shifts the wall clock of the process it is preloaded into.</summary>
static class FakeTime
{
    public const string Variable = "CONSILIUM_TEST_FAKETIME";

    public static string? Library()
    {
        if (System.Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured) return File.Exists(configured) ? configured : null;
        return (Directory.Exists("/usr/lib") ? Directory.GetDirectories("/usr/lib") : [])
            .Select(d => Path.Combine(d, "faketime", "libfaketimeMT.so.1")).FirstOrDefault(File.Exists);
    }

    /// <summary>The node's wall clock shifted by <paramref name="offset"/> ("+10m", "-10m"); its monotonic clock (timers, stopwatches) is left alone.</summary>
    public static Dictionary<string, string> Environment(string library, string offset, params (string Key, string Value)[] more)
    {
        var environment = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = library,
            ["FAKETIME"] = offset,
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
            ["FAKETIME_NO_CACHE"] = "1",
        };
        foreach (var (key, value) in more) environment[key] = value;
        return environment;
    }
}

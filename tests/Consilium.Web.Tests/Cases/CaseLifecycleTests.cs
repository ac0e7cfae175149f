using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;

namespace Consilium.Tests.Cases;

/// <summary>
/// Every (from, to) pair of stages against a table written out here by hand, independently of CaseLifecycle's own
/// table: if someone edits the lifecycle, this fails until the expectation is edited too.
/// </summary>
public sealed class CaseLifecycleTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
    static readonly Actor Coordinator = new(Guid.NewGuid(), "coord", Roles.Coordinator);

    static readonly Dictionary<CaseStatus, CaseStatus[]> Expected = new()
    {
        [CaseStatus.Referred] = [CaseStatus.Intake, CaseStatus.OnHold, CaseStatus.Withdrawn, CaseStatus.Ineligible],
        [CaseStatus.Intake] = [CaseStatus.AwaitingConsent, CaseStatus.OnHold, CaseStatus.Withdrawn, CaseStatus.Ineligible],
        [CaseStatus.AwaitingConsent] = [CaseStatus.CollectingRecords, CaseStatus.OnHold, CaseStatus.Withdrawn, CaseStatus.Ineligible],
        [CaseStatus.CollectingRecords] = [CaseStatus.ReadyForReview, CaseStatus.OnHold, CaseStatus.Withdrawn],
        [CaseStatus.ReadyForReview] = [CaseStatus.CollectingRecords, CaseStatus.Assigned, CaseStatus.OnHold, CaseStatus.Withdrawn],
        [CaseStatus.Assigned] = [CaseStatus.ReadyForReview, CaseStatus.InReview, CaseStatus.OnHold, CaseStatus.Withdrawn],
        [CaseStatus.InReview] = [CaseStatus.CollectingRecords, CaseStatus.OpinionDelivered, CaseStatus.OnHold, CaseStatus.Withdrawn],
        [CaseStatus.OpinionDelivered] = [CaseStatus.Closed, CaseStatus.OnHold, CaseStatus.Withdrawn],
        [CaseStatus.Closed] = [],
        [CaseStatus.Withdrawn] = [],
        [CaseStatus.Ineligible] = [],
    };

    static readonly CaseStatus[] OpenStages =
    [
        CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords, CaseStatus.ReadyForReview,
        CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered,
    ];

    public static IEnumerable<TheoryDataRow<CaseStatus, CaseStatus>> AllPairs() =>
        from origin in Expected.Keys
        from target in Enum.GetValues<CaseStatus>()
        select new TheoryDataRow<CaseStatus, CaseStatus>(origin, target);

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void TransitionTo_EveryPairOfStages_SucceedsExactlyWhenTheTableAllowsIt(CaseStatus from, CaseStatus to)
    {
        var @case = CaseAt(from);
        var versionBefore = @case.Version;
        var allowed = Expected[from].Contains(to);

        var error = Record.Exception(() => @case.TransitionTo(to, Coordinator, "because", T0.AddDays(30)));

        if (allowed)
        {
            Assert.Null(error);
            Assert.Equal(to, @case.Status);
            Assert.Equal(versionBefore + 1, @case.Version);
            var last = @case.Transitions[^1];
            Assert.Equal((from, to, "coord", "because"), (last.From!.Value, last.To, last.ActorName, last.Reason));
        }
        else
        {
            var illegal = Assert.IsType<IllegalTransitionException>(error);
            Assert.Equal(Expected[from].Order(), illegal.Allowed.Order());
            Assert.Equal(from, @case.Status);
            Assert.Equal(versionBefore, @case.Version);
        }
    }

    public static IEnumerable<TheoryDataRow<CaseStatus, CaseStatus>> HeldPairs() =>
        from heldFrom in OpenStages
        from to in Enum.GetValues<CaseStatus>()
        select new TheoryDataRow<CaseStatus, CaseStatus>(heldFrom, to);

    [Theory]
    [MemberData(nameof(HeldPairs))]
    public void TransitionTo_FromOnHold_GoesBackWhereItWasOrEnds(CaseStatus heldFrom, CaseStatus to)
    {
        var @case = CaseAt(heldFrom);
        @case.TransitionTo(CaseStatus.OnHold, Coordinator, "member in hospital", T0.AddDays(20));
        var expected = new List<CaseStatus> { heldFrom, CaseStatus.Withdrawn };
        if (heldFrom is CaseStatus.Referred or CaseStatus.Intake or CaseStatus.AwaitingConsent) expected.Add(CaseStatus.Ineligible);

        var error = Record.Exception(() => @case.TransitionTo(to, Coordinator, "because", T0.AddDays(21)));

        if (expected.Contains(to))
        {
            Assert.Null(error);
            Assert.Equal(to, @case.Status);
            Assert.Null(@case.HeldFrom);
        }
        else
        {
            var illegal = Assert.IsType<IllegalTransitionException>(error);
            Assert.Equal(expected.Order(), illegal.Allowed.Order());
            Assert.Equal(CaseStatus.OnHold, @case.Status);
            Assert.Equal(heldFrom, @case.HeldFrom);
        }
    }

    [Theory]
    [InlineData(CaseStatus.OnHold)]
    [InlineData(CaseStatus.Withdrawn)]
    [InlineData(CaseStatus.Ineligible)]
    public void TransitionTo_StopWithoutReason_IsRefusedNamingTheReasonField(CaseStatus to)
    {
        var @case = CaseAt(CaseStatus.Intake);

        var error = Assert.Throws<RuleViolationException>(() => @case.TransitionTo(to, Coordinator, "  ", T0.AddDays(3)));

        Assert.Equal("reason", error.Field);
        Assert.Equal(CaseStatus.Intake, @case.Status);
    }

    [Theory]
    [InlineData(Roles.Patient, CaseStatus.Referred, CaseStatus.Withdrawn, true)]
    [InlineData(Roles.Patient, CaseStatus.Referred, CaseStatus.Intake, false)]
    [InlineData(Roles.Reviewer, CaseStatus.Assigned, CaseStatus.InReview, true)]
    [InlineData(Roles.Reviewer, CaseStatus.InReview, CaseStatus.OpinionDelivered, true)]
    [InlineData(Roles.Reviewer, CaseStatus.OpinionDelivered, CaseStatus.Closed, false)]
    [InlineData(Roles.Reviewer, CaseStatus.Intake, CaseStatus.AwaitingConsent, false)]
    [InlineData(Roles.ProgramAdmin, CaseStatus.Intake, CaseStatus.AwaitingConsent, true)]
    [InlineData(Roles.SponsorAnalyst, CaseStatus.Intake, CaseStatus.AwaitingConsent, false)]
    [InlineData(Roles.Integration, CaseStatus.Referred, CaseStatus.Intake, false)]
    [InlineData(Roles.Auditor, CaseStatus.Referred, CaseStatus.Withdrawn, false)]
    public void TransitionTo_ByRole_OnlyTheRolesTheTableNames(string role, CaseStatus from, CaseStatus to, bool allowed)
    {
        var @case = CaseAt(from);

        var error = Record.Exception(() => @case.TransitionTo(to, new Actor(Guid.NewGuid(), role, role), "reason", T0.AddDays(40)));

        if (allowed) Assert.Null(error);
        else Assert.IsType<ForbiddenException>(error);
        Assert.Equal(allowed ? to : from, @case.Status);
    }

    [Fact]
    public void StageTimes_AddsUpEachVisitAndCountsTheOpenStageToNow()
    {
        var @case = Case.Open(Guid.NewGuid(), Guid.NewGuid(), ConditionCategory.Spine, IntakeChannel.Coordinator, "x", CaseStatus.Referred, Coordinator, T0);
        @case.TransitionTo(CaseStatus.Intake, Coordinator, null, T0.AddHours(2));
        @case.TransitionTo(CaseStatus.AwaitingConsent, Coordinator, null, T0.AddHours(5));
        @case.TransitionTo(CaseStatus.OnHold, Coordinator, "travel", T0.AddHours(6));
        @case.TransitionTo(CaseStatus.AwaitingConsent, Coordinator, null, T0.AddHours(30));

        var times = @case.StageTimes(T0.AddHours(31));

        Assert.Equal(TimeSpan.FromHours(2), times[CaseStatus.Referred]);
        Assert.Equal(TimeSpan.FromHours(3), times[CaseStatus.Intake]);
        Assert.Equal(TimeSpan.FromHours(24), times[CaseStatus.OnHold]);
        Assert.Equal(TimeSpan.FromHours(2), times[CaseStatus.AwaitingConsent]);
    }

    [Fact]
    public void Open_AtALaterStage_IsRefused()
    {
        var error = Assert.Throws<RuleViolationException>(() =>
            Case.Open(Guid.NewGuid(), Guid.NewGuid(), ConditionCategory.Spine, IntakeChannel.Coordinator, "x", CaseStatus.InReview, Coordinator, T0));
        Assert.Equal("status", error.Field);
    }

    /// <summary>A case that has reached <paramref name="status"/> by legal moves only.</summary>
    static Case CaseAt(CaseStatus status)
    {
        var @case = Case.Open(Guid.NewGuid(), Guid.NewGuid(), ConditionCategory.Spine, IntakeChannel.Coordinator, "concern", CaseStatus.Referred, Coordinator, T0);
        if (status is CaseStatus.Withdrawn or CaseStatus.Ineligible)
        {
            @case.TransitionTo(status, Coordinator, "ended", T0.AddHours(1));
            return @case;
        }
        var path = Tests.Infrastructure.TestApp.MainPath;
        var at = T0;
        foreach (var next in path[1..(Array.IndexOf(path, status) + 1)])
        {
            at = at.AddHours(1);
            @case.TransitionTo(next, Coordinator, null, at);
        }
        return @case;
    }
}

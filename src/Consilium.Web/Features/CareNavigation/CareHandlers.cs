using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.CareNavigation;

public sealed record BriefingRequest(BriefingChannel? Channel, MemberIntent? Intent, string? Notes, DateTimeOffset? BriefedAt = null);

public sealed record NavigationUpdateRequest(NavigationEventKind? Kind, string? Provider = null, string? Npi = null, string? Facility = null,
    bool? MatchesRecommendation = null, string? Note = null, int? Version = null);

public sealed record FollowUpRequest(FollowUpStatus? Status, FollowedRecommendation? Followed = null, int? Satisfaction = null, string? Notes = null,
    int? Version = null);

/// <summary>The follow-up survey a member answers in the portal: the day mark it is for, and the version it was read at.</summary>
public sealed record MemberSurveyView(Guid FollowUpId, int DayMark, DateOnly DueOn, int Version);

public sealed record MemberSurveyAnswer(FollowedRecommendation? Followed, int? Satisfaction, string? Comment, int? Version);

public sealed record NavigationTaskView(Guid Id, Guid CaseId, SiteOfCare Recommendation, string? Reason, NavigationStatus Status, string? ChosenProvider,
    string? ChosenProviderNpi, string? ChosenFacility, bool? MatchesRecommendation, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt,
    IReadOnlyList<NavigationEvent> Events, int Version);

public sealed record FollowUpView(Guid Id, Guid CaseId, int DayMark, DateOnly DueOn, bool Overdue, FollowUpStatus Status, FollowedRecommendation? Followed,
    int? Satisfaction, string? Notes, DateTimeOffset? CompletedAt, string? CompletedBy, int Version);

public sealed record BriefingView(Guid Id, DateTimeOffset BriefedAt, BriefingChannel Channel, MemberIntent Intent, string? Notes, string By);

public sealed record CaseCareView(Guid CaseId, string CaseNumber, CaseStatus Status, string MemberName, bool HasSignedOpinion,
    IReadOnlyList<BriefingView> Briefings, IReadOnlyList<NavigationTaskView> Navigation, IReadOnlyList<FollowUpView> FollowUps);

public sealed record FollowUpWorkItem(Guid FollowUpId, Guid CaseId, string CaseNumber, string MemberName, string? MemberPhone, string ProgramName,
    int DayMark, DateOnly DueOn, bool Overdue, int Version);

/// <summary>Net promoter score from 0–10 answers: % promoters (9–10) minus % detractors (0–6); null without answers.</summary>
public sealed record NpsView(string ProgramName, int Responses, int Promoters, int Passives, int Detractors, int? Score);

/// <summary>What signing an opinion sets in motion for the care team, in the signing unit of work.</summary>
public static class CarePlans
{
    /// <summary>
    /// Follow-ups are scheduled from the first signed version. A navigation task is opened when the signed version
    /// recommends a different provider or a center of excellence, follows an amendment that still does, and is
    /// cancelled by an amendment that no longer does.
    /// </summary>
    public static async Task OnOpinionSignedAsync(ConsiliumDbContext db, Case @case, Opinion signed, bool first, IReadOnlyList<int> followUpDays,
        Actor by, DateTimeOffset now, CancellationToken ct)
    {
        if (first)
        {
            foreach (var days in followUpDays) db.Add(OutcomeFollowUp.Schedule(@case.Id, signed.Id, days, now));
        }
        var open = await db.Set<NavigationTask>().Where(t => t.CaseId == @case.Id && t.Status == NavigationStatus.Open).ToListAsync(ct);
        var site = signed.Content.SiteOfCare;
        if (site.Recommendation is SiteOfCare.DifferentProvider or SiteOfCare.CenterOfExcellence)
        {
            if (open.Count == 0) db.Add(NavigationTask.Open(@case.Id, signed.Id, site.Recommendation.Value, site.Reason, @case.CoordinatorUserId, by, now));
            foreach (var task in open) task.Retarget(signed.Id, site.Recommendation.Value, site.Reason, by, now);
        }
        else
        {
            foreach (var task in open) task.Cancel($"Version {signed.Number} of the opinion no longer recommends a change of provider", by, now);
        }
    }
}

/// <summary>The coordinator's work after the opinion: briefing the member, the navigation handoff, and the 30/90-day follow-ups.</summary>
public sealed class CareHandlers(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, TimeProvider clock)
{
    public async Task<CaseCareView> GetAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await VisibleCaseAsync(caseId, ct);
        var view = await ViewAsync(@case, ct);
        audit.Record(AuditAction.Read, "CaseCare", caseId, @case.MemberId);
        await db.SaveChangesAsync(ct);
        return view;
    }

    public async Task<BriefingView> BriefAsync(Guid caseId, BriefingRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Channel is null) errors["channel"] = ["How was the member briefed?"];
        if (request.Intent is null) errors["intent"] = ["What does the member intend to do?"];
        if (errors.Count > 0) throw new RequestValidationException(errors);
        var @case = await VisibleCaseAsync(caseId, ct);
        var latest = await LatestSignedAsync(caseId, ct) ?? throw new ConflictException("The member is briefed on a signed opinion; there is none yet.");
        var now = clock.GetUtcNow();
        var briefing = Briefing.Record(caseId, latest.Id, request.BriefedAt ?? now, request.Channel!.Value, request.Intent!.Value, request.Notes, user.Actor, now);
        db.Add(briefing);
        audit.Record(AuditAction.Create, "Briefing", briefing.Id, @case.MemberId, reason: $"briefed by {briefing.Channel}: {briefing.Intent}");
        await db.SaveChangesAsync(ct);
        return View(briefing);
    }

    public async Task<NavigationTaskView> UpdateNavigationAsync(Guid taskId, NavigationUpdateRequest request, CancellationToken ct)
    {
        if (request.Kind is null or NavigationEventKind.Opened or NavigationEventKind.Cancelled)
            throw new RequestValidationException(new() { ["kind"] = ["Record a Note, ProviderChosen or MemberDeclined."] });
        var task = await db.Set<NavigationTask>().SingleOrDefaultAsync(t => t.Id == taskId, ct) ?? throw new NotFoundException("Navigation task", taskId);
        var @case = await VisibleCaseAsync(task.CaseId, ct);
        if (request.Version is { } v && v != task.Version)
            throw new ConflictException($"The navigation task is at version {task.Version}, not {v}: someone changed it since you read it.");
        var now = clock.GetUtcNow();
        switch (request.Kind)
        {
            case NavigationEventKind.Note: task.Note(request.Note, user.Actor, now); break;
            case NavigationEventKind.ProviderChosen: task.ProviderChosen(request.Provider, request.Npi, request.Facility, request.MatchesRecommendation, request.Note, user.Actor, now); break;
            default: task.Declined(request.Note, user.Actor, now); break;
        }
        audit.Record(AuditAction.Update, "NavigationTask", task.Id, @case.MemberId, reason: request.Kind.ToString());
        await db.SaveChangesAsync(ct);
        return View(task);
    }

    public async Task<FollowUpView> RecordFollowUpAsync(Guid followUpId, FollowUpRequest request, CancellationToken ct)
    {
        if (request.Status is null) throw new RequestValidationException(new() { ["status"] = ["This field is required."] });
        var followUp = await db.Set<OutcomeFollowUp>().SingleOrDefaultAsync(f => f.Id == followUpId, ct) ?? throw new NotFoundException("Follow-up", followUpId);
        var @case = await VisibleCaseAsync(followUp.CaseId, ct);
        if (request.Version is { } v && v != followUp.Version)
            throw new ConflictException($"The follow-up is at version {followUp.Version}, not {v}: someone recorded it since you read it.");
        var now = clock.GetUtcNow();
        followUp.Complete(request.Status.Value, request.Followed, request.Satisfaction, request.Notes, user.Actor, now);
        audit.Record(AuditAction.Update, "OutcomeFollowUp", followUp.Id, @case.MemberId, reason: $"day {followUp.DayMark}: {followUp.Status}");
        await db.SaveChangesAsync(ct);
        return View(followUp, DateOnly.FromDateTime(now.UtcDateTime));
    }

    /// <summary>The member's own follow-up survey that is open now (due today or earlier, not yet answered), earliest first; none for other roles.</summary>
    public async Task<MemberSurveyView?> DueSurveyAsync(Guid caseId, CancellationToken ct)
    {
        if (user.Role != Roles.Patient) return null;
        await VisibleCaseAsync(caseId, ct);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return await db.Set<OutcomeFollowUp>().AsNoTracking()
            .Where(f => f.CaseId == caseId && f.Status == FollowUpStatus.Due && f.DueOn <= today).OrderBy(f => f.DueOn)
            .Select(f => new MemberSurveyView(f.Id, f.DayMark, f.DueOn, f.Version)).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// The member answers the follow-up survey of their own case: whether they followed the recommendation, how likely
    /// they are to recommend the program (0–10) and a comment. It completes the follow-up as a navigator's call would.
    /// </summary>
    public async Task<MemberSurveyView> AnswerSurveyAsync(Guid caseId, Guid followUpId, MemberSurveyAnswer answer, CancellationToken ct)
    {
        if (user.Role != Roles.Patient) throw new ForbiddenException("The follow-up survey is answered by the member; record a call on the follow-ups worklist.");
        var @case = await VisibleCaseAsync(caseId, ct);
        var followUp = await db.Set<OutcomeFollowUp>().SingleOrDefaultAsync(f => f.Id == followUpId && f.CaseId == caseId, ct)
            ?? throw new NotFoundException("Follow-up", followUpId);
        var now = clock.GetUtcNow();
        if (followUp.DueOn > DateOnly.FromDateTime(now.UtcDateTime)) throw new ConflictException($"This survey opens on {followUp.DueOn:MMMM d, yyyy}.");
        if (answer.Version is { } v && v != followUp.Version) throw new ConflictException("This survey was already answered.");
        followUp.Complete(FollowUpStatus.Completed, answer.Followed, answer.Satisfaction, answer.Comment, user.Actor, now);
        audit.Record(AuditAction.Update, "OutcomeFollowUp", followUp.Id, @case.MemberId, reason: $"day {followUp.DayMark}: answered by the member");
        await db.SaveChangesAsync(ct);
        return new MemberSurveyView(followUp.Id, followUp.DayMark, followUp.DueOn, followUp.Version);
    }

    /// <summary>Follow-ups still due in the programs the user serves, oldest due first.</summary>
    public async Task<IReadOnlyList<FollowUpWorkItem>> WorklistAsync(bool dueOnly, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var rows = await (
            from f in db.Set<OutcomeFollowUp>().AsNoTracking()
            join c in db.Cases.VisibleTo(db, user, now) on f.CaseId equals c.Id
            join m in db.Members on c.MemberId equals m.Id
            join p in db.Programs on c.ProgramId equals p.Id
            where f.Status == FollowUpStatus.Due
            select new { f, c.Number, c.MemberId, Member = m.FirstName + " " + m.LastName, m.Phone, Program = p.Name }).ToListAsync(ct);
        var items = rows.Where(r => !dueOnly || r.f.DueOn <= today)
            .OrderBy(r => r.f.DueOn).ThenBy(r => r.Number)
            .Select(r => new FollowUpWorkItem(r.f.Id, r.f.CaseId, r.Number, r.Member, r.Phone, r.Program, r.f.DayMark, r.f.DueOn, r.f.DueOn < today, r.f.Version))
            .ToList();
        foreach (var memberId in rows.Where(r => items.Any(i => i.FollowUpId == r.f.Id)).Select(r => r.MemberId).Distinct())
            audit.Record(AuditAction.Query, "FollowUpWorklist", null, memberId);
        await db.SaveChangesAsync(ct);
        return items;
    }

    /// <summary>Net promoter score per program from completed follow-ups, over the programs the user serves.</summary>
    public async Task<IReadOnlyList<NpsView>> NpsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var answers = await (
            from f in db.Set<OutcomeFollowUp>().AsNoTracking()
            join c in db.Cases.VisibleTo(db, user, now) on f.CaseId equals c.Id
            join p in db.Programs on c.ProgramId equals p.Id
            where f.Status == FollowUpStatus.Completed && f.Satisfaction != null
            select new { Program = p.Name, f.CaseId, f.DayMark, Score = f.Satisfaction!.Value }).ToListAsync(ct);
        // One answer per member and program: the latest follow-up's.
        return answers.GroupBy(a => a.Program).OrderBy(g => g.Key).Select(g =>
        {
            var latest = g.GroupBy(a => a.CaseId).Select(c => c.OrderByDescending(a => a.DayMark).First().Score).ToList();
            var promoters = latest.Count(s => s >= 9);
            var detractors = latest.Count(s => s <= 6);
            return new NpsView(g.Key, latest.Count, promoters, latest.Count - promoters - detractors, detractors,
                latest.Count == 0 ? null : (int)Math.Round(100.0 * (promoters - detractors) / latest.Count, MidpointRounding.AwayFromZero));
        }).ToList();
    }

    async Task<CaseCareView> ViewAsync(Case @case, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var member = await db.Members.AsNoTracking().Where(m => m.Id == @case.MemberId).Select(m => m.FirstName + " " + m.LastName).SingleAsync(ct);
        var briefings = await db.Set<Briefing>().AsNoTracking().Where(b => b.CaseId == @case.Id).OrderByDescending(b => b.BriefedAt).ToListAsync(ct);
        var tasks = await db.Set<NavigationTask>().AsNoTracking().Where(t => t.CaseId == @case.Id).OrderByDescending(t => t.OpenedAt).ToListAsync(ct);
        var followUps = await db.Set<OutcomeFollowUp>().AsNoTracking().Where(f => f.CaseId == @case.Id).OrderBy(f => f.DayMark).ToListAsync(ct);
        var signed = await db.Set<Opinion>().AsNoTracking().AnyAsync(o => o.CaseId == @case.Id && o.Status == OpinionStatus.Signed, ct);
        return new CaseCareView(@case.Id, @case.Number, @case.Status, member, signed, briefings.Select(View).ToList(), tasks.Select(View).ToList(),
            followUps.Select(f => View(f, today)).ToList());
    }

    async Task<Case> VisibleCaseAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await db.Cases.AsNoTracking().VisibleTo(db, user, clock.GetUtcNow()).SingleOrDefaultAsync(c => c.Id == caseId, ct);
        if (@case is not null) return @case;
        var memberId = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => (Guid?)c.MemberId).SingleOrDefaultAsync(ct);
        if (memberId is not null)
            await audit.RecordFailureAsync(AuditAction.Read, "CaseCare", caseId, memberId, AuditOutcome.Denied, "outside the user's cases", ct);
        throw new NotFoundException("Case", caseId);
    }

    Task<Opinion?> LatestSignedAsync(Guid caseId, CancellationToken ct) =>
        db.Set<Opinion>().AsNoTracking().Where(o => o.CaseId == caseId && o.Status == OpinionStatus.Signed).OrderByDescending(o => o.Number).FirstOrDefaultAsync(ct);

    static BriefingView View(Briefing b) => new(b.Id, b.BriefedAt, b.Channel, b.Intent, b.Notes, b.ByName);

    static NavigationTaskView View(NavigationTask t) => new(t.Id, t.CaseId, t.Recommendation, t.Reason, t.Status, t.ChosenProvider, t.ChosenProviderNpi,
        t.ChosenFacility, t.MatchesRecommendation, t.OpenedAt, t.ClosedAt, t.Events, t.Version);

    static FollowUpView View(OutcomeFollowUp f, DateOnly today) => new(f.Id, f.CaseId, f.DayMark, f.DueOn, f.Status == FollowUpStatus.Due && f.DueOn < today,
        f.Status, f.Followed, f.Satisfaction, f.Notes, f.CompletedAt, f.CompletedBy, f.Version);
}

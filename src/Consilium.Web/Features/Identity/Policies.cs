using Microsoft.AspNetCore.Authorization;

namespace Consilium.Features.Identity;

/// <summary>
/// Every endpoint and page names one of these policies (or is explicitly anonymous). Each grants a set of roles;
/// resource checks (own case, served program, assigned reviewer) are applied by the handlers on top.
/// </summary>
public static class Policies
{
    public const string CaseRead = "case.read";
    public const string CaseCreate = "case.create";
    public const string CaseTransition = "case.transition";
    public const string CaseWorklist = "case.worklist";
    public const string WorklistEvents = "worklist.events";
    public const string WorklistBulk = "worklist.bulk";
    public const string MemberRead = "member.read";
    public const string MemberWrite = "member.write";
    public const string ProgramRead = "program.read";
    public const string ProgramWrite = "program.write";
    public const string ProgramOverview = "program.overview";
    public const string SponsorRead = "sponsor.read";
    public const string SponsorWrite = "sponsor.write";
    public const string AuditRead = "audit.read";
    public const string BreakGlass = "case.break-glass";
    public const string ConsentRead = "consent.read";
    public const string ConsentSign = "consent.sign";
    public const string ConsentRevoke = "consent.revoke";
    public const string RecordsRead = "records.read";
    public const string RecordsManage = "records.manage";
    public const string RosterImport = "roster.import";
    public const string EligibilityCheck = "eligibility.check";
    public const string ReferralCreate = "referral.create";
    public const string IntakePhone = "intake.phone";
    public const string CaseAssign = "case.assign";
    public const string FundManage = "fund.manage";
    public const string PaymentManage = "payment.manage";
    public const string DocumentsUpload = "documents.upload";
    public const string DocumentsRead = "documents.read";
    public const string TriggersWork = "triggers.work";
    public const string ClaimsUpload = "claims.upload";
    public const string ClaimsJobs = "claims.jobs";
    public const string NetworkRead = "network.read";
    public const string NetworkManage = "network.manage";
    public const string OfferRespond = "offer.respond";
    public const string StipendManage = "stipend.manage";
    public const string OpinionWrite = "opinion.write";
    public const string OpinionRead = "opinion.read";
    public const string OpinionDeliver = "opinion.deliver";
    public const string OpinionSla = "opinion.sla";
    public const string CareManage = "care.manage";
    public const string ConsultHost = "consult.host";
    public const string ConsultBook = "consult.book";
    public const string ConsultRead = "consult.read";
    public const string OutboxRead = "outbox.read";
    public const string ImagingView = "imaging.view";
    public const string ImagingTriage = "imaging.triage";
    public const string OutcomesRead = "outcomes.read";
    public const string ProviderDiscordance = "outcomes.discordance";
    public const string SignedIn = "signed-in";

    public static readonly IReadOnlyDictionary<string, string[]> RolesByPolicy = new Dictionary<string, string[]>
    {
        [CaseRead] = [Roles.Patient, Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin, Roles.Integration],
        [CaseCreate] = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Integration],
        [CaseTransition] = [Roles.Patient, Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin],
        [CaseWorklist] = [Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin],
        // The live worklist and its bulk actions: the staff who work the programs' case lists.
        [WorklistEvents] = [Roles.Coordinator, Roles.ProgramAdmin],
        [WorklistBulk] = [Roles.Coordinator, Roles.ProgramAdmin],
        [MemberRead] = [Roles.Patient, Roles.Coordinator, Roles.ProgramAdmin, Roles.Integration],
        [MemberWrite] = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Integration],
        [ProgramRead] = [Roles.Patient, Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin, Roles.SponsorAnalyst, Roles.Integration],
        [ProgramWrite] = [Roles.ProgramAdmin],
        [ProgramOverview] = [Roles.ProgramAdmin, Roles.SponsorAnalyst],
        [SponsorRead] = [Roles.ProgramAdmin, Roles.SponsorAnalyst],
        [SponsorWrite] = [Roles.ProgramAdmin],
        [AuditRead] = [Roles.Auditor],
        // Clinical staff only: the people who may face an emergency with a member outside their assignment.
        [BreakGlass] = [Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin],
        [ConsentRead] = [Roles.Patient, Roles.Coordinator, Roles.ProgramAdmin],
        // Only the member signs their own authorization.
        [ConsentSign] = [Roles.Patient],
        [ConsentRevoke] = [Roles.Patient, Roles.Coordinator, Roles.ProgramAdmin],
        [RecordsRead] = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Reviewer],
        [RecordsManage] = [Roles.Coordinator, Roles.ProgramAdmin],
        [RosterImport] = [Roles.ProgramAdmin],
        [EligibilityCheck] = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Integration],
        // Partner systems (payers, physicians' EHRs) refer through the API; staff use the phone intake form.
        [ReferralCreate] = [Roles.Integration],
        [IntakePhone] = [Roles.Coordinator, Roles.ProgramAdmin],
        [CaseAssign] = [Roles.Coordinator, Roles.ProgramAdmin],
        // Money: awards from grant funds and recording self-pay payments are the program admin's acts.
        [FundManage] = [Roles.ProgramAdmin],
        [PaymentManage] = [Roles.ProgramAdmin],
        // The member sends their own records; staff file what facilities send. The member sees their own case's.
        [DocumentsUpload] = [Roles.Patient, Roles.Coordinator, Roles.ProgramAdmin],
        [DocumentsRead] = [Roles.Patient, Roles.Coordinator, Roles.ProgramAdmin, Roles.Reviewer],
        // The candidate worklist and outreach are the coordinators' and program admins' work; partner systems send files.
        [TriggersWork] = [Roles.Coordinator, Roles.ProgramAdmin],
        [ClaimsUpload] = [Roles.ProgramAdmin, Roles.Integration],
        [ClaimsJobs] = [Roles.Coordinator, Roles.ProgramAdmin, Roles.Integration],
        // The specialist network is shared by every program: coordinators look it up to match; the program admin runs it.
        [NetworkRead] = [Roles.Coordinator, Roles.ProgramAdmin],
        [NetworkManage] = [Roles.ProgramAdmin],
        // Only the physician offered a case answers the offer.
        [OfferRespond] = [Roles.Reviewer],
        [StipendManage] = [Roles.ProgramAdmin],
        // The review workspace and the opinion's authorship: the assigned reviewer only (checked per case by the handlers).
        [OpinionWrite] = [Roles.Reviewer],
        // Signed versions only; a draft is seen by its author alone.
        [OpinionRead] = [Roles.Patient, Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin],
        [OpinionDeliver] = [Roles.Coordinator, Roles.ProgramAdmin],
        [OpinionSla] = [Roles.Coordinator, Roles.ProgramAdmin],
        // Briefing, navigation and follow-ups are the care team's work.
        [CareManage] = [Roles.Coordinator, Roles.ProgramAdmin],
        [ConsultHost] = [Roles.Reviewer],
        // Only the member books their own consult.
        [ConsultBook] = [Roles.Patient],
        [ConsultRead] = [Roles.Patient, Roles.Coordinator, Roles.Reviewer, Roles.ProgramAdmin],
        // Recipients and subjects of the platform's emails, never their bodies.
        [OutboxRead] = [Roles.ProgramAdmin],
        // Studies in the imaging archive are opened by the case's reviewer only (checked per case by the handler).
        [ImagingView] = [Roles.Reviewer],
        // Studies a facility sent to the archive that fit no case: identifying tags of people who may not be members yet,
        // so the coordinators who chase records only.
        [ImagingTriage] = [Roles.Coordinator],
        // Aggregates only (cells under 11 suppressed): the program's admins and its sponsors' analysts.
        [OutcomesRead] = [Roles.ProgramAdmin, Roles.SponsorAnalyst],
        // Change rates per treating physician: clinical governance, never the sponsor.
        [ProviderDiscordance] = [Roles.ProgramAdmin],
        [SignedIn] = [.. Roles.All],
    };

    public static AuthorizationBuilder AddConsiliumPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (policy, roles) in RolesByPolicy)
        {
            // Signed-in staff who have not set up two-factor authentication reach nothing but the enrollment page.
            builder.AddPolicy(policy, p =>
            {
                p.RequireAuthenticatedUser().RequireRole(roles);
                if (policy != SignedIn) p.RequireClaim(MfaRequirement.Claim);
            });
        }
        // An endpoint that forgets to name a policy is refused to everyone rather than opened to anyone signed in.
        // The exceptions are requests that matched no endpoint of ours (an unknown path answers 404) and routing's own
        // rejection endpoints (a wrong method or content type answers 405/415).
        builder.SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAssertion(ctx => IsRoutingRejection(ctx.Resource)).Build());
        return builder;
    }

    static bool IsRoutingRejection(object? resource) =>
        resource is HttpContext http && http.GetEndpoint() switch
        {
            null => true,
            { DisplayName: { } name } => name.StartsWith("405 HTTP ", StringComparison.Ordinal) || name.StartsWith("415 HTTP ", StringComparison.Ordinal),
            _ => false,
        };
}

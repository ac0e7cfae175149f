using Consilium.Features.Cases;
using Consilium.Features.Identity;

namespace Consilium.Features;

/// <summary>What each role finds in the navigation. A link appears only for roles whose policy admits them to the page.</summary>
public static class Navigation
{
    public sealed record Link(string Text, string Href);

    public static IReadOnlyList<Link> For(string role) => role switch
    {
        Roles.Patient => [new("My requests", "/my"), new("New request", "/request")],
        Roles.Coordinator =>
        [
            new("Cases", "/cases"), new("Phone intake", "/intake"), new("Records", "/records"), new("Imaging queue", "/imaging/unmatched"),
            new("Triggers", "/triggers"), new("Network", "/network"), new("Opinion SLA", "/opinions/sla"), new("Follow-ups", "/follow-ups"),
        ],
        Roles.Reviewer => [new("My assignments", "/cases"), new("Offers", "/offers"), new("Video consults", "/consults")],
        Roles.ProgramAdmin =>
        [
            new("Cases", "/cases"), new("Phone intake", "/intake"), new("Triggers", "/triggers"), new("Programs", "/programs"), new("Sponsors", "/sponsors"),
            new("Funds", "/funds"), new("Payments", "/payments"), new("Network", "/network"), new("Opinion SLA", "/opinions/sla"),
            new("Follow-ups", "/follow-ups"), new("Outcomes", "/outcomes"), new("Outbox", "/outbox"),
        ],
        Roles.SponsorAnalyst => [new("Programs", "/programs"), new("Outcomes", "/outcomes")],
        Roles.Auditor => [new("Audit trail", "/audit")],
        Roles.Integration => [new("API reference", "/docs")],
        _ => [],
    };

    /// <summary>The first page a role lands on after signing in.</summary>
    public static string Home(string role) => For(role).FirstOrDefault()?.Href ?? "/";

    public static string Label(string role) => role switch
    {
        Roles.Patient => "Member",
        Roles.Coordinator => "Care coordinator",
        Roles.Reviewer => "Reviewing physician",
        Roles.ProgramAdmin => "Program admin",
        Roles.SponsorAnalyst => "Sponsor analyst",
        Roles.Auditor => "Auditor",
        Roles.Integration => "Integration",
        _ => role,
    };

    public static string StageLabel(CaseStatus status) => status switch
    {
        CaseStatus.AwaitingConsent => "Awaiting consent",
        CaseStatus.CollectingRecords => "Collecting records",
        CaseStatus.ReadyForReview => "Ready for review",
        CaseStatus.InReview => "In review",
        CaseStatus.OpinionDelivered => "Opinion delivered",
        CaseStatus.OnHold => "On hold",
        _ => status.ToString(),
    };
}

namespace Consilium.Features.Identity;

public static class Roles
{
    public const string Patient = "patient";
    public const string Coordinator = "coordinator";
    public const string Reviewer = "reviewer";
    public const string ProgramAdmin = "program-admin";
    public const string SponsorAnalyst = "sponsor-analyst";
    public const string Auditor = "auditor";
    public const string Integration = "integration";

    /// <summary>Not a sign-in role: the platform itself (seeding, timers, the command line).</summary>
    public const string System = "system";

    public static readonly IReadOnlyList<string> All = [Patient, Coordinator, Reviewer, ProgramAdmin, SponsorAnalyst, Auditor, Integration];

    public static bool IsKnown(string role) => All.Contains(role);
}

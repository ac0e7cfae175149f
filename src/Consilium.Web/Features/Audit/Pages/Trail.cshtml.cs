using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Audit.Pages;

[Authorize(Policy = Policies.AuditRead)]
public sealed class TrailModel(AuditHandlers handlers, AuditVerifier verifier, Security.BreakGlassHandlers emergencies) : PageModel
{
    public IReadOnlyList<Security.Notification> Alerts { get; private set; } = [];

    public AuditPage Result { get; private set; } = new([], 1, 100, 0);
    public AuditQuery Query { get; private set; } = new();
    public AuditVerification? Verification { get; private set; }

    public async Task OnGetAsync(Guid? patientId, Guid? userId, string? userName, string? role, AuditAction? action, string? objectType,
        string? objectId, AuditOutcome? outcome, string? source, bool? breakGlass, DateTimeOffset? from, DateTimeOffset? to,
        AuditSort? sort, bool? desc, int? page, bool? verify, CancellationToken ct)
    {
        Query = new AuditQuery
        {
            PatientId = patientId, UserId = userId, UserName = userName, Role = role, Action = action, ObjectType = objectType,
            ObjectId = objectId, Outcome = outcome, Source = source, BreakGlass = breakGlass, From = from, To = to,
            Sort = sort ?? AuditSort.Sequence, Descending = desc ?? true, Page = page ?? 1, PageSize = 100,
        };
        Result = await handlers.SearchAsync(Query, ct);
        Alerts = await emergencies.UnreadForAsync(Security.BreakGlassHandlers.PrivacyOfficers, ct);
        if (verify == true) Verification = await verifier.VerifyAsync(ct);
    }

    /// <summary>The current filters as a query string, with some values replaced (sort links, pages, exports).</summary>
    public string Link(string path, AuditSort? sort = null, bool? desc = null, int? page = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["patientId"] = Query.PatientId?.ToString(), ["userId"] = Query.UserId?.ToString(), ["userName"] = Query.UserName,
            ["role"] = Query.Role, ["action"] = Query.Action?.ToString(), ["objectType"] = Query.ObjectType, ["objectId"] = Query.ObjectId,
            ["outcome"] = Query.Outcome?.ToString(), ["source"] = Query.Source, ["breakGlass"] = Query.BreakGlass?.ToString().ToLowerInvariant(),
            ["from"] = Query.From?.ToString("o"), ["to"] = Query.To?.ToString("o"),
            ["sort"] = (sort ?? Query.Sort).ToString(), ["desc"] = (desc ?? Query.Descending).ToString().ToLowerInvariant(),
            ["page"] = page?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, values.Where(v => !string.IsNullOrEmpty(v.Value)));
    }

    public string SortLink(AuditSort column) => Link("/audit", column, Query.Sort == column ? !Query.Descending : false, 1);
}

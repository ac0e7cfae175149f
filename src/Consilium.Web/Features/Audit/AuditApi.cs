using System.Globalization;
using System.Text;
using Consilium.Features.Identity;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Audit;

public sealed record AuditEntryView(long Id, long Sequence, DateTimeOffset At, Guid? UserId, string UserName, string Role, AuditAction Action,
    string ObjectType, string? ObjectId, Guid? PatientId, AuditOutcome Outcome, string Source, string? Reason, bool BreakGlass, string Hash);

public enum AuditSort
{
    Sequence,
    At,
    UserName,
    Role,
    Action,
    ObjectType,
    ObjectId,
    PatientId,
    Outcome,
    Source,
}

/// <summary>Every field of the trail can filter the report; any of them can sort it.</summary>
public sealed record AuditQuery
{
    public Guid? PatientId { get; init; }
    public Guid? UserId { get; init; }
    public string? UserName { get; init; }
    public string? Role { get; init; }
    public AuditAction? Action { get; init; }
    public string? ObjectType { get; init; }
    public string? ObjectId { get; init; }
    public AuditOutcome? Outcome { get; init; }
    public string? Source { get; init; }
    public bool? BreakGlass { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public AuditSort Sort { get; init; } = AuditSort.Sequence;
    public bool Descending { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 100;
}

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, int Page, int PageSize, long Total);

/// <summary>The auditor's report of the trail. Reading, querying and exporting it are themselves audited.</summary>
public sealed class AuditHandlers(ConsiliumDbContext db, AuditTrail audit)
{
    public const string BreakGlassPrefix = "break-glass: ";
    public const int MaxExportRows = 1_000_000;

    public async Task<AuditPage> SearchAsync(AuditQuery query, CancellationToken ct)
    {
        var filtered = Filter(query);
        var total = await filtered.LongCountAsync(ct);
        var pageSize = Math.Clamp(query.PageSize, 1, 1000);
        var page = Math.Max(1, query.Page);
        var items = await Sort(filtered, query).Skip((page - 1) * pageSize).Take(pageSize).Select(View).ToListAsync(ct);
        audit.Record(AuditAction.Query, "AuditTrail", null, query.PatientId, reason: Describe(query));
        await db.SaveChangesAsync(ct);
        return new AuditPage(items, page, pageSize, total);
    }

    /// <summary>Streams the matching entries in the query's order, for exports; the export is audited first.</summary>
    public async IAsyncEnumerable<AuditEntryView> ExportAsync(AuditQuery query, string format, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        audit.Record(AuditAction.Export, "AuditTrail", null, query.PatientId, reason: $"{format}: {Describe(query)}");
        await db.SaveChangesAsync(ct);
        await foreach (var entry in Sort(Filter(query), query).Take(MaxExportRows).Select(View).AsAsyncEnumerable().WithCancellation(ct))
            yield return entry;
    }

    IQueryable<AuditEntry> Filter(AuditQuery q)
    {
        var entries = db.AuditEntries.AsNoTracking();
        if (q.PatientId is { } patient) entries = entries.Where(e => e.PatientId == patient);
        if (q.UserId is { } userId) entries = entries.Where(e => e.UserId == userId);
        if (!string.IsNullOrWhiteSpace(q.UserName)) entries = entries.Where(e => e.UserName.ToLower().Contains(q.UserName.Trim().ToLower()));
        if (!string.IsNullOrWhiteSpace(q.Role)) entries = entries.Where(e => e.Role == q.Role.Trim());
        if (q.Action is { } action) entries = entries.Where(e => e.Action == action);
        if (!string.IsNullOrWhiteSpace(q.ObjectType)) entries = entries.Where(e => e.ObjectType == q.ObjectType.Trim());
        if (!string.IsNullOrWhiteSpace(q.ObjectId)) entries = entries.Where(e => e.ObjectId == q.ObjectId.Trim());
        if (q.Outcome is { } outcome) entries = entries.Where(e => e.Outcome == outcome);
        if (!string.IsNullOrWhiteSpace(q.Source)) entries = entries.Where(e => e.Source == q.Source.Trim());
        if (q.BreakGlass is true) entries = entries.Where(e => e.Reason != null && e.Reason.StartsWith(BreakGlassPrefix));
        if (q.BreakGlass is false) entries = entries.Where(e => e.Reason == null || !e.Reason.StartsWith(BreakGlassPrefix));
        if (q.From is { } from) entries = entries.Where(e => e.At >= from);
        if (q.To is { } to) entries = entries.Where(e => e.At < to);
        return entries;
    }

    static IQueryable<AuditEntry> Sort(IQueryable<AuditEntry> entries, AuditQuery q)
    {
        IOrderedQueryable<AuditEntry> ordered = (q.Sort, q.Descending) switch
        {
            (AuditSort.At, false) => entries.OrderBy(e => e.At),
            (AuditSort.At, true) => entries.OrderByDescending(e => e.At),
            (AuditSort.UserName, false) => entries.OrderBy(e => e.UserName),
            (AuditSort.UserName, true) => entries.OrderByDescending(e => e.UserName),
            (AuditSort.Role, false) => entries.OrderBy(e => e.Role),
            (AuditSort.Role, true) => entries.OrderByDescending(e => e.Role),
            (AuditSort.Action, false) => entries.OrderBy(e => e.Action),
            (AuditSort.Action, true) => entries.OrderByDescending(e => e.Action),
            (AuditSort.ObjectType, false) => entries.OrderBy(e => e.ObjectType),
            (AuditSort.ObjectType, true) => entries.OrderByDescending(e => e.ObjectType),
            (AuditSort.ObjectId, false) => entries.OrderBy(e => e.ObjectId),
            (AuditSort.ObjectId, true) => entries.OrderByDescending(e => e.ObjectId),
            (AuditSort.PatientId, false) => entries.OrderBy(e => e.PatientId),
            (AuditSort.PatientId, true) => entries.OrderByDescending(e => e.PatientId),
            (AuditSort.Outcome, false) => entries.OrderBy(e => e.Outcome),
            (AuditSort.Outcome, true) => entries.OrderByDescending(e => e.Outcome),
            (AuditSort.Source, false) => entries.OrderBy(e => e.Source),
            (AuditSort.Source, true) => entries.OrderByDescending(e => e.Source),
            (_, true) => entries.OrderByDescending(e => e.Sequence),
            _ => entries.OrderBy(e => e.Sequence),
        };
        // Ties are broken by position in the trail so pages never overlap.
        return q.Sort == AuditSort.Sequence ? ordered : ordered.ThenBy(e => e.Sequence);
    }

    internal static readonly System.Linq.Expressions.Expression<Func<AuditEntry, AuditEntryView>> View = e => new AuditEntryView(
        e.Id, e.Sequence, e.At, e.UserId, e.UserName, e.Role, e.Action, e.ObjectType, e.ObjectId, e.PatientId, e.Outcome, e.Source, e.Reason,
        e.Reason != null && e.Reason.StartsWith(BreakGlassPrefix), e.Hash);

    static string Describe(AuditQuery q)
    {
        var parts = new List<string>();
        if (q.PatientId is not null) parts.Add($"patient {q.PatientId}");
        if (q.UserId is not null) parts.Add($"user {q.UserId}");
        if (q.Action is not null) parts.Add($"action {q.Action}");
        if (q.From is not null || q.To is not null) parts.Add($"period {q.From:u}–{q.To:u}");
        if (q.BreakGlass is true) parts.Add("break-glass only");
        return parts.Count == 0 ? "whole trail" : string.Join(", ", parts);
    }
}

public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateOnStart();
        services.AddHostedService<AuditAnchorTimer>();
        return services.AddScoped<AuditTrail>().AddScoped<AuditHandlers>().AddScoped<AuditVerifier>().AddScoped<AuditAnchoring>();
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit");
        audit.MapGet("", Search).RequireAuthorization(Policies.AuditRead);
        audit.MapGet("export.csv", ExportCsv).RequireAuthorization(Policies.AuditRead);
        audit.MapGet("export.fhir.json", ExportFhir).RequireAuthorization(Policies.AuditRead);
        audit.MapGet("verify", Verify).RequireAuthorization(Policies.AuditRead);
        return app;
    }

    static async Task<Ok<AuditPage>> Search([AsParameters] AuditQueryParameters p, AuditHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.SearchAsync(p.ToQuery(), ct));

    static async Task<Ok<AuditVerification>> Verify(AuditVerifier verifier, CancellationToken ct) => TypedResults.Ok(await verifier.VerifyAsync(ct));

    /// <summary>RFC 4180 CSV, streamed row by row, so an export of the whole trail never sits in memory.</summary>
    static async Task ExportCsv([AsParameters] AuditQueryParameters p, AuditHandlers handlers, HttpContext http, CancellationToken ct)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"audit-trail.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteLineAsync("sequence,time_utc,user_id,user,role,action,object_type,object_id,patient_id,outcome,source,reason,break_glass,hash");
        await foreach (var e in handlers.ExportAsync(p.ToQuery(), "csv", ct))
        {
            await writer.WriteLineAsync(string.Join(',',
                e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                e.UserId?.ToString() ?? "", Csv(e.UserName), Csv(e.Role), e.Action.ToString(), Csv(e.ObjectType), Csv(e.ObjectId),
                e.PatientId?.ToString() ?? "", e.Outcome.ToString(), Csv(e.Source), Csv(e.Reason), e.BreakGlass ? "true" : "false", e.Hash));
        }
    }

    static async Task ExportFhir([AsParameters] AuditQueryParameters p, AuditHandlers handlers, HttpContext http, CancellationToken ct)
    {
        http.Response.ContentType = "application/fhir+json; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"audit-trail.fhir.json\"";
        await AuditEventExport.WriteBundleAsync(handlers.ExportAsync(p.ToQuery(), "fhir", ct), http.Response.Body, ct);
    }

    /// <summary>Quotes a field when needed; a leading =, +, - or @ is neutralised so a spreadsheet never runs it as a formula.</summary>
    internal static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    internal sealed record AuditQueryParameters(
        [FromQuery] Guid? PatientId, [FromQuery] Guid? UserId, [FromQuery] string? UserName, [FromQuery] string? Role,
        [FromQuery] AuditAction? Action, [FromQuery] string? ObjectType, [FromQuery] string? ObjectId, [FromQuery] AuditOutcome? Outcome,
        [FromQuery] string? Source, [FromQuery] bool? BreakGlass, [FromQuery] DateTimeOffset? From, [FromQuery] DateTimeOffset? To,
        [FromQuery] AuditSort? Sort, [FromQuery] bool? Desc, [FromQuery] int? Page, [FromQuery] int? PageSize)
    {
        public AuditQuery ToQuery() => new()
        {
            PatientId = PatientId, UserId = UserId, UserName = UserName, Role = Role, Action = Action, ObjectType = ObjectType,
            ObjectId = ObjectId, Outcome = Outcome, Source = Source, BreakGlass = BreakGlass, From = From, To = To,
            Sort = Sort ?? AuditSort.Sequence, Descending = Desc ?? false, Page = Page ?? 1, PageSize = PageSize ?? 100,
        };
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Worklist;

/// <summary>The coordinator worklist's live feed of case changes (server-sent events) and its bulk actions.</summary>
public static class WorklistApi
{
    public static IServiceCollection AddWorklist(this IServiceCollection services)
    {
        services.AddOptions<WorklistOptions>().BindConfiguration(WorklistOptions.Section)
            .Validate(WorklistOptions.Validate, "Worklist: PollInterval and Heartbeat must be positive, GapTimeout at least PollInterval, Retention at least 5 minutes.")
            .ValidateOnStart();
        services.AddSingleton<CaseChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<CaseChangeFeed>());
        services.AddScoped<BulkActions>();
        return services;
    }

    public static IEndpointRouteBuilder MapWorklist(this IEndpointRouteBuilder app)
    {
        var worklist = app.MapGroup("/api/worklist").WithTags("Worklist");
        worklist.MapGet("events", Events).RequireAuthorization(Policies.WorklistEvents).Produces(200, contentType: "text/event-stream");
        worklist.MapPost("bulk", Bulk).RequireAuthorization(Policies.WorklistBulk);
        return app;
    }

    static async Task<Ok<BulkResult>> Bulk(BulkRequest request, BulkActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.ApplyAsync(request, ct));

    /// <summary>
    /// A text/event-stream of "case" events — the case id, its stage and version, nothing else — for the programs the
    /// user serves. The event id is the change number: a reconnecting browser sends it back (Last-Event-ID, or
    /// <c>?after=</c>) and gets what it missed first.
    /// </summary>
    static async Task Events(HttpContext http, ConsiliumDbContext db, CurrentActor user, CaseChangeFeed feed, IOptions<WorklistOptions> options,
        IOptions<JsonOptions> json, TimeProvider clock, long? after, CancellationToken ct)
    {
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0)
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                throw new RuleViolationException("Last-Event-ID", "The header must be the id of an event of this stream (a whole number).");
            after = parsed;
        }
        if (after < 0) throw new RuleViolationException("after", "The value must be the id of an event of this stream (a whole number).");

        var programs = (await CaseAccess.ServedProgramIds(db, user).ToListAsync(ct)).ToHashSet();
        var start = after ?? await CaseChangeFeed.LatestAsync(db, ct);
        using var subscription = feed.Subscribe(programs, start);
        var missed = await CaseChangeFeed.SinceAsync(db, start, programs, ct);

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var body = http.Response.Body;
        var serializer = json.Value.SerializerOptions;
        string Format(CaseChangeEvent change) => FormatEvent(change, user.UserId, clock.GetUtcNow(), serializer);
        try
        {
            await WriteAsync(body, "retry: 3000\n\n", ct);
            var sent = new HashSet<long>();
            foreach (var change in missed)
            {
                sent.Add(change.Sequence);
                await WriteAsync(body, Format(change), ct);
            }
            await body.FlushAsync(ct);

            var events = subscription.Events;
            while (true)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(options.Value.Heartbeat);
                bool more;
                try
                {
                    more = await events.WaitToReadAsync(beat.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await WriteAsync(body, ": keep-alive\n\n", ct);
                    await body.FlushAsync(ct);
                    continue;
                }
                if (!more) break;
                while (events.TryRead(out var change))
                    if (!sent.Contains(change.Sequence)) await WriteAsync(body, Format(change), ct);
                await body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The browser went away.
        }
    }

    /// <summary>
    /// One "case" event. Besides the stage it carries the row's SLA cell as the page renders it (<see cref="WorklistSla"/>),
    /// decided for this user now, and whether the row is overdue or theirs: so a row updated in place shows what a reload
    /// would, and the page can tell whether a case it does not list may now belong in its filter.
    /// </summary>
    static string FormatEvent(CaseChangeEvent change, Guid? me, DateTimeOffset now, JsonSerializerOptions serializer)
    {
        var sla = change.Sla(me, now);
        return $"id: {change.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: case\ndata: " +
            JsonSerializer.Serialize(new
            {
                id = change.CaseId, status = change.Status, stage = change.Stage, version = change.Version, program = change.ProgramId,
                overdue = sla.Overdue, mine = sla.AssignedToMe, sla = sla.Render(change.Status), slaNext = sla.NextChangeText(change.Status),
            }, serializer) + "\n\n";
    }

    static Task WriteAsync(Stream body, string text, CancellationToken ct) => body.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask();
}

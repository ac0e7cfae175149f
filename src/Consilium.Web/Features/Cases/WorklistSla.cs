using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Consilium.Features.Cases;

/// <summary>
/// A worklist row's SLA state and its badges. The one place that decides what the SLA cell shows: the page renders it
/// for every listed row, and the live feed (Worklist/CaseChangeFeed) sends the same HTML for a row that changed, so a
/// row updated in place shows what a reload would.
/// </summary>
public sealed record WorklistSla(DateTimeOffset? FirstContactDueAt, bool FirstContactOverdue, DateTimeOffset? PacketDueAt, bool PacketOverdue, bool AssignedToMe)
{
    /// <summary>The stages in which the records packet is still being put together.</summary>
    public static readonly CaseStatus[] PacketStages = [CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords];

    /// <summary>Past a first-contact or packet target: the row is flagged (and matches the worklist's "overdue" filter).</summary>
    public bool Overdue => FirstContactOverdue || PacketOverdue;

    /// <summary>
    /// First contact is overdue while the case is still referred past its due time; the packet while the case is before
    /// review past its due time. Keep in step with the "overdue" filter of <see cref="CaseHandlers.ListAsync"/>, which
    /// says the same in SQL.
    /// </summary>
    public static WorklistSla Of(CaseStatus status, DateTimeOffset? firstContactDueAt, DateTimeOffset? packetDueAt, Guid? coordinatorUserId, Guid? me,
        DateTimeOffset now) =>
        new(firstContactDueAt, status == CaseStatus.Referred && firstContactDueAt < now,
            packetDueAt, PacketStages.Contains(status) && packetDueAt < now,
            me is not null && coordinatorUserId == me);

    public static WorklistSla Of(CaseSummary c) => new(c.FirstContactDueAt, c.FirstContactOverdue, c.PacketDueAt, c.PacketOverdue, c.AssignedToMe);

    /// <summary>
    /// When the cell next changes by time alone, for a case at <paramref name="status"/>: the first-contact or packet due
    /// time not yet passed that would make it overdue (the earlier of the two); null when no due time is ahead. The live
    /// worklist asks for the row again then, so a badge appears without a change to the case or a reload.
    /// </summary>
    public DateTimeOffset? NextChangeAt(CaseStatus status)
    {
        DateTimeOffset? next = null;
        if (status == CaseStatus.Referred && !FirstContactOverdue && FirstContactDueAt is { } firstContact) next = firstContact;
        if (PacketStages.Contains(status) && !PacketOverdue && PacketDueAt is { } packet && (next is null || packet < next)) next = packet;
        return next;
    }

    /// <summary><see cref="NextChangeAt"/> as an ISO 8601 UTC timestamp for a data attribute; null when there is none.</summary>
    public string? NextChangeText(CaseStatus status) => NextChangeAt(status)?.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);

    /// <summary>The SLA cell's content for a case at <paramref name="status"/>.</summary>
    public IHtmlContent Html(CaseStatus status) => new HtmlString(Render(status));

    /// <summary>The SLA cell's content as HTML text: fixed words and encoded dates, nothing about the member.</summary>
    public string Render(CaseStatus status)
    {
        var html = new StringBuilder();
        if (FirstContactOverdue)
            html.Append("<strong class=\"overdue\" data-testid=\"overdue\">First contact overdue</strong> <span class=\"muted\">due ")
                .Append(Time(FirstContactDueAt!.Value, "yyyy-MM-dd HH:mm")).Append("</span>");
        else if (status == CaseStatus.Referred && FirstContactDueAt is { } due)
            html.Append("<span class=\"muted\" data-testid=\"first-contact-due\">first contact due ").Append(Time(due, "yyyy-MM-dd HH:mm")).Append("</span>");
        if (PacketOverdue)
            html.Append(html.Length > 0 ? " " : "").Append("<strong class=\"overdue\" data-testid=\"packet-overdue\">Packet overdue</strong> <span class=\"muted\">due ")
                .Append(Time(PacketDueAt!.Value, "yyyy-MM-dd")).Append("</span>");
        if (AssignedToMe)
            html.Append(html.Length > 0 ? " " : "").Append("<span class=\"badge\" data-testid=\"mine\">Mine</span>");
        return html.ToString();
    }

    static string Time(DateTimeOffset at, string format)
    {
        var utc = at.ToUniversalTime();
        return $"<time datetime=\"{HtmlEncoder.Default.Encode(utc.ToString("o", CultureInfo.InvariantCulture))}\">{HtmlEncoder.Default.Encode(utc.ToString(format, CultureInfo.InvariantCulture))}</time>";
    }
}

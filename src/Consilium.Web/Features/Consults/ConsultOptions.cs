using System.Globalization;
using System.Security.Cryptography;
using Consilium.Infrastructure;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Consults;

public enum MeetingProvider
{
    /// <summary>A fresh, unguessable room on a self-hosted video service (Jitsi Meet and the like): BaseUrl/prefix-room.</summary>
    RoomUrl,
    /// <summary>Any service whose meeting address can be built from a template with {room} and {slot}.</summary>
    Template,
}

public sealed class ConsultOptions
{
    public const string Section = "Consults";

    public MeetingProvider Provider { get; set; } = MeetingProvider.RoomUrl;

    /// <summary>The self-hosted video service rooms are created on (RoomUrl).</summary>
    public string VideoBaseUrl { get; set; } = "https://meet.consilium.localhost";

    public string RoomPrefix { get; set; } = "consilium";

    /// <summary>For <see cref="MeetingProvider.Template"/>: an absolute https URL containing {room} (and optionally {slot}).</summary>
    public string? UrlTemplate { get; set; }

    /// <summary>How long before the consult the reminder emails go out.</summary>
    public TimeSpan ReminderLead { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A slot closer than this cannot be booked.</summary>
    public TimeSpan MinimumNotice { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often reminders are looked for. Zero turns the timer off on this node.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    internal static bool Validate(ConsultOptions o) =>
        o.ReminderLead > TimeSpan.Zero && o.MinimumNotice >= TimeSpan.Zero && o.CheckInterval >= TimeSpan.Zero
        && !string.IsNullOrWhiteSpace(o.RoomPrefix) && o.RoomPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
        && o.Provider switch
        {
            MeetingProvider.RoomUrl => Uri.TryCreate(o.VideoBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http",
            MeetingProvider.Template => o.UrlTemplate is { } t && t.Contains("{room}", StringComparison.Ordinal)
                && Uri.TryCreate(t.Replace("{room}", "r", StringComparison.Ordinal).Replace("{slot}", "s", StringComparison.Ordinal), UriKind.Absolute, out var v)
                && v.Scheme is "https" or "http",
            _ => false,
        };
}

/// <summary>Where the member and the reviewer meet. Replace the registration to plug in another video service.</summary>
public interface IMeetingLinkProvider
{
    Task<string> CreateAsync(ConsultSlot slot, CancellationToken ct);
}

/// <summary>
/// The configured provider: a room name of 128 random bits (nobody can guess a room, so nobody can walk into one),
/// on the self-hosted service or in the configured template.
/// </summary>
internal sealed class ConfiguredMeetingLinkProvider(IOptions<ConsultOptions> options) : IMeetingLinkProvider
{
    public Task<string> CreateAsync(ConsultSlot slot, CancellationToken ct)
    {
        var o = options.Value;
        var room = $"{o.RoomPrefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        var url = o.Provider == MeetingProvider.Template
            ? o.UrlTemplate!.Replace("{room}", room, StringComparison.Ordinal).Replace("{slot}", slot.Id.ToString("N"), StringComparison.Ordinal)
            : $"{o.VideoBaseUrl.TrimEnd('/')}/{room}";
        return Task.FromResult(url);
    }
}

/// <summary>IANA time zones: validation, local ↔ UTC, and the wording used in emails and pages.</summary>
public static class TimeZones
{
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64) return null;
        // Only IANA names: Windows names would make the stored zone depend on the server that read it.
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone)) return null;
        return zone.HasIanaId || zone.Id == "UTC" ? zone : null;
    }

    public static TimeZoneInfo Require(string? id, string field) =>
        Find(id) ?? throw new RuleViolationException(field, "Give an IANA time zone such as America/Chicago or Europe/London.");

    /// <summary>
    /// The UTC instant of a wall-clock time in <paramref name="zone"/>. A time skipped by a daylight-saving change does
    /// not exist and is refused; a repeated one is taken at its first occurrence.
    /// </summary>
    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone, string field)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
            throw new RuleViolationException(field, $"{date:yyyy-MM-dd} {time:HH:mm} does not exist in {zone.Id}: the clocks skip it for daylight saving time.");
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    public static DateTimeOffset Local(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);

    /// <summary>"Tuesday, March 10, 2026 at 07:00 (America/Los_Angeles, UTC-07:00)".</summary>
    public static string Describe(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = Local(instant, zone);
        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        return local.ToString("dddd, MMMM d, yyyy 'at' HH:mm", CultureInfo.InvariantCulture) +
               $" ({zone.Id}, UTC{sign}{offset.Duration():hh\\:mm})";
    }

    /// <summary>A sensible first choice for a member in a US state: the zone most of its people live in.</summary>
    public static string ForState(string? state) => state?.ToUpperInvariant() switch
    {
        "AK" => "America/Anchorage",
        "HI" => "Pacific/Honolulu",
        "AZ" => "America/Phoenix",
        "CA" or "NV" or "OR" or "WA" => "America/Los_Angeles",
        "CO" or "ID" or "MT" or "NM" or "UT" or "WY" => "America/Denver",
        "AL" or "AR" or "IA" or "IL" or "KS" or "LA" or "MN" or "MO" or "MS" or "ND" or "NE" or "OK" or "SD" or "TN" or "TX" or "WI" => "America/Chicago",
        "PR" or "VI" => "America/Puerto_Rico",
        "GU" or "MP" => "Pacific/Guam",
        _ => "America/New_York",
    };

    public static readonly IReadOnlyList<string> Common =
    [
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
        "Pacific/Honolulu", "America/Puerto_Rico", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "UTC",
    ];
}

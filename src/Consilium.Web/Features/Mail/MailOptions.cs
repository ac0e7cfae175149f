using Consilium.Infrastructure;
using MimeKit;

namespace Consilium.Features.Mail;

public enum MailDelivery
{
    /// <summary>Each email is written as an .eml file to a folder (the embedded pilot's default) and shown on /outbox.</summary>
    Pickup,
    /// <summary>Sent to an SMTP relay with MailKit.</summary>
    Smtp,
}

public enum SmtpSecurity
{
    /// <summary>Plain SMTP: only for a relay on the same machine or a test listener.</summary>
    None,
    /// <summary>STARTTLS is required; a relay that does not offer it is refused.</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>Null: SMTP when <see cref="SmtpSettings.Host"/> is set, the pickup folder otherwise.</summary>
    public MailDelivery? Delivery { get; set; }

    public string From { get; set; } = "Consilium <no-reply@consilium.localhost>";

    /// <summary>Where the pickup delivery writes; relative to the data directory. Default <c>&lt;data&gt;/outbox</c>.</summary>
    public string PickupDirectory { get; set; } = "outbox";

    /// <summary>The address people reach the platform at; links in emails start with it.</summary>
    public string PublicBaseUrl { get; set; } = ConsiliumApp.DefaultUrl;

    public SmtpSettings Smtp { get; set; } = new();

    public MailDelivery EffectiveDelivery => Delivery ?? (string.IsNullOrWhiteSpace(Smtp.Host) ? MailDelivery.Pickup : MailDelivery.Smtp);

    public string FullPickupDirectory(StorageOptions storage) => Path.GetFullPath(PickupDirectory, storage.FullDataDirectory);

    /// <summary>An absolute link to <paramref name="path"/> ("/my") on the public address.</summary>
    public string Link(string path) => PublicBaseUrl.TrimEnd('/') + "/" + path.TrimStart('/');

    internal static bool Validate(MailOptions o) =>
        MailboxAddress.TryParse(o.From, out _)
        && Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
        && !string.IsNullOrWhiteSpace(o.PickupDirectory)
        && (o.EffectiveDelivery != MailDelivery.Smtp || (!string.IsNullOrWhiteSpace(o.Smtp.Host) && o.Smtp.Port is > 0 and < 65536 && o.Smtp.Timeout > TimeSpan.Zero));
}

using System.Text.Json;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Outbox;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Consilium.Features.Mail;

/// <summary>
/// One email as the outbox carries it. Emails say that something is ready and where to sign in or follow a link;
/// they carry no clinical content, because email is not a secure channel.
/// </summary>
public sealed record EmailMessage(string To, string? ToName, string Subject, string Text);

/// <summary>Queues emails into the current unit of work; they leave after it commits (see <see cref="OutboxWriter.Notify"/>).</summary>
public sealed class Mailer(OutboxWriter outbox, IOptions<MailOptions> options)
{
    public const string Kind = "email";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public MailOptions Options => options.Value;

    public void Queue(EmailMessage message)
    {
        if (!MailboxAddress.TryParse(message.To, out _)) throw new RuleViolationException("email", "This is not an email address.");
        outbox.Add(Kind, JsonSerializer.Serialize(message, Json), $"to {message.To}: {message.Subject}");
    }

    /// <summary>Wakes this node's sender once the unit of work that queued the emails has committed.</summary>
    public void Flush() => outbox.Notify();

    public static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Contains('@', StringComparison.Ordinal) && MailboxAddress.TryParse(value.Trim(), out var address) && address.Address == value.Trim();
}

public interface IEmailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>The outbox handler for emails: builds the MIME message and hands it to the configured sender.</summary>
internal sealed class EmailOutboxHandler(IEmailSender sender, IOptions<MailOptions> options, TimeProvider clock) : IOutboxHandler
{
    public string Kind => Mailer.Kind;

    public async Task HandleAsync(string payload, CancellationToken cancellationToken)
    {
        var email = JsonSerializer.Deserialize<EmailMessage>(payload, Mailer.Json) ?? throw new InvalidOperationException("Empty email payload.");
        var message = new MimeMessage { Subject = email.Subject, Date = clock.GetUtcNow() };
        message.From.Add(MailboxAddress.Parse(options.Value.From));
        message.To.Add(new MailboxAddress(email.ToName ?? "", email.To));
        message.Body = new TextPart("plain") { Text = email.Text };
        await sender.SendAsync(message, cancellationToken);
    }
}

internal sealed class SmtpEmailSender(IOptions<MailOptions> options) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        var host = smtp.Host ?? throw new InvalidOperationException("Mail:Smtp:Host is not set.");
        await client.ConnectAsync(host, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName)) await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>
/// Writes each email as an .eml file into the pickup folder (mode 0700 on Unix): the embedded pilot has no mail relay,
/// and /outbox shows what would have been sent. A file appears whole or not at all (written aside, then renamed).
/// </summary>
internal sealed class PickupDirectoryEmailSender(IOptions<MailOptions> options, IOptions<StorageOptions> storage, TimeProvider clock) : IEmailSender
{
    public string Directory => options.Value.FullPickupDirectory(storage.Value);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var directory = Directory;
        if (!System.IO.Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(directory);
            else System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var name = $"{clock.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid():N}.eml";
        var temporary = Path.Combine(directory, name + ".tmp");
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await message.WriteToAsync(file, cancellationToken);
            await file.FlushAsync(cancellationToken);
        }
        File.Move(temporary, Path.Combine(directory, name));
    }
}

public static class MailSetup
{
    public static IServiceCollection AddMail(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section)
            .Validate(MailOptions.Validate, "Mail options are not valid: From must be an address, PublicBaseUrl an absolute http(s) URL, and SMTP delivery needs Mail:Smtp:Host and a port.")
            .ValidateOnStart();
        services.AddScoped<Mailer>();
        services.AddSingleton<IOutboxHandler, EmailOutboxHandler>();
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<PickupDirectoryEmailSender>();
        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<MailOptions>>().Value.EffectiveDelivery == MailDelivery.Smtp
            ? sp.GetRequiredService<SmtpEmailSender>()
            : sp.GetRequiredService<PickupDirectoryEmailSender>());
        return services;
    }
}

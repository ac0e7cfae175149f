using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using MimeKit;

namespace Consilium.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 (RFC 5321's plain commands, no TLS, no auth): the platform connects to it with MailKit
/// exactly as it would to a relay, and every message it accepts is parsed with MimeKit for the test to read.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Channel<MimeMessage> _received = Channel.CreateUnbounded<MimeMessage>();
    readonly List<MimeMessage> _all = [];
    readonly Task _loop;

    public SmtpTestServer()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections the server accepted: proof that the app really spoke SMTP.</summary>
    public int Connections { get; private set; }

    public IReadOnlyList<MimeMessage> All { get { lock (_all) return _all.ToList(); } }

    /// <summary>The next message for which <paramref name="match"/> holds, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<MimeMessage> WaitForAsync(Func<MimeMessage, bool> match, TimeSpan? timeout = null)
    {
        lock (_all)
        {
            if (_all.FirstOrDefault(match) is { } seen) return seen;
        }
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(cts.Token);
                if (match(message)) return message;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No matching email arrived. Received: " + string.Join(" | ", All.Select(m => $"{m.To}: {m.Subject}")));
        }
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            Connections++;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost test SMTP ready");
        while (await reader.ReadLineAsync() is { } line)
        {
            var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
            switch (command)
            {
                case "EHLO":
                    await writer.WriteAsync("250-localhost\r\n250 8BITMIME\r\n");
                    break;
                case "HELO":
                case "MAIL":
                case "RCPT":
                case "RSET":
                case "NOOP":
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.ToString())));
                    lock (_all) _all.Add(message);
                    _received.Writer.TryWrite(message);
                    await writer.WriteLineAsync("250 OK queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 Command not implemented");
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Consilium.Tests.Infrastructure;

/// <summary>Runs a helper program to completion; a failure carries its output.</summary>
static class HelperPrograms
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<string> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(cts.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {output}");
        return output;
    }

    public static Task SignalAsync(int pid, string signal) => RunAsync("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
}

/// <summary>
/// A PostgreSQL cluster of the test's own, so a test can stop and restart it without disturbing the rest of the suite
/// (which shares the one ./test starts). Binaries come from CONSILIUM_TEST_PG_BIN (set by ./test) or the newest
/// /usr/lib/postgresql/*/bin. As root, the cluster belongs to the postgres system user, as PostgreSQL requires.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string BinVariable = "CONSILIUM_TEST_PG_BIN";

    readonly string _bin;
    readonly string _directory;

    PostgresCluster(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    string Data => Path.Combine(_directory, "data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size=30;Timeout=5;Command Timeout=30";

    public static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } configured && File.Exists(Path.Combine(configured, "initdb"))) return configured;
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .LastOrDefault();
    }

    public static async Task<PostgresCluster> StartAsync(string bin)
    {
        var directory = Directory.CreateTempSubdirectory("consilium-pg-").FullName;
        if (HelperPrograms.IsRoot) await HelperPrograms.RunAsync("chown", ["postgres:postgres", directory]);
        var cluster = new PostgresCluster(bin, directory, ConsiliumProcess.FreePort());
        await cluster.AsPostgresAsync("initdb", "-D", cluster.Data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8");
        await cluster.StartAsync();
        return cluster;
    }

    public Task StartAsync() => AsPostgresAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_directory, "server.log"), "-w", "-o",
        $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=120",
        "start");

    /// <summary>A fast shutdown: open transactions are rolled back and every connection is closed, as in a real restart.</summary>
    public Task StopAsync() => AsPostgresAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public async Task CreateDatabaseAsync(string name)
    {
        await using var admin = new Npgsql.NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
    }

    Task AsPostgresAsync(string tool, params string[] args) =>
        HelperPrograms.IsRoot
            ? HelperPrograms.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : HelperPrograms.RunAsync(Path.Combine(_bin, tool), args);

    public async ValueTask DisposeAsync()
    {
        try { await AsPostgresAsync("pg_ctl", "-D", Data, "-m", "immediate", "stop"); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// nginx from Debian as the reverse proxy in front of the nodes, on loopback, with a generated configuration and every
/// path it writes in a temporary directory. CONSILIUM_TEST_NGINX (set by ./test) names the binary.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    public const string Variable = "CONSILIUM_TEST_NGINX";

    readonly Process _process;
    readonly string _directory;

    NginxProxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public static string? FindBinary() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured && File.Exists(configured) ? configured
        : File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null;

    /// <summary>The configuration docs/deployment.md describes, on loopback: both nodes, passive health checks, streamed uploads.</summary>
    public static string Configuration(string directory, int port, IEnumerable<int> upstreams) => $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log warn;
        events { worker_connections 1024; }
        http {
            access_log off;
            client_body_temp_path {{directory}}/body;
            proxy_temp_path {{directory}}/proxy;
            fastcgi_temp_path {{directory}}/fastcgi;
            uwsgi_temp_path {{directory}}/uwsgi;
            scgi_temp_path {{directory}}/scgi;
            upstream consilium {
        {{string.Concat(upstreams.Select(p => $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n"))}}
                keepalive 32;
            }
            server {
                listen 127.0.0.1:{{port}};
                client_max_body_size 0;
                location / {
                    proxy_pass http://consilium;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_request_buffering off;
                    proxy_buffering off;
                    proxy_connect_timeout 2s;
                    proxy_read_timeout 300s;
                    proxy_send_timeout 300s;
                    proxy_next_upstream error timeout http_502;
                }
            }
        }
        """;

    public static async Task<NginxProxy> StartAsync(string binary, IEnumerable<int> upstreams)
    {
        var directory = Directory.CreateTempSubdirectory("consilium-nginx-").FullName;
        var port = ConsiliumProcess.FreePort();
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, Configuration(directory, port, upstreams));
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", directory, "-c", config }) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var proxy = new NginxProxy(process, directory, port);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"nginx exited {process.ExitCode}: {(File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log")) : "")}");
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return proxy;
            }
            catch (System.Net.Sockets.SocketException) { await Task.Delay(50); }
        }
        throw new TimeoutException("nginx did not start listening within 20 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}

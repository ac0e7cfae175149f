using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Consilium.Cli;

/// <summary>
/// `./consilium loadtest`: sustained mixed API traffic against a running deployment, bounded in time and requests, on
/// loopback only. Mix per operation: 55% worklist reads, 25% case reads, 12% transitions (a new case moved to Intake),
/// 8% document uploads (256 KiB PDF) when --upload-case names a case with an active authorization. Optionally the same
/// closed loop against a baseline URL (e.g. a node's /health/live) as the ceiling of the machine.
/// </summary>
static class LoadTestCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base address to load, e.g. the nginx in front of the nodes. Loopback only.", Required = true };
        var token = new Option<string>("--token") { Description = "A coordinator's personal access token (./consilium token).", Required = true };
        var duration = new Option<TimeSpan>("--duration") { Description = "How long to run (e.g. 00:00:30).", DefaultValueFactory = _ => TimeSpan.FromSeconds(30) };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 16 };
        var rate = new Option<int>("--rate") { Description = "Operations per second at most (0: as fast as the server answers).", DefaultValueFactory = _ => 0 };
        var maxRequests = new Option<int>("--max-requests") { Description = "Stop after this many requests.", DefaultValueFactory = _ => 200_000 };
        var program = new Option<Guid>("--program") { Description = "Program for the cases the transitions open.", Required = true };
        var member = new Option<Guid>("--member") { Description = "Member (in --program) for the cases the transitions open.", Required = true };
        var uploadCase = new Option<Guid?>("--upload-case") { Description = "A case with an active authorization to upload documents to; without it no uploads." };
        var baseline = new Option<string?>("--baseline") { Description = "A plain endpoint to load the same way for the ceiling, e.g. http://127.0.0.1:5080/health/live." };
        var command = new Command("loadtest", "Sustained mixed traffic (worklist, case reads, transitions, uploads) against a running deployment on loopback; prints throughput, p50/p99 and errors.");
        foreach (var o in new Option[] { url, token, duration, concurrency, rate, maxRequests, program, member, uploadCase, baseline }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await ConsiliumCli.Guard(async () =>
        {
            var target = Address(parse.GetValue(url)!, "--url");
            var plain = parse.GetValue(baseline) is { } b ? Address(b, "--baseline") : null;
            if (!target.IsLoopback || plain is { IsLoopback: false })
                throw new ArgumentException("loadtest runs against loopback addresses only (127.0.0.1, ::1, localhost).");
            var limits = new Limits(parse.GetValue(duration), parse.GetValue(concurrency), parse.GetValue(rate), parse.GetValue(maxRequests));
            if (limits.Concurrency is < 1 or > 512 || limits.Duration <= TimeSpan.Zero || limits.Duration > TimeSpan.FromMinutes(10))
                throw new ArgumentException("--concurrency is 1..512 and --duration at most 10 minutes.");

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = limits.Concurrency * 2 }) { BaseAddress = target, Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", parse.GetValue(token));
            var list = JsonNode.Parse(await http.GetStringAsync("/api/cases?pageSize=50", ct))!;
            var caseIds = list["items"]!.AsArray().Select(i => (string)i!["id"]!).ToArray();
            if (caseIds.Length == 0) throw new ArgumentException("The token's user sees no cases to read.");
            var pdf = Pdf(256 * 1024);
            var programId = parse.GetValue(program);
            var memberId = parse.GetValue(member);
            var uploadTo = parse.GetValue(uploadCase);

            async Task<bool> Operation(Recorder r, Random random)
            {
                var pick = random.Next(100);
                if (pick < 55) return await r.TimeAsync("worklist", () => http.GetAsync("/api/cases?pageSize=25", ct));
                if (pick < 80) return await r.TimeAsync("case", () => http.GetAsync($"/api/cases/{caseIds[random.Next(caseIds.Length)]}", ct));
                if (pick < 92 || uploadTo is null)
                {
                    HttpResponseMessage? created = null;
                    if (!await r.TimeAsync("open case", async () => created = await http.PostAsJsonAsync("/api/cases",
                            new { programId, memberId, category = "Spine", concern = "Load test", startAt = "Referred" }, ct), keep: true)) return false;
                    var body = JsonNode.Parse(await created!.Content.ReadAsStringAsync(ct))!;
                    created.Dispose();
                    return await r.TimeAsync("transition", () => http.PostAsJsonAsync($"/api/cases/{(string)body["id"]!}/transitions",
                        new { to = "Intake", version = (int)body["version"]! }, ct));
                }
                // A new file each time (the duplicate check would otherwise answer from the first): bytes before the trailer vary.
                var file = pdf.ToArray();
                BitConverter.TryWriteBytes(file.AsSpan(file.Length - 64), random.NextInt64());
                return await r.TimeAsync("upload", () => http.PostAsync($"/api/cases/{uploadTo}/documents?fileName=load.pdf",
                    new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }, ct));
            }

            var result = await RunAsync(limits, Operation, ct);
            Console.WriteLine(result.Report($"mixed traffic against {target}"));
            if (plain is not null)
            {
                using var raw = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = limits.Concurrency * 2 }) { Timeout = TimeSpan.FromSeconds(60) };
                var ceiling = await RunAsync(limits with { Rate = 0 }, (r, _) => r.TimeAsync("baseline", () => raw.GetAsync(plain, ct)), ct);
                Console.WriteLine(ceiling.Report($"baseline {plain}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: {result.PerSecond / ceiling.PerSecond:P1} of the baseline's requests per second"));
            }
            return result.Errors == 0 ? 0 : 1;
        }));
        return command;
    }

    static Uri Address(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new ArgumentException($"{option} is an absolute http(s) address.");

    sealed record Limits(TimeSpan Duration, int Concurrency, int Rate, int MaxRequests);

    static async Task<Recorder> RunAsync(Limits limits, Func<Recorder, Random, Task<bool>> operation, CancellationToken ct)
    {
        var recorder = new Recorder(limits.MaxRequests);
        var clock = Stopwatch.StartNew();
        long started = 0;
        async Task Worker(int seed)
        {
            var random = new Random(seed);
            while (clock.Elapsed < limits.Duration && !recorder.Full && !ct.IsCancellationRequested)
            {
                if (limits.Rate > 0)
                {
                    var n = Interlocked.Increment(ref started);
                    var due = TimeSpan.FromSeconds((double)n / limits.Rate);
                    if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct);
                    if (clock.Elapsed >= limits.Duration) break;
                }
                await operation(recorder, random);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, limits.Concurrency).Select(i => Task.Run(() => Worker(i + 1), ct)));
        recorder.Elapsed = clock.Elapsed;
        return recorder;
    }

    sealed class Recorder(int maxRequests)
    {
        readonly object _lock = new();
        readonly List<double> _latencies = [];
        readonly Dictionary<string, int> _counts = [];
        readonly Dictionary<string, int> _errors = [];

        public TimeSpan Elapsed { get; set; }
        public bool Full { get { lock (_lock) return _latencies.Count >= maxRequests; } }
        public int Errors { get { lock (_lock) return _errors.Values.Sum(); } }
        public double PerSecond { get { lock (_lock) return _latencies.Count / Elapsed.TotalSeconds; } }

        public async Task<bool> TimeAsync(string kind, Func<Task<HttpResponseMessage>> send, bool keep = false)
        {
            var watch = Stopwatch.StartNew();
            string? error = null;
            HttpResponseMessage? response = null;
            try
            {
                response = await send();
                if (!response.IsSuccessStatusCode) error = $"{kind} {(int)response.StatusCode}";
                else if (!keep) await response.Content.LoadIntoBufferAsync();
            }
            catch (HttpRequestException e)
            {
                error = $"{kind} {e.HttpRequestError}";
            }
            catch (TaskCanceledException)
            {
                error = $"{kind} timeout";
            }
            finally
            {
                if (!keep || error is not null) response?.Dispose();
            }
            lock (_lock)
            {
                _latencies.Add(watch.Elapsed.TotalMilliseconds);
                _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
                if (error is not null) _errors[error] = _errors.GetValueOrDefault(error) + 1;
            }
            return error is null;
        }

        public string Report(string title)
        {
            lock (_lock)
            {
                var sorted = _latencies.Order().ToArray();
                double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"{title}: {sorted.Length} requests in {Elapsed.TotalSeconds:0.0} s = {sorted.Length / Elapsed.TotalSeconds:0} req/s; ");
                text.Append(CultureInfo.InvariantCulture, $"p50 {At(0.50):0.0} ms, p99 {At(0.99):0.0} ms, max {(sorted.Length == 0 ? 0 : sorted[^1]):0.0} ms; errors {_errors.Values.Sum()}");
                text.AppendLine();
                text.Append("  mix: ").AppendJoin(", ", _counts.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"));
                if (_errors.Count > 0) text.AppendLine().Append("  errors: ").AppendJoin(", ", _errors.Select(k => $"{k.Key} x{k.Value}"));
                return text.ToString();
            }
        }
    }

    static byte[] Pdf(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        Encoding.ASCII.GetBytes("%PDF-1.4\n% load\n").CopyTo(bytes, 0);
        var tail = Encoding.ASCII.GetBytes("\ntrailer\n<< >>\n%%EOF\n");
        tail.CopyTo(bytes, length - tail.Length);
        return bytes;
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Documents;
using Consilium.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Scale;

/// <summary>Faults on the two-node layout, each checked for what was lost or half-written: nothing may be.</summary>
[Collection(TwoNodeCollection.Name)]
public sealed class FaultTests(TwoNodes nodes)
{
    [Fact]
    public async Task NodeKilledMidUpload_LeavesNoDocumentRowAndNoBlob_AndTheRetryThroughTheProxyStoresTheWholeFile()
    {
        nodes.SkipIfUnavailable();
        await nodes.StartAsync(nodes.A);
        var caseId = await nodes.CaseCollectingRecordsAsync(nodes.Proxy.Url);
        var content = LargePdf(48 << 20);
        var blobsBefore = Blobs();
        int documentsBefore;
        await using (var db = nodes.NewContext()) documentsBefore = await db.Set<CaseDocument>().CountAsync(d => d.CaseId == caseId);

        using var direct = TwoNodes.Client(nodes.A.Url, nodes.CoordinatorToken);
        var gate = new GatedContent(content, sendFirst: 16 << 20);
        var upload = direct.PostAsync($"/api/cases/{caseId}/documents?fileName=ct-report.pdf", gate);
        await gate.FirstPartSent.WaitAsync(TimeSpan.FromSeconds(60));
        // The server is writing the blob when it dies.
        await MultiNodeTests.WaitUntilAsync(() => Task.FromResult(Directory.EnumerateFiles(nodes.FilesDirectory, "*.tmp", SearchOption.AllDirectories).Any()),
            TimeSpan.FromSeconds(30), "node A to start writing the upload");
        await nodes.A.Process.KillHardAsync();
        // The client notices when it tries to send the rest.
        gate.Release();
        await Assert.ThrowsAnyAsync<Exception>(() => upload.WaitAsync(TimeSpan.FromSeconds(60)));

        await using (var db = nodes.NewContext())
        {
            Assert.Equal(documentsBefore, await db.Set<CaseDocument>().CountAsync(d => d.CaseId == caseId));
            // Every document row of the case points at a complete blob: present under its final name, never at a partial
            // file. (Only this case's: the storage-full test keeps its documents on a node with a volume of its own.)
            var referenced = await db.Set<CaseDocument>().Where(d => d.CaseId == caseId).Select(d => d.BlobId).ToListAsync();
            Assert.All(referenced, id => Assert.True(File.Exists(Path.Combine(nodes.FilesDirectory, id[..2], id + ".blob")), $"blob {id} of a document row exists"));
        }
        Assert.Equal(blobsBefore, Blobs());

        // The client retries through the proxy; the surviving node stores the whole file.
        using var proxied = TwoNodes.Client(nodes.Proxy.Url, nodes.CoordinatorToken);
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var stored = await (await proxied.PostAsync($"/api/cases/{caseId}/documents?fileName=ct-report.pdf", body)).JsonAsync(HttpStatusCode.Created);
        var read = await proxied.GetByteArrayAsync($"/api/documents/{(string)stored["id"]!}/content");
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(read));
        Assert.Single(Blobs().Except(blobsBefore));
        await nodes.StartAsync(nodes.A);
    }

    [Fact]
    public async Task PostgresRestartedWithRequestsInFlight_EachRequestSucceedsOrGets503WithRetryAfter_NothingHalfCommitted_NodesRecoverUnrestarted()
    {
        nodes.SkipIfUnavailable();
        await nodes.StartAsync(nodes.A);
        var pids = (nodes.A.Pid, nodes.B.Pid);
        var prefix = "PGR-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var outcomes = new ConcurrentBag<(string ExternalId, HttpStatusCode Status, string? RetryAfter, string Body)>();
        using var stop = new CancellationTokenSource();
        var counter = 0;

        async Task LoopAsync(string url)
        {
            using var http = TwoNodes.Client(url, nodes.CoordinatorToken);
            while (!stop.IsCancellationRequested)
            {
                var externalId = prefix + Interlocked.Increment(ref counter);
                var response = await http.PostJsonAsync("/api/members", new
                {
                    programId = nodes.ProgramId, externalId, firstName = "Pat", lastName = "Restart", dateOfBirth = "1980-05-06", sex = "Male", state = "OH",
                });
                outcomes.Add((externalId, response.StatusCode, response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync()));
                var list = await http.GetAsync("/api/cases?pageSize=5");
                outcomes.Add(("", list.StatusCode, list.Headers.RetryAfter?.ToString(), await list.Content.ReadAsStringAsync()));
            }
        }

        var loops = Enumerable.Range(0, 6).Select(i => Task.Run(() => LoopAsync(i % 3 == 0 ? nodes.Proxy.Url : i % 3 == 1 ? nodes.A.Url : nodes.B.Url))).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await nodes.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await nodes.Postgres.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        stop.Cancel();
        await Task.WhenAll(loops);
        // The test's own pooled connections died with the server too.
        Npgsql.NpgsqlConnection.ClearAllPools();

        Assert.All(outcomes, o => Assert.True(o.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable,
            $"{(int)o.Status}: {o.Body}"));
        var unavailable = outcomes.Where(o => o.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, o =>
        {
            Assert.False(string.IsNullOrEmpty(o.RetryAfter), "a 503 says when to retry");
            Assert.Equal("database-unavailable", (string?)JsonNode.Parse(o.Body)!["code"]);
        });

        // The nodes recover by themselves: the same processes answer again, and what they answered is what is stored.
        Assert.Equal(pids, (nodes.A.Pid, nodes.B.Pid));
        Assert.False(nodes.A.Process.HasExited || nodes.B.Process.HasExited, "both nodes survived the database restart");
        foreach (var node in new[] { nodes.A, nodes.B })
        {
            using var http = TwoNodes.Client(node.Url, nodes.CoordinatorToken);
            await MultiNodeTests.WaitUntilAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), $"node {node.Name} ready");
            var after = await http.PostJsonAsync("/api/members", new
            {
                programId = nodes.ProgramId, externalId = prefix + "after-" + node.Name, firstName = "Pat", lastName = "Restart", dateOfBirth = "1980-05-06", sex = "Male", state = "OH",
            });
            Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        }

        await using (var db = nodes.NewContext())
        {
            var stored = await db.Members.AsNoTracking().Where(m => m.ExternalId.StartsWith(prefix)).Select(m => new { m.Id, m.ExternalId }).ToListAsync();
            var created = outcomes.Where(o => o.Status == HttpStatusCode.Created).Select(o => o.ExternalId).ToHashSet();
            Assert.All(created, id => Assert.Contains(stored, m => m.ExternalId == id));
            // A member either exists with the audit entry of its creation (same transaction) or not at all.
            var ids = stored.Select(m => m.Id.ToString()).ToList();
            var audited = await db.AuditEntries.AsNoTracking().Where(e => e.ObjectType == "Member" && e.Action == AuditAction.Create && ids.Contains(e.ObjectId!))
                .Select(e => e.ObjectId).Distinct().CountAsync();
            Assert.Equal(stored.Count, audited);
        }
        var verify = await nodes.CliAsync("audit", "verify", "--db", nodes.Database);
        Assert.True(verify.ExitCode == 0, verify.Output);
    }

    [Fact]
    public async Task StorageFull_UploadAnswers507StorageFull_LeavesNoFileAndNoRow_AndSmallerFilesStillFit()
    {
        nodes.SkipIfUnavailable();
        Assert.SkipUnless(HelperPrograms.IsRoot, "mounting a small tmpfs as the storage path needs root");
        var mount = Directory.CreateTempSubdirectory("consilium-full-").FullName;
        try
        {
            await HelperPrograms.RunAsync("mount", ["-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", mount]);
        }
        catch (InvalidOperationException e)
        {
            Assert.Skip("cannot mount a tmpfs here: " + e.Message);
        }
        var c = new Node("C", ConsiliumProcess.FreePort());
        try
        {
            var environment = nodes.NodeEnvironment;
            environment["Storage__Documents__Root"] = mount;
            environment["Storage__Documents__KeyDirectory"] = Path.Combine(nodes.DataDirectory, "keys");
            c.Process = ConsiliumProcess.Start(nodes.Home, environment, "serve", "--db", nodes.Database, "--urls", c.Url);
            Assert.True(await c.Process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(90)), c.Process.Output);
            var caseId = await nodes.CaseCollectingRecordsAsync(nodes.Proxy.Url); // its consent PDF goes to the shared storage, not to the small volume
            int documentsBefore;
            await using (var db = nodes.NewContext()) documentsBefore = await db.Set<CaseDocument>().CountAsync(d => d.CaseId == caseId);

            using var http = TwoNodes.Client(c.Url, nodes.CoordinatorToken);
            var tooBig = new ByteArrayContent(LargePdf(12 << 20));
            tooBig.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            var refused = await (await http.PostAsync($"/api/cases/{caseId}/documents?fileName=big.pdf", tooBig)).JsonAsync(HttpStatusCode.InsufficientStorage);
            Assert.Equal("storage-full", (string?)refused["code"]);
            var left = Directory.EnumerateFiles(mount, "*", SearchOption.AllDirectories).Select(f => $"{f} ({new FileInfo(f).Length} bytes)").ToList();
            Assert.True(left.Count == 0, "nothing is left on the full volume: " + string.Join(", ", left));
            await using (var db = nodes.NewContext()) Assert.Equal(documentsBefore, await db.Set<CaseDocument>().CountAsync(d => d.CaseId == caseId));

            var small = new ByteArrayContent(LargePdf(1 << 20));
            small.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            await (await http.PostAsync($"/api/cases/{caseId}/documents?fileName=small.pdf", small)).JsonAsync(HttpStatusCode.Created);
            Assert.Single(Directory.EnumerateFiles(mount, "*.blob", SearchOption.AllDirectories));
        }
        finally
        {
            if (c.Process is not null) await c.Process.DisposeAsync();
            await HelperPrograms.RunAsync("umount", [mount]);
            Directory.Delete(mount);
        }
    }

    HashSet<string> Blobs() => Directory.Exists(nodes.FilesDirectory)
        ? Directory.EnumerateFiles(nodes.FilesDirectory, "*.blob", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).ToHashSet()
        : [];

    /// <summary>A PDF of the given size: header, random (incompressible, unique) filler, trailer.</summary>
    static byte[] LargePdf(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        var head = Encoding.ASCII.GetBytes("%PDF-1.4\n% filler\n");
        var tail = Encoding.ASCII.GetBytes("\ntrailer\n<< >>\n%%EOF\n");
        head.CopyTo(bytes, 0);
        tail.CopyTo(bytes, length - tail.Length);
        return bytes;
    }

    /// <summary>Sends the first part of a body, then holds the rest back until released: an upload caught in the middle.</summary>
    sealed class GatedContent(byte[] content, int sendFirst) : HttpContent
    {
        readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPartSent => _sent.Task;
        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(content.AsMemory(0, sendFirst));
            await stream.FlushAsync();
            _sent.TrySetResult();
            await _release.Task;
            await stream.WriteAsync(content.AsMemory(sendFirst));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = content.Length;
            return true;
        }
    }
}

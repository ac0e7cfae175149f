using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Consilium.Features.Audit;
using Consilium.Features.Documents;
using Consilium.Features.Identity;
using Consilium.Infrastructure.Storage;
using Consilium.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Documents;

/// <summary>The platform on Kestrel (real sockets, so a connection can really be cut part-way) on each database kind.</summary>
public sealed class KestrelAppFixture : IAsyncDisposable
{
    readonly Dictionary<DatabaseKind, Lazy<Task<TestApp>>> _apps = Enum.GetValues<DatabaseKind>()
        .ToDictionary(k => k, k => new Lazy<Task<TestApp>>(() => TestApp.StartAsync(k, app =>
        {
            // The tests run the expiry sweep themselves, on the controllable clock.
            app.With("Documents:ResumableSweepInterval", "00:00:00");
            app.UseKestrel(0);
        })));

    public Task<TestApp> AppAsync(DatabaseKind kind) => _apps[kind].Value;

    public static Uri BaseAddress(TestApp app) => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
        .Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1"));

    public static HttpClient ClientFor(TestApp app, TestUser? user)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress(app) };
        if (user is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.Values.Where(a => a.IsValueCreated))
            if (app.Value.IsCompletedSuccessfully) await (await app.Value).DisposeAsync();
    }
}

/// <summary>tus 1.0.0 against the real app: creation, offsets, a connection cut part-way, resuming, completion into the ordinary pipeline.</summary>
public sealed class ResumableUploadTests(KestrelAppFixture fixture) : IClassFixture<KestrelAppFixture>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A PDF the pipeline accepts (header, random body, %%EOF), unique so it is never a duplicate of another test's.</summary>
    internal static byte[] RandomPdf(int length)
    {
        var bytes = new byte[length];
        RandomNumberGenerator.Fill(bytes);
        DocumentTestData.Pdf("resumable").CopyTo(bytes, 0);
        "\n%%EOF\n"u8.CopyTo(bytes.AsSpan(length - 7));
        return bytes;
    }

    static string Metadata(string fileName, string type = "application/pdf") =>
        $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes(fileName))},filetype {Convert.ToBase64String(Encoding.UTF8.GetBytes(type))}";

    static HttpRequestMessage Tus(HttpMethod method, string url, string? version = ResumableUploadsApi.Version)
    {
        var request = new HttpRequestMessage(method, url);
        if (version is not null) request.Headers.Add("Tus-Resumable", version);
        return request;
    }

    static async Task<string> CreateAsync(HttpClient client, Guid caseId, long length, string fileName = "MRI lumbar – Zelda.pdf")
    {
        using var request = Tus(HttpMethod.Post, $"/api/cases/{caseId}/uploads");
        request.Headers.Add("Upload-Length", length.ToString());
        request.Headers.Add("Upload-Metadata", Metadata(fileName));
        request.Content = new ByteArrayContent([]);
        using var response = await client.SendAsync(request, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
        Assert.True(DateTimeOffset.TryParse(response.Headers.GetValues("Upload-Expires").Single(), out _));
        return response.Headers.Location!.ToString();
    }

    static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, long offset, ReadOnlyMemory<byte> bytes, string? version = ResumableUploadsApi.Version)
    {
        using var request = Tus(HttpMethod.Patch, url, version);
        request.Headers.Add("Upload-Offset", offset.ToString());
        request.Content = new ReadOnlyMemoryContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ResumableUploadsApi.OffsetContentType);
        return await client.SendAsync(request, Ct);
    }

    static async Task<long> OffsetAsync(HttpClient client, string url)
    {
        using var request = Tus(HttpMethod.Head, url);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single());
    }

    /// <summary>
    /// A PATCH that announces <paramref name="announced"/> bytes, sends <paramref name="sent"/> and closes the connection
    /// part-way: the server must keep what it had received.
    /// </summary>
    static async Task PatchCutShortAsync(TestApp app, TestUser user, string url, Guid uploadId, long offset, byte[] sent, long announced)
    {
        var address = KestrelAppFixture.BaseAddress(app);
        using var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port, Ct);
        var stream = socket.GetStream();
        var head = $"PATCH {url} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {user.Token}\r\nTus-Resumable: 1.0.0\r\n" +
                   $"Upload-Offset: {offset}\r\nContent-Type: {ResumableUploadsApi.OffsetContentType}\r\nContent-Length: {announced}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.WriteAsync(sent, Ct);
        await stream.FlushAsync(Ct);
        // Once the store has sealed two chunks (64 KiB each) of this PATCH, the connection goes away.
        await WaitUntilAsync(() => Task.FromResult(Directory.EnumerateFiles(app.DataDirectory, "*.blob.tmp", SearchOption.AllDirectories)
            .Any(f => new FileInfo(f).Length >= 512 + 2 * (65536 + 16))));
        socket.Client.Shutdown(SocketShutdown.Send);
        socket.Close();
        await WaitUntilAsync(() => app.WithDbAsync(d => d.Set<ResumableUpload>().AnyAsync(u => u.Id == uploadId && u.LockToken == null && u.Offset > offset, Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Upload_CutPartWayThenResumed_BecomesOneIdenticalDocument(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await DocumentCase.ArrangeAsync(app, clientFor: u => KestrelAppFixture.ClientFor(app, u));
        using var client = KestrelAppFixture.ClientFor(app, c.Patient);
        var file = RandomPdf(600_000);

        var url = await CreateAsync(client, c.CaseId, file.Length);
        var uploadId = Guid.Parse(url[(url.LastIndexOf('/') + 1)..]);
        Assert.Equal(0, await OffsetAsync(client, url));

        using (var first = await PatchAsync(client, url, 0, file.AsMemory(0, 250_000)))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal("250000", first.Headers.GetValues("Upload-Offset").Single());
        }
        // The connection breaks part-way through the second PATCH: what the server had received is kept.
        await PatchCutShortAsync(app, c.Patient, url, uploadId, 250_000, file[250_000..450_000], announced: file.Length - 250_000);
        var offset = await OffsetAsync(client, url);
        Assert.True(offset is >= 250_000 + 131_072 and <= 450_000, $"offset {offset}; logs: " + string.Join(" | ", app.Logs.Lines.Where(m => !m.Contains("EntityFramework")).TakeLast(25)));

        using (var stale = await PatchAsync(client, url, 250_000, file.AsMemory(250_000)))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Equal("offset-mismatch", (string?)(await stale.JsonAsync(HttpStatusCode.Conflict))["code"]);
        }
        string documentUrl;
        using (var last = await PatchAsync(client, url, offset, file.AsMemory((int)offset)))
        {
            Assert.True(last.StatusCode == HttpStatusCode.NoContent, await last.Content.ReadAsStringAsync(Ct));
            Assert.Equal(file.Length.ToString(), last.Headers.GetValues("Upload-Offset").Single());
            documentUrl = last.Headers.GetValues(ResumableUploadsApi.DocumentHeader).Single();
        }
        // Repeating the final request (its answer lost, say) changes nothing.
        using (var again = await PatchAsync(client, url, file.Length, ReadOnlyMemory<byte>.Empty))
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(file.Length, await OffsetAsync(client, url));

        var content = await client.GetByteArrayAsync(documentUrl + "/content?download=true", Ct);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), Convert.ToHexStringLower(SHA256.HashData(content)));
        var documents = await app.WithDbAsync(d => d.Set<CaseDocument>().Where(x => x.CaseId == c.CaseId).ToListAsync(Ct));
        var document = Assert.Single(documents);
        Assert.Equal((DocumentType.Pdf, "MRI lumbar – Zelda.pdf", Convert.ToHexStringLower(SHA256.HashData(file))), (document.Type, document.FileName, document.Sha256));
        // The pieces are gone once the document exists; what the request sent is in the audit trail, without the file name.
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<UploadSegment>().CountAsync(s => s.UploadId == uploadId, Ct)));
        var audit = await app.WithDbAsync(d => d.AuditEntries.Where(a => a.ObjectType == "Upload" && a.ObjectId == uploadId.ToString()).ToListAsync(Ct));
        Assert.Contains(audit, a => a.Action == AuditAction.Create);
        Assert.Contains(audit, a => a.Action == AuditAction.Update && a.Reason!.Contains("connection cut"));
        Assert.True(audit.Count(a => a.Action == AuditAction.Read) >= 3);
        Assert.All(audit, a => Assert.DoesNotContain("Zelda", a.Reason ?? ""));
        Assert.Single(await app.WithDbAsync(d => d.AuditEntries.Where(a => a.ObjectType == "Document" && a.ObjectId == document.Id.ToString() && a.Action == AuditAction.Create).ToListAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task TwoRequestsForTheLastBytes_OneWins_TheDocumentIsStoredOnce(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await DocumentCase.ArrangeAsync(app, clientFor: u => KestrelAppFixture.ClientFor(app, u));
        using var client = KestrelAppFixture.ClientFor(app, c.Coordinator);
        var file = RandomPdf(300_000);
        var url = await CreateAsync(client, c.CaseId, file.Length);
        var uploadId = Guid.Parse(url[(url.LastIndexOf('/') + 1)..]);

        // The first PATCH sends part of the body and waits: it holds the upload while it does.
        var gate = new TaskCompletionSource();
        var slow = PatchAsync(client, url, 0, file, gateAfter: 100_000, gate.Task);
        await WaitUntilAsync(() => app.WithDbAsync(d => d.Set<ResumableUpload>().AnyAsync(u => u.Id == uploadId && u.LockToken != null, Ct)));
        using (var second = await PatchAsync(client, url, 0, file))
            Assert.Equal((HttpStatusCode)423, second.StatusCode);
        gate.SetResult();
        using (var first = await slow) Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using (var third = await PatchAsync(client, url, 0, file)) Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);

        Assert.Equal(1, await app.WithDbAsync(d => d.Set<CaseDocument>().CountAsync(x => x.CaseId == c.CaseId, Ct)));
    }

    static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, long offset, byte[] bytes, int gateAfter, Task gate)
    {
        using var request = Tus(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString());
        request.Content = new StreamContent(new GatedStream(bytes, gateAfter, gate));
        request.Content.Headers.ContentLength = bytes.Length;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ResumableUploadsApi.OffsetContentType);
        return await client.SendAsync(request, Ct);
    }

    static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true within 20 s");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Gives <c>gateAfter</c> bytes, then waits for <c>gate</c> before the rest.</summary>
    sealed class GatedStream(byte[] bytes, int gateAfter, Task gate) : MemoryStream(bytes, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= gateAfter) await gate.WaitAsync(cancellationToken);
            return await base.ReadAsync(Position < gateAfter ? buffer[..(int)Math.Min(buffer.Length, gateAfter - Position)] : buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Protocol_RefusesWrongVersionTooLargeAndForeignUploads(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await DocumentCase.ArrangeAsync(app, clientFor: u => KestrelAppFixture.ClientFor(app, u));
        using var member = KestrelAppFixture.ClientFor(app, c.Patient);

        using (var options = await member.SendAsync(new HttpRequestMessage(HttpMethod.Options, $"/api/cases/{c.CaseId}/uploads"), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
            Assert.Equal("1.0.0", options.Headers.GetValues("Tus-Version").Single());
            Assert.Equal("creation,termination,expiration", options.Headers.GetValues("Tus-Extension").Single());
            Assert.Equal((4L << 30).ToString(), options.Headers.GetValues("Tus-Max-Size").Single());
        }
        using (var tooLarge = Tus(HttpMethod.Post, $"/api/cases/{c.CaseId}/uploads"))
        {
            tooLarge.Headers.Add("Upload-Length", (5L << 30).ToString());
            using var response = await member.SendAsync(tooLarge, Ct);
            Assert.Equal("too-large", (string?)(await response.JsonAsync(HttpStatusCode.RequestEntityTooLarge))["code"]);
        }
        var file = RandomPdf(10_000);
        var url = await CreateAsync(member, c.CaseId, file.Length);
        using (var oldVersion = await PatchAsync(member, url, 0, file, version: "0.2.2"))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, oldVersion.StatusCode);
            Assert.Equal("1.0.0", oldVersion.Headers.GetValues("Tus-Version").Single());
        }
        using (var noVersion = await PatchAsync(member, url, 0, file, version: null)) Assert.Equal(HttpStatusCode.PreconditionFailed, noVersion.StatusCode);
        using (var beyond = await PatchAsync(member, url, 0, RandomPdf(10_001)))
            Assert.Equal("beyond-length", (string?)(await beyond.JsonAsync(HttpStatusCode.RequestEntityTooLarge))["code"]);
        using (var wrongType = Tus(HttpMethod.Patch, url))
        {
            wrongType.Headers.Add("Upload-Offset", "0");
            wrongType.Content = new ByteArrayContent(file);
            using var response = await member.SendAsync(wrongType, Ct);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }

        // Another member, and even a coordinator of the program, do not see this member's upload.
        var other = await DocumentCase.ArrangeAsync(app, clientFor: u => KestrelAppFixture.ClientFor(app, u));
        foreach (var stranger in new[] { other.Patient, c.Coordinator })
        {
            using var client = KestrelAppFixture.ClientFor(app, stranger);
            using (var head = await client.SendAsync(Tus(HttpMethod.Head, url), Ct)) Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            using (var patch = await PatchAsync(client, url, 0, file)) Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
            using (var delete = await client.SendAsync(Tus(HttpMethod.Delete, url), Ct)) Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }
        using (var anonymous = KestrelAppFixture.ClientFor(app, null))
        using (var head = await anonymous.SendAsync(Tus(HttpMethod.Head, url), Ct))
            Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
        var uploadId = url[(url.LastIndexOf('/') + 1)..];
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(a => a.ObjectType == "Upload" && a.ObjectId == uploadId && a.Outcome == AuditOutcome.Denied, Ct)));
        Assert.Equal(0, await OffsetAsync(member, url));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task Termination_AndExpiry_DeleteTheUploadAndItsBytes(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await DocumentCase.ArrangeAsync(app, clientFor: u => KestrelAppFixture.ClientFor(app, u));
        using var client = KestrelAppFixture.ClientFor(app, c.Patient);
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var file = RandomPdf(200_000);

        var terminated = await CreateAsync(client, c.CaseId, file.Length);
        using (var part = await PatchAsync(client, terminated, 0, file.AsMemory(0, 80_000))) Assert.Equal(HttpStatusCode.NoContent, part.StatusCode);
        var blobs = await BlobsAsync(app, terminated);
        Assert.True(await store.ExistsAsync(Assert.Single(blobs), Ct));
        using (var delete = await client.SendAsync(Tus(HttpMethod.Delete, terminated), Ct)) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var head = await client.SendAsync(Tus(HttpMethod.Head, terminated), Ct)) Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.False(await store.ExistsAsync(blobs[0], Ct));

        var abandoned = await CreateAsync(client, c.CaseId, file.Length);
        using (var part = await PatchAsync(client, abandoned, 0, file.AsMemory(0, 80_000))) Assert.Equal(HttpStatusCode.NoContent, part.StatusCode);
        blobs = await BlobsAsync(app, abandoned);
        var sweep = app.Services.GetRequiredService<ResumableUploadSweep>();
        app.Clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(80_000, await OffsetAsync(client, abandoned)); // a HEAD is not activity that keeps it
        await sweep.RunOnceAsync(Ct);
        Assert.True(await store.ExistsAsync(blobs[0], Ct));
        app.Clock.Advance(TimeSpan.FromHours(1.5));
        using (var head = await client.SendAsync(Tus(HttpMethod.Head, abandoned), Ct)) Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        using (var late = await PatchAsync(client, abandoned, 80_000, file.AsMemory(80_000)))
            Assert.Equal("upload-expired", (string?)(await late.JsonAsync(HttpStatusCode.Gone))["code"]);
        Assert.True(await sweep.RunOnceAsync(Ct) >= 1);
        Assert.False(await store.ExistsAsync(blobs[0], Ct));
        var id = Guid.Parse(abandoned[(abandoned.LastIndexOf('/') + 1)..]);
        Assert.False(await app.WithDbAsync(d => d.Set<ResumableUpload>().AnyAsync(u => u.Id == id, Ct)));
        Assert.True(await app.WithDbAsync(d => d.AuditEntries.AnyAsync(a => a.ObjectId == id.ToString() && a.Action == AuditAction.Delete && a.UserName.Contains("sweep"), Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task AFileOfAnUnsupportedType_IsRefusedAfterItsFirstPiece(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var c = await DocumentCase.ArrangeAsync(app, clientFor: u => KestrelAppFixture.ClientFor(app, u));
        using var client = KestrelAppFixture.ClientFor(app, c.Patient);
        var gif = new byte[1_000_000];
        "GIF89a"u8.CopyTo(gif);
        var url = await CreateAsync(client, c.CaseId, gif.Length, "photo.gif");

        using (var first = await PatchAsync(client, url, 0, gif.AsMemory(0, 100_000)))
        {
            var problem = await first.JsonAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("GIF", (string?)problem["detail"]);
        }
        using (var head = await client.SendAsync(Tus(HttpMethod.Head, url), Ct)) Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        var id = Guid.Parse(url[(url.LastIndexOf('/') + 1)..]);
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<UploadSegment>().CountAsync(s => s.UploadId == id, Ct)));
        Assert.Equal(0, await app.WithDbAsync(d => d.Set<CaseDocument>().CountAsync(x => x.CaseId == c.CaseId, Ct)));
    }

    static async Task<List<string>> BlobsAsync(TestApp app, string url)
    {
        var id = Guid.Parse(url[(url.LastIndexOf('/') + 1)..]);
        return await app.WithDbAsync(d => d.Set<UploadSegment>().Where(s => s.UploadId == id).Select(s => s.BlobId).ToListAsync(Ct));
    }
}

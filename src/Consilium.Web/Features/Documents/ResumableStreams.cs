using Consilium.Infrastructure.Storage;

namespace Consilium.Features.Documents;

/// <summary>
/// A PATCH body as the store reads it: at most <paramref name="remaining"/> bytes, and a connection that breaks
/// part-way reads as the end of the data instead of an error, so the store seals what did arrive (that is the point of
/// a resumable upload). <see cref="Cut"/> says it happened; <see cref="Overflow"/> that the body held more than the
/// upload's declared length. <paramref name="renew"/> is called about every <paramref name="renewEvery"/> while bytes
/// arrive, to keep the upload's lock.
/// </summary>
internal sealed class PatchBodyStream(Stream body, long remaining, TimeProvider clock, TimeSpan renewEvery, Func<Task> renew) : ForwardReadStream
{
    long _left = remaining;
    long _read;
    long _lastRenewal = clock.GetTimestamp();

    public bool Cut { get; private set; }
    public bool Overflow { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Cut || Overflow || buffer.Length == 0) return 0;
        if (clock.GetElapsedTime(_lastRenewal) >= renewEvery)
        {
            await renew();
            _lastRenewal = clock.GetTimestamp();
        }
        try
        {
            if (_left == 0)
            {
                // Anything after the declared length makes the PATCH wrong as a whole.
                var extra = new byte[1];
                if (await body.ReadAsync(extra, CancellationToken.None) > 0) Overflow = true;
                return 0;
            }
            var read = await body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], CancellationToken.None);
            _left -= read;
            _read += read;
            return read;
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away (reset, timeout, body cut short, below the minimum data rate): keep what arrived.
            Cut = true;
            return 0;
        }
    }

    protected override long BytesRead => _read;
}

/// <summary>An upload's segments read one after another, each decrypted and authenticated by the store as it streams.</summary>
internal sealed class SegmentsReadStream(IDocumentStore store, IReadOnlyList<string> blobIds) : ForwardReadStream
{
    int _next;
    Stream? _current;
    long _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_current is null)
            {
                if (_next == blobIds.Count) return 0;
                _current = await store.OpenReadAsync(blobIds[_next++], cancellationToken);
            }
            var read = await _current.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                _position += read;
                return read;
            }
            await _current.DisposeAsync();
            _current = null;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current?.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null) await _current.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override long BytesRead => _position;
}

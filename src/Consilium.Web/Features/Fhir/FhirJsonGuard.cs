using System.Text.Json;

namespace Consilium.Features.Fhir;

/// <summary>
/// The FHIR SDK's System.Text.Json deserializer (Hl7.Fhir.Base 6.x) throws IndexOutOfRangeException on a property
/// named "" anywhere in the document, in strict and recoverable mode alike: an unexpected exception, so a 500 instead of
/// the 400 such a body deserves. Found by fuzzing (docs/security.md, Fuzzing). FHIR JSON has no empty property names, so
/// bodies are scanned for them before the SDK sees them; the scan is one forward pass of <see cref="Utf8JsonReader"/>
/// over a buffer of 64 KiB, with the same depth limit as the deserializer, and rewinds the stream afterwards.
/// </summary>
internal static class FhirJsonGuard
{
    const int ChunkBytes = 64 * 1024;

    /// <summary>Throws <see cref="EmptyPropertyNameException"/> for a property named "", or a <see cref="JsonException"/>
    /// for JSON that is not well formed (as the deserializer would). The stream must be seekable.</summary>
    public static void RejectEmptyPropertyNames(Stream stream, int maxDepth = 0)
    {
        var start = stream.Position;
        var scan = new Scan(maxDepth);
        while (!scan.Done)
        {
            var n = stream.Read(scan.Free);
            scan.Advance(n);
        }
        stream.Position = start;
    }

    public static async Task RejectEmptyPropertyNamesAsync(Stream stream, CancellationToken ct, int maxDepth = 0)
    {
        var start = stream.Position;
        var scan = new Scan(maxDepth);
        while (!scan.Done)
        {
            var n = await stream.ReadAsync(scan.FreeMemory, ct);
            scan.Advance(n);
        }
        stream.Position = start;
    }

    sealed class Scan(int maxDepth)
    {
        byte[] buffer = new byte[ChunkBytes];
        int filled;
        long consumedBefore;
        JsonReaderState state = new(new JsonReaderOptions { MaxDepth = maxDepth });

        public bool Done { get; private set; }
        public Span<byte> Free => buffer.AsSpan(filled);
        public Memory<byte> FreeMemory => buffer.AsMemory(filled);

        public void Advance(int read)
        {
            var final = read == 0;
            filled += read;
            var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueSpan.IsEmpty)
                    throw new EmptyPropertyNameException(consumedBefore + reader.TokenStartIndex);
            }
            if (final)
            {
                Done = true;
                return;
            }
            state = reader.CurrentState;
            var consumed = (int)reader.BytesConsumed;
            consumedBefore += consumed;
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            // One token longer than the buffer (a long string): grow. The callers bound the body's size beforehand.
            if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        }
    }
}

/// <summary>A JSON property named "" at <see cref="ByteOffset"/>.</summary>
internal sealed class EmptyPropertyNameException(long byteOffset)
    : JsonException($"A property with an empty name (\"\") at byte {byteOffset}: FHIR JSON has none.")
{
    public long ByteOffset { get; } = byteOffset;
}

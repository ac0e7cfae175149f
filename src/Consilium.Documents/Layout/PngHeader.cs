using System.Buffers.Binary;

namespace Consilium.Documents.Layout;

internal static class PngHeader
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Reads the pixel size from the IHDR chunk, which the PNG format requires to come first.</summary>
    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> png)
    {
        if (png.Length < 33 || !png[..8].SequenceEqual(Signature) || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new ArgumentException("The image is not a PNG file.", nameof(png));
        }

        var width = BinaryPrimitives.ReadInt32BigEndian(png[16..]);
        var height = BinaryPrimitives.ReadInt32BigEndian(png[20..]);
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"The PNG's size {width}×{height} is not valid.", nameof(png));
        }

        return (width, height);
    }
}

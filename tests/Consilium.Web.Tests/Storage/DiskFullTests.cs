using System.Security.Cryptography;
using Consilium.Infrastructure.Storage;
using Consilium.Tests.Infrastructure;

namespace Consilium.Tests.Storage;

/// <summary>The store on a file system that fills up: a real 4 MiB tmpfs (mounting needs root; skipped otherwise).</summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task WriteOnAFullDisk_ThrowsDiskFull_AndLeavesNoFile()
    {
        Assert.SkipUnless(HelperPrograms.IsRoot, "mounting a small tmpfs needs root");
        using var storage = new TempStorage();
        Directory.CreateDirectory(storage.Root);
        try
        {
            await HelperPrograms.RunAsync("mount", ["-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", storage.Root]);
        }
        catch (InvalidOperationException e)
        {
            Assert.Skip("cannot mount a tmpfs here: " + e.Message);
        }
        try
        {
            var store = storage.Store(storage.Options());
            foreach (var seekable in new[] { false, true })
            {
                var bytes = RandomNumberGenerator.GetBytes(6 << 20);
                Stream input = seekable ? new MemoryStream(bytes) : new UnseekableStream(new MemoryStream(bytes));
                await Assert.ThrowsAsync<StorageFullException>(() => store.WriteAsync(input, CancellationToken.None));
                Assert.Empty(storage.Files());
            }
            var small = await store.WriteAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1 << 20)), CancellationToken.None);
            Assert.True(await store.ExistsAsync(small.Id, CancellationToken.None));
        }
        finally
        {
            await HelperPrograms.RunAsync("umount", [storage.Root]);
        }
    }
}

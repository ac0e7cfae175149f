using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Consilium.Infrastructure.Storage;

/// <summary>
/// A rename is durable only once its directory is flushed: without this, a crash after the caller committed a blob id
/// to the database could leave the database pointing at a name the file system forgot. .NET has no API for it (it
/// refuses to open a directory), hence three libc calls. Windows (NTFS journals its metadata) needs nothing.
/// </summary>
internal static partial class DurableFiles
{
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Cannot open directory {directory} to flush it.", new Win32Exception(Marshal.GetLastPInvokeError()));
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"Cannot flush directory {directory}.", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    static extern int Close(int fd);
}

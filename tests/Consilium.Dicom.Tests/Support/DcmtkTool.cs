using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Consilium.Dicom.Tests.Support;

/// <summary>
/// Runs a DCMTK command-line tool. A missing DCMTK fails the test rather than skipping it: a comparison
/// that passes without its reference proves nothing.
/// </summary>
internal static class DcmtkTool
{
    public const string InstallHint =
        "DCMTK is not installed; the DICOM comparison tests use its dcmdump and dcmmkdir as the reference. " +
        "Install it with `apt-get install -y dcmtk` (the project's ./test script does this).";

    /// <returns>Standard output, decoded as UTF-8 (dcmdump +U8 output) or Latin-1 bytes otherwise.</returns>
    public static string Run(string tool, string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = arguments.Contains("+U8") ? Encoding.UTF8 : Encoding.Latin1,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (Win32Exception)
        {
            Assert.Fail($"{tool}: {InstallHint}");
            throw;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill();
                Assert.Fail($"{tool} did not finish within a minute");
            }
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed: {stderr.Result}");
            return stdout.Result;
        }
    }
}

using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Records;

namespace Consilium.Tests.Documents;

/// <summary>A case collecting records: a coordinator serving its program, the member's login and, unless asked otherwise, a signed authorization.</summary>
internal sealed record DocumentCase(TestApp App, Scenario Scenario, Guid CaseId, TestUser Coordinator, TestUser Patient, string? ConsentId)
{
    /// <param name="clientFor">How to reach the app as a user; a Kestrel-hosted app (browser tests) needs its real address.</param>
    public static async Task<DocumentCase> ArrangeAsync(TestApp app, bool signed = true, string[]? recipients = null, Func<TestUser, HttpClient>? clientFor = null)
    {
        var scenario = await app.SeedScenarioAsync();
        var caseId = await app.SeedCaseAsync(scenario, CaseStatus.AwaitingConsent);
        var coordinator = await app.CreateUserAsync(Roles.Coordinator, [scenario.ProgramId]);
        var patient = await app.CreateUserAsync(Roles.Patient, memberId: scenario.MemberId);
        string? consentId = null;
        if (signed)
        {
            using var member = (clientFor ?? app.ClientFor)(patient);
            var consent = await (await member.PostJsonAsync($"/api/cases/{caseId}/consents",
                ConsentAndRecordsTests.ConsentBody(recipients: recipients ?? ["Program", "ReviewingPhysician"]))).JsonAsync(HttpStatusCode.Created);
            consentId = (string?)consent["id"];
        }
        return new DocumentCase(app, scenario, caseId, coordinator, patient, consentId);
    }
}

/// <summary>DCMTK as the independent reference for DICOM attributes and the maker of DICOMDIRs (installed by ./test).</summary>
internal static class Dcmtk
{
    public static bool Installed => File.Exists("/usr/bin/dcmdump") || Which("dcmdump");

    public const string Missing = "DCMTK is not installed (dcmdump, dcmmkdir); ./test installs it with apt-get install -y dcmtk.";

    static bool Which(string tool) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    public static string Run(string tool, string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.Latin1, WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (Win32Exception)
        {
            Assert.Skip(Missing);
            throw;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited with {process.ExitCode}: {error.Result}");
            return output.Result;
        }
    }

    /// <summary>dcmdump's value of a top-level string tag such as "0020,000d", without brackets and padding; null when absent.</summary>
    public static string? Value(string path, string tag)
    {
        var dump = Run("dcmdump", null, "--search", tag, "--print-all", path);
        var line = dump.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("(" + tag + ")", StringComparison.OrdinalIgnoreCase));
        if (line is null) return null;
        var open = line.IndexOf('[');
        var close = line.LastIndexOf(']');
        return open < 0 || close <= open ? null : line[(open + 1)..close].TrimEnd(' ', '\0');
    }

    /// <summary>A ZIP laid out as an imaging CD: the files under DICOM/ and the DICOMDIR dcmmkdir writes for them.</summary>
    public static byte[] ImagingCd(params string[] sharedFiles)
    {
        var root = Directory.CreateTempSubdirectory("imaging-cd-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "DICOM"));
            for (var i = 0; i < sharedFiles.Length; i++)
                File.Copy(DocumentTestData.PathOf(sharedFiles[i]), Path.Combine(root, "DICOM", $"IM{i}"));
            Run("dcmmkdir", root, "+r", "+I", "DICOM");
            return DocumentTestData.Zip(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes(f))).Order().ToArray());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

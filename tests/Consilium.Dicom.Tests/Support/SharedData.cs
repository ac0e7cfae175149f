namespace Consilium.Dicom.Tests.Support;

/// <summary>
/// The public sample files live outside the repository, in ../shared/data next to the checkout. They are
/// never copied in; tests that need them skip, saying why, when they are absent.
/// </summary>
internal static class SharedData
{
    public static string? DicomRoot { get; } = Locate();

    /// <summary>Placeholder row so a theory still runs (and skips) when there is no data to enumerate.</summary>
    public const string Absent = "(shared data absent)";

    public static string SkipMessage =>
        "Shared DICOM samples not found: expected ../shared/data/dicom relative to the folder holding Consilium.slnx.";

    public static string PathOf(string relative)
    {
        Assert.SkipWhen(DicomRoot is null || relative == Absent, SkipMessage);
        return Path.Combine(DicomRoot!, relative);
    }

    /// <summary>Every file outside malformed/, as paths relative to the dicom folder.</summary>
    public static TheoryData<string> ValidFiles() => Files(malformed: false);

    public static TheoryData<string> MalformedFiles() => Files(malformed: true);

    private static TheoryData<string> Files(bool malformed)
    {
        var data = new TheoryData<string>();
        if (DicomRoot is null)
        {
            data.Add(Absent);
            return data;
        }
        foreach (var file in Directory.EnumerateFiles(DicomRoot, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(DicomRoot, file).Replace('\\', '/');
            if (relative.StartsWith("malformed/", StringComparison.Ordinal) == malformed)
                data.Add(relative);
        }
        return data;
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Consilium.slnx")))
            {
                var dicom = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "dicom"));
                return Directory.Exists(dicom) ? dicom : null;
            }
        }
        return null;
    }
}

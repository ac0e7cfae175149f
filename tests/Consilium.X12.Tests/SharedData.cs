namespace Consilium.X12.Tests;

/// <summary>
/// Locates /work/shared/data as ../shared/data beside the repository root (the folder holding
/// Consilium.slnx). Tests that need it skip, with the path they looked at, when it is absent.
/// </summary>
static class SharedData
{
    static readonly Lazy<string?> root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Consilium.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
        }
        return null;
    });

    public static string Root
    {
        get
        {
            var path = root.Value;
            Assert.SkipUnless(path is not null && Directory.Exists(path),
                $"shared test data not found at {path ?? "../shared/data (no Consilium.slnx above the test binaries)"}; it lives beside the repository and is not copied into it");
            return path!;
        }
    }

    public static string X12(string folder, string file) => Path.Combine(Root, "x12", folder, file);

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>Reads a file completely (tests only: the files are small).</summary>
    public static (List<X12Event> Events, X12ReadResult Result) Read(string path, X12ReaderOptions? options = null) =>
        X12Reader.ReadAll(path, options);

    public static (List<X12Event> Events, X12ReadResult Result) ReadText(string text, X12ReaderOptions? options = null, string name = "test.edi")
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var events = new List<X12Event>();
        var result = X12Reader.Read(stream, name, events.Add, options);
        return (events, result);
    }
}

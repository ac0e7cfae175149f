namespace Consilium.Infrastructure;

/// <summary>Where the embedded mode keeps its database, encrypted files and keys.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Relative paths are resolved against the working directory (the repository root for ./consilium).</summary>
    public string DataDirectory { get; set; } = "data";

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}

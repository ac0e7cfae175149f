using Consilium.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Consilium.Features.Documents;

/// <summary>Limits on uploaded documents (section <c>Documents</c>); see docs/configuration.md.</summary>
public sealed class DocumentIntakeOptions
{
    public const string Section = "Documents";

    /// <summary>Largest upload body. At most <c>Storage:Documents:MaxDocumentBytes</c>.</summary>
    public long MaxUploadBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>A FHIR bundle is parsed whole in memory, so it has a much smaller limit than images.</summary>
    public long MaxFhirBundleBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Files in one archive; counted from the archive's directory before anything is unpacked.</summary>
    public int MaxArchiveEntries { get; set; } = 20_000;

    /// <summary>Sum of the archive's uncompressed sizes, as declared and as actually inflated.</summary>
    public long MaxArchiveUncompressedBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Uncompressed to compressed size, per entry (over 1 MiB) and for the whole archive. Zip bombs reach 1000:1.</summary>
    public int MaxCompressionRatio { get; set; } = 100;

    /// <summary>An unfinished resumable (tus) upload and its bytes are deleted this long after its last request.</summary>
    public TimeSpan ResumableExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the sweep looks for expired resumable uploads; zero turns the timer off.</summary>
    public TimeSpan ResumableSweepInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A PATCH holds its upload this long without news (it renews while bytes arrive); a crashed writer's lock lapses after it.</summary>
    public TimeSpan ResumableLockLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Bytes per PATCH the upload page sends; a dropped connection costs at most the bytes of the PATCH in flight that had not arrived.</summary>
    public long ResumableChunkBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>PATCHes (stored pieces) one upload may be made of.</summary>
    public int MaxResumableSegments { get; set; } = 10_000;
}

internal sealed class DocumentIntakeOptionsValidator(IOptions<DocumentStorageOptions> storage) : IValidateOptions<DocumentIntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, DocumentIntakeOptions options)
    {
        var errors = new List<string>();
        var section = DocumentIntakeOptions.Section;
        if (options.MaxUploadBytes <= 0) errors.Add($"{section}:MaxUploadBytes must be positive.");
        if (options.MaxUploadBytes > storage.Value.MaxDocumentBytes)
            errors.Add($"{section}:MaxUploadBytes ({options.MaxUploadBytes}) is larger than {DocumentStorageOptions.Section}:MaxDocumentBytes ({storage.Value.MaxDocumentBytes}), which the store enforces.");
        if (options.MaxFhirBundleBytes <= 0) errors.Add($"{section}:MaxFhirBundleBytes must be positive.");
        if (options.MaxArchiveEntries <= 0) errors.Add($"{section}:MaxArchiveEntries must be positive.");
        if (options.MaxArchiveUncompressedBytes <= 0) errors.Add($"{section}:MaxArchiveUncompressedBytes must be positive.");
        if (options.ResumableExpiry <= TimeSpan.Zero) errors.Add($"{section}:ResumableExpiry must be positive.");
        if (options.ResumableSweepInterval < TimeSpan.Zero) errors.Add($"{section}:ResumableSweepInterval must not be negative.");
        if (options.ResumableLockLease <= TimeSpan.Zero) errors.Add($"{section}:ResumableLockLease must be positive.");
        if (options.ResumableChunkBytes < 64 * 1024) errors.Add($"{section}:ResumableChunkBytes must be at least 65536.");
        if (options.MaxResumableSegments <= 0) errors.Add($"{section}:MaxResumableSegments must be positive.");
        if (options.MaxCompressionRatio < 2) errors.Add($"{section}:MaxCompressionRatio must be at least 2.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

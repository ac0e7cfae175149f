using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Consilium.Infrastructure.Storage;

/// <summary>Encrypted document storage (section <c>Storage:Documents</c>); see docs/adr/0007-document-encryption.md.</summary>
internal sealed class DocumentStorageOptions
{
    public const string Section = "Storage:Documents";
    public const long DefaultMaxDocumentBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>Where blobs live. Default <c>&lt;Storage:DataDirectory&gt;/files</c>.</summary>
    public string? Root { get; set; }

    /// <summary>A write that goes past this many plaintext bytes fails with <see cref="DocumentTooLargeException"/>.</summary>
    public long MaxDocumentBytes { get; set; } = DefaultMaxDocumentBytes;

    /// <summary>Master keys that wrap the per-document data keys. Empty: the embedded mode generates one on disk.</summary>
    public List<MasterKeyOptions> MasterKeys { get; set; } = [];

    /// <summary>The key new blobs are wrapped with; required when <see cref="MasterKeys"/> is not empty.</summary>
    public string? ActiveMasterKeyId { get; set; }

    /// <summary>Where the embedded mode keeps its generated key. Default <c>&lt;Storage:DataDirectory&gt;/keys</c>.</summary>
    public string? KeyDirectory { get; set; }

    public bool IsEmbedded => MasterKeys.Count == 0;

    public string FullRoot => Path.GetFullPath(Root ?? throw new InvalidOperationException($"{Section}:Root is not resolved."));

    public string FullKeyDirectory => Path.GetFullPath(KeyDirectory ?? throw new InvalidOperationException($"{Section}:KeyDirectory is not resolved."));
}

internal sealed class MasterKeyOptions
{
    public string Id { get; set; } = "";

    /// <summary>32 bytes, base64. Comes from a secret store (environment, mounted secret), never from a committed file.</summary>
    public string Key { get; set; } = "";
}

internal sealed partial class DocumentStorageOptionsValidator : IValidateOptions<DocumentStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, DocumentStorageOptions options)
    {
        var errors = new List<string>();
        if (options.MaxDocumentBytes <= 0)
            errors.Add($"{DocumentStorageOptions.Section}:MaxDocumentBytes must be positive.");
        if (options.MaxDocumentBytes > BlobFormat.MaxChunks * BlobFormat.ChunkSize)
            errors.Add($"{DocumentStorageOptions.Section}:MaxDocumentBytes is larger than the blob format can hold.");

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.MasterKeys.Count; i++)
        {
            var key = options.MasterKeys[i];
            var at = $"{DocumentStorageOptions.Section}:MasterKeys:{i}";
            if (!IsValidKeyId(key.Id))
                errors.Add($"{at}:Id must be 1 to {BlobFormat.MaxKeyIdBytes} characters of letters, digits, '.', '_' or '-'.");
            else if (!ids.Add(key.Id))
                errors.Add($"{at}:Id '{key.Id}' is configured twice.");
            // The message never echoes the value: it is a secret.
            if (MasterKey.TryDecode(key.Key) is null)
                errors.Add($"{at}:Key must be {BlobFormat.KeySize} bytes encoded as base64.");
        }

        if (options.MasterKeys.Count > 0)
        {
            if (string.IsNullOrEmpty(options.ActiveMasterKeyId))
                errors.Add($"{DocumentStorageOptions.Section}:ActiveMasterKeyId is required when master keys are configured.");
            else if (!ids.Contains(options.ActiveMasterKeyId))
                errors.Add($"{DocumentStorageOptions.Section}:ActiveMasterKeyId '{options.ActiveMasterKeyId}' is not one of the configured master keys.");
        }
        else if (!string.IsNullOrEmpty(options.ActiveMasterKeyId))
        {
            errors.Add($"{DocumentStorageOptions.Section}:ActiveMasterKeyId is set but no master keys are configured.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Ids end up in file names (embedded keys) and in every blob header, so they are short and plain.
    public static bool IsValidKeyId(string? id) =>
        !string.IsNullOrEmpty(id) && Encoding.UTF8.GetByteCount(id) <= BlobFormat.MaxKeyIdBytes && KeyIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex KeyIdPattern();
}

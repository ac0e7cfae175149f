using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Consilium.Infrastructure.Storage;

/// <summary>A key-encryption key. Its material never leaves the process: blobs carry only its id and check value.</summary>
internal sealed class MasterKey
{
    public MasterKey(string id, byte[] material)
    {
        if (material.Length != BlobFormat.KeySize)
            throw new ArgumentException($"A master key is {BlobFormat.KeySize} bytes.", nameof(material));
        Id = id;
        Material = material;
        CheckValue = BlobFormat.CheckValue(material);
    }

    public string Id { get; }
    public byte[] Material { get; }

    /// <summary>Lets a reader tell "this blob needs a different key" from "this header was changed".</summary>
    public byte[] CheckValue { get; }

    public static byte[]? TryDecode(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64)) return null;
        var buffer = new byte[BlobFormat.KeySize + 3];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == BlobFormat.KeySize
            ? buffer[..BlobFormat.KeySize]
            : null;
    }
}

/// <summary>
/// The configured master keys, or in the embedded mode (none configured) one generated on first use into
/// <c>&lt;data&gt;/keys/master-&lt;id&gt;.key</c>, readable by the owner only.
/// </summary>
internal sealed partial class MasterKeyRing
{
    const string KeyFilePrefix = "master-";
    const string KeyFileSuffix = ".key";

    readonly DocumentStorageOptions _options;
    readonly ILogger<MasterKeyRing> _logger;
    readonly Lazy<(MasterKey Active, Dictionary<string, MasterKey> All)> _keys;

    public MasterKeyRing(IOptions<DocumentStorageOptions> options, ILogger<MasterKeyRing> logger)
    {
        _options = options.Value;
        _logger = logger;
        // Not ExecutionAndPublication: that would cache a failure (say, a key file with the wrong mode) until restart.
        _keys = new(Load, LazyThreadSafetyMode.PublicationOnly);
    }

    public MasterKey Active => _keys.Value.Active;

    public bool TryGet(string id, out MasterKey key) => _keys.Value.All.TryGetValue(id, out key!);

    public IReadOnlyCollection<string> Ids => _keys.Value.All.Keys;

    (MasterKey, Dictionary<string, MasterKey>) Load()
    {
        if (_options.IsEmbedded)
        {
            var key = LoadOrCreateEmbeddedKey();
            return (key, new Dictionary<string, MasterKey>(StringComparer.Ordinal) { [key.Id] = key });
        }
        var all = new Dictionary<string, MasterKey>(StringComparer.Ordinal);
        foreach (var configured in _options.MasterKeys)
        {
            var material = MasterKey.TryDecode(configured.Key)
                ?? throw new InvalidOperationException($"{DocumentStorageOptions.Section}: master key '{configured.Id}' is not {BlobFormat.KeySize} bytes of base64.");
            all[configured.Id] = new MasterKey(configured.Id, material);
        }
        if (_options.ActiveMasterKeyId is not { } activeId || !all.TryGetValue(activeId, out var active))
            throw new InvalidOperationException($"{DocumentStorageOptions.Section}:ActiveMasterKeyId does not name a configured master key.");
        return (active, all);
    }

    MasterKey LoadOrCreateEmbeddedKey()
    {
        var directory = _options.FullKeyDirectory;
        CreatePrivateDirectory(directory);
        // The server and a CLI command can start at the same moment; only one of them may generate the key.
        using var guard = AcquireGenerationLock(directory);
        var files = Directory.GetFiles(directory, KeyFilePrefix + "*" + KeyFileSuffix);
        if (files.Length > 1)
            throw new InvalidOperationException(
                $"{files.Length} generated master keys in {directory}; the embedded mode uses exactly one. " +
                $"Configure {DocumentStorageOptions.Section}:MasterKeys and ActiveMasterKeyId instead.");
        if (files.Length == 1) return ReadKeyFile(files[0]);

        var id = "local-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var material = RandomNumberGenerator.GetBytes(BlobFormat.KeySize);
        var path = Path.Combine(directory, KeyFilePrefix + id + KeyFileSuffix);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, PrivateFile(FileMode.CreateNew)))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(material)));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path);
        DurableFiles.FlushDirectory(directory);
        LogGenerated(_logger, id, directory);
        return new MasterKey(id, material);
    }

    static MasterKey ReadKeyFile(string path)
    {
        var name = Path.GetFileName(path);
        var id = name[KeyFilePrefix.Length..^KeyFileSuffix.Length];
        if (!DocumentStorageOptionsValidator.IsValidKeyId(id))
            throw new InvalidOperationException($"The master key file {path} is not named master-<id>.key with a valid id.");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode)0b000_111_111) != 0)
            throw new InvalidOperationException($"The master key file {path} is readable by other users; run `chmod 600` on it.");
        var material = MasterKey.TryDecode(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"The master key file {path} does not hold {BlobFormat.KeySize} bytes of base64.");
        return new MasterKey(id, material);
    }

    static FileStream AcquireGenerationLock(string directory)
    {
        var path = Path.Combine(directory, ".generate.lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, PrivateFile(FileMode.OpenOrCreate, FileShare.None));
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(50);
            }
        }
    }

    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    internal static FileStreamOptions PrivateFile(FileMode mode, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = share };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No document master key configured: generated {KeyId} in {Directory}. Production configures Storage:Documents:MasterKeys from a secret store.")]
    static partial void LogGenerated(ILogger logger, string keyId, string directory);
}

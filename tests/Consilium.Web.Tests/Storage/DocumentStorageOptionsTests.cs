using Consilium.Infrastructure;
using Consilium.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Consilium.Tests.Storage;

/// <summary>Configuration as the server binds it (<c>AddDocumentStorage</c>), checked the way <c>ValidateOnStart</c> does.</summary>
public sealed class DocumentStorageOptionsTests
{
    static readonly string GoodKey = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void Defaults_RootAndKeysUnderTheDataDirectory_FourGigabyteLimit_EmbeddedMode()
    {
        var options = Resolve(new() { ["Storage:DataDirectory"] = "/srv/consilium-data" }).GetRequiredService<IOptions<DocumentStorageOptions>>().Value;

        Assert.Equal(Path.GetFullPath("/srv/consilium-data/files"), options.FullRoot);
        Assert.Equal(Path.GetFullPath("/srv/consilium-data/keys"), options.FullKeyDirectory);
        Assert.Equal(4L * 1024 * 1024 * 1024, options.MaxDocumentBytes);
        Assert.True(options.IsEmbedded);
    }

    [Fact]
    public void ConfiguredKeys_BindFromTheStorageDocumentsSection()
    {
        var services = Resolve(new()
        {
            ["Storage:Documents:Root"] = "/mnt/documents",
            ["Storage:Documents:MaxDocumentBytes"] = "1000",
            ["Storage:Documents:MasterKeys:0:Id"] = "2026-01",
            ["Storage:Documents:MasterKeys:0:Key"] = GoodKey,
            ["Storage:Documents:ActiveMasterKeyId"] = "2026-01",
        });

        services.GetRequiredService<IStartupValidator>().Validate();
        var options = services.GetRequiredService<IOptions<DocumentStorageOptions>>().Value;
        Assert.Equal((Path.GetFullPath("/mnt/documents"), 1000L, "2026-01"), (options.FullRoot, options.MaxDocumentBytes, options.ActiveMasterKeyId));
        Assert.Equal("2026-01", Assert.Single(options.MasterKeys).Id);
        Assert.NotNull(services.GetRequiredService<IDocumentStore>());
        Assert.NotNull(services.GetRequiredService<IKeyRotation>());
    }

    [Theory]
    [InlineData("k1", "not base64!", "k1", "MasterKeys:0:Key must be 32 bytes")]
    [InlineData("k1", "AAAAAAAAAAAAAAAAAAAAAA==", "k1", "MasterKeys:0:Key must be 32 bytes")] // 16 bytes
    [InlineData("k1", null, null, "ActiveMasterKeyId is required")]
    [InlineData("k1", null, "k2", "ActiveMasterKeyId 'k2' is not one of the configured")]
    [InlineData("../k1", null, "../k1", "MasterKeys:0:Id must be")]
    public void InvalidKeyConfiguration_FailsAtStart(string id, string? key, string? active, string expected)
    {
        var services = Resolve(new()
        {
            ["Storage:Documents:MasterKeys:0:Id"] = id,
            ["Storage:Documents:MasterKeys:0:Key"] = key ?? GoodKey,
            ["Storage:Documents:ActiveMasterKeyId"] = active,
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (key is not null) Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameKeyIdTwice_FailsAtStart()
    {
        var services = Resolve(new()
        {
            ["Storage:Documents:MasterKeys:0:Id"] = "k1",
            ["Storage:Documents:MasterKeys:0:Key"] = GoodKey,
            ["Storage:Documents:MasterKeys:1:Id"] = "k1",
            ["Storage:Documents:MasterKeys:1:Key"] = GoodKey,
            ["Storage:Documents:ActiveMasterKeyId"] = "k1",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'k1' is configured twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ActiveKeyIdWithoutKeys_FailsAtStart()
    {
        var services = Resolve(new() { ["Storage:Documents:ActiveMasterKeyId"] = "k1" });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    static ServiceProvider Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.ClearProviders());
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section);
        services.AddDocumentStorage(configuration);
        return services.BuildServiceProvider();
    }
}

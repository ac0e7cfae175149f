using Consilium.Infrastructure.Storage;
using Microsoft.Extensions.Options;

// In the namespace the composition root already imports, so registering storage is the one line it needs.
namespace Consilium.Infrastructure;

public static class DocumentStorageSetup
{
    public static IServiceCollection AddDocumentStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DocumentStorageOptions>()
            .Bind(configuration.GetSection(DocumentStorageOptions.Section))
            .PostConfigure<IOptions<StorageOptions>>((o, storage) =>
            {
                o.Root = Path.GetFullPath(string.IsNullOrWhiteSpace(o.Root) ? Path.Combine(storage.Value.FullDataDirectory, "files") : o.Root);
                o.KeyDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(o.KeyDirectory) ? Path.Combine(storage.Value.FullDataDirectory, "keys") : o.KeyDirectory);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DocumentStorageOptions>, DocumentStorageOptionsValidator>();
        services.AddSingleton<MasterKeyRing>();
        services.AddSingleton<IDocumentStore, DocumentStore>();
        services.AddSingleton<IKeyRotation, KeyRotation>();
        return services;
    }
}

namespace Consilium.Tests.Infrastructure;

/// <summary>
/// One running platform per database kind, shared by the tests of a class. Tests isolate themselves by creating their
/// own program, members and users, so sharing the database is safe and saves a host start per test.
/// </summary>
public sealed class AppFixture : IAsyncDisposable
{
    readonly Dictionary<DatabaseKind, Lazy<Task<TestApp>>> _apps = Enum.GetValues<DatabaseKind>()
        .ToDictionary(k => k, k => new Lazy<Task<TestApp>>(() => TestApp.StartAsync(k)));

    public Task<TestApp> AppAsync(DatabaseKind kind) => _apps[kind].Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.Values.Where(a => a.IsValueCreated))
        {
            if (app.Value.IsCompletedSuccessfully) await (await app.Value).DisposeAsync();
        }
    }
}

using System.Net.Http.Headers;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Programs;
using Consilium.Features.Sponsors;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Consilium.Tests.Infrastructure;

/// <summary>
/// The real platform, in process, on a real database of the given kind. Nothing of ours is replaced; only the clock
/// is controllable and the data directory is a temporary one.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    public const string Password = "Correct-Horse-Battery-9";

    readonly string _dataDirectory;
    readonly Dictionary<string, string?> _settings = new();
    readonly bool _ownsStorage;

    TestApp(TestDatabase database, string? dataDirectory = null)
    {
        Database = database;
        _ownsStorage = dataDirectory is null;
        _dataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "consilium-tests", "data-" + Guid.NewGuid().ToString("N"));
    }

    public TestDatabase Database { get; }

    /// <summary>Where this app keeps its encrypted files and generated keys.</summary>
    public string DataDirectory => _dataDirectory;

    public CapturedLogs Logs { get; } = new();

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public static async Task<TestApp> StartAsync(DatabaseKind kind, Action<TestApp>? configure = null) =>
        await StartAsync(new TestApp(await TestDatabase.CreateAsync(kind)), configure);

    /// <summary>A second app on another app's database and files (a restart, another node); it owns neither.</summary>
    public static Task<TestApp> StartOnAsync(TestApp other, Action<TestApp>? configure = null) =>
        StartAsync(new TestApp(other.Database, other.DataDirectory), configure);

    static async Task<TestApp> StartAsync(TestApp app, Action<TestApp>? configure)
    {
        configure?.Invoke(app);
        _ = app.Services; // builds and starts the host
        await app.EnsureRolesAsync();
        return app;
    }

    public TestApp With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:DataDirectory", _dataDirectory);
        builder.UseSetting("Demo:SeedOnStart", "false");
        // Many tests sign in from the same loopback address; the limiter has its own test with a low limit.
        builder.UseSetting("RateLimits:SignInPerMinute", "10000");
        builder.UseSetting("RateLimits:SensitivePerMinute", "10000");
        builder.UseSetting(Database.Kind == DatabaseKind.Postgres ? "ConnectionStrings:Postgres" : "ConnectionStrings:Sqlite", Database.ConnectionString);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    async Task EnsureRolesAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<AppRole>>();
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new AppRole(role));
    }

    /// <summary>Runs <paramref name="work"/> against the app's own DbContext in a fresh scope.</summary>
    public async Task<T> WithDbAsync<T>(Func<ConsiliumDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ConsiliumDbContext>());
    }

    public Task WithDbAsync(Func<ConsiliumDbContext, Task> work) => WithDbAsync(async db => { await work(db); return 0; });

    /// <summary>A user of <paramref name="role"/> serving <paramref name="programs"/>, with a bearer token.</summary>
    public async Task<TestUser> CreateUserAsync(string role, IEnumerable<Guid>? programs = null, Guid? memberId = null, Guid? sponsorId = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<CurrentActor>().Use(Actor.System("test setup"), "test");
        var email = $"{role}-{Guid.NewGuid():N}@test.consilium.test";
        var admin = sp.GetRequiredService<UserAdministration>();
        var user = await admin.CreateAsync(email, $"Test {role}", role, Password, u =>
        {
            u.MemberId = memberId;
            u.SponsorId = sponsorId;
        });
        var db = sp.GetRequiredService<ConsiliumDbContext>();
        foreach (var programId in programs ?? []) db.ProgramStaff.Add(new ProgramStaff(programId, user.Id));
        await db.SaveChangesAsync();
        var (_, secret) = await admin.IssueTokenAsync(email, "tests", null, CancellationToken.None);
        return new TestUser(user.Id, email, role, secret);
    }

    public HttpClient ClientFor(TestUser user)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return client;
    }

    public HttpClient AnonymousClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A sponsor, a program covering every category and one member in it.</summary>
    public async Task<Scenario> SeedScenarioAsync(string? state = "OH")
    {
        return await WithDbAsync(async db =>
        {
            var now = Clock.GetUtcNow();
            var sponsor = Sponsor.Create("Sponsor " + Guid.NewGuid().ToString("N")[..8], SponsorKind.Employer, now);
            var program = CareProgram.Create("Program " + Guid.NewGuid().ToString("N")[..8], sponsor.Id, FundingModel.SponsorPaid, null,
                Enum.GetValues<ConditionCategory>(), now);
            var member = Member.Enroll(program.Id, "M" + Guid.NewGuid().ToString("N")[..10], "Zelda", "Quintero-Test",
                new DateOnly(1970, 5, 17), Sex.Female, state ?? "OH", null, null, "en", now);
            db.AddRange(sponsor, program, member);
            await db.SaveChangesAsync();
            return new Scenario(sponsor.Id, program.Id, member.Id);
        });
    }

    /// <summary>Opens a case directly through the domain, as a coordinator would, at <paramref name="stage"/> on the main path.</summary>
    public async Task<Guid> SeedCaseAsync(Scenario scenario, CaseStatus stage = CaseStatus.Referred, Guid? reviewerUserId = null)
    {
        return await WithDbAsync(async db =>
        {
            var actor = new Actor(null, "test", Roles.Coordinator);
            var now = Clock.GetUtcNow();
            var @case = Case.Open(scenario.ProgramId, scenario.MemberId, ConditionCategory.Spine, IntakeChannel.Coordinator,
                "Lumbar fusion proposed", CaseStatus.Referred, actor, now);
            foreach (var next in MainPath[1..(Array.IndexOf(MainPath, stage) + 1)])
            {
                if (next == CaseStatus.Assigned) @case.AssignReviewer(reviewerUserId, now);
                @case.TransitionTo(next, actor, null, now);
            }
            db.Cases.Add(@case);
            await db.SaveChangesAsync();
            return @case.Id;
        });
    }

    public static readonly CaseStatus[] MainPath =
    [
        CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords, CaseStatus.ReadyForReview,
        CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered, CaseStatus.Closed,
    ];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!_ownsStorage) return;
        await Database.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed record TestUser(Guid Id, string Email, string Role, string Token);

public sealed record Scenario(Guid SponsorId, Guid ProgramId, Guid MemberId);

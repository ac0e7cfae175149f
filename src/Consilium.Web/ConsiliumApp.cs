using System.Text.Json;
using System.Text.Json.Serialization;
using Consilium.Features.Audit;
using Consilium.Features.CareNavigation;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Consults;
using Consilium.Features.Mail;
using Consilium.Features.Opinions;
using Consilium.Features.Outcomes;
using Consilium.Features.Records;
using Consilium.Features.Demo;
using Consilium.Features.Documents;
using Consilium.Features.Fhir;
using Consilium.Features.Imaging;
using Consilium.Features.Eligibility;
using Consilium.Features.Funding;
using Consilium.Features.Health;
using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Consilium.Features.Members;
using Consilium.Features.Physicians;
using Consilium.Features.Programs;
using Consilium.Features.Security;
using Consilium.Features.Triggers;
using Consilium.Features.Worklist;
using Consilium.Features.Sponsors;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Outbox;
using Consilium.Infrastructure.Persistence;
using Consilium.Infrastructure.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Scalar.AspNetCore;

namespace Consilium;

/// <summary>Composes the platform: each feature adds its services and maps its endpoints.</summary>
public static class ConsiliumApp
{
    public const string DefaultUrl = "http://localhost:5080";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (Environment.GetEnvironmentVariable("CONSILIUM_CONFIG") is { Length: > 0 } file)
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);

        var services = builder.Services;
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        var database = DatabaseSettings.FromConfiguration(builder.Configuration, storage.FullDataDirectory);
        services.AddSingleton(database);
        services.AddDbContext<ConsiliumDbContext>(database.Apply);
        services.AddDocumentStorage(builder.Configuration);
        // First among hosted services: data protection and everything else read the database as they start.
        services.AddHostedService<DatabaseInitializer>();
        // Second: on PostgreSQL "now" is the database server's clock, measured before any timer starts (docs/deployment.md).
        services.AddPlatformClock(builder.Configuration, database);
        services.AddHttpContextAccessor();

        services.AddDataProtection().SetApplicationName("Consilium").PersistKeysToDbContext<ConsiliumDbContext>();
        services.EncryptDataProtectionKeysWithMasterKey();

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => ConfigureJson(o.JsonSerializerOptions));

        services.AddConsiliumRateLimits(builder.Configuration);
        services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section).ValidateOnStart();
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        services.AddOpenApi();
        services.AddRazorPages(o => o.RootDirectory = "/Features");
        services.AddConsiliumIdentity(builder.Configuration);
        services.AddConsiliumHealth();
        services.AddAudit();
        services.AddSponsors();
        services.AddPrograms();
        services.AddMembers();
        services.AddCases();
        services.AddWorklist();
        services.AddEligibility();
        services.AddIntake();
        services.AddFunding();
        services.AddBreakGlass();
        services.AddConsents();
        services.AddRecords();
        services.AddDocuments();
        services.AddTriggers();
        services.AddNetwork();
        services.AddOutbox();
        services.AddMail();
        services.AddOutboxPage();
        services.AddOpinions();
        services.AddCareNavigation();
        services.AddConsults();
        services.AddFhir();
        services.AddImaging();
        services.AddOutcomes();
        services.AddDemo(builder.Configuration);

        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // Request lines carry URLs, and a URL can carry a search term such as a member's name: never below Warning.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.None);
        // The built-in exception middleware logs exception messages, which can carry request values; ProblemMapping logs instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogLevel.None);
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Outside development, a server that listens on HTTPS sends every plain request there and pins it with HSTS.
        if (!app.Environment.IsDevelopment() && (app.Configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.Use(SecurityHeaders);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new ManifestEmbeddedFileProvider(typeof(ConsiliumApp).Assembly, "Assets"),
            RequestPath = "/assets",
        });
        app.UseRouting();
        app.UseFhirOperationOutcomes();
        app.UseRequestLimits();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.Use(MfaRequirement.EnforceAsync);
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapConsiliumHealth();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Consilium API")).AllowAnonymous();
        app.MapAudit();
        app.MapSponsors();
        app.MapPrograms();
        app.MapMembers();
        app.MapCases();
        app.MapWorklist();
        app.MapEligibility();
        app.MapIntake();
        app.MapFunding();
        app.MapBreakGlass();
        app.MapConsents();
        app.MapRecords();
        app.MapDocuments();
        app.MapTriggers();
        app.MapNetwork();
        app.MapOpinions();
        app.MapCareNavigation();
        app.MapConsults();
        app.MapOutcomes();
        app.MapOutbox();
        app.MapTokens();
        app.MapFhir();
        app.MapImaging();
        app.MapRazorPages();
        return app;
    }

    internal static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.DictionaryKeyPolicy = null;
        json.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        // A field the endpoint does not know is an error, not silently dropped: it is usually a typo.
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.NumberHandling = JsonNumberHandling.Strict;
    }

    static async Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // The API reference page runs its own inline bootstrap script; every other page runs only our own files.
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs") || context.Request.Path.StartsWithSegments("/scalar")
            ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'"
            : "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
        // Nothing a signed-in user sees may linger in a shared browser's or proxy's cache (170.315(d)(7)).
        context.Response.OnStarting(() =>
        {
            if (context.User.Identity?.IsAuthenticated == true) context.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        await next();
    }
}

using System.Text.Json;
using Microsoft.Playwright;

namespace Consilium.Tests.Browser;

/// <summary>
/// axe-core (from npm; ./test installs it and sets CONSILIUM_TEST_AXE to its axe.min.js) run inside Chromium on the page as
/// it is. A context that runs it needs <c>BypassCSP</c>: the app's Content-Security-Policy rightly refuses inline scripts,
/// and axe is injected as one.
/// </summary>
public static class Axe
{
    public static string? Script => Environment.GetEnvironmentVariable("CONSILIUM_TEST_AXE") is { Length: > 0 } path && File.Exists(path) ? path : null;

    public const string SkipReason = "CONSILIUM_TEST_AXE is not set to axe-core's axe.min.js: run the suite with ./test, which installs axe-core from npm.";

    public sealed record Violation(string Id, string Impact, string Help, string[] Nodes);

    /// <summary>Runs axe on the page as it is now; returns the serious and critical violations.</summary>
    public static async Task<IReadOnlyList<Violation>> AuditAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = Script });
        var json = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { resultTypes: ['violations'] });
              return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')) }));
            }
            """);
        return json.Deserialize<Violation[]>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public static string Describe(string url, IReadOnlyList<Violation> violations) =>
        $"{url}:\n" + string.Join("\n", violations.Select(v => $"  {v.Impact} {v.Id}: {v.Help}\n    " + string.Join("\n    ", v.Nodes)));
}

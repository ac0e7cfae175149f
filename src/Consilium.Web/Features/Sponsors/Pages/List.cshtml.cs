using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Sponsors.Pages;

/// <summary>The sponsors a program admin works with, and a form to add one.</summary>
[Authorize(Policy = Policies.SponsorWrite)]
public sealed class ListModel(SponsorHandlers handlers) : PageModel
{
    public IReadOnlyList<SponsorView> Sponsors { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Name { get; private set; }
    public SponsorKind? Kind { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Sponsors = await handlers.ListAsync(ct);

    public async Task<IActionResult> OnPostAsync(string? name, SponsorKind? kind, CancellationToken ct)
    {
        try
        {
            await handlers.CreateAsync(new CreateSponsorRequest(name, kind), ct);
            return RedirectToPage();
        }
        catch (Exception e) when (e is RequestValidationException or RuleViolationException or ConflictException)
        {
            (Error, Name, Kind) = (e is RequestValidationException v ? string.Join(" ", v.Errors.SelectMany(x => x.Value)) : e.Message, name, kind);
            Response.StatusCode = e is ConflictException ? 409 : 400;
            Sponsors = await handlers.ListAsync(ct);
            return Page();
        }
    }

    public static string KindLabel(SponsorKind kind) => kind switch
    {
        SponsorKind.Employer => "Self-insured employer",
        SponsorKind.HealthPlan => "Health plan",
        SponsorKind.StopLossCarrier => "Stop-loss carrier",
        SponsorKind.Hospital => "Hospital (direct to the public)",
        _ => kind.ToString(),
    };
}

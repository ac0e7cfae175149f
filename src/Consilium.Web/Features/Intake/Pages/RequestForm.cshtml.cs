using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Consilium.Features.Intake.Pages;

/// <summary>
/// The member's own request. Sponsor-paid programs check eligibility by member id and date of birth; self-pay and
/// grant-funded programs take the member's details, with the price shown before anything is asked. Someone not signed
/// in also chooses the password of their new login here.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Sensitive)]
public sealed class RequestFormModel(SelfRequestHandlers handlers, CurrentActor actor) : PageModel
{
    [BindProperty]
    public IntakeForm Form { get; set; } = new();

    [BindProperty]
    public string? AccountEmail { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public PublicProgramView Program { get; private set; } = null!;
    public FormErrors Errors { get; } = new();
    // Taken as the request arrives: the self-request acts as the new member while it runs, and the page must still
    // render for the anonymous visitor it was when it fails.
    public bool SignedInMember { get; private set; }
    public bool SignedInStaff { get; private set; }
    public bool Sponsored => Program.Funding == FundingModel.SponsorPaid;

    public async Task OnGetAsync(Guid programId, CancellationToken ct)
    {
        Who();
        Program = await handlers.ProgramAsync(programId, ct);
    }

    public async Task<IActionResult> OnPostAsync(Guid programId, CancellationToken ct)
    {
        Who();
        Program = await handlers.ProgramAsync(programId, ct);
        Form.ProgramId = programId;
        Errors.AddBindingErrors(ModelState, nameof(Form));
        if (!Errors.Any)
        {
            try
            {
                var source = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                var result = await handlers.RequestAsync(new SelfRequest(Form.ToRequest(), AccountEmail, Password), source, ct);
                return Redirect($"/request/received/{result.CaseId}");
            }
            catch (Exception e) when (e is RequestValidationException or RuleViolationException or ForbiddenException)
            {
                Errors.Add(e, field => field switch { "email" => nameof(AccountEmail), "password" => nameof(Password), _ => IntakeForm.FieldOf(field) });
            }
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    void Who()
    {
        SignedInMember = actor.Role == Roles.Patient && actor.MemberId is not null;
        SignedInStaff = actor.IsAuthenticated && !SignedInMember;
    }
}

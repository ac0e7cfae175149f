using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Intake.Pages;

/// <summary>The form a nurse fills while on the call with the member; the case opens at Intake and stays with them.</summary>
[Authorize(Policy = Policies.IntakePhone)]
public sealed class PhoneModel(IntakeHandlers intake, ProgramHandlers programs) : PageModel
{
    [BindProperty]
    public IntakeForm Form { get; set; } = new();

    public FormErrors Errors { get; } = new();
    public IReadOnlyList<ProgramView> Programs { get; private set; } = [];

    public async Task OnGetAsync(Guid? programId, CancellationToken ct)
    {
        Programs = await programs.ListAsync(ct);
        Form.ProgramId = programId ?? (Programs.Count == 1 ? Programs[0].Id : null);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Programs = await programs.ListAsync(ct);
        Errors.AddBindingErrors(ModelState, nameof(Form));
        if (!Errors.Any)
        {
            try
            {
                var result = await intake.PhoneAsync(Form.ToRequest(), ct);
                return Redirect($"/cases/{result.CaseId}");
            }
            catch (Exception e) when (e is RequestValidationException or RuleViolationException or NotFoundException)
            {
                Errors.Add(e is NotFoundException ? new RuleViolationException("programId", "Choose one of your programs.") : e, IntakeForm.FieldOf);
            }
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public static IReadOnlyList<ConditionCategory> AllCategories { get; } = Enum.GetValues<ConditionCategory>();
}

using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Intake.Pages;

/// <summary>What a member sees right after requesting: their case number, their questions, what happens next and what they owe.</summary>
[Authorize(Policy = Policies.CaseRead)]
public sealed class ReceivedModel(IntakeHandlers intake) : PageModel
{
    public CaseIntakeView Case { get; private set; } = null!;

    public async Task OnGetAsync(Guid caseId, CancellationToken ct) => Case = await intake.GetAsync(caseId, ct);
}

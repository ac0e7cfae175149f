using Consilium.Features.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Intake;

public sealed record CaseIntakePanel(CaseIntakeView Case, bool CanReassign);

/// <summary>
/// The intake, SLA clock, coordinator and payments of a case, for the case page. The page's own read of the case is
/// audited, so this panel adds no entry of its own; it shows nothing for a case the user cannot see.
/// </summary>
public sealed class CaseIntakeViewComponent(IntakeHandlers intake, CurrentActor actor) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(Guid caseId)
    {
        var view = await intake.ViewForPageAsync(caseId, HttpContext.RequestAborted);
        if (view is null) return Content("");
        var canReassign = Policies.RolesByPolicy[Policies.CaseAssign].Contains(actor.Role);
        return View("/Features/Intake/Pages/_CaseIntake.cshtml", new CaseIntakePanel(view, canReassign));
    }
}

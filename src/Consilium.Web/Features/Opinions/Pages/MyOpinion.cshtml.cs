using Consilium.Features.CareNavigation;
using Consilium.Features.Consults;
using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Opinions.Pages;

/// <summary>The member's report in the portal, in plain language, with the PDF, the video consult booking and the follow-up survey once it is due.</summary>
[Authorize(Policy = Policies.OpinionRead)]
internal sealed class MyOpinionModel(OpinionHandlers opinions, ConsultHandlers consults, CareHandlers care, CurrentActor actor) : PageModel
{
    public MemberSurveyView? Survey { get; private set; }
    public CaseOpinionView? Opinion { get; private set; }
    public CaseConsultView? Consult { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public string TimeZone { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(Guid id, string? timeZone, string? done, CancellationToken ct)
    {
        Done = done;
        return await LoadAsync(id, timeZone, ct);
    }

    public async Task<IActionResult> OnPostBookAsync(Guid id, Guid? slotId, string? timeZone, CancellationToken ct)
    {
        try
        {
            await consults.BookAsync(id, new BookConsultRequest(slotId, timeZone), ct);
            return RedirectToPage(new { id, timeZone, done = "Your video consult is booked. We emailed you the link." });
        }
        catch (DomainException e)
        {
            Error = e is RequestValidationException v ? string.Join(" ", v.Errors.SelectMany(x => x.Value)) : e.Message;
            Response.StatusCode = e is NotFoundException ? 404 : e is RuleViolationException or RequestValidationException ? 400 : 409;
            return await LoadAsync(id, timeZone, ct);
        }
    }

    public async Task<IActionResult> OnPostCancelAsync(Guid id, Guid slotId, string? timeZone, CancellationToken ct)
    {
        try
        {
            await consults.CancelAsync(slotId, new CancelConsultRequest(null), ct);
            return RedirectToPage(new { id, timeZone, done = "Your video consult is cancelled." });
        }
        catch (DomainException e)
        {
            Error = e.Message;
            Response.StatusCode = e is NotFoundException ? 404 : 409;
            return await LoadAsync(id, timeZone, ct);
        }
    }

    public async Task<IActionResult> OnPostSurveyAsync(Guid id, Guid followUpId, FollowedRecommendation? followed, int? satisfaction, string? comment,
        int? version, CancellationToken ct)
    {
        try
        {
            await care.AnswerSurveyAsync(id, followUpId, new MemberSurveyAnswer(followed, satisfaction, comment, version), ct);
            return RedirectToPage(new { id, done = "Thank you for your answers. They help us improve the program." });
        }
        catch (DomainException e)
        {
            Error = e is RequestValidationException v ? string.Join(" ", v.Errors.SelectMany(x => x.Value)) : e.Message;
            Response.StatusCode = ProblemMapping.ToProblem(e)?.Status ?? 409;
            return await LoadAsync(id, null, ct);
        }
    }

    async Task<IActionResult> LoadAsync(Guid id, string? timeZone, CancellationToken ct)
    {
        try
        {
            Opinion = await opinions.GetAsync(id, ct);
        }
        catch (NotFoundException) when (actor.Role == Roles.Patient)
        {
            // No signed opinion yet: the page still offers the consult once a specialist is assigned.
        }
        if (TimeZones.Find(timeZone) is null) timeZone = null;
        Consult = await consults.ForCaseAsync(id, timeZone, ct);
        TimeZone = Consult.TimeZone;
        Survey = await care.DueSurveyAsync(id, ct);
        return Page();
    }
}

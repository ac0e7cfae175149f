using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.NetworkManage)]
public sealed class StateRulesModel(StateRules rules) : PageModel
{
    public IReadOnlyList<StateRuleView> Rules { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Rules = await rules.ListAsync(ct);

    public async Task<IActionResult> OnPostAsync(string? state, StatePracticeRule? rule, string? note, CancellationToken ct)
    {
        try
        {
            var set = await rules.SetAsync(state ?? "", new StateRuleRequest(rule, note), ct);
            Done = $"{set.State}: {set.Rule}.";
        }
        catch (RuleViolationException e)
        {
            Error = e.Message;
            Response.StatusCode = 400;
        }
        Rules = await rules.ListAsync(ct);
        return Page();
    }
}

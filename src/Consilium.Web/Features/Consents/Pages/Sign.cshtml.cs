using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Records;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Consents.Pages;

/// <summary>The member reads and signs the HIPAA authorization for their request, in plain language.</summary>
[Authorize(Policy = Policies.ConsentSign)]
internal sealed class SignModel(ConsentHandlers consents, CaseHandlers cases, TimeProvider clock) : PageModel
{
    public CaseView? Case { get; private set; }
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();
    public string? Error { get; private set; }
    public DateOnly DefaultExpiry => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddYears(1);
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>What a reviewer usually needs for the request's condition, pre-ticked.</summary>
    public IReadOnlySet<RecordCategory> Suggested { get; private set; } = new HashSet<RecordCategory>();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, List<RecordCategory>? scope, string? sources, List<ConsentRecipients>? recipients,
        DateOnly? expiresOn, string? typedName, string? signaturePng, CancellationToken ct)
    {
        var facilities = (sources ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var who = (recipients ?? []).Append(ConsentRecipients.Program).Distinct().ToList();
        try
        {
            await consents.SignAsync(id, new SignConsentRequest(scope ?? [], facilities, who, null, expiresOn, typedName, signaturePng), ct);
            return Redirect("/my?signed=1");
        }
        catch (Exception e) when (e is RequestValidationException or RuleViolationException or ConflictException)
        {
            Errors = e switch
            {
                RequestValidationException v => v.Errors,
                RuleViolationException r => new Dictionary<string, string[]> { [r.Field] = [r.Message] },
                _ => new Dictionary<string, string[]>(),
            };
            Error = e.Message;
            Response.StatusCode = e is ConflictException ? 409 : 400;
            return await LoadAsync(id, ct);
        }
    }

    async Task<IActionResult> LoadAsync(Guid id, CancellationToken ct)
    {
        Case = await cases.GetAsync(id, ct);
        Suggested = new HashSet<RecordCategory>(Case.Category switch
        {
            ConditionCategory.Oncology => new[] { RecordCategory.Pathology, RecordCategory.Imaging, RecordCategory.ClinicalNotes, RecordCategory.TreatmentHistory, RecordCategory.LabResults },
            ConditionCategory.Cardiac => new[] { RecordCategory.CardiacStudies, RecordCategory.ClinicalNotes, RecordCategory.Medications, RecordCategory.LabResults },
            ConditionCategory.RareDisease => new[] { RecordCategory.ClinicalNotes, RecordCategory.LabResults, RecordCategory.TreatmentHistory, RecordCategory.Imaging },
            _ => new[] { RecordCategory.Imaging, RecordCategory.ClinicalNotes, RecordCategory.TreatmentHistory, RecordCategory.Medications },
        });
        return Page();
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;
}

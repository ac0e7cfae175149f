using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Eligibility.Pages;

/// <summary>Upload a roster (CSV or 834) for a program and see what each import changed.</summary>
[Authorize(Policy = Policies.RosterImport)]
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class RosterModel(RosterHandlers rosters, ProgramHandlers programs) : PageModel
{
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    public ProgramView Program { get; private set; } = null!;
    public IReadOnlyList<RosterImportView> Imports { get; private set; } = [];
    public RosterImportView? Result { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(Guid programId, CancellationToken ct) => await LoadAsync(programId, ct);

    public async Task<IActionResult> OnPostAsync(Guid programId, IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            Error = "Choose a roster file to upload.";
            Response.StatusCode = 400;
        }
        else
        {
            try
            {
                await using var stream = file.OpenReadStream();
                Result = await rosters.ImportAsync(programId, stream, file.FileName, null, ct);
            }
            catch (Exception e) when (e is RuleViolationException or ConflictException)
            {
                Error = e.Message;
                Response.StatusCode = e is ConflictException ? 409 : 400;
            }
        }
        await LoadAsync(programId, ct);
        return Page();
    }

    async Task LoadAsync(Guid programId, CancellationToken ct)
    {
        Program = await programs.GetAsync(programId, ct);
        Imports = await rosters.ListAsync(programId, ct);
    }
}

using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Physicians.Pages;

[Authorize(Policy = Policies.NetworkManage)]
[RequestSizeLimit(NetworkApi.MaxImportBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = NetworkApi.MaxImportBytes)]
public sealed class ImportModel(PhysicianHandlers handlers) : PageModel
{
    public PhysicianImportResult? Result { get; private set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            Error = "Choose a network file to upload.";
            Response.StatusCode = 400;
            return Page();
        }
        try
        {
            await using var stream = file.OpenReadStream();
            Result = await handlers.ImportAsync(stream, file.FileName, ct);
        }
        catch (Exception e) when (e is RuleViolationException or ConflictException)
        {
            Error = e.Message;
            Response.StatusCode = e is ConflictException ? 409 : 400;
        }
        return Page();
    }
}

using Consilium.Features.Identity;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Imaging.Pages;

/// <summary>
/// The study viewer for the case's reviewer: its series and instances from the archive's metadata, one rendered image at a
/// time through Consilium's proxy (every image request authorized and audited), previous/next without scripts.
/// </summary>
[Authorize(Policy = Policies.ImagingView)]
internal sealed class ViewerModel(ImagingViewer viewer) : PageModel
{
    public StudyViewerView? View { get; private set; }
    public ViewerSeries? Series { get; private set; }
    public int Index { get; private set; }
    public ViewerInstance? Instance => Series is { Instances.Count: > 0 } s ? s.Instances[Index] : null;
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string studyUid, string? series, int? index, CancellationToken ct)
    {
        try
        {
            View = await viewer.StudyAsync(id, studyUid, ct);
        }
        catch (Exception e) when (e is DomainException or ArchiveException)
        {
            Error = e is ArchiveException ? "The imaging archive did not answer. Try again in a moment." : e.Message;
            Response.StatusCode = e switch { NotFoundException => 404, ForbiddenException => 403, ArchiveException => 502, _ => 409 };
            return Page();
        }
        Series = View.Series.FirstOrDefault(s => s.SeriesInstanceUid == series) ?? View.Series.FirstOrDefault();
        Index = Series is null ? 0 : Math.Clamp(index ?? 0, 0, Series.Instances.Count - 1);
        return Page();
    }

    public string PageLink(ViewerSeries series, int index) =>
        $"/cases/{View!.CaseId}/studies/{View.StudyInstanceUid}/viewer?series={Uri.EscapeDataString(series.SeriesInstanceUid)}&index={index}";

    public string RenderedLink(ViewerSeries series, ViewerInstance instance) =>
        $"/api/cases/{View!.CaseId}/studies/{View.StudyInstanceUid}/series/{series.SeriesInstanceUid}/instances/{instance.SopInstanceUid}/rendered";
}

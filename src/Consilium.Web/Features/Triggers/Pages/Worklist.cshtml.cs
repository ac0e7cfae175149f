using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Infrastructure;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Triggers.Pages;

/// <summary>
/// The trigger worklist of one program: claims files and their scans (with progress), the candidates found, outreach
/// that opens a case at Referred, and outreach outcomes. Program admins also upload files here.
/// </summary>
[Authorize(Policy = Policies.TriggersWork)]
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
internal sealed class WorklistModel(TriggerHandlers triggers, ProgramHandlers programs, ScanSignal signal) : PageModel
{
    /// <summary>Uploads through the page; larger files go through POST /api/programs/{id}/claims-files.</summary>
    public const long MaxUploadBytes = 2L << 30;

    public IReadOnlyList<ProgramView> Programs { get; private set; } = [];
    public ProgramView? Program { get; private set; }
    public IReadOnlyList<ScanJobView> Jobs { get; private set; } = [];
    public IReadOnlyList<CandidateView> Candidates { get; private set; } = [];
    public IReadOnlyList<CandidateView> InOutreach { get; private set; } = [];
    public OutreachSummary? Summary { get; private set; }
    public string? Error { get; private set; }
    public string? Notice { get; private set; }
    public BacktestView? Backtest { get; private set; }
    public DateOnly? BacktestFrom { get; private set; }
    public DateOnly? BacktestTo { get; private set; }
    public string? BacktestDraft { get; private set; }
    public bool CanUpload => User.IsInRole(Roles.ProgramAdmin);
    public bool Busy => Jobs.Any(j => j.Status is ScanJobStatus.Queued or ScanJobStatus.Running);

    public async Task OnGetAsync(Guid? program, CancellationToken ct) => await LoadAsync(program, ct);

    public async Task<IActionResult> OnPostUploadAsync(Guid program, IFormFile? file, bool lenient, CancellationToken ct)
    {
        if (!CanUpload) return Forbid();
        if (file is null || file.Length == 0) return await Fail(program, "Choose a claims or prior-authorization file to upload.", 400, ct);
        await using var stream = file.OpenReadStream();
        return await Run(program, async () =>
        {
            var job = await triggers.SubmitAsync(program, stream, file.FileName, lenient, ct);
            signal.Notify();
            Notice = $"{job.FileName} is queued for scanning.";
        }, ct);
    }

    /// <summary>A backtest of the rules in force, or of a draft pasted into the form, over the program's scanned files.</summary>
    public async Task<IActionResult> OnPostBacktestAsync(Guid program, DateOnly? from, DateOnly? to, string? draft, CancellationToken ct)
    {
        if (!CanUpload) return Forbid();
        (BacktestFrom, BacktestTo, BacktestDraft) = (from, to, string.IsNullOrWhiteSpace(draft) ? null : draft);
        JsonElement? rules = null;
        if (BacktestDraft is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(BacktestDraft);
                rules = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                return await Fail(program, $"The draft rules are not JSON: {e.Message}", 400, ct);
            }
        }
        return await Run(program, async () => Backtest = await triggers.BacktestAsync(program, new BacktestRequest(from, to, rules), ct), ct);
    }

    public Task<IActionResult> OnPostOutreachAsync(Guid program, Guid candidate, CancellationToken ct) =>
        Run(program, async () =>
        {
            var view = await triggers.StartOutreachAsync(candidate, ct);
            Notice = $"Outreach started: a case was opened for {view.MemberName ?? view.MemberId}.";
        }, ct);

    public Task<IActionResult> OnPostOutcomeAsync(Guid program, Guid candidate, OutreachOutcome outcome, CancellationToken ct) =>
        Run(program, async () =>
        {
            await triggers.RecordOutcomeAsync(candidate, new OutcomeRequest(outcome), ct);
            Notice = "Outcome recorded.";
        }, ct);

    public Task<IActionResult> OnPostDismissAsync(Guid program, Guid candidate, string? reason, CancellationToken ct) =>
        Run(program, async () =>
        {
            await triggers.DismissAsync(candidate, new DismissRequest(reason), ct);
            Notice = "Candidate dismissed.";
        }, ct);

    async Task<IActionResult> Run(Guid program, Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is RuleViolationException or ConflictException)
        {
            return await Fail(program, e.Message, e is ConflictException ? 409 : 400, ct);
        }
        await LoadAsync(program, ct);
        return Page();
    }

    async Task<IActionResult> Fail(Guid program, string message, int status, CancellationToken ct)
    {
        Error = message;
        Response.StatusCode = status;
        await LoadAsync(program, ct);
        return Page();
    }

    async Task LoadAsync(Guid? program, CancellationToken ct)
    {
        Programs = await programs.ListAsync(ct);
        Program = program is { } id ? Programs.FirstOrDefault(p => p.Id == id) : Programs.FirstOrDefault();
        if (program is { } wanted && Program is null) throw new NotFoundException("Program", wanted);
        if (Program is null) return;
        Jobs = await triggers.JobsAsync(Program.Id, ct);
        Candidates = await triggers.WorklistAsync(Program.Id, CandidateStatus.Open, ct);
        InOutreach = await triggers.WorklistAsync(Program.Id, CandidateStatus.Outreach, ct);
        Summary = await triggers.SummaryAsync(Program.Id, ct);
    }
}

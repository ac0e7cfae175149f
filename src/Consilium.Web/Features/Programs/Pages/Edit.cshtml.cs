using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Intake.Pages;
using Consilium.Features.Sponsors;
using Consilium.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Programs.Pages;

/// <summary>A program's settings: sponsors and their shares, categories, funding, fee, SLA targets, governance text.</summary>
[Authorize(Policy = Policies.ProgramWrite)]
public sealed class EditModel(ProgramHandlers programs, SponsorHandlers sponsors) : PageModel
{
    public const int CoSponsorRows = 3;

    public sealed class ProgramForm
    {
        public string? Name { get; set; }
        public Guid? SponsorId { get; set; }
        public Guid?[] CoSponsorIds { get; set; } = new Guid?[CoSponsorRows];
        public decimal?[] CoSponsorShares { get; set; } = new decimal?[CoSponsorRows];
        public FundingModel? Funding { get; set; }
        public decimal? SelfPayPrice { get; set; }
        public decimal? CaseFee { get; set; }
        public List<ConditionCategory> Categories { get; set; } = [];
        public int? DaysToFirstContact { get; set; } = SlaTargets.DefaultDaysToFirstContact;
        public int? DaysToCompletePacket { get; set; } = SlaTargets.DefaultDaysToCompletePacket;
        public int? BusinessDaysToOpinion { get; set; } = SlaTargets.DefaultBusinessDaysToOpinion;
        public string? GovernanceText { get; set; }
        public int? Version { get; set; }
    }

    [BindProperty]
    public ProgramForm Form { get; set; } = new();

    public Guid? Id { get; private set; }
    public IReadOnlyList<SponsorView> Sponsors { get; private set; } = [];
    public FormErrors Errors { get; } = new();

    public async Task OnGetAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        Sponsors = await sponsors.ListAsync(ct);
        if (id is not { } programId) return;
        var p = await programs.GetAsync(programId, ct);
        Form = new ProgramForm
        {
            Name = p.Name, SponsorId = p.SponsorId, Funding = p.Funding, SelfPayPrice = p.SelfPayPrice, CaseFee = p.CaseFee,
            Categories = p.Categories.ToList(), DaysToFirstContact = p.Sla.DaysToFirstContact, DaysToCompletePacket = p.Sla.DaysToCompletePacket,
            BusinessDaysToOpinion = p.Sla.BusinessDaysToOpinion, GovernanceText = p.GovernanceText, Version = p.Version,
        };
        for (var i = 0; i < Math.Min(CoSponsorRows, p.CoSponsors.Count); i++)
            (Form.CoSponsorIds[i], Form.CoSponsorShares[i]) = (p.CoSponsors[i].SponsorId, p.CoSponsors[i].Share);
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        Sponsors = await sponsors.ListAsync(ct);
        Errors.AddBindingErrors(ModelState, nameof(Form));
        if (!Errors.Any)
        {
            var coSponsors = Enumerable.Range(0, CoSponsorRows)
                .Where(i => Form.CoSponsorIds.ElementAtOrDefault(i) is not null)
                .Select(i => new CoSponsorRequest(Form.CoSponsorIds[i], Form.CoSponsorShares.ElementAtOrDefault(i)))
                .ToList();
            var request = new CreateProgramRequest(Form.Name, Form.SponsorId, Form.Funding,
                Form.Funding == FundingModel.SelfPay ? Form.SelfPayPrice : null, Form.Categories, Form.CaseFee,
                new SlaTargetsRequest(Form.DaysToFirstContact, Form.DaysToCompletePacket, Form.BusinessDaysToOpinion),
                Form.GovernanceText, coSponsors, null, Form.Version);
            try
            {
                var saved = id is { } programId ? await programs.UpdateAsync(programId, request, null, ct) : await programs.CreateAsync(request, ct);
                return Redirect($"/programs?saved={saved.Id}");
            }
            catch (Exception e) when (e is RequestValidationException or RuleViolationException or ConflictException)
            {
                Errors.Add(e, FieldOf);
                Response.StatusCode = e is ConflictException ? 409 : 400;
                return Page();
            }
        }
        Response.StatusCode = 400;
        return Page();
    }

    static string FieldOf(string apiField) => apiField switch
    {
        "name" => nameof(ProgramForm.Name),
        "sponsorId" => nameof(ProgramForm.SponsorId),
        "funding" => nameof(ProgramForm.Funding),
        "selfPayPrice" => nameof(ProgramForm.SelfPayPrice),
        "caseFee" => nameof(ProgramForm.CaseFee),
        "categories" => nameof(ProgramForm.Categories),
        "governanceText" => nameof(ProgramForm.GovernanceText),
        "sla.daysToFirstContact" => nameof(ProgramForm.DaysToFirstContact),
        "sla.daysToCompletePacket" => nameof(ProgramForm.DaysToCompletePacket),
        "sla.businessDaysToOpinion" => nameof(ProgramForm.BusinessDaysToOpinion),
        _ when apiField.StartsWith("coSponsors", StringComparison.Ordinal) || apiField == "primarySponsorShare" => "CoSponsors",
        _ => "",
    };
}

using Consilium.Features.Cases;
using Consilium.Features.Programs;

namespace Consilium.Features.Intake.Pages;

/// <summary>Words for the intake screens.</summary>
public static class IntakeText
{
    public static string Category(ConditionCategory c) => c switch
    {
        ConditionCategory.RareDisease => "Rare disease",
        ConditionCategory.Musculoskeletal => "Musculoskeletal (joints, bones)",
        _ => c.ToString(),
    };

    public static string Source(ReferralSource s) => s switch
    {
        ReferralSource.Trigger => "Outreach from the program",
        ReferralSource.OpenEnrollment => "Open enrollment",
        ReferralSource.DiagnosisNotification => "A notice after a diagnosis",
        ReferralSource.Physician => "A physician",
        ReferralSource.Self => "Found it myself",
        _ => s.ToString(),
    };

    public static string Funding(FundingModel funding, decimal price) => funding switch
    {
        FundingModel.SponsorPaid => "Paid by your plan or employer: $0 to you",
        FundingModel.SelfPay => $"Self-pay: {Money.Format(price)}",
        _ => "Funded by a charitable grant: $0 to you when a grant is awarded",
    };
}

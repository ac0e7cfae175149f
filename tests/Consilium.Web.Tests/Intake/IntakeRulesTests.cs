using Consilium.Features;
using Consilium.Features.Cases;

namespace Consilium.Tests.Intake;

/// <summary>The checks intake makes on what people type: NPI check digits, code shapes, and the SLA's business days.</summary>
public sealed class IntakeRulesTests
{
    [Theory]
    [InlineData("1234567893")] // CMS's worked example
    [InlineData("1245319599")]
    [InlineData("1679576722")]
    [InlineData("1861427197")]
    [InlineData("2000000002")]
    public void Npi_WithTheRightCheckDigit_IsValid(string npi) => Assert.True(Npi.IsValid(npi));

    [Theory]
    [InlineData("1234567890")] // wrong check digit
    [InlineData("1234567894")]
    [InlineData("123456789")] // nine digits
    [InlineData("12345678930")]
    [InlineData("3234567899")] // must start with 1 or 2
    [InlineData("12345 7893")]
    [InlineData("")]
    [InlineData(null)]
    public void Npi_Malformed_IsInvalid(string? npi) => Assert.False(Npi.IsValid(npi));

    [Fact]
    public void NpiCheckDigit_IsTheLuhnDigitOverThePrefixedNumber()
    {
        // Luhn over "80840" + the nine digits, computed the long way.
        foreach (var nine in new[] { "123456789", "124531959", "987654321", "100000000" })
        {
            var digits = ("80840" + nine).Select(c => c - '0').Reverse().ToArray();
            var sum = digits.Select((d, i) => i % 2 == 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d).Sum();
            Assert.Equal((10 - sum % 10) % 10, Npi.CheckDigit(nine));
        }
    }

    [Theory]
    [InlineData("M51.16", "M51.16")]
    [InlineData("m5116", "M51.16")]
    [InlineData("C50.911", "C50.911")]
    [InlineData("S72.001A", "S72.001A")]
    [InlineData("I10", "I10")]
    [InlineData("U07.1", "U07.1")]
    [InlineData(" z79.899 ", "Z79.899")]
    public void Icd10Cm_WellShaped_IsNormalized(string code, string expected) => Assert.Equal(expected, ClinicalCodes.NormalizeIcd10Cm(code));

    [Theory]
    [InlineData("5116M")]
    [InlineData("M5")]
    [InlineData("M51.16789")]
    [InlineData("M5.116")]
    [InlineData("M51..16")]
    [InlineData("MM1.16")]
    [InlineData("M51-16")]
    public void Icd10Cm_Misshapen_IsRefused(string code) => Assert.Null(ClinicalCodes.NormalizeIcd10Cm(code));

    [Theory]
    [InlineData("22612", ProcedureCodeSystem.Cpt)]
    [InlineData("0519F", ProcedureCodeSystem.Cpt)]
    [InlineData("0275T", ProcedureCodeSystem.Cpt)]
    [InlineData("J9355", ProcedureCodeSystem.Hcpcs)]
    [InlineData("0SG00A0", ProcedureCodeSystem.Icd10Pcs)]
    [InlineData("0sr90j9", ProcedureCodeSystem.Icd10Pcs)]
    public void ProcedureCode_IsRecognizedByItsShape(string code, ProcedureCodeSystem system) => Assert.Equal(system, ClinicalCodes.ProcedureSystem(code));

    [Theory]
    [InlineData("2261")]
    [InlineData("226123")]
    [InlineData("W9355X")]
    [InlineData("0SG00I0")] // ICD-10-PCS never uses I or O
    [InlineData("Z9355")]
    public void ProcedureCode_Misshapen_IsRefused(string code) => Assert.Null(ClinicalCodes.ProcedureSystem(code));

    [Theory]
    [InlineData("2026-03-04T10:00:00Z", 5, "2026-03-11T10:00:00Z")] // Wednesday + 5 = next Wednesday
    [InlineData("2026-03-06T16:00:00Z", 1, "2026-03-09T16:00:00Z")] // Friday + 1 = Monday
    [InlineData("2026-03-07T11:00:00Z", 1, "2026-03-10T00:00:00Z")] // a Saturday start counts from Monday's start
    [InlineData("2026-03-02T09:00:00Z", 0, "2026-03-02T09:00:00Z")]
    public void BusinessDays_SkipWeekends(string from, int days, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected), CaseSla.AddBusinessDays(DateTimeOffset.Parse(from), days));

    [Fact]
    public void Intake_ReportsEveryBadFieldByItsRequestName()
    {
        var errors = new Dictionary<string, string[]>();

        var intake = CaseIntake.Create(["First", ""], ["M51.16", "bad"], null, ["2261"], null, null, "1234567890", "Clinic", null,
            null, null, "XX", null, errors);

        Assert.Null(intake);
        Assert.Equal(["diagnosis.codes[1]", "proposedTreatment.codes[0]", "questions[1]", "stateOfResidence", "treatingPhysician.name", "treatingPhysician.npi"],
            errors.Keys.Order());
    }
}

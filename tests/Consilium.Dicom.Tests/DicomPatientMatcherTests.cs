namespace Consilium.Dicom.Tests;

public class DicomPatientMatcherTests
{
    private static readonly DateOnly BirthDate = new(1970, 2, 3);

    private static PatientMatchResult Match(string? dicomName, string? dicomBirthDate = "19700203",
        string given = "Jörg", string family = "Müller", DateOnly? birthDate = null) =>
        DicomPatientMatcher.Match(dicomName is null ? null : DicomPersonName.Parse(dicomName), dicomBirthDate, given, family, birthDate ?? BirthDate);

    [Theory]
    [InlineData("MÜLLER^JÖRG")]
    [InlineData("Muller^Jorg")]
    [InlineData("Müller^Jörg^Peter")]
    [InlineData("Müller-Schmidt^Jörg")]
    [InlineData("JÖRG^MÜLLER")]
    [InlineData("Jörg Müller")]
    [InlineData("Müller^J")]
    [InlineData("Müller^Jörg^^Dr.^Jr")]
    [InlineData("Müller^Jörg=ミュラー^ヨルク")]
    public void Match_SamePersonWrittenDifferently_Match(string dicomName)
    {
        var result = Match(dicomName);

        Assert.Equal(PatientMatchOutcome.Match, result.Outcome);
        Assert.Equal(PatientMatchFields.None, result.Mismatched | result.Unknown);
    }

    [Fact]
    public void Match_GermanTransliteration_IsAMismatchNotAMatch()
    {
        // "ue" for "ü" is a spelling, not a diacritic; the coordinator decides, the matcher does not guess.
        var result = Match("MUELLER^JOERG");

        Assert.Equal(PatientMatchOutcome.Mismatch, result.Outcome);
    }

    [Theory]
    [InlineData("Schmidt^Jörg")]
    [InlineData("Müller^Anna")]
    [InlineData("Anna Schmidt")]
    [InlineData("Schmidt")]
    public void Match_DifferentName_MismatchOnName(string dicomName)
    {
        var result = Match(dicomName);

        Assert.Equal(PatientMatchOutcome.Mismatch, result.Outcome);
        Assert.Equal(PatientMatchFields.Name, result.Mismatched);
        Assert.DoesNotContain("Schmidt", result.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Match_DifferentBirthDate_MismatchOnBirthDate()
    {
        var result = Match("Müller^Jörg", "19700302");

        Assert.Equal(PatientMatchOutcome.Mismatch, result.Outcome);
        Assert.Equal(PatientMatchFields.BirthDate, result.Mismatched);
        Assert.Equal("birth date differs", result.Reason);
    }

    [Fact]
    public void Match_NameAndBirthDateDiffer_BothFieldsReported()
    {
        var result = Match("Schmidt^Anna", "19991231");

        Assert.Equal(PatientMatchFields.Name | PatientMatchFields.BirthDate, result.Mismatched);
    }

    [Theory]
    [InlineData(null, "19700203", PatientMatchFields.Name)]
    [InlineData("^^^^", "19700203", PatientMatchFields.Name)]
    [InlineData("Anonymous", "19700203", PatientMatchFields.Name)]
    [InlineData("Müller", "19700203", PatientMatchFields.Name)]
    [InlineData("Müller^Jörg", null, PatientMatchFields.BirthDate)]
    [InlineData("Müller^Jörg", "", PatientMatchFields.BirthDate)]
    [InlineData("Müller^Jörg", "not a date", PatientMatchFields.BirthDate)]
    public void Match_FieldMissingOrAnonymised_Unknown(string? dicomName, string? dicomBirthDate, PatientMatchFields unknown)
    {
        var result = Match(dicomName, dicomBirthDate);

        Assert.Equal(PatientMatchOutcome.Unknown, result.Outcome);
        Assert.Equal(unknown, result.Unknown);
    }

    [Fact]
    public void Match_AnonymisedNameButDifferentBirthDate_StillMismatch()
    {
        var result = Match("Anonymous", "20010101");

        Assert.Equal(PatientMatchOutcome.Mismatch, result.Outcome);
        Assert.Equal((PatientMatchFields.BirthDate, PatientMatchFields.Name), (result.Mismatched, result.Unknown));
    }

    [Fact]
    public void Match_MemberBirthDateUnknown_Unknown()
    {
        var result = DicomPatientMatcher.Match(DicomPersonName.Parse("Müller^Jörg"), "19700203", "Jörg", "Müller", null);

        Assert.Equal(PatientMatchOutcome.Unknown, result.Outcome);
    }

    [Fact]
    public void Match_Header_UsesPatientAttributes()
    {
        var header = new DicomHeader
        {
            TransferSyntaxUid = DicomTransferSyntax.ExplicitVRLittleEndian,
            PatientName = DicomPersonName.Parse("O'BRIEN^SEÁN"),
            PatientBirthDate = "19851124",
        };

        var result = DicomPatientMatcher.Match(header, "Sean", "OBrien", new DateOnly(1985, 11, 24));

        Assert.Equal(PatientMatchOutcome.Match, result.Outcome);
    }

    [Theory]
    [InlineData("Łódź Ærø Straße", "LODZ AERO STRASSE")]
    [InlineData("Ñandú-Çelik", "NANDU CELIK")]
    [InlineData("d'Artagnan", "DARTAGNAN")]
    public void Fold_LatinDiacritics_PlainUpperCase(string text, string expected)
    {
        Assert.Equal(expected, DicomPatientMatcher.Fold(text));
    }
}

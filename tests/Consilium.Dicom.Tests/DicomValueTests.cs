namespace Consilium.Dicom.Tests;

public class DicomValueTests
{
    [Theory]
    [InlineData("20240115", 2024, 1, 15)]
    [InlineData("1970.02.03", 1970, 2, 3)]
    [InlineData(" 20240115 ", 2024, 1, 15)]
    public void ParseDate_ValidForms_Parsed(string text, int year, int month, int day)
    {
        Assert.Equal(new DateOnly(year, month, day), DicomValue.ParseDate(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("20241315")]
    [InlineData("2024-01-15")]
    [InlineData("20240115-20240120")]
    public void ParseDate_InvalidOrRange_Null(string? text)
    {
        Assert.Null(DicomValue.ParseDate(text));
    }

    [Theory]
    [InlineData("093015.25", 9, 30, 15, 250)]
    [InlineData("0930", 9, 30, 0, 0)]
    [InlineData("09", 9, 0, 0, 0)]
    [InlineData("09:30:15", 9, 30, 15, 0)]
    public void ParseTime_ValidForms_Parsed(string text, int hour, int minute, int second, int millisecond)
    {
        Assert.Equal(new TimeOnly(hour, minute, second, millisecond), DicomValue.ParseTime(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2560")]
    [InlineData("093")]
    [InlineData("093015.1234567")]
    public void ParseTime_Invalid_Null(string text)
    {
        Assert.Null(DicomValue.ParseTime(text));
    }

    [Theory]
    [InlineData(" 12 ", 12)]
    [InlineData(@"3\4", 3)]
    [InlineData("-7", -7)]
    [InlineData("x", null)]
    [InlineData("99999999999", null)]
    public void ParseInteger_IntegerStrings(string text, int? expected)
    {
        Assert.Equal(expected, DicomValue.ParseInteger(text));
    }

    [Fact]
    public void PersonName_Parse_ComponentsFromAlphabeticGroup()
    {
        var name = DicomPersonName.Parse("Yamada^Tarou^^Dr^=山田^太郎=やまだ^たろう");

        Assert.Equal(("Yamada", "Tarou", "", "Dr", ""), (name.FamilyName, name.GivenName, name.MiddleName, name.Prefix, name.Suffix));
        Assert.False(name.IsEmpty);
        Assert.True(DicomPersonName.Parse("^^^^").IsEmpty);
    }

    [Fact]
    public void Tag_ToString_DcmdumpFormat()
    {
        Assert.Equal("(7fe0,0010)", DicomTag.PixelData.ToString());
        Assert.True(DicomTag.PatientName < DicomTag.PixelData);
    }
}

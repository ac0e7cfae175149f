using System.Text;
using Consilium.X12.Transactions;

namespace Consilium.X12.Tests;

/// <summary>
/// The filtered 837 path validates dates and amounts without building them (<see cref="Parse.IsDate"/>,
/// <see cref="Parse.IsDecimal"/>); they must accept exactly what the building parsers accept.
/// </summary>
public class ValidationOnlyTests
{
    [Theory]
    [InlineData("20250101")]
    [InlineData("20240229")]
    [InlineData("20250229")]
    [InlineData("19000229")]
    [InlineData("20000229")]
    [InlineData("20251231")]
    [InlineData("20251232")]
    [InlineData("20251301")]
    [InlineData("20250001")]
    [InlineData("20250100")]
    [InlineData("00000101")]
    [InlineData("00010101")]
    [InlineData("99991231")]
    [InlineData("2025010")]
    [InlineData("202501010800")]
    [InlineData("2025-01-01")]
    [InlineData("2025O101")]
    [InlineData("2025/101")]
    [InlineData("2025:101")]
    [InlineData("20250431")]
    [InlineData("20250430")]
    [InlineData("")]
    public void IsDate_AgreesWithDate(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(Parse.Date(bytes) is not null, Parse.IsDate(bytes));
    }

    [Fact]
    public void IsDate_AgreesWithDate_OnEveryByteInEachPosition()
    {
        var bytes = "20240229"u8.ToArray();
        for (int position = 0; position < 8; position++)
        {
            byte original = bytes[position];
            for (int b = 0; b < 256; b++)
            {
                bytes[position] = (byte)b;
                Assert.Equal(Parse.Date(bytes) is not null, Parse.IsDate(bytes));
            }
            bytes[position] = original;
        }
    }

    [Theory]
    [InlineData("766.50")]
    [InlineData("700")]
    [InlineData("-5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("-.")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    [InlineData("1-")]
    [InlineData("1e3")]
    [InlineData(" 1")]
    [InlineData("")]
    [InlineData("123456789012345678")]
    public void IsDecimal_AgreesWithTryParseDecimal(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(X12SegmentReader.TryParseDecimal(bytes, out _), Parse.IsDecimal(bytes));
    }
}

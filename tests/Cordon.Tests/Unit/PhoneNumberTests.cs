using Cordon.Features.Registry;

namespace Cordon.Tests.Unit;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("13812345678")]
    [InlineData("19912345678")]
    [InlineData("16600000000")]
    [InlineData("010-12345678")]
    [InlineData("01012345678")]
    [InlineData("0755-1234567")]
    [InlineData("0755-12345678")]
    [InlineData("075512345678")]
    public void Mobile_numbers_and_landlines_are_accepted(string phone) => PhoneNumber.IsValid(phone).ShouldBeTrue();

    [Theory]
    [InlineData("12812345678")] // no mobile network starts 12
    [InlineData("1381234567")] // 10 digits
    [InlineData("138123456789")] // 12 digits
    [InlineData("+8613812345678")]
    [InlineData("138 1234 5678")]
    [InlineData("138-1234-5678")]
    [InlineData("23812345678")]
    [InlineData("010-123456")]
    [InlineData("0755-123456789")]
    [InlineData("1380013800A")]
    [InlineData("１３８１２３４５６７８")] // full-width digits throughout
    [InlineData("13８１２３４５６７８")] // full-width after a plain "13": \d would let these through
    [InlineData("13٨١٢٣٤٥٦٧٨")] // Arabic-Indic digits
    [InlineData("13812345678\n")] // $ would let a trailing newline through
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_refused(string? phone) => PhoneNumber.IsValid(phone).ShouldBeFalse();
}

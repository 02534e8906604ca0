using Cordon.Features.Registry;

namespace Cordon.Tests.Unit;

/// <summary>GB 11643-1999 resident ID numbers: 6-digit area, birth date, sequence, ISO 7064 MOD 11-2 check character.</summary>
public class ResidentIdNumberTests
{
    [Theory]
    [InlineData("11010519491231002X")] // the standard's own example, check character X
    [InlineData("11010519491231002x")] // typed in lower case
    [InlineData(" 11010519491231002X ")] // pasted with spaces
    [InlineData("440524198001010013")]
    [InlineData("110101199003071233")]
    [InlineData("32010619850612345X")]
    [InlineData("990102200002290018")] // 29 February of a leap year
    [InlineData("510100201001010048")]
    [InlineData("310115197510105676")]
    public void Accepts_valid_numbers(string id)
    {
        ResidentIdNumber.Validate(id).ShouldBeNull();
        ResidentIdNumber.IsValid(id).ShouldBeTrue();
    }

    [Theory]
    [InlineData("110105194912310021", "has a wrong check digit")] // X expected
    [InlineData("11010519491231002Y", "must be 17 digits followed by a digit or X")]
    [InlineData("440524198001010014", "has a wrong check digit")]
    [InlineData("110101199003071234", "has a wrong check digit")]
    [InlineData("110105199902300015", "contains an impossible birth date")] // 30 February, correct check digit
    [InlineData("110105190002290017", "contains an impossible birth date")] // 1900 was not a leap year
    [InlineData("110105199913010013", "contains an impossible birth date")] // month 13
    [InlineData("110105199901000010", "contains an impossible birth date")] // day 0
    [InlineData("110105189912310015", "contains an impossible birth date")] // before 1900
    [InlineData("11010519491231002", "must have 18 characters")]
    [InlineData("11010519491231002X1", "must have 18 characters")]
    [InlineData("110105491231002", "must have 18 characters")] // the old 15-digit form
    [InlineData("1101051949123100X2", "must be 17 digits followed by a digit or X")]
    [InlineData("A1010519491231002X", "must be 17 digits followed by a digit or X")]
    [InlineData("ABCDEFGHIJKLMNOPQR", "must be 17 digits followed by a digit or X")]
    [InlineData("１１０１０５１９４９１２３１００２X", "must be 17 digits followed by a digit or X")] // full-width digits
    [InlineData("110105 1949123100X", "must be 17 digits followed by a digit or X")]
    [InlineData("", "is required")]
    [InlineData("   ", "is required")]
    [InlineData(null, "is required")]
    public void Refuses_invalid_numbers_saying_why(string? id, string reason)
    {
        ResidentIdNumber.Validate(id).ShouldBe(reason);
        ResidentIdNumber.IsValid(id).ShouldBeFalse();
    }

    [Fact]
    public void Refuses_a_birth_date_in_the_future()
    {
        var nextYear = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1);
        var id = ResidentIdNumber.Compose("110105", nextYear, 1, Sex.Female);

        ResidentIdNumber.Validate(id).ShouldBe("contains a birth date in the future");
        ResidentIdNumber.Validate(ResidentIdNumber.Compose("110105", nextYear.AddYears(-2), 1, Sex.Female)).ShouldBeNull();
    }

    [Theory]
    [InlineData("11010519491231002X", 1949, 12, 31, Sex.Female)]
    [InlineData("110101199003071233", 1990, 3, 7, Sex.Male)]
    [InlineData("990102200002290018", 2000, 2, 29, Sex.Male)]
    [InlineData("510100201001010048", 2010, 1, 1, Sex.Female)]
    public void Birth_date_and_sex_are_read_from_the_number(string id, int year, int month, int day, Sex sex)
    {
        ResidentIdNumber.BirthDateOf(id).ShouldBe(new DateOnly(year, month, day));
        ResidentIdNumber.SexOf(id).ShouldBe(sex);
    }

    [Theory]
    [InlineData("110101", 1950, 1, 1, 0, Sex.Male)]
    [InlineData("990102", 2000, 2, 29, 7, Sex.Female)]
    [InlineData("440524", 1999, 12, 31, 499, Sex.Male)]
    [InlineData("320106", 2024, 2, 29, 123, Sex.Female)]
    public void Composed_numbers_are_valid_and_carry_their_parts(string area, int year, int month, int day, int sequence, Sex sex)
    {
        var birth = new DateOnly(year, month, day);

        var id = ResidentIdNumber.Compose(area, birth, sequence, sex);

        ResidentIdNumber.Validate(id).ShouldBeNull();
        id.ShouldStartWith(area);
        ResidentIdNumber.BirthDateOf(id).ShouldBe(birth);
        ResidentIdNumber.SexOf(id).ShouldBe(sex);
    }

    [Fact]
    public void Changing_any_one_digit_breaks_the_check()
    {
        const string id = "11010519491231002X";
        for (var i = 0; i < 17; i++)
        {
            var digit = id[i] == '9' ? '8' : (char)(id[i] + 1);
            var changed = id[..i] + digit + id[(i + 1)..];
            ResidentIdNumber.IsValid(changed).ShouldBeFalse($"position {i}: {changed}");
        }
    }
}

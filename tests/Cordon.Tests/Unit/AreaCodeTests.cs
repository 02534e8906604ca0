using Cordon.Features.Registry;

namespace Cordon.Tests.Unit;

/// <summary>Area codes (6-digit city/district + 3 street + 3 community + 3 building) and the prefixes jurisdictions use.</summary>
public class AreaCodeTests
{
    [Theory]
    [InlineData("990100", true)]
    [InlineData("990102", true)]
    [InlineData("990102001", true)]
    [InlineData("990102001001", true)]
    [InlineData("990102001001001", true)]
    [InlineData("99010", false)]
    [InlineData("9901020", false)]
    [InlineData("99010200100", false)]
    [InlineData("990102001001001001", false)]
    [InlineData("99010A", false)]
    [InlineData("９９０１０２", false)] // full-width digits
    [InlineData(" 990102", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Well_formed_codes_have_6_9_12_or_15_ascii_digits(string? code, bool expected) =>
        AreaCode.IsWellFormed(code).ShouldBe(expected);

    [Theory]
    [InlineData("990100", AreaLevel.City)]
    [InlineData("110000", AreaLevel.City)]
    [InlineData("990102", AreaLevel.District)]
    [InlineData("990110", AreaLevel.District)]
    [InlineData("990102001", AreaLevel.Street)]
    [InlineData("990102001001", AreaLevel.Community)]
    [InlineData("990102001001001", AreaLevel.Building)]
    public void The_level_follows_from_the_length_and_a_city_ends_in_00(string code, AreaLevel level) =>
        AreaCode.LevelOf(code).ShouldBe(level);

    [Theory]
    [InlineData("99010")]
    [InlineData("9901020010")]
    [InlineData("")]
    public void A_code_of_no_level_is_an_error(string code) => Should.Throw<ArgumentException>(() => AreaCode.LevelOf(code));

    [Theory]
    [InlineData("990100", "9901")]
    [InlineData("990102", "990102")]
    [InlineData("990102001", "990102001")]
    [InlineData("990102001001", "990102001001")]
    [InlineData("990102001001001", "990102001001001")]
    public void The_prefix_of_a_city_is_its_first_four_digits_otherwise_the_code(string code, string prefix) =>
        AreaCode.PrefixOf(code).ShouldBe(prefix);

    [Theory]
    [InlineData("990102", "990100", true)]
    [InlineData("990199001", "990100", true)]
    [InlineData("990102001001001", "990100", true)]
    [InlineData("990100", "990100", true)]
    [InlineData("990202", "990100", false)] // another city's district
    [InlineData("990102001001", "990102001001", true)]
    [InlineData("990102001001006", "990102001001", true)]
    [InlineData("990102001002", "990102001001", false)] // the neighbouring community
    [InlineData("990102001002001", "990102001001", false)]
    [InlineData("990102001", "990102001001", false)] // the parent is not inside its child
    [InlineData("990103001001", "990102", false)]
    [InlineData("990102", "990102001", false)]
    public void Within_means_inside_the_ancestor_or_the_ancestor_itself(string code, string ancestor, bool expected) =>
        AreaCode.IsWithin(code, ancestor).ShouldBe(expected);

    [Theory]
    [InlineData("990100", "990102", true)]
    [InlineData("990100", "990101", true)]
    [InlineData("990102", "990102001", true)]
    [InlineData("990102001", "990102001008", true)]
    [InlineData("990102001001", "990102001001001", true)]
    [InlineData("990100", "990100", false)] // itself
    [InlineData("990100", "990200", false)] // another city
    [InlineData("990100", "990202", false)] // a district of another city
    [InlineData("990100", "990102001", false)] // skips the district level
    [InlineData("990102", "990102001001", false)] // skips the street level
    [InlineData("990102", "990103001", false)] // a street of another district
    [InlineData("990102001", "990102002001", false)] // a community of another street
    [InlineData("990102001001", "990102001002001", false)] // a building of another community
    [InlineData("990102001001001", "990102001001001001", false)] // nothing lies below a building
    [InlineData("990102", "99010200", false)] // malformed
    [InlineData("990102", "990102AAA", false)]
    [InlineData("990102", "", false)]
    public void A_valid_child_is_one_level_below_and_inside_its_parent(string parent, string child, bool expected) =>
        AreaCode.IsValidChild(parent, child).ShouldBe(expected);

    [Theory]
    [InlineData("9901", "9902")]
    [InlineData("990109", "99010:")]
    [InlineData("a", "b")]
    [InlineData("张", "弡")]
    [InlineData("测试", "测诖")]
    [InlineData("\U000203FF", "\U00020400")] // a pair ending in \uDFFF: the next code point, not a lone surrogate
    [InlineData("张\U0002003E", "张\U0002003F")]
    [InlineData("\uD7FF", "\uE000")] // the surrogate range holds no code points
    [InlineData("a\uFFFF", "a\U00010000")]
    public void The_upper_bound_of_a_prefix_is_the_prefix_with_its_last_code_point_incremented(string prefix, string upper) =>
        Prefix.UpperBound(prefix).ShouldBe(upper);

    [Theory]
    [InlineData("9901", new[] { "9901", "990100", "990102001001001", "9901\uffff" }, new[] { "9900", "99009", "9902", "99020", "990" })]
    [InlineData("张", new[] { "张", "张三", "张小三", "张\uffff", "张\U0002003E" }, new[] { "弡", "弡三", "强", "" })]
    [InlineData("13800", new[] { "13800", "13800138000" }, new[] { "1380", "13801000000", "13799999999" })]
    [InlineData("\U000203FF", new[] { "\U000203FF", "\U000203FF明", "\U000203FF\U000203FF" }, new[] { "\U000203FE", "\U00020400", "\uE000", "\uFFFF", "明" })]
    [InlineData("李\uFFFF", new[] { "李\uFFFF", "李\uFFFF明" }, new[] { "李\U00010000", "李\U000203FF", "李\uFFFE" })]
    public void The_range_from_a_prefix_to_its_upper_bound_holds_exactly_the_strings_that_start_with_it(string prefix, string[] inside, string[] outside)
    {
        var upper = Prefix.UpperBound(prefix);
        // As SQLite (BINARY) and PostgreSQL (COLLATE "C") compare: the UTF-8 bytes, which a lone surrogate cannot have.
        var strict = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true);
        int Compare(string a, string b) => strict.GetBytes(a).AsSpan().SequenceCompareTo(strict.GetBytes(b));
        bool InRange(string s) => Compare(s, prefix) >= 0 && Compare(s, upper) < 0;

        foreach (var s in inside) InRange(s).ShouldBeTrue($"'{s}' starts with '{prefix}'");
        foreach (var s in outside) InRange(s).ShouldBeFalse($"'{s}' does not start with '{prefix}'");
    }

    [Fact]
    public void An_empty_prefix_has_no_upper_bound() => Should.Throw<ArgumentException>(() => Prefix.UpperBound(""));
}

using Cordon.Features.Certificates;

namespace Cordon.Tests.Certificates;

/// <summary>Base45 against the examples of RFC 9285, and names as a Chinese passport writes them.</summary>
public class DccEncodingTests
{
    [Theory]
    [InlineData("AB", "BB8")]
    [InlineData("Hello!!", "%69 VD92EX0")]
    [InlineData("base-45", "UJCLQE7W581")]
    [InlineData("ietf!", "QED8WEX0")]
    [InlineData("", "")]
    public void Base45_round_trips_the_RFC_9285_examples(string text, string base45)
    {
        Base45.Encode(System.Text.Encoding.UTF8.GetBytes(text)).ShouldBe(base45);
        System.Text.Encoding.UTF8.GetString(Base45.TryDecode(base45)!).ShouldBe(text);
    }

    [Theory]
    [InlineData("GGW")] // 65536: one more than two bytes hold
    [InlineData("GG")] // 736: more than one byte holds
    [InlineData("ABCD")] // a dangling character
    [InlineData("ab")] // lower case is not in the alphabet
    public void Base45_refuses_what_RFC_9285_calls_invalid(string text) => Base45.TryDecode(text).ShouldBeNull();

    [Theory]
    [InlineData("张三丰", "张", "三丰", "ZHANG", "SANFENG")]
    [InlineData("欧阳娜娜", "欧阳", "娜娜", "OUYANG", "NANA")]
    [InlineData("吕布", "吕", "布", "LYU", "BU")]
    [InlineData("单田芳", "单", "田芳", "SHAN", "TIANFANG")]
    [InlineData("曾小贤", "曾", "小贤", "ZENG", "XIAOXIAN")]
    [InlineData("Erika Mustermann", "Mustermann", "Erika", "MUSTERMANN", "ERIKA")]
    [InlineData("José María García-López", "García-López", "José María", "GARCIA<LOPEZ", "JOSE<MARIA")]
    public void Names_are_split_and_transliterated_as_on_a_passport(string name, string family, string given, string familyStandard, string givenStandard)
    {
        NameTransliteration.Of(name).ShouldBe(new DccName(family, given, familyStandard, givenStandard));
    }
}

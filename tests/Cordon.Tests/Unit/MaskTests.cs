using Cordon.Features.Registry;

namespace Cordon.Tests.Unit;

/// <summary>Personal data as lists show it: enough to recognise a person, not enough to identify them.</summary>
public class MaskTests
{
    [Theory]
    [InlineData("张", "张")]
    [InlineData("张三", "张*")]
    [InlineData("张小三", "张*三")]
    [InlineData("欧阳小三", "欧**三")]
    [InlineData("爱新觉罗溥仪", "爱****仪")]
    [InlineData(" 张三 ", "张*")]
    [InlineData("𠀾小明", "𠀾*明")] // a rare character outside the BMP counts as one character
    [InlineData("Li", "L*")]
    [InlineData("", "")]
    public void Names_keep_the_first_and_last_character(string name, string masked) => Mask.Name(name).ShouldBe(masked);

    [Theory]
    [InlineData("11010519491231002X", "110***********002X")]
    [InlineData("440524198001010013", "440***********0013")]
    [InlineData("1234567", "*******")]
    [InlineData("", "")]
    public void Id_numbers_keep_the_first_three_and_last_four(string id, string masked)
    {
        Mask.IdNumber(id).ShouldBe(masked);
        Mask.IdNumber(id).Length.ShouldBe(id.Length);
    }

    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("010-12345678", "010*****5678")]
    [InlineData("1234567", "*******")]
    [InlineData("12345678", "123*5678")]
    public void Phones_keep_the_first_three_and_last_four(string phone, string masked) => Mask.Phone(phone).ShouldBe(masked);

    [Theory]
    [InlineData("501", "***")]
    [InlineData(null, "")]
    [InlineData("", "")]
    public void Rooms_are_hidden(string? room, string masked) => Mask.Room(room).ShouldBe(masked);
}

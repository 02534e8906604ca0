using Cordon.Features.Testing;

namespace Cordon.Tests.Testing;

/// <summary>What a tube's result means for the people in it, and the shapes of what labs and samplers type.</summary>
public sealed class PoolRulesTests
{
    [Theory]
    [InlineData(TubeResult.Negative, 1, PersonResultKind.Negative)]
    [InlineData(TubeResult.Negative, 10, PersonResultKind.Negative)]
    [InlineData(TubeResult.Positive, 1, PersonResultKind.Positive)]
    [InlineData(TubeResult.Positive, 5, PersonResultKind.PoolPositive)]
    [InlineData(TubeResult.Positive, 10, PersonResultKind.PoolPositive)]
    [InlineData(TubeResult.Positive, 20, PersonResultKind.PoolPositive)]
    [InlineData(TubeResult.Invalid, 1, PersonResultKind.Resample)]
    [InlineData(TubeResult.Invalid, 10, PersonResultKind.Resample)]
    public void Each_result_and_pool_size_has_one_outcome_for_every_member(TubeResult result, int poolSize, PersonResultKind expected) =>
        PoolRules.OutcomeFor(result, poolSize).ShouldBe(expected);

    [Fact]
    public void A_pending_tube_has_no_outcome() =>
        Should.Throw<ArgumentException>(() => PoolRules.OutcomeFor(TubeResult.Pending, 10));

    [Fact]
    public void Pools_are_single_or_five_ten_or_twenty() => PoolRules.PoolSizes.ShouldBe([1, 5, 10, 20]);

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(-1.0, false)]
    [InlineData(0.01, true)]
    [InlineData(35.0, true)]
    [InlineData(50.0, true)]
    [InlineData(50.01, false)]
    public void A_ct_value_is_an_instrument_reading_above_0_and_up_to_50(double ct, bool plausible) => PoolRules.IsPlausibleCt(ct).ShouldBe(plausible);

    [Theory]
    [InlineData(" t-0001 ", "T-0001", true)]
    [InlineData("ABCD", "ABCD", true)]
    [InlineData("ABC", "ABC", false)]
    [InlineData("A B C D", "A B C D", false)]
    [InlineData("T_0001", "T_0001", false)]
    [InlineData("管0001", "管0001", false)]
    [InlineData(null, "", false)]
    public void Barcodes_are_4_to_40_letters_digits_or_dashes_in_upper_case(string? typed, string normalized, bool wellFormed)
    {
        TubeCode.Normalize(typed).ShouldBe(normalized);
        TubeCode.IsWellFormed(TubeCode.Normalize(typed)).ShouldBe(wellFormed);
    }

    [Fact]
    public void A_barcode_has_at_most_40_characters()
    {
        TubeCode.IsWellFormed(new string('A', 40)).ShouldBeTrue();
        TubeCode.IsWellFormed(new string('A', 41)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("negative", TubeResult.Negative)]
    [InlineData("NEGATIVE", TubeResult.Negative)]
    [InlineData(" Positive ", TubeResult.Positive)]
    [InlineData("阴性", TubeResult.Negative)]
    [InlineData("阳性", TubeResult.Positive)]
    [InlineData("无效", TubeResult.Invalid)]
    [InlineData("invalid", TubeResult.Invalid)]
    [InlineData("pending", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_result_file_says_negative_positive_or_invalid_in_english_or_chinese(string? word, TubeResult? expected) =>
        ResultImportService.ParseResult(word).ShouldBe(expected);
}

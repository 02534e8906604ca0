using Cordon.Features.Checkpoints;
using static Cordon.Features.Checkpoints.CheckpointRules.Reasons;
using HealthColour = Cordon.Features.Health.HealthColour;

namespace Cordon.Tests.Checkpoints;

/// <summary>The checkpoint decision: colour, popups, test age and temperature against the checkpoint's policy.</summary>
public sealed class CheckpointRulesTests
{
    private const PassageDirection In = PassageDirection.In;
    private const PassageDirection Out = PassageDirection.Out;
    private const HealthColour G = HealthColour.Green;
    private const HealthColour Y = HealthColour.Yellow;
    private const HealthColour R = HealthColour.Red;

    /// <summary>The seeds' community checkpoint: green only, no popups, a negative test within 48 h, 37.3 °C.</summary>
    private static readonly CheckpointPolicy Strict = new(AllowedColours.Green, AllowPopups: false, RequiredTestHours: 48, TemperatureThreshold: 37.3);

    [Theory]
    // Entering: every check in order, first failing one is the reason.
    [InlineData(In, G, 0, 10.0, 36.5, Ok)]
    [InlineData(In, G, 0, 48.0, 36.5, Ok)]
    [InlineData(In, G, 0, 48.01, 36.5, TestTooOld)]
    [InlineData(In, G, 0, null, 36.5, NoTest)]
    [InlineData(In, G, 1, 10.0, 36.5, Popup)]
    [InlineData(In, G, 2, null, 38.5, Popup)]
    [InlineData(In, Y, 0, 10.0, 36.5, Colour)]
    [InlineData(In, R, 1, null, 39.0, Colour)]
    [InlineData(In, null, 0, 10.0, 36.5, NoCode)]
    [InlineData(In, G, 0, 10.0, 37.29, Ok)]
    [InlineData(In, G, 0, 10.0, 37.3, Fever)]
    [InlineData(In, G, 0, 10.0, 39.0, Fever)]
    [InlineData(In, G, 0, 72.0, 38.0, TestTooOld)]
    // Leaving: only the colour stops a person (a popup means: go and get tested).
    [InlineData(Out, G, 1, null, null, Ok)]
    [InlineData(Out, G, 0, 100.0, 38.0, Ok)]
    [InlineData(Out, Y, 0, 10.0, 36.5, Colour)]
    [InlineData(Out, R, 0, 10.0, 36.5, Colour)]
    [InlineData(Out, null, 0, null, null, NoCode)]
    public void Strict_policy(PassageDirection direction, HealthColour? colour, int popups, double? testAge, double? temperature, string reason)
    {
        var verdict = CheckpointRules.Decide(Strict, new PassageFacts(direction, colour, popups, testAge, temperature));
        verdict.Reason.ShouldBe(reason);
        verdict.Allowed.ShouldBe(reason == Ok);
    }

    [Theory]
    [InlineData(AllowedColours.Green | AllowedColours.Yellow, true, null, 37.3, Y, 3, null, 36.8, Ok)]
    [InlineData(AllowedColours.Green | AllowedColours.Yellow, true, null, 37.3, R, 0, null, 36.8, Colour)]
    [InlineData(AllowedColours.Green, true, null, 37.3, G, 1, null, 36.8, Ok)]
    [InlineData(AllowedColours.Green, false, null, 37.3, G, 0, null, 36.8, Ok)]
    [InlineData(AllowedColours.Green, false, 24, 37.3, G, 0, 24.5, 36.8, TestTooOld)]
    [InlineData(AllowedColours.Green, false, 72, 37.3, G, 0, 71.9, 36.8, Ok)]
    [InlineData(AllowedColours.Green, false, null, 37.5, G, 0, null, 37.4, Ok)]
    [InlineData(AllowedColours.Green, false, null, 37.5, G, 0, null, 37.5, Fever)]
    [InlineData(AllowedColours.None, false, null, 37.3, G, 0, null, 36.0, Colour)]
    public void Each_part_of_the_policy_counts(
        AllowedColours colours, bool popupsAllowed, int? testHours, double threshold,
        HealthColour colour, int popups, double? testAge, double temperature, string reason)
    {
        var policy = new CheckpointPolicy(colours, popupsAllowed, testHours, threshold);
        CheckpointRules.Decide(policy, new PassageFacts(In, colour, popups, testAge, temperature)).Reason.ShouldBe(reason);
    }

    [Theory]
    [InlineData(PassInvalid)]
    [InlineData(PassExpired)]
    public void A_pass_that_fails_verification_is_denied_whatever_it_claims(string problem)
    {
        var verdict = CheckpointRules.Decide(Strict, new PassageFacts(In, G, 0, 1.0, 36.5, problem));
        verdict.Decision.ShouldBe(PassageDecision.Denied);
        verdict.Reason.ShouldBe(problem);
    }

    [Fact]
    public void A_fever_is_flagged_even_when_the_colour_already_denies()
    {
        var verdict = CheckpointRules.Decide(Strict, new PassageFacts(In, R, 0, null, 38.2));
        verdict.Reason.ShouldBe(Colour);
        verdict.Fever.ShouldBeTrue();
    }

    [Fact]
    public void A_fever_on_the_way_out_is_flagged_not_denied()
    {
        var verdict = CheckpointRules.Decide(Strict, new PassageFacts(Out, G, 0, null, 38.2));
        verdict.Allowed.ShouldBeTrue();
        verdict.Fever.ShouldBeTrue();
    }

    [Theory]
    [InlineData(33.9, false)]
    [InlineData(34.0, true)]
    [InlineData(36.5, true)]
    [InlineData(43.0, true)]
    [InlineData(43.1, false)]
    [InlineData(double.NaN, false)]
    [InlineData(365.0, false)]
    public void Temperatures_outside_what_a_person_can_have_are_bad_input(double celsius, bool accepted) =>
        (CheckpointRules.TemperatureError(celsius) is null).ShouldBe(accepted);
}

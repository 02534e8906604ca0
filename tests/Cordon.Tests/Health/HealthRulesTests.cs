using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Features.Testing;

namespace Cordon.Tests.Health;

/// <summary>The health-status rules of DESIGN.md, one table per rule: first match wins, each reason kept.</summary>
public sealed class HealthRulesTests
{
    private static readonly DateTime Now = new(2026, 5, 10, 8, 0, 0, DateTimeKind.Utc);
    private static readonly Obligation Round = new(ObligationKind.ScreeningRound, 12, "Round 12", null, Now.AddHours(-2), Now.AddHours(10));
    private static readonly Obligation KeyGroupOverdue = new(ObligationKind.KeyGroupTest, null, null, KeyGroup.Courier, Now.AddHours(-1), null);

    public static TheoryData<string, HealthFacts, HealthColour, string> Colours => new()
    {
        { "nothing known", new HealthFacts(), HealthColour.Green, HealthRules.Reasons.None },
        { "a negative result", new HealthFacts(LastNegativeSampledAt: Now.AddHours(-20)), HealthColour.Green, HealthRules.Reasons.None },
        { "active case", new HealthFacts(ActiveCase: true), HealthColour.Red, HealthRules.Reasons.ActiveCase },
        { "active case before everything else", new HealthFacts(ActiveCase: true, CloseContactInIsolation: true, AreaRisk: RiskAreaLevel.Lockdown, AwaitingRetest: true), HealthColour.Red, HealthRules.Reasons.ActiveCase },
        { "positive single tube", new HealthFacts(LastPositiveSingleSampledAt: Now.AddHours(-5)), HealthColour.Red, HealthRules.Reasons.PositiveSingleTube },
        { "positive after an earlier negative", new HealthFacts(LastPositiveSingleSampledAt: Now.AddHours(-5), LastNegativeSampledAt: Now.AddHours(-30)), HealthColour.Red, HealthRules.Reasons.PositiveSingleTube },
        { "positive and negative of the same sample time", new HealthFacts(LastPositiveSingleSampledAt: Now.AddHours(-5), LastNegativeSampledAt: Now.AddHours(-5)), HealthColour.Red, HealthRules.Reasons.PositiveSingleTube },
        { "positive answered by a later negative", new HealthFacts(LastPositiveSingleSampledAt: Now.AddHours(-30), LastNegativeSampledAt: Now.AddHours(-5)), HealthColour.Green, HealthRules.Reasons.None },
        { "positive before close contact", new HealthFacts(LastPositiveSingleSampledAt: Now.AddHours(-5), CloseContactInIsolation: true), HealthColour.Red, HealthRules.Reasons.PositiveSingleTube },
        { "close contact in isolation", new HealthFacts(CloseContactInIsolation: true), HealthColour.Red, HealthRules.Reasons.CloseContactInIsolation },
        { "close contact before lockdown area", new HealthFacts(CloseContactInIsolation: true, AreaRisk: RiskAreaLevel.Lockdown), HealthColour.Red, HealthRules.Reasons.CloseContactInIsolation },
        { "lockdown area", new HealthFacts(AreaRisk: RiskAreaLevel.Lockdown), HealthColour.Red, HealthRules.Reasons.LockdownArea },
        { "lockdown area before secondary contact", new HealthFacts(AreaRisk: RiskAreaLevel.Lockdown, SecondaryContact: true), HealthColour.Red, HealthRules.Reasons.LockdownArea },
        { "secondary contact", new HealthFacts(SecondaryContact: true), HealthColour.Yellow, HealthRules.Reasons.SecondaryContact },
        { "secondary contact before home monitoring", new HealthFacts(SecondaryContact: true, HomeMonitoring: true), HealthColour.Yellow, HealthRules.Reasons.SecondaryContact },
        { "home health monitoring", new HealthFacts(HomeMonitoring: true), HealthColour.Yellow, HealthRules.Reasons.HomeMonitoring },
        { "home monitoring before control area", new HealthFacts(HomeMonitoring: true, AreaRisk: RiskAreaLevel.Control), HealthColour.Yellow, HealthRules.Reasons.HomeMonitoring },
        { "control area", new HealthFacts(AreaRisk: RiskAreaLevel.Control), HealthColour.Yellow, HealthRules.Reasons.ControlArea },
        { "control area before pool retest", new HealthFacts(AreaRisk: RiskAreaLevel.Control, AwaitingRetest: true), HealthColour.Yellow, HealthRules.Reasons.ControlArea },
        { "member of a positive pool awaiting retest", new HealthFacts(AwaitingRetest: true), HealthColour.Yellow, HealthRules.Reasons.PoolPositiveAwaitingRetest },
        { "awaiting retest despite an older negative", new HealthFacts(AwaitingRetest: true, LastNegativeSampledAt: Now.AddDays(-2)), HealthColour.Yellow, HealthRules.Reasons.PoolPositiveAwaitingRetest },
        { "popups alone leave the colour green", new HealthFacts(Obligations: [Round, KeyGroupOverdue], CompanionHitSince: Now.AddHours(-3)), HealthColour.Green, HealthRules.Reasons.None },
    };

    [Theory]
    [MemberData(nameof(Colours))]
    public void The_first_rule_that_holds_gives_the_colour_and_its_reason(string situation, HealthFacts facts, HealthColour colour, string reason)
    {
        var decision = HealthRules.Decide(facts, Now);
        decision.Colour.ShouldBe(colour, situation);
        decision.Reason.ShouldBe(reason, situation);
    }

    public static TheoryData<string, HealthFacts, PopupKind[]> Popups => new()
    {
        { "no obligation", new HealthFacts(), [] },
        { "untested in a running round", new HealthFacts(Obligations: [Round]), [PopupKind.ScreeningRound] },
        { "key-group test overdue", new HealthFacts(Obligations: [KeyGroupOverdue]), [PopupKind.KeyGroupTest] },
        { "companion hit awaiting review", new HealthFacts(CompanionHitSince: Now.AddHours(-1)), [PopupKind.CompanionHit] },
        { "all three, on red", new HealthFacts(ActiveCase: true, Obligations: [Round, KeyGroupOverdue], CompanionHitSince: Now), [PopupKind.ScreeningRound, PopupKind.KeyGroupTest, PopupKind.CompanionHit] },
        { "on yellow", new HealthFacts(AwaitingRetest: true, Obligations: [Round]), [PopupKind.ScreeningRound] },
    };

    [Theory]
    [MemberData(nameof(Popups))]
    public void Popups_are_shown_on_any_colour_each_with_its_reason_and_source(string situation, HealthFacts facts, PopupKind[] kinds)
    {
        var popups = HealthRules.Decide(facts, Now).Popups;
        popups.Select(p => p.Kind).ShouldBe(kinds, situation);
        popups.ShouldAllBe(p => HealthRules.Reasons.Popup.Contains(p.Reason));
    }

    [Fact]
    public void A_round_popup_names_the_round_and_lasts_until_its_window_ends()
    {
        var popup = HealthRules.Decide(new HealthFacts(Obligations: [Round]), Now).Popups.ShouldHaveSingleItem();
        popup.Reason.ShouldBe(HealthRules.Reasons.UntestedInRound);
        popup.Source.ShouldBe("round:12");
        popup.Since.ShouldBe(Round.Since!.Value);
        popup.Until.ShouldBe(Round.Until);
    }

    public static TheoryData<string, HealthFacts, HealthColour, string, int> Overrides => new()
    {
        { "override to green wins over red", new HealthFacts(AwaitingRetest: true, Override: new(HealthColour.Green, "tested elsewhere", Now.AddHours(1), false)), HealthColour.Green, HealthRules.Reasons.Override, 0 },
        { "override to red wins over green", new HealthFacts(Override: new(HealthColour.Red, "under investigation", Now.AddDays(1), false)), HealthColour.Red, HealthRules.Reasons.Override, 0 },
        { "override keeps popups unless it clears them", new HealthFacts(Obligations: [Round], Override: new(HealthColour.Green, "x", Now.AddHours(1), false)), HealthColour.Green, HealthRules.Reasons.Override, 1 },
        { "override that clears popups", new HealthFacts(Obligations: [Round], Override: new(HealthColour.Green, "x", Now.AddHours(1), true)), HealthColour.Green, HealthRules.Reasons.Override, 0 },
        { "expired override is ignored", new HealthFacts(AwaitingRetest: true, Override: new(HealthColour.Green, "x", Now.AddSeconds(-1), true)), HealthColour.Yellow, HealthRules.Reasons.PoolPositiveAwaitingRetest, 0 },
        { "override ending exactly now is over", new HealthFacts(Obligations: [Round], Override: new(HealthColour.Green, "x", Now, true)), HealthColour.Green, HealthRules.Reasons.None, 1 },
    };

    [Theory]
    [MemberData(nameof(Overrides))]
    public void A_staff_override_wins_while_it_is_valid(string situation, HealthFacts facts, HealthColour colour, string reason, int popups)
    {
        var decision = HealthRules.Decide(facts, Now);
        decision.Colour.ShouldBe(colour, situation);
        decision.Reason.ShouldBe(reason, situation);
        decision.Popups.Count.ShouldBe(popups, situation);
    }

    public static TheoryData<string, HealthFacts, DateTime?> NextChecks => new()
    {
        { "nothing time-bound", new HealthFacts(LastNegativeSampledAt: Now.AddHours(-1)), null },
        { "a round popup ends with the window", new HealthFacts(Obligations: [Round]), Round.Until },
        { "a key-group test falls due", new HealthFacts(KeyGroupDueAt: Now.AddHours(7)), Now.AddHours(7) },
        { "a due time in the past is not a check", new HealthFacts(KeyGroupDueAt: Now.AddHours(-7)), null },
        { "an override expires first", new HealthFacts(Obligations: [Round], Override: new(HealthColour.Green, "x", Now.AddHours(1), false)), Now.AddHours(1) },
        { "the window ends before the override", new HealthFacts(Obligations: [Round], Override: new(HealthColour.Red, "x", Now.AddDays(2), false)), Round.Until },
    };

    [Theory]
    [MemberData(nameof(NextChecks))]
    public void The_next_check_is_the_first_instant_time_alone_changes_the_status(string situation, HealthFacts facts, DateTime? next) =>
        HealthRules.Decide(facts, Now).NextCheckAt.ShouldBe(next, situation);

    [Theory]
    [InlineData("990102001001001", RiskAreaLevel.Lockdown)]
    [InlineData("990102001002001", RiskAreaLevel.Control)]
    [InlineData("990102002001001", null)]
    public void A_resident_lives_in_the_strictest_designation_over_their_area(string areaCode, RiskAreaLevel? expected)
    {
        RiskAreaFact[] areas = [new("990102001", RiskAreaLevel.Control), new("990102001001", RiskAreaLevel.Lockdown)];
        HealthFactsLoader.RiskOf(areas, areaCode).ShouldBe(expected);
    }

    [Fact]
    public void Popups_survive_the_round_trip_through_their_column()
    {
        var popups = HealthRules.Decide(new HealthFacts(Obligations: [Round, KeyGroupOverdue]), Now).Popups;
        var json = PopupJson.Write(popups);
        PopupJson.Read(json).ShouldBe(popups);
        PopupJson.Write([]).ShouldBe("[]");
    }
}

using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Features.Scans;

namespace Cordon.Tests.Scans;

/// <summary>The venue check-in rule as a table: category default × status → decision and reason.</summary>
public sealed class VenueRulesTests
{
    private static readonly DateTime Now = new(2022, 5, 1, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>A status: colour, popup or not, and the age of the last negative sample in hours (null: none).</summary>
    private static HealthSnapshot Status(HealthColour colour, bool popup = false, double? testAgeHours = null, double? popupEndsInHours = null) => new(
        1, colour, colour == HealthColour.Green ? "none" : "rule",
        popup ? [new Popup(PopupKind.ScreeningRound, "round-untested", "round:1", Now.AddDays(-1), popupEndsInHours is { } h ? Now.AddHours(h) : null)] : [],
        testAgeHours is { } age ? Now.AddHours(-age) : null, Now.AddDays(-3), 1);

    [Theory]
    // Supermarket (essential supplies): green and no popup; no test needed.
    [InlineData(VenueCategory.Supermarket, HealthColour.Green, false, null, ScanReason.Ok)]
    [InlineData(VenueCategory.Supermarket, HealthColour.Green, true, 2.0, ScanReason.Popup)]
    [InlineData(VenueCategory.Supermarket, HealthColour.Yellow, false, 2.0, ScanReason.Yellow)]
    [InlineData(VenueCategory.Supermarket, HealthColour.Red, false, 2.0, ScanReason.Red)]
    [InlineData(VenueCategory.Market, HealthColour.Green, false, null, ScanReason.Ok)]
    [InlineData(VenueCategory.Pharmacy, HealthColour.Green, false, null, ScanReason.Ok)]
    // Workplaces: green, no popup and a negative sample within 48 h (exactly 48 h still counts).
    [InlineData(VenueCategory.Office, HealthColour.Green, false, null, ScanReason.NoRecentNegativeTest)]
    [InlineData(VenueCategory.Office, HealthColour.Green, false, 47.9, ScanReason.Ok)]
    [InlineData(VenueCategory.Office, HealthColour.Green, false, 48.0, ScanReason.Ok)]
    [InlineData(VenueCategory.Office, HealthColour.Green, false, 48.01, ScanReason.NoRecentNegativeTest)]
    [InlineData(VenueCategory.School, HealthColour.Green, false, 49.0, ScanReason.NoRecentNegativeTest)]
    [InlineData(VenueCategory.ConstructionSite, HealthColour.Green, false, 10.0, ScanReason.Ok)]
    [InlineData(VenueCategory.ColdChainWarehouse, HealthColour.Green, true, 10.0, ScanReason.Popup)]
    // Crowded public places: a negative sample within 72 h.
    [InlineData(VenueCategory.Restaurant, HealthColour.Green, false, 71.0, ScanReason.Ok)]
    [InlineData(VenueCategory.Restaurant, HealthColour.Green, false, 73.0, ScanReason.NoRecentNegativeTest)]
    [InlineData(VenueCategory.Transport, HealthColour.Yellow, false, 1.0, ScanReason.Yellow)]
    // Hospitals and residential gates: yellow and popups get in, red is turned away.
    [InlineData(VenueCategory.Hospital, HealthColour.Yellow, true, null, ScanReason.Ok)]
    [InlineData(VenueCategory.Hospital, HealthColour.Red, false, 1.0, ScanReason.Red)]
    [InlineData(VenueCategory.ResidentialGate, HealthColour.Green, true, null, ScanReason.Ok)]
    // The colour is checked before the popup, the popup before the test age.
    [InlineData(VenueCategory.Office, HealthColour.Red, true, null, ScanReason.Red)]
    [InlineData(VenueCategory.Office, HealthColour.Green, true, null, ScanReason.Popup)]
    public void A_category_default_decides_by_colour_popup_and_test_age(
        VenueCategory category, HealthColour colour, bool popup, double? testAgeHours, ScanReason expected)
    {
        var verdict = VenueRules.Decide(VenueRules.DefaultFor(category), VenueStatus.Open, Status(colour, popup, testAgeHours), Now);
        verdict.Reason.ShouldBe(expected);
        verdict.Decision.ShouldBe(expected == ScanReason.Ok ? ScanDecision.Allowed : ScanDecision.NotAllowed);
    }

    [Fact]
    public void Every_category_has_a_default_that_lets_a_freshly_tested_green_person_in()
    {
        foreach (var category in Enum.GetValues<VenueCategory>())
            VenueRules.Decide(VenueRules.DefaultFor(category), VenueStatus.Open, Status(HealthColour.Green, testAgeHours: 1), Now).ShouldBe(ScanVerdict.Allowed, category.ToString());
    }

    [Fact]
    public void Without_a_stored_status_nobody_is_let_in()
    {
        VenueRules.Decide(VenueRules.DefaultFor(VenueCategory.Supermarket), VenueStatus.Open, null, Now)
            .ShouldBe(ScanVerdict.NotAllowed(ScanReason.StatusUnavailable));
    }

    [Fact]
    public void A_suspended_venue_lets_nobody_in_whatever_the_status()
    {
        VenueRules.Decide(VenueRules.DefaultFor(VenueCategory.Supermarket), VenueStatus.Suspended, Status(HealthColour.Green, testAgeHours: 1), Now)
            .ShouldBe(ScanVerdict.NotAllowed(ScanReason.VenueSuspended));
        VenueRules.Decide(VenueRules.DefaultFor(VenueCategory.Supermarket), VenueStatus.Suspended, null, Now)
            .Reason.ShouldBe(ScanReason.VenueSuspended);
    }

    [Fact]
    public void A_popup_that_has_ended_no_longer_keeps_anyone_out()
    {
        var rule = VenueRules.DefaultFor(VenueCategory.Supermarket);
        VenueRules.Decide(rule, VenueStatus.Open, Status(HealthColour.Green, popup: true, popupEndsInHours: -1), Now).ShouldBe(ScanVerdict.Allowed);
        VenueRules.Decide(rule, VenueStatus.Open, Status(HealthColour.Green, popup: true, popupEndsInHours: 1), Now).Reason.ShouldBe(ScanReason.Popup);
    }

    [Theory]
    [InlineData(HealthColour.Yellow, true, 24, 12.0, HealthColour.Yellow, true, ScanReason.Ok)]
    [InlineData(HealthColour.Yellow, true, 24, 25.0, HealthColour.Yellow, true, ScanReason.NoRecentNegativeTest)]
    [InlineData(HealthColour.Green, false, null, null, HealthColour.Yellow, false, ScanReason.Yellow)]
    [InlineData(HealthColour.Red, true, null, null, HealthColour.Red, true, ScanReason.Ok)]
    public void A_venue_override_replaces_the_category_default(
        HealthColour maxColour, bool popupAllowed, int? testHours, double? testAgeHours, HealthColour colour, bool popup, ScanReason expected)
    {
        var rule = new VenueRule(maxColour, popupAllowed, testHours);
        VenueRules.Decide(rule, VenueStatus.Open, Status(colour, popup, testAgeHours), Now).Reason.ShouldBe(expected);
    }
}

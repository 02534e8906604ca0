using Cordon.Features.Health;
using Cordon.Features.Registry;

namespace Cordon.Features.Scans;

/// <summary>What a venue lets in after a check-in (场所码扫码).</summary>
public enum ScanDecision
{
    Allowed = 1,
    NotAllowed = 2,
}

/// <summary>Why: a stable code, stored with every check-in and shown translated (<c>ScanReason_…</c>).</summary>
public enum ScanReason
{
    /// <summary>Everything the venue asks for is met.</summary>
    Ok = 0,
    /// <summary>The venue is suspended (closed): nobody is let in, the check-in is still recorded for tracing.</summary>
    VenueSuspended = 1,
    /// <summary>No stored health status for the person: the venue cannot tell, so it does not let in.</summary>
    StatusUnavailable = 2,
    /// <summary>Red code (case, close contact, lockdown area…): stay where you are, call the hotline.</summary>
    Red = 3,
    /// <summary>Yellow code where the venue only lets green in.</summary>
    Yellow = 4,
    /// <summary>A popup (untested in a round, periodic test overdue…) where the venue wants none.</summary>
    Popup = 5,
    /// <summary>No negative nucleic-acid sample within the hours the venue requires.</summary>
    NoRecentNegativeTest = 6,
}

/// <summary>
/// A venue's entry rule: the strictest colour it lets in, whether a popup is let in, and the age of the last negative
/// sample it requires (null: none). Each category has a default (<see cref="VenueRules.DefaultFor"/>); a venue may
/// override it.
/// </summary>
public sealed record VenueRule(HealthColour MaxColour, bool PopupAllowed, int? NegativeTestHours)
{
    /// <summary>The test ages a venue may require, as at checkpoints (24/48/72 h).</summary>
    public static readonly int[] TestHours = [24, 48, 72];
}

public sealed record ScanVerdict(ScanDecision Decision, ScanReason Reason)
{
    public static readonly ScanVerdict Allowed = new(ScanDecision.Allowed, ScanReason.Ok);

    public static ScanVerdict NotAllowed(ScanReason reason) => new(ScanDecision.NotAllowed, reason);
}

/// <summary>The venue check-in rules: pure, no database, no clock of their own (see docs/decisions/010).</summary>
public static class VenueRules
{
    private static readonly VenueRule Essential = new(HealthColour.Green, PopupAllowed: false, NegativeTestHours: null);
    private static readonly VenueRule Public = new(HealthColour.Green, PopupAllowed: false, NegativeTestHours: 72);
    private static readonly VenueRule Workplace = new(HealthColour.Green, PopupAllowed: false, NegativeTestHours: 48);
    private static readonly VenueRule Care = new(HealthColour.Yellow, PopupAllowed: true, NegativeTestHours: null);

    /// <summary>
    /// Defaults per category. Essential supplies (food, medicine) ask for green and no popup only, so that nobody is
    /// kept from food for want of a test; crowded public places ask for a negative test within 72 h; workplaces, schools,
    /// building sites and cold-chain warehouses within 48 h (the seed measure); hospitals and residential gates let
    /// yellow and popups in (people must reach care and get home) and turn only red away, to the hotline.
    /// </summary>
    public static VenueRule DefaultFor(VenueCategory category) => category switch
    {
        VenueCategory.Supermarket or VenueCategory.Market or VenueCategory.Pharmacy => Essential,
        VenueCategory.Restaurant or VenueCategory.Hotel or VenueCategory.Entertainment or VenueCategory.Transport => Public,
        VenueCategory.Office or VenueCategory.School or VenueCategory.Campus or VenueCategory.ConstructionSite
            or VenueCategory.ColdChainWarehouse => Workplace,
        VenueCategory.Hospital or VenueCategory.ResidentialGate => Care,
        _ => Workplace,
    };

    /// <summary>
    /// The decision for one check-in at <paramref name="now"/>. First match wins: a suspended venue, no status, the
    /// colour, a popup, the test age. A negative sample exactly <see cref="VenueRule.NegativeTestHours"/> old still counts.
    /// </summary>
    public static ScanVerdict Decide(VenueRule rule, VenueStatus venue, HealthSnapshot? status, DateTime now)
    {
        if (venue != VenueStatus.Open) return ScanVerdict.NotAllowed(ScanReason.VenueSuspended);
        if (status is null) return ScanVerdict.NotAllowed(ScanReason.StatusUnavailable);
        if (status.Colour > rule.MaxColour)
            return ScanVerdict.NotAllowed(status.Colour == HealthColour.Red ? ScanReason.Red : ScanReason.Yellow);
        if (!rule.PopupAllowed && status.Popups.Any(p => p.Until is null || p.Until > now)) return ScanVerdict.NotAllowed(ScanReason.Popup);
        if (rule.NegativeTestHours is { } hours
            && (status.LastNegativeSampledAt is not { } sampled || now - sampled > TimeSpan.FromHours(hours)))
            return ScanVerdict.NotAllowed(ScanReason.NoRecentNegativeTest);
        return ScanVerdict.Allowed;
    }
}

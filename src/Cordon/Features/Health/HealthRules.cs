using Cordon.Features.Testing;

namespace Cordon.Features.Health;

/// <summary>How restricted the resident's area is (from the risk-area feature): lockdown (封控区) or control (管控区).</summary>
public enum RiskAreaLevel
{
    Lockdown = 1,
    Control = 2,
}

/// <summary>
/// A staff override (纠错): this colour, for this reason, until this instant. <paramref name="ClearsPopups"/>: staff
/// checked the person's obligations too, so the popups are not shown while the override holds.
/// </summary>
public sealed record HealthOverride(HealthColour Colour, string Reason, DateTime Until, bool ClearsPopups);

/// <summary>
/// Everything the rules need to know about one person, gathered in bulk by <see cref="HealthFactsLoader"/>.
/// <paramref name="LastPositiveSingleSampledAt"/> / <paramref name="LastNegativeSampledAt"/>: the samples of the latest
/// positive single-tube and negative results; <paramref name="AwaitingRetest"/>: an open single-tube retest order of a
/// positive pool; <paramref name="Obligations"/>: the tests the testing platform requires now (popups);
/// <paramref name="KeyGroupDueAt"/>: when the key-group test falls due, if that is still ahead (a time-driven change).
/// </summary>
public sealed record HealthFacts(
    bool ActiveCase = false,
    DateTime? LastPositiveSingleSampledAt = null,
    DateTime? LastNegativeSampledAt = null,
    bool CloseContactInIsolation = false,
    bool SecondaryContact = false,
    bool HomeMonitoring = false,
    RiskAreaLevel? AreaRisk = null,
    bool AwaitingRetest = false,
    IReadOnlyList<Obligation>? Obligations = null,
    DateTime? CompanionHitSince = null,
    DateTime? KeyGroupDueAt = null,
    HealthOverride? Override = null);

/// <summary>
/// What the rules decided: the colour, the stable code of the rule that chose it, the popups, and
/// <paramref name="NextCheckAt"/>, the earliest instant at which time alone may change the answer (an override or a
/// round window ends, a key-group test falls due); null when only an event can change it.
/// </summary>
public sealed record HealthDecision(HealthColour Colour, string Reason, IReadOnlyList<Popup> Popups, DateTime? NextCheckAt);

/// <summary>
/// The health-status rules of DESIGN.md, pure: first match wins, and the reason of the rule that matched is kept.
/// Red: active case, positive single tube, close contact in isolation, lockdown area. Yellow: secondary contact, home
/// health monitoring, control area, member of a positive pool awaiting retest. Popups (on any colour): untested in a
/// running screening round, key-group test overdue, companion-search hit awaiting review. Green otherwise. A valid
/// staff override wins over all of them.
/// </summary>
public static class HealthRules
{
    public static class Reasons
    {
        public const string None = "none";
        public const string ActiveCase = "active-case";
        public const string PositiveSingleTube = "positive-single-tube";
        public const string CloseContactInIsolation = "close-contact-isolation";
        public const string LockdownArea = "lockdown-area";
        public const string SecondaryContact = "secondary-contact";
        public const string HomeMonitoring = "home-monitoring";
        public const string ControlArea = "control-area";
        public const string PoolPositiveAwaitingRetest = "pool-positive-awaiting-retest";
        public const string Override = "override";
        public const string UntestedInRound = "untested-in-round";
        public const string KeyGroupTestOverdue = "key-group-test-overdue";
        public const string CompanionHit = "companion-hit";
        /// <summary>No stored row yet (see ADR 007): shown until the first computation, never green.</summary>
        public const string Pending = "pending";

        public static readonly string[] Colour =
        [
            None, ActiveCase, PositiveSingleTube, CloseContactInIsolation, LockdownArea, SecondaryContact, HomeMonitoring,
            ControlArea, PoolPositiveAwaitingRetest, Override, Pending,
        ];

        public static readonly string[] Popup = [UntestedInRound, KeyGroupTestOverdue, CompanionHit];
    }

    /// <summary>The rules in order: the first that holds gives the colour and the reason.</summary>
    private static readonly (HealthColour Colour, string Reason, Func<HealthFacts, bool> Holds)[] Colours =
    [
        (HealthColour.Red, Reasons.ActiveCase, f => f.ActiveCase),
        (HealthColour.Red, Reasons.PositiveSingleTube, HasUnansweredPositive),
        (HealthColour.Red, Reasons.CloseContactInIsolation, f => f.CloseContactInIsolation),
        (HealthColour.Red, Reasons.LockdownArea, f => f.AreaRisk == RiskAreaLevel.Lockdown),
        (HealthColour.Yellow, Reasons.SecondaryContact, f => f.SecondaryContact),
        (HealthColour.Yellow, Reasons.HomeMonitoring, f => f.HomeMonitoring),
        (HealthColour.Yellow, Reasons.ControlArea, f => f.AreaRisk == RiskAreaLevel.Control),
        (HealthColour.Yellow, Reasons.PoolPositiveAwaitingRetest, f => f.AwaitingRetest),
    ];

    public static HealthDecision Decide(HealthFacts facts, DateTime now)
    {
        var popups = PopupsOf(facts);
        var (colour, reason) = Colours.Where(r => r.Holds(facts)).Select(r => (r.Colour, r.Reason)).FirstOrDefault((HealthColour.Green, Reasons.None));
        var checks = new List<DateTime?>();
        checks.AddRange(popups.Select(p => p.Until));
        if (facts.KeyGroupDueAt > now) checks.Add(facts.KeyGroupDueAt);
        if (facts.Override is { } o && o.Until > now)
        {
            checks.Add(o.Until);
            (colour, reason) = (o.Colour, Reasons.Override);
            if (o.ClearsPopups) popups = [];
        }
        var next = checks.Where(c => c > now).Min();
        return new HealthDecision(colour, reason, popups, next);
    }

    /// <summary>A positive single tube that no later negative sample has answered.</summary>
    public static bool HasUnansweredPositive(HealthFacts f) =>
        f.LastPositiveSingleSampledAt is { } positive && !(f.LastNegativeSampledAt > positive);

    private static List<Popup> PopupsOf(HealthFacts facts)
    {
        var popups = new List<Popup>();
        foreach (var o in facts.Obligations ?? [])
        {
            var popup = o.Kind switch
            {
                ObligationKind.ScreeningRound => new Popup(PopupKind.ScreeningRound, Reasons.UntestedInRound, $"round:{o.RoundId}", o.Since ?? DateTime.MinValue, o.Until),
                ObligationKind.KeyGroupTest => new Popup(PopupKind.KeyGroupTest, Reasons.KeyGroupTestOverdue, $"key-group:{o.KeyGroup}", o.Since ?? DateTime.MinValue, null),
                _ => throw new ArgumentOutOfRangeException(nameof(facts), o.Kind, "unknown obligation"),
            };
            popups.Add(popup);
        }
        if (facts.CompanionHitSince is { } since) popups.Add(new Popup(PopupKind.CompanionHit, Reasons.CompanionHit, "companion-search", since, null));
        return popups;
    }
}

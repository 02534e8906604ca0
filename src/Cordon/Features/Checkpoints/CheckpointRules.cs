using Cordon.Features.Health;

namespace Cordon.Features.Checkpoints;

/// <summary>What a checkpoint requires of the people who pass it.</summary>
public sealed record CheckpointPolicy(AllowedColours AllowedColours, bool AllowPopups, int? RequiredTestHours, double TemperatureThreshold);

/// <summary>
/// What the worker saw and measured: the health code's colour, popups and test age (null colour when the person's
/// code could not be read or trusted), the temperature, and whether the pass itself failed verification.
/// </summary>
public sealed record PassageFacts(
    PassageDirection Direction, HealthColour? Colour, int Popups, double? TestAgeHours, double? Temperature, string? PassProblem = null);

public sealed record PassageVerdict(PassageDecision Decision, string Reason, bool Fever)
{
    public bool Allowed => Decision == PassageDecision.Allowed;
}

/// <summary>
/// The checkpoint decision (ADR 012), a pure function of the policy and the facts. First match wins:
/// a pass that failed verification, a colour the checkpoint does not let through, a popup, a missing or too old
/// test, a fever. Leaving the community is checked for colour only (red and yellow codes stay home; a person with a
/// popup must be able to go and get tested), and a fever on the way out is flagged, not denied.
/// The console's script applies the same rules offline (wwwroot/js/checkpoint-console.js).
/// </summary>
public static class CheckpointRules
{
    public const double DefaultThreshold = 37.3;
    public const double MinTemperature = 34.0;
    public const double MaxTemperature = 43.0;
    public static readonly int[] TestHourChoices = [24, 48, 72];

    public static class Reasons
    {
        public const string Ok = "ok";
        public const string PassInvalid = "pass-invalid";
        public const string PassExpired = "pass-expired";
        public const string NoCode = "no-code";
        public const string Colour = "colour";
        public const string Popup = "popup";
        public const string NoTest = "no-test";
        public const string TestTooOld = "test-too-old";
        public const string Fever = "fever";

        public static readonly string[] All = [Ok, PassInvalid, PassExpired, NoCode, Colour, Popup, NoTest, TestTooOld, Fever];
    }

    /// <summary>Null when the temperature is a reading a thermometer on a person can give, otherwise why not.</summary>
    public static string? TemperatureError(double? celsius) => celsius switch
    {
        null => null,
        { } t when double.IsNaN(t) || t < MinTemperature || t > MaxTemperature => $"must be between {MinTemperature:0.0} and {MaxTemperature:0.0} °C",
        _ => null,
    };

    public static bool IsFever(double? celsius, double threshold) => celsius is { } t && t >= threshold;

    public static PassageVerdict Decide(CheckpointPolicy policy, PassageFacts facts)
    {
        var fever = IsFever(facts.Temperature, policy.TemperatureThreshold);
        var entering = facts.Direction == PassageDirection.In;
        string? reason = facts switch
        {
            { PassProblem: { } problem } => problem,
            { Colour: null } => Reasons.NoCode,
            { Colour: { } c } when !policy.AllowedColours.HasFlag(ColourFlag(c)) => Reasons.Colour,
            _ when !entering => null,
            { Popups: > 0 } when !policy.AllowPopups => Reasons.Popup,
            _ when policy.RequiredTestHours is null => fever ? Reasons.Fever : null,
            { TestAgeHours: null } => Reasons.NoTest,
            { TestAgeHours: { } age } when age > policy.RequiredTestHours => Reasons.TestTooOld,
            _ => fever ? Reasons.Fever : null,
        };
        return reason is null
            ? new PassageVerdict(PassageDecision.Allowed, Reasons.Ok, fever)
            : new PassageVerdict(PassageDecision.Denied, reason, fever);
    }

    public static AllowedColours ColourFlag(HealthColour colour) => colour switch
    {
        HealthColour.Green => AllowedColours.Green,
        HealthColour.Yellow => AllowedColours.Yellow,
        HealthColour.Red => AllowedColours.Red,
        _ => AllowedColours.None,
    };
}

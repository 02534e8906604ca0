using Cordon.Features.Health;
using Cordon.Resources;
using Microsoft.Extensions.Localization;

namespace Cordon.Features.Scans.Pages;

/// <summary>The translated texts of decisions, reasons, colours and rules, shared by the check-in pages.</summary>
internal static class ScanMessages
{
    /// <summary>The reason; for a missing test with the venue's hours when known (a stored check-in does not keep them).</summary>
    public static string Reason(IStringLocalizer<Strings> t, ScanReason reason, int? testHours) => reason switch
    {
        ScanReason.NoRecentNegativeTest when testHours is { } hours => t["ScanReason_NoRecentNegativeTest", hours],
        ScanReason.NoRecentNegativeTest => t["ScanReason_NoRecentNegativeTestShort"],
        _ => t["ScanReason_" + reason],
    };

    public static string Colour(IStringLocalizer<Strings> t, HealthColour? colour) => t["ScanColour_" + (colour?.ToString() ?? "Unknown")];

    public static string ColourCss(HealthColour? colour) => colour switch
    {
        HealthColour.Green => "text-bg-success",
        HealthColour.Yellow => "text-bg-warning",
        HealthColour.Red => "text-bg-danger",
        _ => "text-bg-secondary",
    };

    public static string Rule(IStringLocalizer<Strings> t, VenueRule rule)
    {
        var parts = new List<string> { t["ScanRule_Max" + rule.MaxColour] };
        if (!rule.PopupAllowed) parts.Add(t["ScanRule_NoPopup"]);
        if (rule.NegativeTestHours is { } hours) parts.Add(t["ScanRule_Test", hours]);
        return string.Join(" · ", parts);
    }
}

namespace Cordon.Components.Layout;

/// <summary>A capability area of DESIGN.md as the navigation shows it; <see cref="Built"/> tells whether its screens exist yet.</summary>
public sealed record Capability(string Key, string Href, string Icon, bool Built, string[] Roles);

public static class Capabilities
{
    private static readonly string[] AllStaff = Features.Identity.Roles.Staff;

    /// <summary>In DESIGN.md's order. Areas not built yet link to a page saying what is coming.</summary>
    public static readonly Capability[] Areas =
    [
        new("Dashboard", "", "📊", true, AllStaff),
        new("Registry", "residents", "🏘", true, AllStaff),
        new("Testing", "testing/sites", "🧪", true, AllStaff),
        new("HealthCodes", "health/status", "🟩", true, AllStaff),
        new("Tracing", "coming/tracing", "🔎", false, AllStaff),
        new("Quarantine", "coming/quarantine", "🏨", false, AllStaff),
        new("RiskAreas", "coming/risk-areas", "🗺", false, AllStaff),
        new("Dispatch", "coming/dispatch", "📋", false, AllStaff),
        new("Briefing", "coming/briefing", "📰", false, AllStaff),
    ];
}

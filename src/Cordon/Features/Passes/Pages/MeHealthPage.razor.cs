using System.Globalization;
using Cordon.Features.Health;
using Cordon.Features.Testing;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Passes.Pages;

/// <summary>
/// The resident's health code (我的健康码): colour, popups with what to do, test age, masked name and the signed QR pass,
/// which <c>js/health-pass.js</c> replaces with a fresh one before it expires.
/// </summary>
public partial class MeHealthPage
{
    [Inject] private PassService Passes { get; set; } = default!;
    [Inject] private CityTime Time { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;

    private MyPass? pass;
    private PassUnavailable why;

    protected override async Task OnInitializedAsync() => (pass, why) = await Passes.IssueAsync();

    private int Seconds(DateTime at) => (int)Math.Max(0, (at - Clock.GetUtcNow().UtcDateTime).TotalSeconds);

    private string Countdown(DateTime at)
    {
        var seconds = Seconds(at);
        return $"{seconds / 60}:{seconds % 60:00}";
    }

    private string Local(DateTime utc) => Time.ToLocal(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string ColourClass(HealthColour colour) => colour switch
    {
        HealthColour.Green => "pass-green",
        HealthColour.Yellow => "pass-yellow",
        HealthColour.Red => "pass-red",
        _ => "pass-unknown",
    };

    /// <summary>A rule's reason code in words when the resources know it; else the code itself, which is still stable and short.</summary>
    private string Reason(string code)
    {
        var text = T["HealthReason_" + code];
        return text.ResourceNotFound ? code : text.Value;
    }

    private string TestAge(double? hours) => hours switch
    {
        null => T["HealthPass_NoTest"],
        < 1 => T["HealthPass_TestAgeUnderHour"],
        _ => T["HealthPass_TestAge", Math.Floor(hours.Value).ToString(CultureInfo.InvariantCulture)],
    };
}

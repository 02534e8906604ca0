using System.Globalization;
using System.Text.Json;
using Cordon.Features.Health;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Checkpoints.Pages;

/// <summary>
/// The checkpoint console on a phone. The page carries the checkpoint's policy and its words; the script
/// (wwwroot/js/checkpoint-console.js) verifies passes on the phone, decides, queues passages and syncs them (ADR 012).
/// </summary>
public partial class CheckpointConsolePage
{
    private CheckpointDto? checkpoint;

    [Parameter] public int Id { get; set; }

    protected override async Task OnParametersSetAsync() => checkpoint = await Checkpoints.GetAsync(Id);

    private string PolicyJson => JsonSerializer.Serialize(new
    {
        allowed = checkpoint!.AllowedColours.Select(c => c.ToString()),
        allowPopups = checkpoint.AllowPopups,
        testHours = checkpoint.RequiredTestHours,
        threshold = checkpoint.TemperatureThreshold,
    });

    /// <summary>Every word the script shows, in the page's language.</summary>
    private string StringsJson
    {
        get
        {
            var keys = new[]
            {
                "Checkpoint_Online", "Checkpoint_Offline", "Checkpoint_Queue", "Checkpoint_KeysCached", "Checkpoint_NoKeys", "Checkpoint_Allowed",
                "Checkpoint_DeniedDecision", "Checkpoint_NotVerified", "Checkpoint_TestAge", "Checkpoint_NoTest", "Checkpoint_FeverFlag",
                "Checkpoint_Queued", "Checkpoint_Synced", "Checkpoint_ServerDecided", "Checkpoint_TemperatureRequired", "Checkpoint_TemperatureRange",
                "Checkpoint_IdNeedsServer", "Checkpoint_IdNotFound", "Checkpoint_SignedOut", "Checkpoint_Rejected", "Checkpoint_Colour_None",
            };
            var words = keys.ToDictionary(k => k, k => T[k].Value);
            foreach (var c in Enum.GetNames<HealthColour>()) words["Checkpoint_Colour_" + c] = T["Checkpoint_Colour_" + c];
            foreach (var p in Enum.GetNames<PopupKind>()) words["Checkpoint_Popup_" + p] = T["Checkpoint_Popup_" + p];
            foreach (var r in CheckpointRules.Reasons.All) words["Checkpoint_Reason_" + r] = T["Checkpoint_Reason_" + r];
            return JsonSerializer.Serialize(words);
        }
    }

    private string Policy(CheckpointDto c) => T["Checkpoint_Policy",
        string.Join(" / ", c.AllowedColours.Select(colour => T["Checkpoint_Colour_" + colour].Value)),
        c.AllowPopups ? T["Checkpoint_PopupsAllowed"] : T["Checkpoint_PopupsDenied"],
        c.RequiredTestHours is { } h ? T["Checkpoint_TestHours", h] : T["Checkpoint_NoTestRule"],
        c.TemperatureThreshold.ToString("0.0", CultureInfo.InvariantCulture)];
}

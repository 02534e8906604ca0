using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Cordon.Features.Checkpoints;
using Cordon.Tests.Support;

namespace Cordon.Tests.Checkpoints;

/// <summary>Reading the checkpoint screens as a browser would, and the checkpoint as the API returns it.</summary>
public static partial class CheckpointPageKit
{
    public static async Task<string> Html(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<CheckpointDto> Checkpoint(this HttpClient client, int id) =>
        (await client.GetFromJsonAsync<CheckpointDto>($"/api/v1/checkpoints/{id}", Json.Options))!;

    /// <summary>The antiforgery token of the form on a page.</summary>
    public static string FormToken(string html) => Token().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

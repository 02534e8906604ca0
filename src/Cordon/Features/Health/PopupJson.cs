using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cordon.Features.Health;

/// <summary>The popups of a status as stored in one column: compact JSON, stable so that equal popups give equal text.</summary>
internal static class PopupJson
{
    private sealed record Stored(
        [property: JsonPropertyName("k")] PopupKind Kind,
        [property: JsonPropertyName("r")] string Reason,
        [property: JsonPropertyName("s")] string Source,
        [property: JsonPropertyName("since")] DateTime Since,
        [property: JsonPropertyName("until")] DateTime? Until);

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Write(IReadOnlyList<Popup> popups) =>
        popups.Count == 0 ? "[]" : JsonSerializer.Serialize(popups.Select(p => new Stored(p.Kind, p.Reason, p.Source, Utc(p.Since), p.Until is { } u ? Utc(u) : null)), Options);

    public static IReadOnlyList<Popup> Read(string json) =>
        json == "[]" ? [] : (JsonSerializer.Deserialize<List<Stored>>(json, Options) ?? []).Select(s => new Popup(s.Kind, s.Reason, s.Source, Utc(s.Since), s.Until is { } u ? Utc(u) : null)).ToList();

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

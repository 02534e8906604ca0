using System.Globalization;
using System.Text.RegularExpressions;

namespace Cordon.Features.Testing;

/// <summary>
/// Weekly opening hours: "Mon-Fri 08:00-12:00,14:00-18:00; Sat 09:00-12:00". Days are Mon..Sun, single or as a range;
/// several periods per day. Times are local to the site (the configured time zone of the city).
/// </summary>
public sealed partial record OpeningHours(IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeOnly From, TimeOnly To)>> Days)
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    [GeneratedRegex(@"^(?<from>[A-Za-z]{3})(-(?<to>[A-Za-z]{3}))?\s+(?<periods>.+)$")]
    private static partial Regex DayPattern();

    public static bool TryParse(string? text, out OpeningHours hours, out string? error)
    {
        hours = new OpeningHours(new Dictionary<DayOfWeek, IReadOnlyList<(TimeOnly, TimeOnly)>>());
        error = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "is required, e.g. \"Mon-Sun 08:00-12:00,14:00-18:00\""; return false; }
        var days = new Dictionary<DayOfWeek, IReadOnlyList<(TimeOnly, TimeOnly)>>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = DayPattern().Match(part);
            if (!match.Success) { error = $"'{part}' is not like \"Mon-Fri 08:00-12:00\""; return false; }
            var from = Array.FindIndex(DayNames, d => d.Equals(match.Groups["from"].Value, StringComparison.OrdinalIgnoreCase));
            var to = match.Groups["to"].Success ? Array.FindIndex(DayNames, d => d.Equals(match.Groups["to"].Value, StringComparison.OrdinalIgnoreCase)) : from;
            if (from < 0 || to < 0) { error = $"'{part}' names an unknown day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"; return false; }
            var periods = new List<(TimeOnly, TimeOnly)>();
            foreach (var period in match.Groups["periods"].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                var bounds = period.Split('-', StringSplitOptions.TrimEntries);
                if (bounds.Length != 2
                    || !TimeOnly.TryParseExact(bounds[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
                    || !TimeOnly.TryParseExact(bounds[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
                {
                    error = $"'{period}' is not a period like 08:00-12:00";
                    return false;
                }
                if (end <= start) { error = $"'{period}' ends before it starts"; return false; }
                periods.Add((start, end));
            }
            // Mon-Sun wraps around the week the way people write it: Fri-Mon is Fri, Sat, Sun, Mon.
            for (var d = from; ; d = (d + 1) % 7)
            {
                days[(DayOfWeek)d] = periods;
                if (d == to) break;
            }
        }
        hours = new OpeningHours(days);
        return true;
    }

    /// <summary>The slot start times of one local day, each <paramref name="slotMinutes"/> long and wholly inside a period.</summary>
    public IEnumerable<DateTime> SlotsOn(DateOnly day, int slotMinutes)
    {
        if (!Days.TryGetValue(day.DayOfWeek, out var periods)) yield break;
        foreach (var (from, to) in periods)
        {
            for (var start = day.ToDateTime(from); start.AddMinutes(slotMinutes) <= day.ToDateTime(to); start = start.AddMinutes(slotMinutes))
            {
                yield return start;
            }
        }
    }
}

/// <summary>What a tube's result means for each person in it.</summary>
public static class PoolRules
{
    public static readonly int[] PoolSizes = [1, 5, 10, 20];

    /// <summary>
    /// A negative tube clears everyone; a positive single tube is a positive person (a case candidate); a positive
    /// pool puts every member on "pool positive, awaiting single-tube retest"; an invalid tube means resample.
    /// </summary>
    public static PersonResultKind OutcomeFor(TubeResult result, int poolSize) => result switch
    {
        TubeResult.Negative => PersonResultKind.Negative,
        TubeResult.Positive when poolSize == 1 => PersonResultKind.Positive,
        TubeResult.Positive => PersonResultKind.PoolPositive,
        TubeResult.Invalid => PersonResultKind.Resample,
        TubeResult.Pending => throw new ArgumentException("A pending tube has no outcome yet.", nameof(result)),
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    /// <summary>Ct values outside 0–50 are not instrument readings.</summary>
    public static bool IsPlausibleCt(double ct) => ct is > 0 and <= 50;
}

/// <summary>Turnaround against the timeliness targets of the disease profile: pooled 12 h, single 6 h, collection to release.</summary>
public static class Turnaround
{
    public static TimeSpan TargetFor(int poolSize) => poolSize == 1 ? TimeSpan.FromHours(6) : TimeSpan.FromHours(12);

    /// <summary>True when a collected tube has not been released within its target by <paramref name="now"/>.</summary>
    public static bool IsOverdue(DateTime? collectedAt, DateTime? releasedAt, int poolSize, DateTime now) =>
        collectedAt is { } collected && (releasedAt ?? now) - collected > TargetFor(poolSize);

    /// <summary>Hours between two stage stamps, or null while the later stage has not happened.</summary>
    public static double? Hours(DateTime? from, DateTime? to) => from is { } f && to is { } t ? (t - f).TotalHours : null;
}

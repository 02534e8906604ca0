using Cordon.Features.Registry;

namespace Cordon.Features.Testing;

/// <summary>
/// The pure rules of screening rounds, key-group periodic testing and antigen self-tests: windows, the area
/// prefixes a round covers for a given viewer, drill-down levels, overdue and photo checks. No database here.
/// </summary>
public static class ScreeningRules
{
    /// <summary>A round is sampled within a window of at most a week (the target is 24 h; a week allows catch-up).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    /// <summary>An antigen self-test may be reported up to 72 h after it was taken.</summary>
    public static readonly TimeSpan AntigenMaxAge = TimeSpan.FromHours(72);

    /// <summary>Clock skew tolerated for "not in the future" (a phone's clock a little ahead of the server's).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public const int MaxAreasPerRound = 200;
    public const int MinIntervalHours = 1;
    public const int MaxIntervalHours = 720;

    /// <summary>
    /// The largest photo accepted, in bytes. The column holds a data URL of at most 400,000 characters; base64 makes
    /// 4 characters of 3 bytes, so 290 KiB (396,000 characters with the prefix) is the round figure that fits.
    /// </summary>
    public const int MaxPhotoBytes = 290 * 1024;

    public static readonly string[] PhotoTypes = ["image/jpeg", "image/png"];

    /// <summary>
    /// The part of an area (by its prefix) that a viewer with <paramref name="jurisdictionPrefix"/> sees: the area
    /// itself when it lies inside the jurisdiction, the jurisdiction when it lies inside the area, otherwise nothing.
    /// </summary>
    public static string? Intersect(string areaPrefix, string jurisdictionPrefix) =>
        areaPrefix.StartsWith(jurisdictionPrefix, StringComparison.Ordinal) ? areaPrefix
        : jurisdictionPrefix.StartsWith(areaPrefix, StringComparison.Ordinal) ? jurisdictionPrefix
        : null;

    /// <summary>The prefixes of a round (or of a round seen from a jurisdiction), each outermost one once: nested ones add nobody.</summary>
    public static IReadOnlyList<string> Outermost(IEnumerable<string> prefixes)
    {
        var sorted = prefixes.Distinct(StringComparer.Ordinal).OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).ToList();
        var kept = new List<string>();
        foreach (var prefix in sorted)
        {
            if (!kept.Any(k => prefix.StartsWith(k, StringComparison.Ordinal))) kept.Add(prefix);
        }
        kept.Sort(StringComparer.Ordinal);
        return kept;
    }

    /// <summary>The prefixes of a round's areas that a viewer sees (all of them for a city-wide viewer).</summary>
    public static IReadOnlyList<string> VisiblePrefixes(IEnumerable<string> roundAreaCodes, string jurisdictionPrefix) =>
        Outermost(roundAreaCodes.Select(AreaCode.PrefixOf).Select(p => Intersect(p, jurisdictionPrefix)).OfType<string>());

    /// <summary>
    /// The codes that are the jurisdiction's area or one of its ancestors: a round over any of them covers the
    /// jurisdiction (990102001001 → 990102001001, 990102001, 990102, 990100).
    /// </summary>
    public static IReadOnlyList<string> SelfAndAncestors(string areaCode)
    {
        if (!AreaCode.IsWellFormed(areaCode)) return [];
        var codes = new List<string>();
        for (var length = areaCode.Length; length >= 6; length -= 3) codes.Add(areaCode[..length]);
        var city = areaCode[..4] + "00";
        if (!codes.Contains(city)) codes.Add(city);
        return codes;
    }

    /// <summary>
    /// How many leading characters of a resident's area code name the child of an area with this prefix:
    /// a city's prefix (9901) → districts (6), a district → streets (9), a street → communities (12), a community →
    /// buildings (15). A building has no children: its own code (15).
    /// </summary>
    public static int ChildLength(string prefix) => prefix.Length <= 4 ? 6 : Math.Min(prefix.Length + 3, 15);

    /// <summary>The area code a group key stands for: a city's prefix (9901) is its code 990100.</summary>
    public static string CodeOfKey(string key) => key.Length == 4 ? key + "00" : key;

    public static IReadOnlyList<KeyGroup> ParseKeyGroups(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(name => Enum.TryParse<KeyGroup>(name, out var group) ? group : KeyGroup.None)
                .Where(g => g != KeyGroup.None).Distinct().Order().ToList();

    /// <summary>Null for everyone; otherwise the group names, comma-separated, in enum order.</summary>
    public static string? FormatKeyGroups(IEnumerable<KeyGroup>? groups)
    {
        var list = groups?.Where(g => g != KeyGroup.None).Distinct().Order().ToList() ?? [];
        return list.Count == 0 ? null : string.Join(",", list);
    }

    /// <summary>Whether a round (by its area codes and required groups) asks this resident to be sampled.</summary>
    public static bool Covers(IEnumerable<string> roundAreaCodes, IReadOnlyCollection<KeyGroup> groups, string residentAreaCode, KeyGroup residentGroup) =>
        (groups.Count == 0 || groups.Contains(residentGroup))
        && roundAreaCodes.Any(code => residentAreaCode.StartsWith(AreaCode.PrefixOf(code), StringComparison.Ordinal));

    /// <summary>A round asks people to come while it is open and its window has begun and not ended.</summary>
    public static bool IsRunning(RoundStatus status, DateTime startsAt, DateTime endsAt, DateTime now) =>
        status == RoundStatus.Open && startsAt <= now && now <= endsAt;

    /// <summary>
    /// A key-group member is overdue when their last test (nucleic-acid sampling or negative antigen self-test) is older
    /// than the group's interval, or when they have never been tested.
    /// </summary>
    public static bool IsOverdue(DateTime? lastTestAt, int intervalHours, DateTime now) =>
        lastTestAt is not { } last || last < OverdueThreshold(intervalHours, now);

    /// <summary>A test at or after this instant keeps a member of a group with this interval up to date.</summary>
    public static DateTime OverdueThreshold(int intervalHours, DateTime now) => now.AddHours(-intervalHours);

    /// <summary>When the next test is due: the last one plus the interval; null when never tested (due now).</summary>
    public static DateTime? DueAt(DateTime? lastTestAt, int intervalHours) => lastTestAt?.AddHours(intervalHours);

    /// <summary>What is wrong with a round's window, by field, or nothing.</summary>
    public static IEnumerable<(string Field, string Message)> CheckWindow(DateTime? startsAt, DateTime? endsAt, DateTime now)
    {
        if (startsAt is null) yield return ("startsAt", "is required");
        if (endsAt is null) yield return ("endsAt", "is required");
        if (startsAt is not { } start || endsAt is not { } end) yield break;
        if (end <= start) yield return ("endsAt", "must be after startsAt");
        else if (end - start > MaxWindow) yield return ("endsAt", "must be at most 7 days after startsAt");
        else if (end <= now) yield return ("endsAt", "must be in the future");
    }

    /// <summary>What is wrong with the time an antigen test was taken: in the future or too long ago to count.</summary>
    public static string? CheckTakenAt(DateTime takenAt, DateTime now) =>
        takenAt > now + ClockSkew ? "must not be in the future"
        : takenAt < now - AntigenMaxAge ? "must be within the last 72 hours"
        : null;

    /// <summary>
    /// Checks a photo given as a data URL (data:image/jpeg;base64,… or data:image/png;base64,…): the type, the size and
    /// that the bytes really are a JPEG or PNG image. Returns the problem, or null when the photo is acceptable.
    /// </summary>
    public static string? CheckPhoto(string dataUrl)
    {
        var type = PhotoTypes.FirstOrDefault(t => dataUrl.StartsWith($"data:{t};base64,", StringComparison.Ordinal));
        if (type is null) return "must be a JPEG or PNG image (data:image/jpeg;base64,… or data:image/png;base64,…)";
        var payload = dataUrl.AsSpan($"data:{type};base64,".Length);
        if (payload.Length > (MaxPhotoBytes + 2) / 3 * 4) return "must be at most 290 KB";
        var bytes = new byte[payload.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(payload, bytes, out var written)) return "is not valid base64";
        if (written > MaxPhotoBytes) return "must be at most 290 KB";
        return IsImage(bytes.AsSpan(0, written), type) ? null : "must be a JPEG or PNG image (data:image/jpeg;base64,… or data:image/png;base64,…)";
    }

    /// <summary>The data URL of uploaded image bytes, or the problem with them (type, size, not really an image).</summary>
    public static (string? DataUrl, string? Problem) PhotoDataUrl(ReadOnlySpan<byte> bytes, string? contentType)
    {
        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is null || !PhotoTypes.Contains(type)) return (null, "must be a JPEG or PNG image (data:image/jpeg;base64,… or data:image/png;base64,…)");
        if (bytes.Length > MaxPhotoBytes) return (null, "must be at most 290 KB");
        if (!IsImage(bytes, type)) return (null, "must be a JPEG or PNG image (data:image/jpeg;base64,… or data:image/png;base64,…)");
        return ($"data:{type};base64,{Convert.ToBase64String(bytes)}", null);
    }

    /// <summary>The image bytes and type of a stored data URL.</summary>
    public static (byte[] Bytes, string ContentType)? DecodePhoto(string? dataUrl)
    {
        if (dataUrl is null) return null;
        var type = PhotoTypes.FirstOrDefault(t => dataUrl.StartsWith($"data:{t};base64,", StringComparison.Ordinal));
        if (type is null) return null;
        try
        {
            return (Convert.FromBase64String(dataUrl[$"data:{type};base64,".Length..]), type);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool IsImage(ReadOnlySpan<byte> bytes, string type) => type switch
    {
        "image/jpeg" => bytes.Length > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF,
        "image/png" => bytes.Length > 8 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        _ => false,
    };
}

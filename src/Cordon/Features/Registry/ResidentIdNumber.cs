namespace Cordon.Features.Registry;

/// <summary>The 18-character PRC resident identity number (GB 11643-1999): 6-digit area, 8-digit birth date,
/// 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character.</summary>
public static class ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckChars = "10X98765432";

    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    public static bool IsValid(string? value) => Validate(value) is null;

    /// <summary>Null when valid, otherwise why not (for a ProblemDetails message).</summary>
    public static string? Validate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "is required";
        var id = Normalize(value);
        if (id.Length != 18) return "must have 18 characters";
        if (!id[..17].All(char.IsAsciiDigit) || !(char.IsAsciiDigit(id[17]) || id[17] == 'X'))
            return "must be 17 digits followed by a digit or X";
        if (BirthDateOf(id) is not { } birthDate) return "contains an impossible birth date";
        // A day of slack: the earliest time zone is already on the next date.
        if (birthDate > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1))) return "contains a birth date in the future";
        if (CheckCharFor(id) != id[17]) return "has a wrong check digit";
        return null;
    }

    public static char CheckCharFor(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (first17[i] - '0') * Weights[i];
        return CheckChars[sum % 11];
    }

    public static DateOnly? BirthDateOf(string id) =>
        DateOnly.TryParseExact(id.Substring(6, 8), "yyyyMMdd", out var date) && date.Year >= 1900 ? date : null;

    public static Sex SexOf(string id) => (id[16] - '0') % 2 == 1 ? Sex.Male : Sex.Female;

    /// <summary>Builds a valid number from its parts (demo data and tests).</summary>
    public static string Compose(string area6, DateOnly birthDate, int sequence, Sex sex)
    {
        var seq = sequence % 500 * 2 + (sex == Sex.Male ? 1 : 0);
        var first17 = $"{area6}{birthDate:yyyyMMdd}{seq:000}";
        return first17 + CheckCharFor(first17);
    }
}

public enum Sex
{
    Female = 0,
    Male = 1,
}

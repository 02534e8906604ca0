using System.Text;

namespace Cordon.Features.Registry;

public enum AreaLevel
{
    City = 1,
    District = 2,
    Street = 3,
    Community = 4,
    Building = 5,
}

/// <summary>
/// GB/T 2260-style area codes: 6 digits for a city (ending in 00) or district, then 3 for a street,
/// 3 for a community and 3 for a building. The jurisdiction prefix of an area is the part of its code
/// that every code below it starts with, so "inside my jurisdiction" is a prefix test on an index.
/// </summary>
public static class AreaCode
{
    public static bool IsWellFormed(string? code) =>
        code is { Length: 6 or 9 or 12 or 15 } && code.All(char.IsAsciiDigit);

    public static AreaLevel LevelOf(string code) => code.Length switch
    {
        6 when code.EndsWith("00", StringComparison.Ordinal) => AreaLevel.City,
        6 => AreaLevel.District,
        9 => AreaLevel.Street,
        12 => AreaLevel.Community,
        15 => AreaLevel.Building,
        _ => throw new ArgumentException($"'{code}' is not an area code.", nameof(code)),
    };

    /// <summary>The prefix shared by the area and everything inside it (a city 990100 → 9901).</summary>
    public static string PrefixOf(string code) =>
        LevelOf(code) == AreaLevel.City ? code[..4] : code;

    /// <summary>True when <paramref name="code"/> lies inside the area whose code is <paramref name="ancestor"/>.</summary>
    public static bool IsWithin(string code, string ancestor) =>
        code.StartsWith(PrefixOf(ancestor), StringComparison.Ordinal);

    /// <summary>The code a child of <paramref name="parent"/> must have: one level deeper and inside it.</summary>
    public static bool IsValidChild(string parent, string child)
    {
        if (!IsWellFormed(child) || !IsWithin(child, parent) || child == parent) return false;
        var (p, c) = (LevelOf(parent), LevelOf(child));
        return (int)c == (int)p + 1 && c != AreaLevel.City;
    }
}

/// <summary>
/// Prefix matching as a half-open range [prefix, upper), which both SQLite (binary collation) and
/// PostgreSQL (C collation on these columns) answer from a plain b-tree index.
/// </summary>
public static class Prefix
{
    public static string UpperBound(string prefix)
    {
        if (prefix.Length == 0) throw new ArgumentException("An empty prefix has no upper bound.", nameof(prefix));
        // Both databases compare UTF-8 bytes, i.e. code points: increment the last code point (a surrogate pair is one,
        // the surrogate range is skipped). Incrementing the last UTF-16 unit made "\uD840\uDFFF" (U+203FF) end in a lone
        // surrogate, which PostgreSQL refused (500) and SQLite mangled (nothing found).
        var end = prefix.Length > 1 && char.IsSurrogatePair(prefix[^2], prefix[^1]) ? prefix.Length - 2 : prefix.Length - 1;
        if (!Rune.TryGetRuneAt(prefix, end, out var last) || last.Value == 0x10FFFF) return prefix + "\U0010FFFF";
        return prefix[..end] + new Rune(last.Value + 1 == 0xD800 ? 0xE000 : last.Value + 1).ToString();
    }
}

using System.Globalization;
using System.Text;

namespace Cordon.Features.Certificates;

/// <summary>The name block of a DCC: as written (fn, gn) and in the ICAO 9303 machine-readable form (fnt, gnt: A–Z and '&lt;').</summary>
public sealed record DccName(string FamilyName, string GivenName, string FamilyNameStandard, string GivenNameStandard);

/// <summary>
/// Splits a registry name into family and given name and transliterates it the way a Chinese passport does
/// (Hanyu Pinyin without tones, syllables joined: 张三丰 → ZHANG / SANFENG, 欧阳娜娜 → OUYANG / NANA); Latin
/// names are upper-cased without diacritics, the last word as the family name.
/// </summary>
public static class NameTransliteration
{
    private static readonly string[] CompoundSurnames =
    [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐", "夏侯",
        "轩辕", "独孤", "南宫", "西门", "端木", "百里", "呼延", "万俟", "闻人", "澹台", "公冶", "申屠", "太史", "濮阳",
    ];

    // Surnames read differently from the character's most common reading.
    private static readonly Dictionary<string, string> SurnameReadings = new()
    {
        ["单"] = "SHAN",
        ["曾"] = "ZENG",
        ["解"] = "XIE",
        ["仇"] = "QIU",
        ["区"] = "OU",
        ["朴"] = "PIAO",
        ["查"] = "ZHA",
        ["乐"] = "YUE",
        ["翟"] = "ZHAI",
        ["盖"] = "GE",
        ["缪"] = "MIAO",
        ["覃"] = "QIN",
        ["召"] = "SHAO",
        ["种"] = "CHONG",
        ["尉迟"] = "YUCHI",
        ["长孙"] = "ZHANGSUN",
        ["万俟"] = "MOQI",
        ["单于"] = "CHANYU",
        ["厍"] = "SHE",
        ["秘"] = "BI",
    };

    private static readonly Lazy<Dictionary<char, string>> Pinyin = new(() =>
    {
        var table = new Dictionary<char, string>(6800);
        foreach (var line in PinyinTable.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ');
            var syllable = line[..space];
            foreach (var c in line.AsSpan(space + 1)) table.TryAdd(c, syllable);
        }
        return table;
    });

    public static DccName Of(string name)
    {
        name = name.Trim();
        if (name.Any(IsHan))
        {
            var family = CompoundSurnames.FirstOrDefault(s => name.Length > s.Length && name.StartsWith(s, StringComparison.Ordinal))
                ?? (name.Length > 1 ? name[..1] : name);
            var given = name[family.Length..].Trim();
            var familyStandard = SurnameReadings.TryGetValue(family, out var reading) ? reading : Standardise(family);
            return new DccName(family, given, Truncate(familyStandard), Truncate(Standardise(given)));
        }
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var last = words.Length > 0 ? words[^1] : "";
        var first = string.Join(' ', words.Length > 1 ? words[..^1] : []);
        return new DccName(last, first, Truncate(Standardise(last)), Truncate(Standardise(first)));
    }

    /// <summary>ICAO 9303 form: pinyin for Han characters, Latin letters without diacritics, '&lt;' for spaces and hyphens.</summary>
    public static string Standardise(string text)
    {
        var output = new StringBuilder(text.Length * 4);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (IsHan(c)) output.Append(Pinyin.Value.GetValueOrDefault(c, "X"));
            else if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z') output.Append(char.ToUpperInvariant(c));
            else if (c is ' ' or '-' or '·' or '•' or '.' or '\'') output.Append('<');
            else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            else if (c == 'ß') output.Append("SS");
        }
        return output.ToString().Trim('<');
    }

    // The DCC schema bounds fnt and gnt to 80 characters.
    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80];

    private static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF';
}

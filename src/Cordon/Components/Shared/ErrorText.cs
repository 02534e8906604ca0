using System.Text.RegularExpressions;
using Cordon.Infrastructure.Web;
using Cordon.Resources;
using Microsoft.Extensions.Localization;

namespace Cordon.Components.Shared;

/// <summary>
/// Turns the English field errors of the services ("is required", "must be at most 50 characters") into the
/// user's language. The services keep one wording for the API (ProblemDetails); the pages translate it here.
/// A message without a translation is shown as it is, so nothing is ever hidden.
/// </summary>
public static partial class ErrorText
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["is required"] = "Msg_Required",
        ["must have 18 characters"] = "Msg_IdLength",
        ["must be 17 digits followed by a digit or X"] = "Msg_IdDigits",
        ["contains an impossible birth date"] = "Msg_IdBirthDate",
        ["has a wrong check digit"] = "Msg_IdCheckDigit",
        ["must be an 11-digit mobile number (1xxxxxxxxxx) or a landline (0xx-xxxxxxxx)"] = "Msg_Phone",
        ["must be a 6, 9, 12 or 15-digit area code"] = "Msg_AreaCodeFormat",
        ["is not a 6, 9, 12 or 15-digit area code"] = "Msg_AreaCodeFormat",
        ["is not a known area in your jurisdiction"] = "Msg_AreaNotInJurisdiction",
        ["is not an area in your jurisdiction"] = "Msg_AreaNotInJurisdiction",
        ["is not a known area"] = "Msg_AreaUnknown",
        ["belongs to a resident who is already registered"] = "Msg_IdTaken",
        ["belongs to a resident registered outside your jurisdiction"] = "Msg_IdOutsideJurisdiction",
        ["is required: say why you need the full data"] = "Msg_ReasonRequired",
        ["is already used by another venue in this area"] = "Msg_VenueNameTaken",
        ["is not a known key group"] = "Msg_KeyGroupUnknown",
        ["is not a known venue category"] = "Msg_CategoryUnknown",
        ["must be Open or Suspended"] = "Msg_VenueStatus",
        ["must be between -90 and 90"] = "Msg_Latitude",
        ["must be between -180 and 180"] = "Msg_Longitude",
        ["must be a decimal number"] = "Msg_Decimal",
        ["is empty: the first line must name the columns"] = "Msg_FileEmpty",
        ["has a header but no rows"] = "Msg_FileNoRows",
        ["is not a cursor from a previous page"] = "Msg_Cursor",
        ["you cannot lock your own account"] = "Msg_LockSelf",
        ["is not a registered resident"] = "Msg_ResidentUnknown",
        ["must be before 'to'"] = "Msg_FromAfterTo",
        ["must be a GeoJSON object"] = "Msg_GeoJson",
        ["is not the current code of your authenticator app"] = "Msg_TotpWrong",
        ["must be a date and time"] = "Msg_DateTime",
        ["is not a known action"] = "Msg_ActionUnknown",
        ["not found"] = "Msg_NotFound",
        ["Passwords must have at least one digit ('0'-'9')."] = "Msg_PasswordDigit",
        ["Passwords must have at least one lowercase ('a'-'z')."] = "Msg_PasswordLower",
        ["Passwords must have at least one uppercase ('A'-'Z')."] = "Msg_PasswordUpper",
    };

    private static readonly (Regex Pattern, string Key)[] Patterns =
    [
        (MaxLength(), "Msg_MaxLength"),
        (OneLevelBelow(), "Msg_OneLevelBelow"),
        (RepeatsId(), "Msg_RepeatsIdRow"),
        (RepeatsVenue(), "Msg_RepeatsVenueRow"),
        (OneOf(), "Msg_OneOf"),
        (NotCsv(), "Msg_NotCsv"),
        (LacksColumns(), "Msg_LacksColumns"),
        (TooManyRows(), "Msg_TooManyRows"),
        (TooManyFields(), "Msg_TooManyFields"),
        (AreaExists(), "Msg_AreaExists"),
        (UserNameTaken(), "Msg_UserNameTaken"),
        (PasswordLength(), "Msg_PasswordLength"),
        (UserNameInvalid(), "Msg_UserNameInvalid"),
        (CsvOpenQuote(), "Msg_CsvOpenQuote"),
        (CsvStrayQuote(), "Msg_CsvStrayQuote"),
    ];

    /// <summary>The registry's wording; a part of a pattern may be a message itself ("is not valid CSV: a quoted field … is never closed").</summary>
    private static readonly MessageCatalog Catalog = new(Exact, Patterns, (t, group) => Localize(t, group.Value));

    /// <summary>The message in the current UI language.</summary>
    public static string Localize(IStringLocalizer<Strings> t, string message) => Catalog.Localize(t, message);

    /// <summary>The label of a field by its JSON name: "Field_{scope}_{field}" when the form has its own word, else "Field_{field}".</summary>
    public static string Label(IStringLocalizer<Strings> t, string field, string? scope = null)
    {
        if (scope is not null && Found(t[$"Field_{scope}_{field}"]) is { } scoped) return scoped;
        return Found(t[$"Field_{field}"]) ?? field;
    }

    /// <summary>"Phone must be …" / "手机号必须…": the label and the message as one sentence.</summary>
    public static string Sentence(IStringLocalizer<Strings> t, string field, string message, string? scope = null) =>
        Catalog.Sentence(t, field, message, scope);

    /// <summary>The translation, or null when the resource has no such key.</summary>
    internal static string? Found(LocalizedString s) => s.ResourceNotFound ? null : s.Value;

    [GeneratedRegex(@"^must be at most (\d+) characters$")]
    private static partial Regex MaxLength();

    [GeneratedRegex(@"^must be one level below (\d+) and start with its code$")]
    private static partial Regex OneLevelBelow();

    [GeneratedRegex(@"^repeats the ID number of row (\d+)$")]
    private static partial Regex RepeatsId();

    [GeneratedRegex(@"^repeats the venue of row (\d+) in the same area$")]
    private static partial Regex RepeatsVenue();

    [GeneratedRegex(@"^must be one of (.+)$")]
    private static partial Regex OneOf();

    [GeneratedRegex(@"^is not valid CSV: (.+)$")]
    private static partial Regex NotCsv();

    [GeneratedRegex(@"^lacks the column\(s\) (.+); expected header: (.+)$")]
    private static partial Regex LacksColumns();

    [GeneratedRegex(@"^has more than (\d+) rows; split it$")]
    private static partial Regex TooManyRows();

    [GeneratedRegex(@"^row (\d+) has (\d+) fields but the header names (\d+)$")]
    private static partial Regex TooManyFields();

    [GeneratedRegex(@"^Area (\d+) already exists\.$")]
    private static partial Regex AreaExists();

    [GeneratedRegex(@"^The user name (.+) is taken\.$")]
    private static partial Regex UserNameTaken();

    [GeneratedRegex(@"^Passwords must be at least (\d+) characters\.$")]
    private static partial Regex PasswordLength();

    [GeneratedRegex(@"^a quoted field that starts on row (\d+) is never closed$")]
    private static partial Regex CsvOpenQuote();

    [GeneratedRegex(@"^a quote inside an unquoted field on row (\d+)$")]
    private static partial Regex CsvStrayQuote();

    [GeneratedRegex(@"^Username '(.*)' is invalid, can only contain letters or digits\.$")]
    private static partial Regex UserNameInvalid();
}

/// <summary>
/// One feature's English service messages and their resource keys: the exact wordings first, then patterns whose groups
/// become the resource's arguments (<paramref name="argument"/> may translate a group, e.g. a status word). A message it
/// does not know goes to <paramref name="next"/> (the features pass <see cref="ErrorText.Localize"/>), or, without one, is
/// shown as it is, so nothing is ever hidden. A known message whose resource is missing is shown as it is too.
/// </summary>
public sealed class MessageCatalog(
    IReadOnlyDictionary<string, string> exact,
    IReadOnlyList<(Regex Pattern, string Key)> patterns,
    Func<IStringLocalizer<Strings>, Group, object>? argument = null,
    Func<IStringLocalizer<Strings>, string, string>? next = null)
{
    public string Localize(IStringLocalizer<Strings> t, string message)
    {
        if (exact.TryGetValue(message, out var key)) return ErrorText.Found(t[key]) ?? message;
        foreach (var (pattern, patternKey) in patterns)
        {
            var match = pattern.Match(message);
            if (!match.Success) continue;
            var args = match.Groups.Values.Skip(1).Select(g => argument is null ? g.Value : argument(t, g)).ToArray();
            return ErrorText.Found(t[patternKey, args]) ?? message;
        }
        return next is null ? message : next(t, message);
    }

    /// <summary>"Phone must be …" / "手机号必须…": the label and the message as one sentence.</summary>
    public string Sentence(IStringLocalizer<Strings> t, string field, string message, string? scope = null) =>
        t["Error_Format", ErrorText.Label(t, field, scope), Localize(t, message)];

    /// <summary>The errors of an outcome with every message in the user's language, ready for ErrorSummary and FieldError.</summary>
    public FormErrors Errors<T>(IStringLocalizer<Strings> t, Outcome<T> outcome)
    {
        var errors = FormErrors.From(outcome);
        if (!errors.Any) return errors;
        return new FormErrors(
            errors.Fields.ToDictionary(f => f.Key, f => f.Value.Select(m => Localize(t, m)).ToArray()),
            errors.Message is { } message ? Localize(t, message) : null);
    }
}

using System.Text.RegularExpressions;
using Cordon.Components.Shared;
using Cordon.Infrastructure.Web;
using Cordon.Resources;
using Microsoft.Extensions.Localization;

namespace Cordon.Features.Testing.Pages;

/// <summary>
/// The screening services' English messages in the user's language, for the round, key-group and antigen pages. The
/// shared <see cref="ErrorText"/> translates the registry's wording; these are the screening slice's own. A message
/// without a translation here is passed on as it is (and ErrorText may still know it).
/// </summary>
public static partial class ScreeningMessages
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["must be after startsAt"] = "Msg_EndsAfterStart",
        ["must be at most 7 days after startsAt"] = "Msg_WindowTooLong",
        ["must be in the future"] = "Msg_EndsInFuture",
        ["must name key groups (leave empty for everyone)"] = "Msg_KeyGroupsList",
        ["is required: name at least one area"] = "Msg_AreasRequired",
        ["antigen self-tests are reported by members of key groups; you are not registered in one"] = "Msg_AntigenNotKeyGroup",
        ["must be Negative, Positive or Invalid"] = "Msg_AntigenResult",
        ["must not be in the future"] = "Msg_NotInFuture",
        ["must be within the last 72 hours"] = "Msg_Within72Hours",
        ["must be a JPEG or PNG image (data:image/jpeg;base64,… or data:image/png;base64,…)"] = "Msg_PhotoType",
        ["must be at most 290 KB"] = "Msg_PhotoSize",
        ["is not valid base64"] = "Msg_PhotoType",
        ["The round is already closed."] = "Msg_RoundClosed",
        ["A report with another result was already made for the same time; report each test once."] = "Msg_AntigenDuplicate",
        ["must be a date and time"] = "Msg_DateTime",
        ["must be a whole number of hours"] = "Msg_WholeHours",
    };

    private static readonly (Regex Pattern, string Key)[] Patterns =
    [
        (AreasMalformed(), "Msg_AreasMalformed"),
        (AreasUnknown(), "Msg_AreasUnknown"),
        (AreasTooMany(), "Msg_AreasTooMany"),
        (IntervalRange(), "Msg_IntervalRange"),
    ];

    private static readonly MessageCatalog Catalog = new(Exact, Patterns, next: ErrorText.Localize);

    public static string Localize(IStringLocalizer<Strings> t, string message) => Catalog.Localize(t, message);

    /// <summary>The errors of an outcome with every message in the user's language, ready for ErrorSummary and FieldError.</summary>
    public static FormErrors Errors<T>(IStringLocalizer<Strings> t, Outcome<T> outcome) => Catalog.Errors(t, outcome);

    [GeneratedRegex(@"^(.+): not a 6, 9, 12 or 15-digit area code$")]
    private static partial Regex AreasMalformed();

    [GeneratedRegex(@"^(.+): not a known area in your jurisdiction$")]
    private static partial Regex AreasUnknown();

    [GeneratedRegex(@"^must name at most (\d+) areas$")]
    private static partial Regex AreasTooMany();

    [GeneratedRegex(@"^must be between (\d+) and (\d+) hours$")]
    private static partial Regex IntervalRange();
}

using System.Globalization;
using System.Text.RegularExpressions;
using Cordon.Components.Shared;
using Cordon.Resources;
using Microsoft.Extensions.Localization;

namespace Cordon.Features.Testing.Pages;

/// <summary>
/// The site and booking messages in the user's language. The services write one English wording for the API
/// (ProblemDetails); this maps the ones of sites and appointments to resource keys and hands the rest to
/// <see cref="ErrorText"/>. Also the words pages need for days, times and opening hours.
/// </summary>
public static partial class SiteMessages
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        [AppointmentService.SlotFull] = "SiteMsg_SlotFull",
        [AppointmentService.SameDay] = "SiteMsg_SameDay",
        [AppointmentService.NotASlot] = "SiteMsg_NotASlot",
        [AppointmentService.InThePast] = "SiteMsg_InThePast",
        [AppointmentService.UnknownSite] = "SiteMsg_UnknownSite",
        [AppointmentService.ClosedSite] = "SiteMsg_ClosedSite",
        [AppointmentService.MobileSite] = "SiteMsg_MobileSite",
        [AppointmentService.NotLinked] = "Me_NotLinked",
        ["is the slot you already have"] = "SiteMsg_SameSlot",
        ["The appointment was changed a moment ago; reload it."] = "SiteMsg_ChangedMeanwhile",
        ["The appointment is in the past."] = "SiteMsg_AppointmentPast",
        ["The appointment is already cancelled."] = "SiteMsg_AppointmentCancelled",
        ["You have been sampled for this appointment; it cannot be changed."] = "SiteMsg_AppointmentSampled",
        ["must be Fixed, Temporary or Mobile"] = "SiteMsg_Kind",
        ["must be Open or Closed"] = "SiteMsg_Status",
        ["must be within a year of today"] = "SiteMsg_DayYear",
        ["has no period long enough for one slot"] = "SiteMsg_HoursNoSlot",
        ["is required with the other coordinate"] = "SiteMsg_CoordinatePair",
        ["is not a sampling-staff user in your jurisdiction"] = "SiteMsg_NotSampler",
        ["is required, e.g. \"Mon-Sun 08:00-12:00,14:00-18:00\""] = "SiteMsg_HoursRequired",
        ["must be a whole number"] = "SiteMsg_WholeNumber",
        ["must be a date"] = "SiteMsg_Date",
    };

    private static readonly (Regex Pattern, string Key)[] Patterns =
    [
        (BetweenMinutes(), "SiteMsg_BetweenMinutes"),
        (Between(), "SiteMsg_Between"),
        (DayRange(), "SiteMsg_DayRange"),
        (TooFarAhead(), "SiteMsg_TooFarAhead"),
        (HoursFormat(), "SiteMsg_HoursFormat"),
        (HoursDay(), "SiteMsg_HoursDay"),
        (HoursPeriod(), "SiteMsg_HoursPeriod"),
        (HoursEnds(), "SiteMsg_HoursEnds"),
    ];

    private static readonly MessageCatalog Catalog = new(Exact, Patterns, next: ErrorText.Localize);

    public static string Localize(IStringLocalizer<Strings> t, string message) => Catalog.Localize(t, message);

    public static string Sentence(IStringLocalizer<Strings> t, string field, string message, string? scope = null) =>
        Catalog.Sentence(t, field, message, scope);

    /// <summary>"Today", "Tomorrow", or the date with its weekday ("3月5日 周四" / "March 5 Thu").</summary>
    public static string Day(IStringLocalizer<Strings> t, DateOnly day, DateOnly today) => (day.DayNumber - today.DayNumber) switch
    {
        0 => t["Site_Today"],
        1 => t["Site_Tomorrow"],
        _ => day.ToString("M", CultureInfo.CurrentCulture) + " " + day.ToString("ddd", CultureInfo.CurrentCulture),
    };

    public static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string WeekdayName(DayOfWeek day) => CultureInfo.CurrentCulture.DateTimeFormat.GetAbbreviatedDayName(day);

    /// <summary>
    /// The weekly hours in the user's language, Monday first, runs of days with the same hours together:
    /// ("周一–周五", "07:00–12:00, 13:30–20:00"), ("周六–周日", "不开放").
    /// </summary>
    public static IEnumerable<(string Days, string Periods)> Week(IStringLocalizer<Strings> t, string openingHours)
    {
        if (!OpeningHours.TryParse(openingHours, out var hours, out _)) yield break;
        DayOfWeek[] week = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];
        string PeriodsOf(DayOfWeek day) => hours.Days.TryGetValue(day, out var periods)
            ? string.Join(", ", periods.Select(p => $"{Time(p.From)}–{Time(p.To)}"))
            : t["Site_ClosedDay"];
        var start = 0;
        for (var i = 1; i <= week.Length; i++)
        {
            if (i < week.Length && PeriodsOf(week[i]) == PeriodsOf(week[start])) continue;
            var days = i - 1 == start ? WeekdayName(week[start]) : $"{WeekdayName(week[start])}–{WeekdayName(week[i - 1])}";
            yield return (days, PeriodsOf(week[start]));
            start = i;
        }
    }

    public static string CrowdCss(CrowdLevel crowd) => crowd switch
    {
        CrowdLevel.Quiet => "text-bg-success",
        CrowdLevel.Busy => "text-bg-warning",
        CrowdLevel.Crowded => "text-bg-danger",
        _ => "text-bg-secondary",
    };

    [GeneratedRegex(@"^must be between (-?\d+) and (-?\d+) minutes$")]
    private static partial Regex BetweenMinutes();

    [GeneratedRegex(@"^must be between (-?\d+) and (-?\d+)$")]
    private static partial Regex Between();

    [GeneratedRegex(@"^must be between today and (\d+) days ahead$")]
    private static partial Regex DayRange();

    [GeneratedRegex(@"^is more than (\d+) days ahead$")]
    private static partial Regex TooFarAhead();

    [GeneratedRegex("^'(.*)' is not like \"Mon-Fri 08:00-12:00\"$")]
    private static partial Regex HoursFormat();

    [GeneratedRegex(@"^'(.*)' names an unknown day \(use Mon, Tue, Wed, Thu, Fri, Sat, Sun\)$")]
    private static partial Regex HoursDay();

    [GeneratedRegex(@"^'(.*)' is not a period like 08:00-12:00$")]
    private static partial Regex HoursPeriod();

    [GeneratedRegex(@"^'(.*)' ends before it starts$")]
    private static partial Regex HoursEnds();
}

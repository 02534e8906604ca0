namespace Cordon.Features.Testing;

/// <summary>One bookable slot of a site: its local day and start, and the UTC instants Cordon stores.</summary>
public readonly record struct SlotTime(DateOnly Day, TimeOnly Local, DateTime StartsAt, DateTime EndsAt);

/// <summary>The slots a site's opening hours give on a local day, as UTC instants (pure: no database, no clock).</summary>
public static class SiteCalendar
{
    public static IEnumerable<SlotTime> Slots(OpeningHours hours, int slotMinutes, DateOnly day, TimeZoneInfo zone) =>
        hours.SlotsOn(day, slotMinutes).Select(local => new SlotTime(
            day, TimeOnly.FromDateTime(local), ToUtc(local, zone), ToUtc(local.AddMinutes(slotMinutes), zone)));

    /// <summary>The slot that starts at <paramref name="startsAt"/> (UTC), or null when the hours have no slot starting then.</summary>
    public static SlotTime? Find(OpeningHours hours, int slotMinutes, DateTime startsAt, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(startsAt, DateTimeKind.Utc), zone);
        foreach (var slot in Slots(hours, slotMinutes, DateOnly.FromDateTime(local), zone))
        {
            if (slot.StartsAt == startsAt) return slot;
        }
        return null;
    }

    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
}

public enum CrowdLevel
{
    /// <summary>Less than 10 minutes' wait.</summary>
    Quiet = 1,
    /// <summary>10 to 30 minutes.</summary>
    Busy = 2,
    /// <summary>30 minutes or more: better come another time (防止扎堆聚集).</summary>
    Crowded = 3,
}

/// <summary>
/// The live queue estimate of a site: people sampled in the last 15 minutes give the pace, the booked people of the
/// current and next slot who are not sampled yet are the queue, and the wait is the queue at that pace. A site
/// that has sampled nobody lately is assumed to manage at least one person every two minutes.
/// </summary>
public static class QueueEstimate
{
    public const int WindowMinutes = 15;
    public const double MinimumRatePerMinute = 0.5;

    public static double RatePerMinute(int sampledInWindow) => Math.Round(sampledInWindow / (double)WindowMinutes, 2);

    public static int WaitMinutes(int waiting, double ratePerMinute) =>
        waiting <= 0 ? 0 : (int)Math.Ceiling(waiting / Math.Max(ratePerMinute, MinimumRatePerMinute));

    public static CrowdLevel Crowd(int waitMinutes) => waitMinutes switch
    {
        < 10 => CrowdLevel.Quiet,
        < 30 => CrowdLevel.Busy,
        _ => CrowdLevel.Crowded,
    };

    /// <summary>
    /// The slots whose booked people are queueing at <paramref name="now"/> (UTC): the slot under way, if any, and the
    /// next one when it starts within one slot length (people come a little early; after a lunch break nobody waits
    /// for hours). Outside the opening hours only that next slot counts.
    /// </summary>
    public static (SlotTime? Current, SlotTime? Next) Window(OpeningHours hours, int slotMinutes, DateTime now, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(now, DateTimeKind.Utc), zone));
        SlotTime? current = null;
        foreach (var slot in SiteCalendar.Slots(hours, slotMinutes, today, zone))
        {
            if (slot.EndsAt <= now) continue;
            if (slot.StartsAt <= now) current = slot;
            else return (current, slot.StartsAt <= now.AddMinutes(slotMinutes) ? slot : null);
        }
        return (current, null);
    }
}

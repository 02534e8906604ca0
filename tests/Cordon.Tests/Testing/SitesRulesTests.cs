using Cordon.Features.Testing;

namespace Cordon.Tests.Testing;

/// <summary>The pure rules of sites: opening hours, slots in city time, the queue estimate, site input and personal codes.</summary>
public sealed class SitesRulesTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    // 2026-03-02 is a Monday.
    private static readonly DateOnly Monday = new(2026, 3, 2);

    private static OpeningHours Parse(string text)
    {
        OpeningHours.TryParse(text, out var hours, out var error).ShouldBeTrue(error);
        return hours;
    }

    [Theory]
    [InlineData("Mon-Sun 08:00-12:00", new[] { 0, 1, 2, 3, 4, 5, 6 })]
    [InlineData("Mon-Fri 08:00-12:00", new[] { 1, 2, 3, 4, 5 })]
    [InlineData("Sat 09:00-12:00; Sun 09:00-11:00", new[] { 0, 6 })]
    [InlineData("Fri-Mon 08:00-09:00", new[] { 0, 1, 5, 6 })]
    [InlineData("mon 08:00-09:00", new[] { 1 })]
    [InlineData("Mon-Fri 07:00-12:00,13:30-20:00;Sat 08:00-10:00;", new[] { 1, 2, 3, 4, 5, 6 })]
    public void Opening_hours_name_the_days_singly_as_ranges_and_across_the_week_end(string text, int[] days)
    {
        Parse(text).Days.Keys.Select(d => (int)d).Order().ShouldBe(days);
    }

    [Fact]
    public void A_later_entry_for_a_day_replaces_the_earlier_one()
    {
        var hours = Parse("Mon-Sun 08:00-12:00; Sun 09:00-10:00");
        hours.Days[DayOfWeek.Sunday].ShouldBe([(new TimeOnly(9, 0), new TimeOnly(10, 0))]);
        hours.Days[DayOfWeek.Saturday].ShouldBe([(new TimeOnly(8, 0), new TimeOnly(12, 0))]);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("  ", "is required")]
    [InlineData("Monday 08:00-12:00", "is not like")]
    [InlineData("Mon 8-12", "is not a period")]
    [InlineData("Mon 08:00-12:00-14:00", "is not a period")]
    [InlineData("Mon 08:00 12:00", "is not a period")]
    [InlineData("Mon 24:00-25:00", "is not a period")]
    [InlineData("Mon 12:00-08:00", "ends before it starts")]
    [InlineData("Mon 08:00-08:00", "ends before it starts")]
    [InlineData("Xyz 08:00-12:00", "unknown day")]
    [InlineData("Mon-Xyz 08:00-12:00", "unknown day")]
    [InlineData("08:00-12:00", "is not like")]
    public void Opening_hours_that_do_not_parse_say_why(string? text, string reason)
    {
        OpeningHours.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void Slots_fill_each_period_and_never_run_past_its_end()
    {
        var hours = Parse("Mon 08:00-09:40,14:00-14:30");
        hours.SlotsOn(Monday, 30).Select(s => s.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(["08:00", "08:30", "09:00", "14:00"]);
        hours.SlotsOn(Monday.AddDays(1), 30).ShouldBeEmpty();
        hours.SlotsOn(Monday, 60).Count().ShouldBe(1);
        hours.SlotsOn(Monday, 120).ShouldBeEmpty();
    }

    [Fact]
    public void A_slot_at_the_very_end_of_the_day_fits_when_it_ends_with_the_period()
    {
        var hours = Parse("Mon-Sun 23:00-23:59");
        hours.SlotsOn(Monday, 59).Select(s => s.TimeOfDay).ShouldBe([new TimeSpan(23, 0, 0)]);
    }

    [Fact]
    public void Slots_are_stored_as_utc_instants_of_the_city_time_zone()
    {
        var slots = SiteCalendar.Slots(Parse("Mon 08:00-09:00"), 30, Monday, Shanghai).ToList();

        slots.Select(s => s.StartsAt).ShouldBe([new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 2, 0, 30, 0, DateTimeKind.Utc)]);
        slots.ShouldAllBe(s => s.StartsAt.Kind == DateTimeKind.Utc && s.EndsAt == s.StartsAt.AddMinutes(30) && s.Day == Monday);
        slots[1].Local.ShouldBe(new TimeOnly(8, 30));
    }

    [Fact]
    public void A_slot_before_08_00_in_shanghai_lies_on_the_previous_utc_day_but_the_local_day_counts()
    {
        var slot = SiteCalendar.Slots(Parse("Mon 07:00-07:30"), 30, Monday, Shanghai).Single();
        slot.StartsAt.ShouldBe(new DateTime(2026, 3, 1, 23, 0, 0, DateTimeKind.Utc));
        slot.Day.ShouldBe(Monday);
        SiteCalendar.Find(Parse("Mon 07:00-07:30"), 30, slot.StartsAt, Shanghai).ShouldBe(slot);
    }

    [Theory]
    [InlineData(0, 0, true)]    // 08:00 local: a slot start
    [InlineData(0, 30, true)]
    [InlineData(0, 15, false)]  // between two starts
    [InlineData(1, 0, false)]   // 09:00: the period has ended
    [InlineData(-1, 30, false)] // 07:30: before it opens
    public void Finding_a_slot_by_its_start_accepts_only_the_starts_the_hours_give(int hours, int minutes, bool found)
    {
        var instant = new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc).AddHours(hours).AddMinutes(minutes);
        (SiteCalendar.Find(Parse("Mon 08:00-09:00"), 30, instant, Shanghai) is not null).ShouldBe(found);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(15, 1.0)]
    [InlineData(30, 2.0)]
    [InlineData(10, 0.67)]
    public void The_pace_is_the_people_sampled_in_the_last_15_minutes_per_minute(int sampled, double rate)
    {
        QueueEstimate.RatePerMinute(sampled).ShouldBe(rate);
    }

    [Theory]
    [InlineData(0, 0.0, 0)]
    [InlineData(10, 0.0, 20)]   // nobody sampled lately: assume one person every two minutes
    [InlineData(10, 0.2, 20)]   // slower than that: still assume the minimum pace
    [InlineData(10, 2.0, 5)]
    [InlineData(7, 2.0, 4)]     // 3.5 minutes round up
    [InlineData(60, 1.0, 60)]
    public void The_estimated_wait_is_the_queue_at_the_pace(int waiting, double rate, int minutes)
    {
        QueueEstimate.WaitMinutes(waiting, rate).ShouldBe(minutes);
    }

    [Theory]
    [InlineData(0, CrowdLevel.Quiet)]
    [InlineData(9, CrowdLevel.Quiet)]
    [InlineData(10, CrowdLevel.Busy)]
    [InlineData(29, CrowdLevel.Busy)]
    [InlineData(30, CrowdLevel.Crowded)]
    public void The_crowd_level_follows_the_wait(int minutes, CrowdLevel level)
    {
        QueueEstimate.Crowd(minutes).ShouldBe(level);
    }

    [Theory]
    [InlineData("07:50", null, "08:00")]   // before opening: the first slot's people are arriving
    [InlineData("07:00", null, null)]      // an hour before: nobody queues yet
    [InlineData("08:00", "08:00", "08:30")]
    [InlineData("08:45", "08:30", "09:00")]
    [InlineData("09:10", "09:00", null)]   // the last slot of the morning; the afternoon is hours away
    [InlineData("11:00", null, null)]      // lunch break
    [InlineData("13:45", null, "14:00")]
    [InlineData("15:00", null, null)]      // closed for the day
    public void The_queue_window_is_the_slot_under_way_and_the_next_one_if_it_starts_within_a_slot_length(string now, string? current, string? next)
    {
        var hours = Parse("Mon 08:00-09:30,14:00-14:30");
        var local = Monday.ToDateTime(TimeOnly.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        var window = QueueEstimate.Window(hours, 30, TimeZoneInfo.ConvertTimeToUtc(local, Shanghai), Shanghai);

        window.Current?.Local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture).ShouldBe(current);
        window.Next?.Local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture).ShouldBe(next);
    }

    private static SiteInput Site(int slotMinutes = 30, int capacity = 50, string? hours = "Mon-Sun 08:00-12:00") =>
        new("测试采样点", "990102001001", "测试路1号", SlotMinutes: slotMinutes, CapacityPerSlot: capacity, OpeningHours: hours);

    [Fact]
    public void A_complete_site_input_has_no_errors()
    {
        SiteService.ValidateShape(Site()).Any.ShouldBeFalse();
        SiteService.ValidateShape(Site(5, 1)).Any.ShouldBeFalse();
        SiteService.ValidateShape(Site(240, 10_000)).Any.ShouldBeFalse();
    }

    [Theory]
    [InlineData(4, 50, "Mon-Sun 08:00-12:00", "slotMinutes")]
    [InlineData(241, 50, "Mon-Sun 08:00-20:00", "slotMinutes")]
    [InlineData(30, 0, "Mon-Sun 08:00-12:00", "capacityPerSlot")]
    [InlineData(30, 10_001, "Mon-Sun 08:00-12:00", "capacityPerSlot")]
    [InlineData(30, 50, "Mon-Sun 8-12", "openingHours")]
    [InlineData(30, 50, null, "openingHours")]
    [InlineData(60, 50, "Mon-Sun 08:00-08:30", "openingHours")] // no period holds one slot
    public void A_site_input_out_of_bounds_names_the_field(int slotMinutes, int capacity, string? hours, string field)
    {
        SiteService.ValidateShape(Site(slotMinutes, capacity, hours)).ToDictionary().Keys.ShouldBe([field]);
    }

    [Fact]
    public void A_site_input_names_every_missing_or_wrong_field()
    {
        var errors = SiteService.ValidateShape(new SiteInput(" ", "99010", null, (SiteKind)9, (SiteStatus)9, OpeningHours: "Mon 08:00-12:00", Latitude: 95, Longitude: 113))
            .ToDictionary();
        errors.Keys.Order().ShouldBe(["address", "areaCode", "kind", "latitude", "name", "status"]);
    }

    [Fact]
    public void Personal_sampling_codes_are_12_unambiguous_characters_and_do_not_repeat()
    {
        var codes = Enumerable.Range(0, 10_000).Select(_ => SamplingCodeService.NewCode()).ToList();
        codes.ShouldAllBe(c => c.Length == 12 && c.All(ch => SamplingCodeService.Alphabet.Contains(ch)));
        codes.Distinct().Count().ShouldBe(codes.Count);
        SamplingCodeService.Alphabet.ShouldNotContain('0');
        SamplingCodeService.Alphabet.ShouldNotContain('O');
        SamplingCodeService.Alphabet.ShouldNotContain('1');
        SamplingCodeService.Alphabet.ShouldNotContain('I');
        SamplingCodeService.QrTextOf("ABC").ShouldBe("CORDON-P:ABC");
    }
}

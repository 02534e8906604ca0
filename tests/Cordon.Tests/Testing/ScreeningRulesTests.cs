using Cordon.Features.Registry;
using Cordon.Features.Testing;

namespace Cordon.Tests.Testing;

/// <summary>The pure rules of screening: what a viewer sees of a round, drill-down levels, windows, overdue and photos.</summary>
public sealed class ScreeningRulesTests
{
    private static readonly DateTime Now = new(2022, 5, 1, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("990102001", "990102", "990102001")] // the area lies inside the jurisdiction
    [InlineData("990102", "990102001001", "990102001001")] // the jurisdiction lies inside the area: its own part
    [InlineData("990102001", "990102002", null)] // a neighbour
    [InlineData("9901", "990102", "990102")] // a city-wide round seen from a district
    [InlineData("990102001", "-", null)] // no jurisdiction sees nothing
    public void A_viewer_sees_the_part_of_a_round_area_inside_their_jurisdiction(string area, string jurisdiction, string? expected) =>
        ScreeningRules.Intersect(area, jurisdiction).ShouldBe(expected);

    [Fact]
    public void Nested_prefixes_collapse_to_the_outermost()
    {
        ScreeningRules.Outermost(["990102001001", "990102001", "990102002", "990102001", "990102002003001"])
            .ShouldBe(["990102001", "990102002"]);
        ScreeningRules.VisiblePrefixes(["990100"], "990102001").ShouldBe(["990102001"]);
        ScreeningRules.VisiblePrefixes(["990102001001", "990102002001"], "990102001").ShouldBe(["990102001001"]);
    }

    [Fact]
    public void A_jurisdictions_ancestors_are_the_areas_whose_rounds_cover_it()
    {
        ScreeningRules.SelfAndAncestors("990102001001").ShouldBe(["990102001001", "990102001", "990102", "990100"]);
        ScreeningRules.SelfAndAncestors("990100").ShouldBe(["990100"]);
        ScreeningRules.SelfAndAncestors("bad").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("9901", 6)]
    [InlineData("990102", 9)]
    [InlineData("990102001", 12)]
    [InlineData("990102001001", 15)]
    [InlineData("990102001001001", 15)]
    public void Drilling_down_goes_one_level_deeper(string prefix, int length) => ScreeningRules.ChildLength(prefix).ShouldBe(length);

    [Fact]
    public void A_round_covers_residents_of_its_areas_and_groups()
    {
        string[] areas = ["990102001", "990100"];
        ScreeningRules.Covers(["990102001"], [], "990102001002003", KeyGroup.None).ShouldBeTrue();
        ScreeningRules.Covers(["990102001"], [], "990102002002003", KeyGroup.None).ShouldBeFalse();
        ScreeningRules.Covers(areas, [], "990199001001001", KeyGroup.None).ShouldBeTrue(); // the city 990100 covers 9901…
        ScreeningRules.Covers(["990102001"], [KeyGroup.Courier], "990102001002003", KeyGroup.Teacher).ShouldBeFalse();
        ScreeningRules.Covers(["990102001"], [KeyGroup.Courier], "990102001002003", KeyGroup.Courier).ShouldBeTrue();
    }

    [Fact]
    public void Key_groups_are_stored_as_names_and_none_means_everyone()
    {
        ScreeningRules.FormatKeyGroups([KeyGroup.Teacher, KeyGroup.Courier, KeyGroup.Courier]).ShouldBe("Courier,Teacher");
        ScreeningRules.FormatKeyGroups([]).ShouldBeNull();
        ScreeningRules.FormatKeyGroups(null).ShouldBeNull();
        ScreeningRules.ParseKeyGroups("Courier,Teacher").ShouldBe([KeyGroup.Courier, KeyGroup.Teacher]);
        ScreeningRules.ParseKeyGroups(null).ShouldBeEmpty();
    }

    [Fact]
    public void A_window_must_end_after_it_starts_within_a_week_and_in_the_future()
    {
        ScreeningRules.CheckWindow(Now, Now.AddHours(24), Now).ShouldBeEmpty();
        ScreeningRules.CheckWindow(Now.AddDays(-1), Now.AddDays(6), Now).ShouldBeEmpty();
        ScreeningRules.CheckWindow(Now, Now.AddDays(7), Now).ShouldBeEmpty();
        ScreeningRules.CheckWindow(Now, Now.AddDays(7).AddMinutes(1), Now).ShouldBe([("endsAt", "must be at most 7 days after startsAt")]);
        ScreeningRules.CheckWindow(Now, Now, Now).ShouldBe([("endsAt", "must be after startsAt")]);
        ScreeningRules.CheckWindow(Now.AddDays(-2), Now.AddDays(-1), Now).ShouldBe([("endsAt", "must be in the future")]);
        ScreeningRules.CheckWindow(null, null, Now).Select(e => e.Field).ShouldBe(["startsAt", "endsAt"]);
    }

    [Fact]
    public void A_round_asks_people_to_come_while_open_inside_its_window()
    {
        ScreeningRules.IsRunning(RoundStatus.Open, Now.AddHours(-1), Now.AddHours(1), Now).ShouldBeTrue();
        ScreeningRules.IsRunning(RoundStatus.Open, Now, Now.AddHours(1), Now).ShouldBeTrue();
        ScreeningRules.IsRunning(RoundStatus.Open, Now.AddHours(1), Now.AddHours(2), Now).ShouldBeFalse();
        ScreeningRules.IsRunning(RoundStatus.Open, Now.AddHours(-2), Now.AddHours(-1), Now).ShouldBeFalse();
        ScreeningRules.IsRunning(RoundStatus.Closed, Now.AddHours(-1), Now.AddHours(1), Now).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, 24, true)] // never tested
    [InlineData(-23.9, 24, false)]
    [InlineData(-24.0, 24, false)] // exactly at the interval: still up to date
    [InlineData(-24.1, 24, true)]
    [InlineData(-47.0, 48, false)]
    public void A_member_is_overdue_after_the_interval(double? hoursAgo, int interval, bool overdue) =>
        ScreeningRules.IsOverdue(hoursAgo is { } h ? Now.AddHours(h) : null, interval, Now).ShouldBe(overdue);

    [Fact]
    public void The_next_test_is_due_an_interval_after_the_last() =>
        ScreeningRules.DueAt(Now, 24).ShouldBe(Now.AddHours(24));

    [Theory]
    [InlineData(0, null)]
    [InlineData(-72 * 60 + 1, null)]
    [InlineData(-72 * 60 - 1, "must be within the last 72 hours")]
    [InlineData(4, null)] // a phone's clock a little ahead
    [InlineData(6, "must not be in the future")]
    public void An_antigen_test_is_reported_within_72_hours_and_not_from_the_future(int minutes, string? problem) =>
        ScreeningRules.CheckTakenAt(Now.AddMinutes(minutes), Now).ShouldBe(problem);

    [Fact]
    public void Photos_are_small_jpeg_or_png_images()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D];
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        ScreeningRules.CheckPhoto("data:image/png;base64," + Convert.ToBase64String(png)).ShouldBeNull();
        ScreeningRules.CheckPhoto("data:image/jpeg;base64," + Convert.ToBase64String(jpeg)).ShouldBeNull();
        ScreeningRules.CheckPhoto("data:image/png;base64," + Convert.ToBase64String(jpeg)).ShouldNotBeNull();
        ScreeningRules.CheckPhoto("data:image/gif;base64,R0lGODlh").ShouldNotBeNull();
        ScreeningRules.CheckPhoto("data:image/png;base64,%%%").ShouldBe("is not valid base64");
        ScreeningRules.CheckPhoto("http://example.com/a.png").ShouldNotBeNull();

        var big = new byte[ScreeningRules.MaxPhotoBytes + 1];
        jpeg.CopyTo(big, 0);
        ScreeningRules.CheckPhoto("data:image/jpeg;base64," + Convert.ToBase64String(big)).ShouldBe("must be at most 290 KB");
        ScreeningRules.CheckPhoto("data:image/jpeg;base64," + Convert.ToBase64String(big[..ScreeningRules.MaxPhotoBytes])).ShouldBeNull();
        // The largest photo still fits the 400,000-character column.
        ("data:image/jpeg;base64," + Convert.ToBase64String(big[..ScreeningRules.MaxPhotoBytes])).Length.ShouldBeLessThanOrEqualTo(400_000);

        ScreeningRules.PhotoDataUrl(png, "image/png").DataUrl.ShouldStartWith("data:image/png;base64,");
        ScreeningRules.PhotoDataUrl(png, "image/gif").Problem.ShouldNotBeNull();
        ScreeningRules.PhotoDataUrl(png, "image/jpeg").Problem.ShouldNotBeNull();
        ScreeningRules.DecodePhoto("data:image/png;base64," + Convert.ToBase64String(png))!.Value.Bytes.ShouldBe(png);
    }
}

using Cordon.Features.Testing;

namespace Cordon.Tests.Testing;

/// <summary>Turnaround targets (pooled 12 h, single 6 h), stage hours and the per-stage statistics.</summary>
public sealed class TurnaroundTests
{
    private static readonly DateTime Collected = new(2026, 5, 1, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(1, 6)]
    [InlineData(5, 12)]
    [InlineData(10, 12)]
    [InlineData(20, 12)]
    public void The_target_is_six_hours_for_a_single_tube_and_twelve_for_a_pool(int poolSize, int hours) =>
        Turnaround.TargetFor(poolSize).ShouldBe(TimeSpan.FromHours(hours));

    [Theory]
    [InlineData(10, 11.99, false)]
    [InlineData(10, 12.0, false)]
    [InlineData(10, 12.01, true)]
    [InlineData(1, 6.0, false)]
    [InlineData(1, 6.01, true)]
    public void A_tube_not_yet_released_is_overdue_once_its_target_has_passed(int poolSize, double hoursLater, bool overdue) =>
        Turnaround.IsOverdue(Collected, null, poolSize, Collected.AddHours(hoursLater)).ShouldBe(overdue);

    [Fact]
    public void A_released_tube_is_judged_by_its_release_not_by_now()
    {
        var now = Collected.AddDays(3);
        Turnaround.IsOverdue(Collected, Collected.AddHours(5), 1, now).ShouldBeFalse();
        Turnaround.IsOverdue(Collected, Collected.AddHours(7), 1, now).ShouldBeTrue();
        Turnaround.IsOverdue(Collected, Collected.AddHours(11), 10, now).ShouldBeFalse();
    }

    [Fact]
    public void A_tube_not_collected_is_never_overdue() => Turnaround.IsOverdue(null, null, 10, Collected.AddDays(9)).ShouldBeFalse();

    [Fact]
    public void Stage_hours_exist_once_both_stamps_do()
    {
        Turnaround.Hours(Collected, Collected.AddMinutes(90)).ShouldBe(1.5);
        Turnaround.Hours(Collected, null).ShouldBeNull();
        Turnaround.Hours(null, Collected).ShouldBeNull();
    }

    [Fact]
    public void No_values_give_no_average_and_no_percentile()
    {
        var stats = new StageAccumulator().ToStats();
        (stats.Count, stats.AverageHours, stats.P90Hours).ShouldBe((0, null, null));
    }

    [Fact]
    public void The_90th_percentile_is_the_nearest_rank_value_to_a_tenth_of_an_hour()
    {
        var stage = new StageAccumulator();
        foreach (var h in Enumerable.Range(1, 10)) stage.Add(h);

        var stats = stage.ToStats();

        (stats.Count, stats.AverageHours, stats.P90Hours).ShouldBe((10, 5.5, 9.0));
    }

    [Fact]
    public void The_90th_percentile_is_never_understated_and_never_above_the_longest()
    {
        var stage = new StageAccumulator();
        foreach (var h in new[] { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2.04, 3.0 }) stage.Add(h);

        var stats = stage.ToStats();

        stats.P90Hours!.Value.ShouldBeGreaterThanOrEqualTo(2.04);
        stats.P90Hours.Value.ShouldBeLessThanOrEqualTo(2.1);
        var small = new StageAccumulator();
        small.Add(0.04);
        small.ToStats().P90Hours.ShouldBe(0.04);
    }

    [Fact]
    public void Stages_beyond_three_days_and_clock_skew_are_still_counted()
    {
        var stage = new StageAccumulator();
        stage.Add(100);
        stage.Add(-0.2);
        stage.Add(null);

        var stats = stage.ToStats();

        (stats.Count, stats.AverageHours, stats.P90Hours).ShouldBe((2, 50.0, 100.0));
    }

    [Fact]
    public void A_site_row_counts_tubes_releases_and_overdue_tubes_and_each_stage_that_happened()
    {
        var row = new TurnaroundAccumulator(7, "东城");
        var now = Collected.AddHours(20);
        row.Add(new TubeTimes(10, Collected, Collected.AddHours(1), Collected.AddHours(2), Collected.AddHours(4), Collected.AddHours(4)), now);
        row.Add(new TubeTimes(1, Collected, Collected.AddHours(1), Collected.AddHours(3), Collected.AddHours(7), Collected.AddHours(7)), now);
        row.Add(new TubeTimes(10, Collected, Collected.AddHours(2), null, null, null), now);

        var r = row.ToRow();

        (r.Id, r.Name, r.Tubes, r.Released, r.Overdue).ShouldBe((7, "东城", 3, 2, 2));
        r.CollectedToDispatched.Count.ShouldBe(3);
        r.DispatchedToReceived.Count.ShouldBe(2);
        r.ReceivedToTested.AverageHours.ShouldBe(3.0);
        r.CollectedToReleased.AverageHours.ShouldBe(5.5);
    }
}

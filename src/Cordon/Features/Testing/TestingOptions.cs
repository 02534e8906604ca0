using System.ComponentModel.DataAnnotations;

namespace Cordon.Features.Testing;

/// <summary>The <c>Testing</c> configuration section: the timeliness targets and local time of the disease profile.</summary>
public sealed class TestingOptions
{
    public const string Section = "Testing";

    /// <summary>IANA time zone of the city; slots, days and opening hours are local to it.</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Hours a pool-positive member has to be retested in a single tube (door to door).</summary>
    [Range(1, 72)]
    public int RetestDeadlineHours { get; set; } = 6;

    /// <summary>How many days ahead residents may book.</summary>
    [Range(1, 14)]
    public int BookingDaysAhead { get; set; } = 3;
}

/// <summary>Converts between the UTC instants Cordon stores and the city's local calendar.</summary>
public sealed class CityTime(TimeProvider clock, Microsoft.Extensions.Options.IOptions<TestingOptions> options)
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public TimeZoneInfo Zone => _zone;
    public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;
    public DateTime LocalNow => ToLocal(UtcNow);
    public DateOnly Today => DateOnly.FromDateTime(LocalNow);

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), _zone);

    public DateTime ToUtc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone);

    public DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(ToLocal(utc));
}

using System.ComponentModel.DataAnnotations;

namespace Cordon.Features.Scans;

/// <summary>The <c>Scans</c> configuration section: batching of check-ins and their retention.</summary>
public sealed class ScansOptions
{
    public const string Section = "Scans";

    /// <summary>Days a check-in is kept (DESIGN.md: 28 by default, configurable).</summary>
    [Range(1, 365)]
    public int RetentionDays { get; set; } = 28;

    /// <summary>How often the retention job looks for old check-ins.</summary>
    [Range(1, 1440)]
    public int RetentionIntervalMinutes { get; set; } = 60;

    /// <summary>Rows one retention DELETE removes: short transactions, no long locks.</summary>
    [Range(100, 1_000_000)]
    public int RetentionBatchRows { get; set; } = 10_000;

    /// <summary>Rows in one insert at most.</summary>
    [Range(1, 20_000)]
    public int FlushRows { get; set; } = 2_000;

    /// <summary>How long the writer waits for more check-ins after the first one of a batch (0: write at once).</summary>
    [Range(0, 1_000)]
    public int FlushMilliseconds { get; set; } = 5;

    /// <summary>Inserts running at once (each on its own connection).</summary>
    [Range(1, 16)]
    public int Writers { get; set; } = 2;

    /// <summary>Check-ins waiting to be written at most; beyond it requests wait (back-pressure).</summary>
    [Range(100, 1_000_000)]
    public int BufferCapacity { get; set; } = 50_000;

    /// <summary>Seconds a venue (and its rule) is kept in memory: a change of status or rule applies within this time.</summary>
    [Range(0, 3_600)]
    public int VenueCacheSeconds { get; set; } = 30;
}

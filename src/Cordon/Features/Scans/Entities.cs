using Cordon.Features.Health;

namespace Cordon.Features.Scans;

/// <summary>
/// One venue check-in (扫码登记): who, where, when and what the venue decided. Append-only and high-volume: written in
/// batches by <see cref="ScanWriter"/>, deleted after the retention period (docs/decisions/010). The key is the
/// resident and the client's id of the check-in, so a resent check-in is stored once.
/// </summary>
public sealed class Scan
{
    public long ResidentId { get; set; }
    /// <summary>The id the client gave the check-in (a UUID), or one the server made up when it gave none.</summary>
    public Guid ClientId { get; set; }
    public DateTime ScannedAt { get; set; }
    public int VenueId { get; set; }
    /// <summary>The venue's area code, copied so that jurisdiction filters and sharding by area need no join.</summary>
    public required string AreaCode { get; set; }
    public ScanDecision Decision { get; set; }
    public ScanReason Reason { get; set; }
}

/// <summary>A venue's own entry rule, replacing its category's default (<see cref="VenueRules.DefaultFor"/>).</summary>
public sealed class VenueRuleOverride
{
    public int VenueId { get; set; }
    public HealthColour MaxColour { get; set; }
    public bool PopupAllowed { get; set; }
    public int? NegativeTestHours { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }

    public VenueRule ToRule() => new(MaxColour, PopupAllowed, NegativeTestHours);
}

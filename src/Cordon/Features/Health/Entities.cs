namespace Cordon.Features.Health;

/// <summary>
/// The stored health status of one resident (one row each): what every reader gets, precomputed on events and by the
/// sweep, never derived per request. <see cref="Colour"/> and <see cref="Reason"/> already include a valid override;
/// the override's own fields are kept so that removing it or its expiry recomputes the rules' answer.
/// </summary>
public sealed class HealthStatus
{
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public HealthColour Colour { get; set; }
    public required string Reason { get; set; }
    /// <summary>The popups as compact JSON (<see cref="PopupJson"/>); "[]" for none.</summary>
    public required string Popups { get; set; }
    public DateTime? LastNegativeSampledAt { get; set; }
    /// <summary>When the colour, reason or popups last changed.</summary>
    public DateTime Since { get; set; }
    /// <summary>Grows with every change of the row, so a reader can tell whether what it holds is stale.</summary>
    public long Version { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>The earliest instant at which time alone may change the status (the sweep picks the row up then).</summary>
    public DateTime? NextCheckAt { get; set; }
    public HealthColour? OverrideColour { get; set; }
    public string? OverrideReason { get; set; }
    public DateTime? OverrideUntil { get; set; }
    public bool OverrideClearsPopups { get; set; }
    public string? OverrideBy { get; set; }
    public DateTime? OverrideAt { get; set; }
}

/// <summary>One change of a person's status (append-only): from/to colour, the reason and popups after it, and what caused it.</summary>
public sealed class HealthStatusChange
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    /// <summary>Null for the first status a person gets.</summary>
    public HealthColour? FromColour { get; set; }
    public HealthColour ToColour { get; set; }
    public required string Reason { get; set; }
    public required string Popups { get; set; }
    /// <summary>The event that caused it: <c>results</c>, <c>round:12</c>, <c>sampling</c>, <c>override</c>, <c>sweep</c>, <c>initial</c>….</summary>
    public required string Source { get; set; }
    public DateTime At { get; set; }
}

public enum AppealStatus
{
    Open = 1,
    /// <summary>Staff acted on it (usually with an override).</summary>
    Resolved = 2,
    /// <summary>Staff found the status right.</summary>
    Dismissed = 3,
}

/// <summary>A resident's appeal against their status (申诉): one open appeal at a time.</summary>
public sealed class HealthAppeal
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public required string Text { get; set; }
    /// <summary>The colour the resident had when appealing.</summary>
    public HealthColour Colour { get; set; }
    public AppealStatus Status { get; set; } = AppealStatus.Open;
    public DateTime CreatedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
    public string? Answer { get; set; }
}

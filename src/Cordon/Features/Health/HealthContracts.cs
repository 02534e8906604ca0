namespace Cordon.Features.Health;

/// <summary>The colour of a health code (健康码). Ordered: a higher value is the stricter colour.</summary>
public enum HealthColour
{
    Green = 1,
    Yellow = 2,
    Red = 3,
}

/// <summary>Why a popup (弹窗) is shown: an action the person must take, on any colour.</summary>
public enum PopupKind
{
    /// <summary>Untested in an open screening round that covers the person (补检).</summary>
    ScreeningRound = 1,
    /// <summary>The periodic test of the person's key group is overdue.</summary>
    KeyGroupTest = 2,
    /// <summary>A companion-search hit awaiting review (tracing; contributes nothing until that feature lands).</summary>
    CompanionHit = 3,
}

/// <summary>
/// One popup: <paramref name="Reason"/> is a stable reason code (shown translated), <paramref name="Source"/> names the
/// event that raised it (e.g. <c>round:12</c>, <c>key-group:Courier</c>).
/// </summary>
public sealed record Popup(PopupKind Kind, string Reason, string Source, DateTime Since, DateTime? Until);

/// <summary>
/// The stored health status of one resident, as every reader (resident page, pass, venue check-in, checkpoint) sees it.
/// <paramref name="Reason"/> is the stable code of the rule that chose the colour (<c>none</c> for green);
/// <paramref name="LastNegativeSampledAt"/> is when the sample of the person's latest negative nucleic-acid result was
/// taken (the test age of the 24/48/72-hour rules counts from it), null if they have none.
/// <paramref name="Version"/> grows with every change, so a reader can tell whether what it holds is stale.
/// </summary>
public sealed record HealthSnapshot(
    long ResidentId,
    HealthColour Colour,
    string Reason,
    IReadOnlyList<Popup> Popups,
    DateTime? LastNegativeSampledAt,
    DateTime Since,
    long Version);

/// <summary>A status with the resident's masked name (<c>Mask.Name</c>).</summary>
public sealed record NamedHealthSnapshot(HealthSnapshot Status, string MaskedName);

/// <summary>
/// Reads the precomputed, stored status (never derives it per request). Implemented by the health-status feature;
/// passes, venue check-in and checkpoints depend on this interface only.
/// </summary>
public interface IHealthStatusLookup
{
    /// <summary>The status of one resident, or null when the resident does not exist.</summary>
    Task<HealthSnapshot?> GetAsync(long residentId, CancellationToken ct = default);

    /// <summary>
    /// The status with the resident's masked name (what a pass shows), or null when the resident does not exist. A store
    /// that does not hold names answers null, and the caller reads the name itself.
    /// </summary>
    Task<NamedHealthSnapshot?> GetNamedAsync(long residentId, CancellationToken ct = default) => Task.FromResult<NamedHealthSnapshot?>(null);
}

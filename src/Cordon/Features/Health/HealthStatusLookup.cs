namespace Cordon.Features.Health;

/// <summary>
/// The stored status through this host's <see cref="HealthStatusCache"/> (ADR 013): no database round trip while the
/// resident is held; a resident without a row yet (registered after the last fill, see ADR 007) gets it computed and
/// stored once, through the same path as every other recomputation, and read back.
/// </summary>
internal sealed class HealthStatusLookup(HealthStatusCache cache) : IHealthStatusLookup
{
    public async Task<HealthSnapshot?> GetAsync(long residentId, CancellationToken ct = default) =>
        (await cache.GetAsync(residentId, ct))?.Snapshot();

    public async Task<NamedHealthSnapshot?> GetNamedAsync(long residentId, CancellationToken ct = default) =>
        await cache.GetAsync(residentId, ct) is { } held ? new NamedHealthSnapshot(held.Snapshot(), held.MaskedName) : null;

    /// <summary>A stored row as a snapshot, for the set-based readers that bypass the cache (a terminal's batch of check-ins).</summary>
    internal static HealthSnapshot ToSnapshot(HealthStatus row) => new(
        row.ResidentId, row.Colour, row.Reason, PopupJson.Read(row.Popups), Utc(row.LastNegativeSampledAt), Utc(row.Since)!.Value, row.Version);

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}

/// <summary>The stable names of what caused a change (<see cref="HealthStatusChange.Source"/>).</summary>
public static class HealthSources
{
    public const string Initial = "initial";
    public const string Registered = "registered";
    public const string Results = "results";
    public const string Sampling = "sampling";
    public const string KeyGroup = "key-group";
    public const string AntigenReport = "antigen";
    public const string Sweep = "sweep";
    public const string Override = "override";
    public const string OverrideRemoved = "override-removed";
    public const string Recompute = "recompute";

    public static string RoundOpened(int roundId) => $"round-opened:{roundId}";

    public static string RoundClosed(int roundId) => $"round-closed:{roundId}";
}

namespace Cordon.Features.Health;

/// <summary>
/// Raised on this host after stored statuses changed (committed): the recomputation's writes, overrides, appeals.
/// Whatever keeps statuses in memory on this host listens here and drops them at once.
/// </summary>
public sealed class HealthStatusEvents
{
    public event Action<IReadOnlyCollection<long>>? Stored;

    public void RaiseStored(IReadOnlyCollection<long> residentIds)
    {
        if (residentIds.Count > 0) Stored?.Invoke(residentIds);
    }
}

using Cordon.Features.Health;

namespace Cordon.Features.Passes;

/// <summary>
/// Stands in for the health-status store only when no feature registered one: every resident has no status yet, so
/// the resident page says so plainly and no pass is issued. Never a made-up colour.
/// </summary>
internal sealed class NoHealthStatus : IHealthStatusLookup
{
    public Task<HealthSnapshot?> GetAsync(long residentId, CancellationToken ct = default) => Task.FromResult<HealthSnapshot?>(null);
}

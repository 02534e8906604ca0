using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;

namespace Cordon.Features.Health;

/// <summary>
/// The resident's and staff's view of a status, answered from this host's <see cref="HealthStatusCache"/> (ADR 013):
/// no database round trip and nothing else resolved per request while the resident is held. The test age and whether
/// an override still holds are computed as of now, never held.
/// </summary>
internal sealed class HealthViews(HealthStatusCache cache, CurrentUser user, TimeProvider clock)
{
    public async Task<Outcome<HealthDto>> MineAsync(CancellationToken ct = default) =>
        user.ResidentId is { } id ? await DescribeAsync(id, inJurisdiction: false, ct) : Outcome<HealthDto>.NotFound();

    /// <summary>A resident inside the caller's jurisdiction (outside: not found, ADR 003).</summary>
    public Task<Outcome<HealthDto>> ForResidentAsync(long residentId, CancellationToken ct = default) => DescribeAsync(residentId, inJurisdiction: true, ct);

    /// <summary>The view from the cache: no database round trip while the resident is held; test age and the override's validity as of now.</summary>
    private async Task<Outcome<HealthDto>> DescribeAsync(long residentId, bool inJurisdiction, CancellationToken ct)
    {
        var held = await cache.GetAsync(residentId, ct);
        if (held is null || inJurisdiction && !user.CanSee(held.AreaCode)) return Outcome<HealthDto>.NotFound();
        var now = clock.GetUtcNow().UtcDateTime;
        var active = held.Override is { } o && o.Until > now ? o : null;
        double? age = held.LastNegativeSampledAt is { } sampled ? Math.Round((now - sampled).TotalHours, 1) : null;
        var history = inJurisdiction ? $"/api/v1/residents/{residentId}/health/history" : "/api/v1/me/health/history";
        return Outcome<HealthDto>.Ok(new HealthDto(residentId, held.MaskedName, held.AreaCode, held.Colour, held.Reason, held.Popups,
            held.LastNegativeSampledAt, age, held.Since, held.Version, active, held.OpenAppeal is { } appeal ? HealthService.ToDto(appeal, held.MaskedName) : null, history));
    }
}

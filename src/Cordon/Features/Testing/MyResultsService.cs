using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>One released result of the signed-in resident; for a positive pool, the single-tube retest that is due.</summary>
public sealed record MyResult(PersonResultKind Kind, DateTime SampledAt, DateTime ReleasedAt, string Site, int PoolSize, DateTime? RetestDueAt, RetestStatus? RetestStatus);

/// <summary>A sample taken but not yet released, with the stage it has reached.</summary>
public sealed record MyPendingSample(DateTime SampledAt, string Site, int PoolSize, TubeStatus Stage);

public sealed record MyResults(IReadOnlyList<MyResult> Results, IReadOnlyList<MyPendingSample> Awaiting);

/// <summary>
/// A resident's own results (结果早知道): every result the moment the lab releases it, newest first, and the samples
/// still on their way. The resident comes from the sign-in, never from the request.
/// </summary>
public sealed class MyResultsService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time)
{
    public const int MaxResults = 50;
    public static readonly TimeSpan AwaitingWindow = TimeSpan.FromDays(7);

    /// <summary>The results of the signed-in resident, or null when the account is not linked to a resident.</summary>
    public async Task<MyResults?> GetAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        var results = await db.PersonResults.AsNoTracking().Where(r => r.ResidentId == residentId)
            .OrderByDescending(r => r.ReleasedAt).ThenByDescending(r => r.Id).Take(MaxResults)
            .Select(r => new
            {
                r.Kind,
                r.SampledAt,
                r.ReleasedAt,
                Tube = db.Tubes.Where(t => t.Id == r.TubeId).Select(t => new { t.PoolSize, Site = db.SamplingSites.Where(s => s.Id == t.SiteId).Select(s => s.Name).FirstOrDefault() }).FirstOrDefault(),
                Retest = db.RetestOrders.Where(o => o.PoolTubeId == r.TubeId && o.ResidentId == residentId).Select(o => new { o.DueAt, o.Status }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var since = time.UtcNow - AwaitingWindow;
        var awaiting = await db.TubeMembers.AsNoTracking().Where(m => m.ResidentId == residentId && m.SampledAt >= since)
            .Join(db.Tubes, m => m.TubeId, t => t.Id, (m, t) => new { m.SampledAt, t.PoolSize, t.Status, t.SiteId })
            .Where(x => x.Status != TubeStatus.Resulted && x.Status != TubeStatus.Voided)
            .OrderByDescending(x => x.SampledAt)
            .Select(x => new { x.SampledAt, x.PoolSize, x.Status, Site = db.SamplingSites.Where(s => s.Id == x.SiteId).Select(s => s.Name).FirstOrDefault() })
            .ToListAsync(ct);
        return new MyResults(
            results.OrderByDescending(r => r.ReleasedAt).ThenByDescending(r => r.SampledAt)
                .Select(r => new MyResult(r.Kind, r.SampledAt, r.ReleasedAt, r.Tube?.Site ?? "", r.Tube?.PoolSize ?? 1, r.Retest?.DueAt, r.Retest?.Status)).ToList(),
            awaiting.Select(a => new MyPendingSample(a.SampledAt, a.Site ?? "", a.PoolSize, a.Status)).ToList());
    }
}

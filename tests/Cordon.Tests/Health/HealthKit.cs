using Cordon.Features.Health;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Health;

/// <summary>Reading the stored status as the passes and checkpoints do, and waiting for the background worker.</summary>
public static class HealthKit
{
    /// <summary>How long a status change may take to be stored (the issue: "within seconds").</summary>
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    public static async Task<HealthSnapshot?> Status(this CordonApp app, long residentId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IHealthStatusLookup>().GetAsync(residentId);
    }

    /// <summary>The stored status once it satisfies <paramref name="condition"/>; fails after <see cref="Within"/>.</summary>
    public static async Task<HealthSnapshot> StatusWhen(this CordonApp app, long residentId, Func<HealthSnapshot, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        HealthSnapshot? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await app.Status(residentId);
            if (last is not null && condition(last)) return last;
            await Task.Delay(100);
        }
        throw new ShouldAssertException($"The status of resident {residentId} did not become {what} within {Within.TotalSeconds} s; last: {last}");
    }

    public static async Task<List<HealthStatusChange>> History(this CordonApp app, long residentId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        return await db.HealthStatusChanges.AsNoTracking().Where(c => c.ResidentId == residentId).OrderBy(c => c.Id).ToListAsync();
    }
}

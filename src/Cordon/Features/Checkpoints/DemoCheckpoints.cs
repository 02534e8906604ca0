using Cordon.Features.Demo;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Checkpoints;

/// <summary>
/// Gives the demo district a staffed checkpoint at the main gate of every community (as in the seeds: 24-hour
/// checkpoints that measure temperature, check ID, verify the code and register), once, at start-up: only when the
/// demo district is there and has no checkpoint yet, so checkpoints that users change or remove stay as they left them.
/// </summary>
internal sealed class DemoCheckpoints(IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, TimeProvider clock) : IHostedService
{
    public const string GateName = "正门卡口";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemoOnStart) return;
        await using var scope = scopes.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await SeedAsync(db, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task<int> SeedAsync(CordonDbContext db, DateTime now, CancellationToken ct = default)
    {
        if (!await db.Areas.AnyAsync(a => a.Code == DemoDistrict.DistrictCode, ct)) return 0;
        if (await db.Checkpoints.WhereStartsWith(c => c.AreaCode, DemoDistrict.DistrictCode).AnyAsync(ct)) return 0;
        var communities = await db.Areas.AsNoTracking().WhereStartsWith(a => a.Code, DemoDistrict.DistrictCode)
            .Where(a => a.Level == AreaLevel.Community).OrderBy(a => a.Code).Select(a => new { a.Code, a.Name }).ToListAsync(ct);
        db.Checkpoints.AddRange(communities.Select(c => new Checkpoint
        {
            AreaCode = c.Code,
            Name = GateName,
            LocationNote = $"{c.Name}正门，24小时值守：测温、查证、验码、登记",
            AllowedColours = AllowedColours.Green,
            AllowPopups = false,
            RequiredTestHours = 48,
            TemperatureThreshold = CheckpointRules.DefaultThreshold,
            CreatedAt = now,
            UpdatedAt = now,
        }));
        await db.SaveChangesAsync(ct);
        return communities.Count;
    }
}

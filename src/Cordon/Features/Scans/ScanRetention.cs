using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Scans;

/// <summary>
/// Deletes check-ins older than the retention period (28 days by default) in bounded batches, so that no statement
/// holds locks or bloats the log for long. On a PostgreSQL table partitioned by day the production path is to drop
/// whole day partitions instead (docs/decisions/010); this job then finds nothing left to delete.
/// </summary>
public sealed partial class ScanRetention(
    IServiceScopeFactory scopes, IOptions<ScansOptions> options, TimeProvider clock, ILogger<ScanRetention> log) : BackgroundService
{
    /// <summary>Batches one run deletes at most; the rest waits for the next run.</summary>
    public const int MaxBatchesPerRun = 1_000;

    /// <summary>Deletes what has passed the retention period; returns how many check-ins it deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
        var batch = options.Value.RetentionBatchRows;
        var deleted = 0;
        // The context factory is scoped (it carries the audit interceptor): a singleton opens a scope per use.
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(ct);
        for (var i = 0; i < MaxBatchesPerRun; i++)
        {
            // A range of the time index: up to the batch's last instant (ties included), never past the cutoff.
            var boundary = await db.Scans.Where(s => s.ScannedAt < cutoff).OrderBy(s => s.ScannedAt)
                .Skip(batch - 1).Select(s => (DateTime?)s.ScannedAt).FirstOrDefaultAsync(ct);
            var count = boundary is { } last
                ? await db.Scans.Where(s => s.ScannedAt <= last).ExecuteDeleteAsync(ct)
                : await db.Scans.Where(s => s.ScannedAt < cutoff).ExecuteDeleteAsync(ct);
            deleted += count;
            if (boundary is null) break;
        }
        if (deleted > 0) LogDeleted(log, deleted, options.Value.RetentionDays);
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.RetentionIntervalMinutes), clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} check-ins older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Check-in retention failed ({Error}); it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, string error);
}

using System.ComponentModel.DataAnnotations;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Checkpoints;

/// <summary>The <c>Checkpoints</c> configuration section.</summary>
public sealed class CheckpointOptions
{
    public const string Section = "Checkpoints";

    /// <summary>
    /// Days a passage (and an outsider's registration) is kept; 28 like venue check-ins (DESIGN.md, Privacy). At least
    /// 8, so a passage a console held offline for the longest accepted time (7 days) is not deleted on arrival.
    /// </summary>
    [Range(8, 3650)]
    public int RetentionDays { get; set; } = 28;
}

/// <summary>
/// Deletes passages older than the retention period every hour, set-based (an index range on the passage time), then
/// the outsiders registered before it whose passages are all gone: their name and phone are kept no longer than the
/// record of their passing. On PostgreSQL the table can later be partitioned by day and old partitions dropped (ADR 012).
/// </summary>
internal sealed partial class PassageRetention(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<CheckpointOptions> options, ILogger<PassageRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(stoppingToken);
                var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
                var (passages, outsiders) = await PurgeAsync(db, cutoff, stoppingToken);
                if (passages + outsiders > 0) Purged(passages, outsiders, options.Value.RetentionDays);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(e);
            }
            await Task.Delay(Every, clock, stoppingToken);
        }
    }

    public static async Task<(int Passages, int Outsiders)> PurgeAsync(CordonDbContext db, DateTime cutoff, CancellationToken ct = default)
    {
        var passages = await db.Passages.Where(p => p.At < cutoff).ExecuteDeleteAsync(ct);
        var outsiders = await db.Outsiders.Where(o => o.RegisteredAt < cutoff && !db.Passages.Any(p => p.OutsiderId == o.Id)).ExecuteDeleteAsync(ct);
        return (passages, outsiders);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint retention: deleted {Passages} passages and {Outsiders} outsiders older than {Days} days")]
    private partial void Purged(int passages, int outsiders, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint retention failed; it runs again within the hour")]
    private partial void Failed(Exception e);
}

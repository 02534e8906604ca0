using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Health;

/// <summary>
/// Reads the stored row: one primary-key read. A resident without a row yet (registered after the last fill, see ADR
/// 007) gets it computed and stored once, through the same path as every other recomputation, and read back.
/// </summary>
internal sealed class HealthStatusLookup(IDbContextFactory<CordonDbContext> factory, HealthRecomputer recomputer) : IHealthStatusLookup
{
    public async Task<HealthSnapshot?> GetAsync(long residentId, CancellationToken ct = default)
    {
        var row = await ReadAsync(residentId, ct);
        if (row is null)
        {
            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                if (!await db.Residents.AnyAsync(r => r.Id == residentId, ct)) return null;
            }
            await recomputer.RecomputeAsync([residentId], HealthSources.Initial, ct);
            row = await ReadAsync(residentId, ct);
        }
        return row is null ? null : ToSnapshot(row);
    }

    /// <summary>The stored row itself (with the override's fields), or null.</summary>
    public async Task<HealthStatus?> ReadAsync(long residentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.HealthStatuses.AsNoTracking().FirstOrDefaultAsync(s => s.ResidentId == residentId, ct);
    }

    internal static HealthSnapshot ToSnapshot(HealthStatus row) => new(
        row.ResidentId, row.Colour, row.Reason, PopupJson.Read(row.Popups), Utc(row.LastNegativeSampledAt), Utc(row.Since)!.Value, row.Version);

    internal static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
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

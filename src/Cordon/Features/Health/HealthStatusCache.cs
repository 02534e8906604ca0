using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Health;

/// <summary>The per-host status cache (ADR 013): <c>Health:Cache</c>.</summary>
public sealed class HealthCacheOptions
{
    public const string Section = "Health:Cache";

    /// <summary>At most this many residents are held (about 500 bytes of process memory each: 1,000,000 take about 0.5 GB); past it a tenth are dropped.</summary>
    [Range(1_000, 50_000_000)]
    public int MaxEntries { get; set; } = 1_500_000;

    /// <summary>How often this host looks for rows other hosts wrote (milliseconds).</summary>
    [Range(100, 60_000)]
    public int PollMilliseconds { get; set; } = 1_000;

    /// <summary>How far behind the newest write seen each look reaches again: covers writes committed late and clocks of hosts that differ.</summary>
    [Range(1, 600)]
    public int PollMarginSeconds { get; set; } = 5;

    /// <summary>An entry is read again after this long even without a signal (a safety net for changes that raise none, e.g. a registry edit of the name).</summary>
    [Range(1, 86_400)]
    public int MaxAgeSeconds { get; set; } = 600;
}

/// <summary>
/// What the readers of one resident's status need, held in memory: the stored row's fields, the resident's area code
/// (for the jurisdiction check) and masked name, and the open appeal if any. Derived values that depend on the time
/// (test age, whether an override still holds) are computed by the reader, never held.
/// </summary>
internal sealed class CachedStatus
{
    public required long ResidentId { get; init; }
    public required string MaskedName { get; init; }
    public required string AreaCode { get; init; }
    public required HealthColour Colour { get; init; }
    public required string Reason { get; init; }
    public required IReadOnlyList<Popup> Popups { get; init; }
    public required DateTime? LastNegativeSampledAt { get; init; }
    public required DateTime Since { get; init; }
    public required long Version { get; init; }
    public required DateTime UpdatedAt { get; init; }
    /// <summary>The override's fields (null when none was ever set), kept apart: most residents have none.</summary>
    public required OverrideDto? Override { get; init; }
    public required HealthAppeal? OpenAppeal { get; init; }
    public required long LoadedAt { get; init; }

    public HealthSnapshot Snapshot() => new(ResidentId, Colour, Reason, Popups, LastNegativeSampledAt, Since, Version);
}

/// <summary>
/// The stored statuses of this host's recent readers, in memory (ADR 013), so that a lookup (passes, scans,
/// checkpoints, the resident's and staff's views) does no database round trip. Read-through on a miss (one query:
/// resident, stored row and open appeal). Dropped at once on this host by <see cref="HealthStatusEvents"/>; rows
/// written by other hosts are found by <see cref="PollAsync"/> (every second, on the <c>UpdatedAt</c> index).
/// A miss that races a change never keeps the stale answer: each drop bumps a stripe counter, and a load that saw the
/// counter move while it read does not stay in the cache.
/// </summary>
internal sealed class HealthStatusCache : IDisposable
{
    private const int Stripes = 1024;
    private static readonly IReadOnlyList<Popup> NoPopups = [];

    private readonly ConcurrentDictionary<long, CachedStatus> _entries = new();
    private readonly long[] _epochs = new long[Stripes];
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly IServiceScopeFactory _scopes;
    private readonly HealthStatusEvents _events;
    private readonly HealthCacheOptions _options;
    private readonly SemaphoreSlim _polling = new(1, 1);
    // Reads only (never SaveChanges, so the scope's audit interceptor never runs): one scope for the host's lifetime
    // spares every miss a scope and the context options.
    private readonly Lazy<(AsyncServiceScope Scope, IDbContextFactory<CordonDbContext> Factory)> _reads;
    private int _count;
    private int _sharedCount;
    private int _trimming;
    private DateTime? _watermark;

    public HealthStatusCache(IServiceScopeFactory scopes, HealthStatusEvents events, IOptions<HealthCacheOptions> options)
    {
        _scopes = scopes;
        _events = events;
        _options = options.Value;
        _events.Stored += Invalidate;
        _reads = new(() =>
        {
            var scope = scopes.CreateAsyncScope();
            return (scope, scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>());
        });
    }

    /// <summary>Residents held now (approximate while others add and drop).</summary>
    public int Count => Volatile.Read(ref _count);

    public void Dispose()
    {
        _events.Stored -= Invalidate;
        _polling.Dispose();
        if (_reads.IsValueCreated) _reads.Value.Scope.Dispose();
    }

    /// <summary>The resident's status with what the views need, or null when the resident does not exist.</summary>
    public ValueTask<CachedStatus?> GetAsync(long residentId, CancellationToken ct = default)
    {
        if (_entries.TryGetValue(residentId, out var entry) && Environment.TickCount64 - entry.LoadedAt < _options.MaxAgeSeconds * 1000L)
            return ValueTask.FromResult<CachedStatus?>(entry);
        return new ValueTask<CachedStatus?>(LoadAsync(residentId, ct));
    }

    /// <summary>Drops these residents on this host (the statuses, overrides or appeals changed).</summary>
    public void Invalidate(IReadOnlyCollection<long> residentIds)
    {
        foreach (var id in residentIds)
        {
            // Bump first, then drop: a load in flight either sees the bump or is dropped here afterwards.
            Interlocked.Increment(ref _epochs[Stripe(id)]);
            if (_entries.TryRemove(id, out _)) Interlocked.Decrement(ref _count);
        }
    }

    private async Task<CachedStatus?> LoadAsync(long residentId, CancellationToken ct)
    {
        var stripe = Stripe(residentId);
        var epoch = Volatile.Read(ref _epochs[stripe]);
        CachedStatus? entry;
        await using (var db = await _reads.Value.Factory.CreateDbContextAsync(ct))
        {
            entry = await ReadAsync(db, residentId, ct);
            if (entry is null)
            {
                // No row yet (registered after the last fill, ADR 007): stored once through the recomputation, then read.
                if (!await db.Residents.AnyAsync(r => r.Id == residentId, ct)) return null;
                await using (var scope = _scopes.CreateAsyncScope())
                {
                    await scope.ServiceProvider.GetRequiredService<HealthRecomputer>().RecomputeAsync([residentId], HealthSources.Initial, ct);
                }
                epoch = Volatile.Read(ref _epochs[stripe]);
                entry = await ReadAsync(db, residentId, ct);
                if (entry is null) return null;
            }
        }
        Keep(entry, stripe, epoch);
        return entry;
    }

    private void Keep(CachedStatus entry, int stripe, long epoch)
    {
        if (_entries.TryAdd(entry.ResidentId, entry)) Interlocked.Increment(ref _count);
        else _entries[entry.ResidentId] = entry;
        // Changed while we read: what we read may predate the change; answer it this once, do not keep it.
        if (Volatile.Read(ref _epochs[stripe]) != epoch && _entries.TryRemove(new KeyValuePair<long, CachedStatus>(entry.ResidentId, entry)))
            Interlocked.Decrement(ref _count);
        if (Volatile.Read(ref _count) > _options.MaxEntries) Trim();
    }

    /// <summary>Over the bound: drops about a tenth (whichever come first; a dropped resident is read again on their next lookup).</summary>
    private void Trim()
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1) return;
        try
        {
            var drop = Math.Max(1, _options.MaxEntries / 10);
            foreach (var key in _entries.Keys)
            {
                if (drop-- <= 0) break;
                if (_entries.TryRemove(key, out _)) Interlocked.Decrement(ref _count);
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private sealed record Found(string Name, string AreaCode, HealthStatus Row, HealthAppeal? Appeal);

    private async Task<CachedStatus?> ReadAsync(CordonDbContext db, long residentId, CancellationToken ct)
    {
        // One round trip: the resident joined to their row on the key, and the open appeal (at most one) left-joined.
        // (Not a compiled query: one would be bound to the first model it met, and a process may hold two providers.)
        var found = await (
            from r in db.Residents.AsNoTracking().Where(r => r.Id == residentId)
            join s in db.HealthStatuses.AsNoTracking() on r.Id equals s.ResidentId
            from a in db.HealthAppeals.AsNoTracking().Where(a => a.ResidentId == r.Id && a.Status == AppealStatus.Open).DefaultIfEmpty()
            select new Found(r.Name, r.AreaCode, s, a)).FirstOrDefaultAsync(ct);
        if (found is null) return null;
        var row = found.Row;
        return new CachedStatus
        {
            ResidentId = residentId,
            MaskedName = Mask.Name(found.Name),
            AreaCode = Shared(found.AreaCode),
            Colour = row.Colour,
            Reason = Shared(row.Reason),
            Popups = row.Popups == "[]" ? NoPopups : PopupJson.Read(row.Popups),
            LastNegativeSampledAt = Utc(row.LastNegativeSampledAt),
            Since = Utc(row.Since),
            Version = row.Version,
            UpdatedAt = Utc(row.UpdatedAt),
            Override = row.OverrideColour is { } colour && row.OverrideUntil is { } until
                ? new OverrideDto(colour, row.OverrideReason ?? "", Utc(until), row.OverrideClearsPopups, row.OverrideBy, Utc(row.OverrideAt))
                : null,
            OpenAppeal = found.Appeal,
            LoadedAt = Environment.TickCount64,
        };
    }

    /// <summary>
    /// Drops the residents whose rows were written since the last look (by any host): the rows whose <c>UpdatedAt</c>
    /// is past the newest seen, less the margin; only those held at another version or write time are dropped.
    /// Returns how many were dropped.
    /// </summary>
    public async Task<int> PollAsync(CancellationToken ct = default)
    {
        await _polling.WaitAsync(ct);
        try
        {
            await using var db = await _reads.Value.Factory.CreateDbContextAsync(ct);
            if (_watermark is not { } watermark || Count == 0)
            {
                // First look, or nothing held: only move the mark (a load in flight is covered by the next look's margin).
                _watermark = Utc(await db.HealthStatuses.MaxAsync(s => (DateTime?)s.UpdatedAt, ct)) ?? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
                return 0;
            }
            var since = watermark == DateTime.MinValue ? watermark : watermark - TimeSpan.FromSeconds(_options.PollMarginSeconds);
            var dropped = new List<long>();
            var newest = watermark;
            const int Page = 10_000;
            (DateTime At, long Id) after = (since, 0);
            while (true)
            {
                var (at, id) = after;
                var rows = await db.HealthStatuses.AsNoTracking()
                    .Where(s => s.UpdatedAt > at || (s.UpdatedAt == at && s.ResidentId > id))
                    .OrderBy(s => s.UpdatedAt).ThenBy(s => s.ResidentId).Take(Page)
                    .Select(s => new { s.ResidentId, s.Version, s.UpdatedAt }).ToListAsync(ct);
                foreach (var row in rows)
                {
                    var updated = Utc(row.UpdatedAt);
                    if (updated > newest) newest = updated;
                    if (_entries.TryGetValue(row.ResidentId, out var held) && (held.Version != row.Version || held.UpdatedAt != updated)) dropped.Add(row.ResidentId);
                }
                if (rows.Count < Page) break;
                after = (rows[^1].UpdatedAt, rows[^1].ResidentId);
            }
            Invalidate(dropped);
            _watermark = newest;
            return dropped.Count;
        }
        finally
        {
            _polling.Release();
        }
    }

    /// <summary>One instance per distinct reason and area code (a few thousand), not one per resident; bounded.</summary>
    private string Shared(string value)
    {
        if (_strings.TryGetValue(value, out var shared)) return shared;
        if (Volatile.Read(ref _sharedCount) >= 100_000) return value;
        if (_strings.TryAdd(value, value)) Interlocked.Increment(ref _sharedCount);
        return _strings.GetValueOrDefault(value, value);
    }

    private static int Stripe(long residentId) => (int)(residentId & (Stripes - 1));

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static DateTime? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
}

/// <summary>Every second, drops from this host's cache the residents whose rows another host (or this one) wrote (ADR 013).</summary>
internal sealed partial class HealthStatusPoller(HealthStatusCache cache, IOptions<HealthCacheOptions> options, ILogger<HealthStatusPoller> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds));
        do
        {
            try
            {
                await cache.PollAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is away for a moment (or not migrated yet): look again at the next tick.
                LogPollFailed(log, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health status cache: looking for changed rows failed; trying again")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}

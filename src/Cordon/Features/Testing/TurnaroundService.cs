using System.Globalization;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>Hours one stage took over a set of tubes: how many had the stage, the mean and the 90th percentile.</summary>
public sealed record StageStats(int Count, double? AverageHours, double? P90Hours);

/// <summary>The turnaround of one site or lab (or all of them): every stage of the trail and the end-to-end time.</summary>
public sealed record TurnaroundRow(
    int Id, string Name, int Tubes, int Released, int Overdue,
    StageStats CollectedToDispatched, StageStats DispatchedToReceived, StageStats ReceivedToTested, StageStats TestedToReleased,
    StageStats CollectedToReleased);

public sealed record TurnaroundReport(DateTime From, DateTime To, TurnaroundRow Total, IReadOnlyList<TurnaroundRow> Sites, IReadOnlyList<TurnaroundRow> Labs);

public sealed record OverdueTube(string Barcode, int PoolSize, TubeStatus Status, string SiteName, string? LabName, DateTime CollectedAt, double Hours, double TargetHours);

public sealed record OverdueList(int Total, IReadOnlyList<OverdueTube> Tubes);

public sealed record RetestOrderDto(
    long Id, long ResidentId, string Name, string AreaCode, string AreaName, string? Unit, string Room, RetestStatus Status,
    string PoolBarcode, string? RetestBarcode, DateTime CreatedAt, DateTime DueAt, bool Overdue);

public sealed record CaseCandidateDto(
    long Id, long ResidentId, string Name, string AreaCode, string TubeBarcode, string SiteName, double? CtValue, CandidateStatus Status, DateTime CreatedAt);

/// <summary>The stage stamps of one tube, for the turnaround figures.</summary>
public readonly record struct TubeTimes(int PoolSize, DateTime? CollectedAt, DateTime? DispatchedAt, DateTime? ReceivedAt, DateTime? TestedAt, DateTime? ReleasedAt);

/// <summary>
/// Running statistics of stage durations in constant memory: a count, a sum and a histogram of 6-minute buckets up to
/// 72 hours (longer ones in one last bucket with the maximum kept). The 90th percentile is the upper edge of the bucket
/// that holds the nearest-rank value, so it is exact to 0.1 h and never understated; a whole city's day of tubes needs
/// no more memory than one tube.
/// </summary>
public sealed class StageAccumulator
{
    public const double BucketHours = 0.1;
    private const int Buckets = 720;
    private readonly int[] _histogram = new int[Buckets + 1];
    private double _sum;
    private double _max;

    public int Count { get; private set; }

    public void Add(double? hours)
    {
        if (hours is not { } h) return;
        // Clock skew between a site's phone and a lab's instrument can make a stage look negative: it took no time.
        h = Math.Max(0, h);
        Count++;
        _sum += h;
        _max = Math.Max(_max, h);
        _histogram[Math.Min(Buckets, (int)Math.Ceiling(h / BucketHours - 1e-9))]++;
    }

    public StageStats ToStats()
    {
        if (Count == 0) return new StageStats(0, null, null);
        var rank = (int)Math.Ceiling(0.9 * Count);
        var seen = 0;
        for (var bucket = 0; bucket <= Buckets; bucket++)
        {
            seen += _histogram[bucket];
            if (seen < rank) continue;
            var p90 = bucket == Buckets ? _max : Math.Min(_max, Math.Round(bucket * BucketHours, 1));
            return new StageStats(Count, Math.Round(_sum / Count, 2), Math.Round(p90, 2));
        }
        return new StageStats(Count, Math.Round(_sum / Count, 2), Math.Round(_max, 2));
    }
}

/// <summary>The figures of one site, one lab or everyone, fed tube by tube.</summary>
public sealed class TurnaroundAccumulator(int id, string name)
{
    private readonly StageAccumulator _collectedToDispatched = new(), _dispatchedToReceived = new(), _receivedToTested = new(),
        _testedToReleased = new(), _collectedToReleased = new();
    private int _tubes, _released, _overdue;

    public void Add(TubeTimes t, DateTime now)
    {
        _tubes++;
        if (t.ReleasedAt is not null) _released++;
        if (Turnaround.IsOverdue(t.CollectedAt, t.ReleasedAt, t.PoolSize, now)) _overdue++;
        _collectedToDispatched.Add(Turnaround.Hours(t.CollectedAt, t.DispatchedAt));
        _dispatchedToReceived.Add(Turnaround.Hours(t.DispatchedAt, t.ReceivedAt));
        _receivedToTested.Add(Turnaround.Hours(t.ReceivedAt, t.TestedAt));
        _testedToReleased.Add(Turnaround.Hours(t.TestedAt, t.ReleasedAt));
        _collectedToReleased.Add(Turnaround.Hours(t.CollectedAt, t.ReleasedAt));
    }

    public TurnaroundRow ToRow() => new(id, name, _tubes, _released, _overdue,
        _collectedToDispatched.ToStats(), _dispatchedToReceived.ToStats(), _receivedToTested.ToStats(), _testedToReleased.ToStats(),
        _collectedToReleased.ToStats());
}

/// <summary>
/// Quality control of the testing chain for staff, inside their jurisdiction (by the area of the sampling site): the
/// turnaround of every stage per site and per lab, the tubes overdue against the targets (pooled 12 h, single 6 h),
/// the open retest orders (the door-to-door list) and the case candidates of positive single tubes.
/// </summary>
public sealed class TurnaroundService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time)
{
    public const int MaxWindowDays = 7;
    public const int MaxPageSize = 200;

    /// <summary>Turnaround of the tubes collected in [from, to) (default: the last 24 hours).</summary>
    public async Task<Outcome<TurnaroundReport>> ReportAsync(DateTime? from, DateTime? to, CancellationToken ct = default)
    {
        var now = time.UtcNow;
        var until = to is { } t ? Utc(t) : now;
        var since = from is { } f ? Utc(f) : until.AddHours(-24);
        if (since >= until) return Outcome<TurnaroundReport>.Invalid("from", "must be before 'to'");
        if (until - since > TimeSpan.FromDays(MaxWindowDays)) return Outcome<TurnaroundReport>.Invalid("from", $"must be at most {MaxWindowDays} days before 'to'");

        await using var db = await factory.CreateDbContextAsync(ct);
        var sites = db.SamplingSites.AsNoTracking().WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix);
        var siteNames = await sites.Select(s => new { s.Id, s.Name }).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var labNames = await db.Labs.AsNoTracking().Select(l => new { l.Id, l.Name }).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        var bySite = new Dictionary<int, TurnaroundAccumulator>();
        var byLab = new Dictionary<int, TurnaroundAccumulator>();
        var total = new TurnaroundAccumulator(0, "");

        var rows = from tube in db.Tubes.AsNoTracking()
                   where tube.CollectedAt >= since && tube.CollectedAt < until && tube.Status != TubeStatus.Voided
                   join site in sites on tube.SiteId equals site.Id
                   join box in db.TransportBoxes on tube.BoxId equals box.Id into boxes
                   from box in boxes.DefaultIfEmpty()
                   select new { tube.SiteId, LabId = box == null ? null : box.LabId, tube.PoolSize, tube.CollectedAt, tube.DispatchedAt, tube.ReceivedAt, tube.TestedAt, tube.ReleasedAt };
        // Streamed, never held: the accumulators keep constant memory however many tubes the window has.
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            var times = new TubeTimes(row.PoolSize, row.CollectedAt, row.DispatchedAt, row.ReceivedAt, row.TestedAt, row.ReleasedAt);
            total.Add(times, now);
            Accumulator(bySite, row.SiteId, siteNames).Add(times, now);
            if (row.LabId is { } labId) Accumulator(byLab, labId, labNames).Add(times, now);
        }
        return Outcome<TurnaroundReport>.Ok(new TurnaroundReport(since, until, total.ToRow(),
            bySite.Values.Select(a => a.ToRow()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList(),
            byLab.Values.Select(a => a.ToRow()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList()));
    }

    private static TurnaroundAccumulator Accumulator(Dictionary<int, TurnaroundAccumulator> all, int id, Dictionary<int, string> names)
    {
        if (!all.TryGetValue(id, out var accumulator)) all[id] = accumulator = new TurnaroundAccumulator(id, names.GetValueOrDefault(id) ?? id.ToString(CultureInfo.InvariantCulture));
        return accumulator;
    }

    /// <summary>Collected tubes not yet released whose target has passed, the longest waiting first.</summary>
    public async Task<OverdueList> OverdueAsync(int limit = MaxPageSize, CancellationToken ct = default)
    {
        var now = time.UtcNow;
        var singleCutoff = now - Turnaround.TargetFor(1);
        var pooledCutoff = now - Turnaround.TargetFor(10);
        await using var db = await factory.CreateDbContextAsync(ct);
        var sites = db.SamplingSites.AsNoTracking().WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix);
        var overdue = from tube in db.Tubes.AsNoTracking()
                      where (tube.Status == TubeStatus.Closed || tube.Status == TubeStatus.Boxed || tube.Status == TubeStatus.Dispatched || tube.Status == TubeStatus.Received)
                            && ((tube.PoolSize == 1 && tube.CollectedAt < singleCutoff) || (tube.PoolSize != 1 && tube.CollectedAt < pooledCutoff))
                      join site in sites on tube.SiteId equals site.Id
                      select new { tube, SiteName = site.Name };
        var count = await overdue.CountAsync(ct);
        var rows = await overdue.OrderBy(o => o.tube.CollectedAt).Take(Math.Clamp(limit, 1, MaxPageSize))
            .Select(o => new
            {
                o.tube.Barcode,
                o.tube.PoolSize,
                o.tube.Status,
                o.SiteName,
                o.tube.CollectedAt,
                Lab = db.TransportBoxes.Where(b => b.Id == o.tube.BoxId).Join(db.Labs, b => b.LabId, l => l.Id, (b, l) => l.Name).FirstOrDefault(),
            }).ToListAsync(ct);
        return new OverdueList(count, rows.Select(r => new OverdueTube(r.Barcode, r.PoolSize, r.Status, r.SiteName, r.Lab, r.CollectedAt!.Value,
            Math.Round((now - r.CollectedAt.Value).TotalHours, 1), Turnaround.TargetFor(r.PoolSize).TotalHours)).ToList());
    }

    /// <summary>
    /// Retest orders not yet done (open: to be sampled door to door; sampled: waiting for the single tube's result),
    /// the earliest deadline first, optionally inside one community (or building). Keyset-paged.
    /// </summary>
    public async Task<Outcome<Page<RetestOrderDto>>> RetestOrdersAsync(string? area, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<RetestOrderDto>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        area = string.IsNullOrWhiteSpace(area) ? null : area.Trim();
        if (area is not null && !AreaCode.IsWellFormed(area)) return Outcome<Page<RetestOrderDto>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        (DateTime DueAt, long Id)? cursor = null;
        if (after is not null)
        {
            var parts = after.Split('_');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || ticks > DateTime.MaxValue.Ticks)
                return Outcome<Page<RetestOrderDto>>.Invalid("after", "is not a cursor from a previous page");
            cursor = (new DateTime(ticks, DateTimeKind.Utc), id);
        }
        if (area is not null && !user.CanSee(area)) return Outcome<Page<RetestOrderDto>>.Ok(new Page<RetestOrderDto>([], null));

        var now = time.UtcNow;
        await using var db = await factory.CreateDbContextAsync(ct);
        var orders = db.RetestOrders.AsNoTracking().WhereStartsWith(o => o.AreaCode, user.JurisdictionPrefix)
            .Where(o => o.Status == RetestStatus.Open || o.Status == RetestStatus.Sampled);
        if (area is not null) orders = orders.WhereStartsWith(o => o.AreaCode, AreaCode.PrefixOf(area));
        if (cursor is { } c) orders = orders.Where(o => o.DueAt > c.DueAt || (o.DueAt == c.DueAt && o.Id > c.Id));
        var rows = await orders.OrderBy(o => o.DueAt).ThenBy(o => o.Id).Take(limit + 1)
            .Join(db.Residents, o => o.ResidentId, r => r.Id, (o, r) => new
            {
                Order = o,
                r.Name,
                r.Unit,
                r.Room,
                AreaName = db.Areas.Where(a => a.Code == o.AreaCode).Select(a => a.Name).FirstOrDefault(),
                Pool = db.Tubes.Where(t => t.Id == o.PoolTubeId).Select(t => t.Barcode).FirstOrDefault(),
                Retest = db.Tubes.Where(t => t.Id == o.RetestTubeId).Select(t => t.Barcode).FirstOrDefault(),
            })
            .ToListAsync(ct);
        // The join may not keep the order of the page on every provider: sort again in memory.
        rows = rows.OrderBy(r => r.Order.DueAt).ThenBy(r => r.Order.Id).ToList();
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var items = rows.Select(r => new RetestOrderDto(r.Order.Id, r.Order.ResidentId, Mask.Name(r.Name), r.Order.AreaCode, r.AreaName ?? "", r.Unit,
            Mask.Room(r.Room), r.Order.Status, r.Pool ?? "", r.Retest, r.Order.CreatedAt, r.Order.DueAt,
            r.Order.Status == RetestStatus.Open && r.Order.DueAt < now)).ToList();
        var next = hasMore ? $"{rows[^1].Order.DueAt.Ticks.ToString(CultureInfo.InvariantCulture)}_{rows[^1].Order.Id.ToString(CultureInfo.InvariantCulture)}" : null;
        return Outcome<Page<RetestOrderDto>>.Ok(new Page<RetestOrderDto>(items, next));
    }

    /// <summary>Case candidates (positive single tubes) for the epidemiologists, newest first. Keyset-paged.</summary>
    public async Task<Outcome<Page<CaseCandidateDto>>> CaseCandidatesAsync(string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<CaseCandidateDto>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        long? afterId = null;
        if (after is not null)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return Outcome<Page<CaseCandidateDto>>.Invalid("after", "is not a cursor from a previous page");
            afterId = id;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        var candidates = db.CaseCandidates.AsNoTracking().WhereStartsWith(c => c.AreaCode, user.JurisdictionPrefix);
        if (afterId is { } before) candidates = candidates.Where(c => c.Id < before);
        var rows = await candidates.OrderByDescending(c => c.Id).Take(limit + 1)
            .Join(db.Residents, c => c.ResidentId, r => r.Id, (c, r) => new
            {
                Candidate = c,
                r.Name,
                Tube = db.Tubes.Where(t => t.Id == c.TubeId).Select(t => new { t.Barcode, t.SiteId }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        rows = rows.OrderByDescending(r => r.Candidate.Id).ToList();
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var siteIds = rows.Select(r => r.Tube?.SiteId ?? 0).Distinct().ToList();
        var siteNames = await db.SamplingSites.Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var items = rows.Select(r => new CaseCandidateDto(r.Candidate.Id, r.Candidate.ResidentId, Mask.Name(r.Name), r.Candidate.AreaCode,
            r.Tube?.Barcode ?? "", siteNames.GetValueOrDefault(r.Tube?.SiteId ?? 0) ?? "", r.Candidate.CtValue, r.Candidate.Status, r.Candidate.CreatedAt)).ToList();
        return Outcome<Page<CaseCandidateDto>>.Ok(new Page<CaseCandidateDto>(items, hasMore ? rows[^1].Candidate.Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => time.ToUtc(value),
    };
}

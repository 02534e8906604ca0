using System.Globalization;
using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Checkpoints;

/// <summary>A passage in the log: names masked, what was seen and measured, the decision and who recorded it.</summary>
public sealed record PassageLogItem(
    long Id, DateTime At, PassageDirection Direction, PassageSource Source, string MaskedName, HealthColour? Colour, int Popups,
    double? TestAgeHours, double? Temperature, bool Fever, bool IdChecked, PassageDecision Decision, string Reason, string RecordedBy);

/// <summary>Passages of one local hour (hour 0–23 of the city's day).</summary>
public sealed record HourCount(int Hour, int In, int Out, int Denied, int Fever);

public sealed record HourlyCounts(int CheckpointId, DateOnly Day, int In, int Out, int Denied, int Fever, IReadOnlyList<HourCount> Hours);

/// <summary>One checkpoint's day in the supervisor's summary.</summary>
public sealed record CheckpointDaySummary(
    int CheckpointId, string Name, string AreaCode, string AreaName, bool Active, int In, int Out, int Denied, int Fever, int Outsiders,
    DateTime? LastPassageAt);

public sealed record CheckpointsSummary(DateOnly Day, string Area, int In, int Out, int Denied, int Fever, IReadOnlyList<CheckpointDaySummary> Checkpoints);

/// <summary>
/// What a checkpoint recorded: the passage log of a local day (newest first, keyset-paged), counts per hour, and the
/// supervisor's summary of every checkpoint in an area of the jurisdiction.
/// </summary>
public sealed class PassageLogService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time)
{
    public const int MaxPageSize = 200;

    public async Task<Outcome<Page<PassageLogItem>>> LogAsync(int checkpointId, DateOnly? day, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<PassageLogItem>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        var beforeId = long.MaxValue;
        if (after is not null && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out beforeId) || beforeId < 1))
            return Outcome<Page<PassageLogItem>>.Invalid("after", "is not a cursor from a previous page");
        if (CheckDay(day) is { } invalid) return Outcome<Page<PassageLogItem>>.Invalid("day", invalid);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await VisibleCheckpoints(db).AnyAsync(c => c.Id == checkpointId, ct)) return Outcome<Page<PassageLogItem>>.NotFound();
        var (from, to) = Bounds(day ?? time.Today);
        var rows = await db.Passages.AsNoTracking()
            .Where(p => p.CheckpointId == checkpointId && p.At >= from && p.At < to && p.Id < beforeId)
            .OrderByDescending(p => p.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var residentIds = rows.Where(r => r.ResidentId is not null).Select(r => r.ResidentId!.Value).Distinct().ToList();
        var outsiderIds = rows.Where(r => r.OutsiderId is not null).Select(r => r.OutsiderId!.Value).Distinct().ToList();
        var residents = await db.Residents.AsNoTracking().Where(r => residentIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, ct);
        var outsiders = await db.Outsiders.AsNoTracking().Where(o => outsiderIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        var items = rows.Select(p => new PassageLogItem(
            p.Id, DateTime.SpecifyKind(p.At, DateTimeKind.Utc), p.Direction, p.Source,
            p.ResidentId is { } r && residents.TryGetValue(r, out var rn) ? Mask.Name(rn)
                : p.OutsiderId is { } o && outsiders.TryGetValue(o, out var on) ? Mask.Name(on) : "",
            p.Colour, p.Popups, p.TestAgeHours, p.Temperature, p.Fever, p.IdChecked, p.Decision, p.Reason, p.RecordedBy)).ToList();
        return Outcome<Page<PassageLogItem>>.Ok(new Page<PassageLogItem>(items, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public async Task<Outcome<HourlyCounts>> HourlyAsync(int checkpointId, DateOnly? day, CancellationToken ct = default)
    {
        if (CheckDay(day) is { } invalid) return Outcome<HourlyCounts>.Invalid("day", invalid);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await VisibleCheckpoints(db).AnyAsync(c => c.Id == checkpointId, ct)) return Outcome<HourlyCounts>.NotFound();
        var date = day ?? time.Today;
        var (from, to) = Bounds(date);
        // A checkpoint's day is a few thousand rows at most: read the four small columns and count in memory, which
        // spares provider-specific date functions (local hours cross the UTC day).
        var rows = await db.Passages.AsNoTracking().Where(p => p.CheckpointId == checkpointId && p.At >= from && p.At < to)
            .Select(p => new { p.At, p.Direction, p.Decision, p.Fever }).ToListAsync(ct);
        var hours = Enumerable.Range(0, 24).Select(h =>
        {
            var inHour = rows.Where(r => time.ToLocal(r.At).Hour == h).ToList();
            return new HourCount(h, inHour.Count(r => r.Direction == PassageDirection.In), inHour.Count(r => r.Direction == PassageDirection.Out),
                inHour.Count(r => r.Decision == PassageDecision.Denied), inHour.Count(r => r.Fever));
        }).ToList();
        return Outcome<HourlyCounts>.Ok(new HourlyCounts(checkpointId, date, hours.Sum(h => h.In), hours.Sum(h => h.Out), hours.Sum(h => h.Denied),
            hours.Sum(h => h.Fever), hours));
    }

    /// <summary>Every checkpoint of <paramref name="areaCode"/> (default: the whole jurisdiction) with its counts of a local day.</summary>
    public async Task<Outcome<CheckpointsSummary>> SummaryAsync(string? areaCode, DateOnly? day, CancellationToken ct = default)
    {
        if (areaCode is not null && !AreaCode.IsWellFormed(areaCode)) return Outcome<CheckpointsSummary>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        if (CheckDay(day) is { } invalid) return Outcome<CheckpointsSummary>.Invalid("day", invalid);
        var date = day ?? time.Today;
        var area = areaCode ?? user.JurisdictionCode ?? "";
        if (areaCode is not null && !user.CanSee(areaCode)) return Outcome<CheckpointsSummary>.NotFound();
        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoints = VisibleCheckpoints(db);
        var passages = db.Passages.AsNoTracking().WhereStartsWith(p => p.AreaCode, user.JurisdictionPrefix);
        var outsiders = db.Outsiders.AsNoTracking().WhereStartsWith(o => o.AreaCode, user.JurisdictionPrefix);
        if (areaCode is not null)
        {
            var prefix = AreaCode.PrefixOf(areaCode);
            checkpoints = checkpoints.WhereStartsWith(c => c.AreaCode, prefix);
            passages = passages.WhereStartsWith(p => p.AreaCode, prefix);
            outsiders = outsiders.WhereStartsWith(o => o.AreaCode, prefix);
        }
        var (from, to) = Bounds(date);
        var list = await checkpoints.OrderBy(c => c.AreaCode).ThenBy(c => c.Name).Take(2000).ToListAsync(ct);
        var counts = await passages.Where(p => p.At >= from && p.At < to)
            .GroupBy(p => new { p.CheckpointId, p.Direction, p.Decision, p.Fever })
            .Select(g => new { g.Key.CheckpointId, g.Key.Direction, g.Key.Decision, g.Key.Fever, Count = g.Count(), Last = g.Max(p => p.At) })
            .ToListAsync(ct);
        var registered = await outsiders.Where(o => o.RegisteredAt >= from && o.RegisteredAt < to)
            .GroupBy(o => o.CheckpointId).Select(g => new { CheckpointId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.CheckpointId, g => g.Count, ct);
        var codes = list.Select(c => c.AreaCode).Distinct().ToList();
        var names = await db.Areas.AsNoTracking().Where(a => codes.Contains(a.Code)).ToDictionaryAsync(a => a.Code, a => a.Name, ct);
        var items = list.Select(c =>
        {
            var mine = counts.Where(x => x.CheckpointId == c.Id).ToList();
            return new CheckpointDaySummary(c.Id, c.Name, c.AreaCode, names.GetValueOrDefault(c.AreaCode, c.AreaCode), c.Active,
                mine.Where(x => x.Direction == PassageDirection.In).Sum(x => x.Count), mine.Where(x => x.Direction == PassageDirection.Out).Sum(x => x.Count),
                mine.Where(x => x.Decision == PassageDecision.Denied).Sum(x => x.Count), mine.Where(x => x.Fever).Sum(x => x.Count),
                registered.GetValueOrDefault(c.Id), mine.Count == 0 ? null : DateTime.SpecifyKind(mine.Max(x => x.Last), DateTimeKind.Utc));
        }).ToList();
        return Outcome<CheckpointsSummary>.Ok(new CheckpointsSummary(date, areaCode ?? area, items.Sum(i => i.In), items.Sum(i => i.Out),
            items.Sum(i => i.Denied), items.Sum(i => i.Fever), items));
    }

    private IQueryable<Checkpoint> VisibleCheckpoints(CordonDbContext db) =>
        db.Checkpoints.AsNoTracking().WhereStartsWith(c => c.AreaCode, user.JurisdictionPrefix);

    private string? CheckDay(DateOnly? day) =>
        day is { } d && (d < time.Today.AddDays(-366) || d > time.Today.AddDays(1)) ? "must be within the last year" : null;

    private (DateTime From, DateTime To) Bounds(DateOnly day) =>
        (time.ToUtc(day.ToDateTime(TimeOnly.MinValue)), time.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue)));
}

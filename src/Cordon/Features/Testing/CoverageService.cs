using System.Globalization;
using System.Text;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Csv;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>
/// Coverage of one area in a round: residents required, distinct residents sampled in the window, with a released
/// result, and positive (a positive single tube or a positive pool awaiting retest).
/// </summary>
public sealed record CoverageRow(string AreaCode, string? Name, AreaLevel? Level, int Required, int Sampled, int Resulted, int Positive)
{
    public double SampledPercent => Percent(Sampled, Required);
    public double ResultedPercent => Percent(Resulted, Required);

    private static double Percent(int part, int whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 1);
}

/// <summary>
/// A round's coverage inside the user's jurisdiction: the total and one row per child of <c>Parent</c> (when no parent
/// was asked for: per area of the round, or per child when the round has one area). Rows whose code is the parent's
/// own are residents registered on the parent itself (e.g. a community without a building).
/// </summary>
public sealed record Coverage(int RoundId, string? Parent, CoverageRow Total, IReadOnlyList<CoverageRow> Rows, DateTime ComputedAt);

/// <summary>Coverage of screening rounds (应检尽检): grouped counts computed in the database, drillable and exportable.</summary>
public sealed class CoverageService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, ScreeningService rounds, TimeProvider clock)
{
    public static readonly string[] CsvColumns = ["areaCode", "areaName", "level", "required", "sampled", "sampledPercent", "resulted", "positive"];

    public async Task<Outcome<Coverage>> ForRoundAsync(int id, string? parent, CancellationToken ct = default)
    {
        if (parent is not null && !AreaCode.IsWellFormed(parent)) return Outcome<Coverage>.Invalid("parent", "is not a 6, 9, 12 or 15-digit area code");
        RoundWindow? round;
        await using (var db = await factory.CreateDbContextAsync(ct)) round = await rounds.WindowAsync(db, id, ct);
        if (round is null) return Outcome<Coverage>.NotFound();
        var visible = ScreeningRules.VisiblePrefixes(round.AreaCodes, user.JurisdictionPrefix);
        if (visible.Count == 0) return Outcome<Coverage>.NotFound();
        if (parent is null && visible.Count == 1) parent = ScreeningRules.CodeOfKey(visible[0]);

        // Rows: the children of the parent (a code shorter than the child level stays itself: people registered on the
        // parent directly), or without a parent each area of the round.
        IReadOnlyList<string> inside;
        Func<string, string> rowOf;
        if (parent is null)
        {
            inside = visible;
            rowOf = code => inside.First(p => code.StartsWith(p, StringComparison.Ordinal));
        }
        else
        {
            var parentPrefix = AreaCode.PrefixOf(parent);
            inside = ScreeningRules.Outermost(visible.Select(p => ScreeningRules.Intersect(p, parentPrefix)).OfType<string>());
            if (inside.Count == 0) return Outcome<Coverage>.NotFound();
            var childLength = ScreeningRules.ChildLength(parentPrefix);
            rowOf = code => code.Length > childLength ? code[..childLength] : code;
        }

        var counts = new Dictionary<string, Counts>(StringComparer.Ordinal);
        foreach (var (code, value) in await CountAsync(round, inside, ct))
        {
            var row = rowOf(code);
            counts[row] = counts.GetValueOrDefault(row) + value;
        }
        await using var areas = await factory.CreateDbContextAsync(ct);
        if (parent is null)
        {
            foreach (var prefix in inside) counts.TryAdd(prefix, default);
        }
        else
        {
            // Children with nobody required still belong in the table (0 of 0).
            var childLength = ScreeningRules.ChildLength(AreaCode.PrefixOf(parent));
            var children = await areas.Areas.AsNoTracking().WhereStartsWithAny(a => a.Code, inside)
                .Where(a => a.Code.Length == childLength && a.Code != parent).Select(a => a.Code).ToListAsync(ct);
            foreach (var child in children) counts.TryAdd(child, default);
        }

        var codes = counts.Keys.Select(ScreeningRules.CodeOfKey).Append(parent ?? "").ToList();
        var names = await areas.Areas.AsNoTracking().Where(a => codes.Contains(a.Code))
            .Select(a => new { a.Code, a.Name, a.Level }).ToDictionaryAsync(a => a.Code, ct);
        var rows = counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c =>
        {
            var code = ScreeningRules.CodeOfKey(c.Key);
            var area = names.GetValueOrDefault(code);
            return new CoverageRow(code, area?.Name, area?.Level, c.Value.Required, c.Value.Sampled, c.Value.Resulted, c.Value.Positive);
        }).ToList();
        var total = new CoverageRow(
            parent ?? "", parent is null ? round.Name : names.GetValueOrDefault(parent)?.Name, parent is null ? null : AreaCode.LevelOf(parent),
            rows.Sum(r => r.Required), rows.Sum(r => r.Sampled), rows.Sum(r => r.Resulted), rows.Sum(r => r.Positive));
        return Outcome<Coverage>.Ok(new Coverage(id, parent, total, rows, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>The coverage as CSV (UTF-8 with a byte-order mark so that spreadsheet programs read the Chinese names): the total first, then a row per area.</summary>
    public static byte[] ToCsv(Coverage coverage)
    {
        var csv = new StringBuilder();
        csv.Append(Csv.Line(CsvColumns)).Append("\r\n");
        foreach (var row in coverage.Rows.Prepend(coverage.Total with { AreaCode = coverage.Total.AreaCode.Length == 0 ? "total" : coverage.Total.AreaCode }))
        {
            csv.Append(Csv.Line(
            [
                row.AreaCode, row.Name, row.Level?.ToString(), row.Required.ToString(CultureInfo.InvariantCulture),
                row.Sampled.ToString(CultureInfo.InvariantCulture), row.SampledPercent.ToString("0.0", CultureInfo.InvariantCulture),
                row.Resulted.ToString(CultureInfo.InvariantCulture), row.Positive.ToString(CultureInfo.InvariantCulture),
            ])).Append("\r\n");
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>
    /// The counts per resident area code (building, or community for people without one) inside the prefixes, from three
    /// grouped queries run side by side: required residents; distinct residents sampled in the window; distinct residents
    /// with a released result, and positive. Only the groups are loaded, never the people.
    /// <para>
    /// Grouping by the whole area code (not a substring of it) lets PostgreSQL read each query in index order — an
    /// index-only scan of (AreaCode, SampledAt, ResidentId[, Kind]) — and aggregate without sorting the million rows that
    /// COUNT(DISTINCT) over a substring needs (measured: 2.6 s with a spill to disk against 0.9 s at 1.7 M sampled).
    /// The street/community/building rows are then summed from the building rows here: a person sampled in one building
    /// counts once in it, so the sums stay distinct counts.
    /// </para>
    /// </summary>
    private async Task<Dictionary<string, Counts>> CountAsync(RoundWindow round, IReadOnlyList<string> prefixes, CancellationToken ct)
    {
        var (from, to, groups) = (round.StartsAt, round.EndsAt, round.Groups);
        var requiredTask = QueryAsync(db => ScreeningQueries.Required(db, prefixes, groups)
            .GroupBy(r => r.AreaCode)
            .Select(g => new Counted(g.Key, g.Count(), 0)), ct);

        var sampledTask = QueryAsync(db =>
        {
            var members = db.TubeMembers.WhereStartsWithAny(m => m.AreaCode, prefixes).Where(m => m.SampledAt >= from && m.SampledAt <= to);
            if (groups.Count > 0) members = members.Where(m => db.Residents.Any(r => r.Id == m.ResidentId && groups.Contains(r.KeyGroup)));
            return members.GroupBy(m => m.AreaCode).Select(g => new Counted(g.Key, g.Select(m => m.ResidentId).Distinct().Count(), 0));
        }, ct);

        var resultedTask = QueryAsync(db =>
        {
            var results = db.PersonResults.WhereStartsWithAny(r => r.AreaCode, prefixes).Where(r => r.SampledAt >= from && r.SampledAt <= to);
            if (groups.Count > 0) results = results.Where(p => db.Residents.Any(r => r.Id == p.ResidentId && groups.Contains(r.KeyGroup)));
            return results.GroupBy(r => r.AreaCode).Select(g => new Counted(
                g.Key,
                g.Select(r => r.ResidentId).Distinct().Count(),
                g.Where(r => r.Kind == PersonResultKind.Positive || r.Kind == PersonResultKind.PoolPositive).Select(r => r.ResidentId).Distinct().Count()));
        }, ct);

        await Task.WhenAll(requiredTask, sampledTask, resultedTask);
        var counts = new Dictionary<string, Counts>(StringComparer.Ordinal);
        foreach (var r in requiredTask.Result) counts[r.AreaCode] = counts.GetValueOrDefault(r.AreaCode) with { Required = r.Count };
        foreach (var s in sampledTask.Result) counts[s.AreaCode] = counts.GetValueOrDefault(s.AreaCode) with { Sampled = s.Count };
        foreach (var r in resultedTask.Result) counts[r.AreaCode] = counts.GetValueOrDefault(r.AreaCode) with { Resulted = r.Count, Positive = r.Positive };
        return counts;
    }

    /// <summary>One query on a context of its own, so that the three coverage queries run at the same time.</summary>
    private async Task<List<Counted>> QueryAsync(Func<CordonDbContext, IQueryable<Counted>> query, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await query(db).AsNoTracking().ToListAsync(ct);
    }

    private sealed record Counted(string AreaCode, int Count, int Positive);

    private readonly record struct Counts(int Required, int Sampled, int Resulted, int Positive)
    {
        public static Counts operator +(Counts a, Counts b) =>
            new(a.Required + b.Required, a.Sampled + b.Sampled, a.Resulted + b.Resulted, a.Positive + b.Positive);
    }
}

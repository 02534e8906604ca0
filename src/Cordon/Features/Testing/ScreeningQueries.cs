using System.Linq.Expressions;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>
/// The queries behind coverage, the untested list and the overdue list, shared by the staff services (which pass the
/// prefixes clipped to the user's jurisdiction) and <see cref="IScreeningObligations"/> (which passes them whole).
/// Everything runs in the database: prefixes are index ranges, "not yet sampled" is NOT EXISTS on
/// TubeMembers(ResidentId, SampledAt).
/// </summary>
internal static class ScreeningQueries
{
    private static readonly System.Reflection.MethodInfo Compare =
        typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <summary>Rows whose <paramref name="column"/> starts with any of <paramref name="prefixes"/> (none: no rows), as OR-ed index ranges.</summary>
    public static IQueryable<T> WhereStartsWithAny<T>(this IQueryable<T> query, Expression<Func<T, string>> column, IReadOnlyList<string> prefixes)
    {
        if (prefixes.Count == 1) return query.WhereStartsWith(column, prefixes[0]);
        Expression? body = null;
        foreach (var prefix in prefixes)
        {
            // Reading the bounds from a captured object (not constants) makes EF send them as parameters.
            var bounds = Expression.Constant(new Bounds(prefix, Prefix.UpperBound(prefix)));
            var range = Expression.AndAlso(
                Expression.GreaterThanOrEqual(Expression.Call(Compare, column.Body, Expression.Property(bounds, nameof(Bounds.Lower))), Expression.Constant(0)),
                Expression.LessThan(Expression.Call(Compare, column.Body, Expression.Property(bounds, nameof(Bounds.Upper))), Expression.Constant(0)));
            body = body is null ? range : Expression.OrElse(body, range);
        }
        return query.Where(Expression.Lambda<Func<T, bool>>(body ?? Expression.Constant(false), column.Parameters));
    }

    /// <summary>The residents a round requires inside <paramref name="prefixes"/>: everyone, or the members of its key groups.</summary>
    public static IQueryable<Resident> Required(CordonDbContext db, IReadOnlyList<string> prefixes, IReadOnlyList<KeyGroup> groups)
    {
        var residents = db.Residents.WhereStartsWithAny(r => r.AreaCode, prefixes);
        return groups.Count == 0 ? residents : residents.Where(r => groups.Contains(r.KeyGroup));
    }

    /// <summary>Required residents with no sampling inside the round's window.</summary>
    public static IQueryable<Resident> Untested(CordonDbContext db, RoundWindow round, IReadOnlyList<string> prefixes)
    {
        var (from, to) = (round.StartsAt, round.EndsAt);
        return Required(db, prefixes, round.Groups)
            .Where(r => !db.TubeMembers.Any(m => m.ResidentId == r.Id && m.SampledAt >= from && m.SampledAt <= to));
    }

    /// <summary>
    /// Members of key groups with a testing rule whose last sampling or negative antigen self-test is older than their
    /// group's interval (or who were never tested). The threshold depends on the person's group, so it is a CASE on
    /// KeyGroup inside each NOT EXISTS, which the (ResidentId, SampledAt) and (ResidentId, TakenAt) indexes answer.
    /// <paramref name="prefix"/> null: everywhere.
    /// </summary>
    public static IQueryable<Resident> Overdue(CordonDbContext db, IReadOnlyList<KeyGroupTestingRule> rules, DateTime now, string? prefix)
    {
        if (rules.Count == 0) return db.Residents.Where(r => false);
        var groups = rules.Select(r => r.KeyGroup).ToList();
        Expression<Func<Resident, DateTime, bool>> upToDate = (r, threshold) =>
            db.TubeMembers.Any(m => m.ResidentId == r.Id && m.SampledAt >= threshold)
            || db.AntigenReports.Any(a => a.ResidentId == r.Id && a.Result == AntigenResult.Negative && a.TakenAt >= threshold);
        var resident = upToDate.Parameters[0];
        Expression threshold = Expression.Constant(DateTime.MaxValue);
        foreach (var rule in rules)
        {
            var bound = Expression.Property(Expression.Constant(new Threshold(ScreeningRules.OverdueThreshold(rule.IntervalHours, now))), nameof(Threshold.Value));
            threshold = Expression.Condition(
                Expression.Equal(Expression.Property(resident, nameof(Resident.KeyGroup)), Expression.Constant(rule.KeyGroup)), bound, threshold);
        }
        var body = new Replace(upToDate.Parameters[1], threshold).Visit(upToDate.Body);
        var notUpToDate = Expression.Lambda<Func<Resident, bool>>(Expression.Not(body), resident);
        var residents = prefix is null ? db.Residents : db.Residents.WhereStartsWith(r => r.AreaCode, prefix);
        return residents.Where(r => groups.Contains(r.KeyGroup)).Where(notUpToDate);
    }

    private sealed record Bounds(string Lower, string Upper);

    private sealed record Threshold(DateTime Value);

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>
/// The keyset of the resident lists (untested, overdue): area code, then resident id — building by building, the order a
/// community worker goes door to door. It follows the (AreaCode, Id) index, so a page reads only its own rows however deep
/// it is; ordering one community by id alone made PostgreSQL walk the primary key past every other community (p99 0.5 s).
/// The cursor text is "areaCode.id": no personal data in a URL.
/// </summary>
internal sealed record ResidentCursor(string AreaCode, long Id)
{
    public override string ToString() => $"{AreaCode}.{Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static bool TryParse(string? text, out ResidentCursor? cursor)
    {
        cursor = null;
        if (text is null) return true;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 1 || !Registry.AreaCode.IsWellFormed(text[..dot])
            || !long.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            return false;
        cursor = new ResidentCursor(text[..dot], id);
        return true;
    }
}

internal static class ResidentPaging
{
    /// <summary>
    /// The next <paramref name="count"/> rows after the cursor in (AreaCode, Id) order. With a cursor it asks twice, each
    /// an exact index range: the rest of the cursor's building (AreaCode = a AND Id &gt; i), then the buildings after it
    /// (AreaCode &gt; a). One query with "AreaCode &gt; a OR Id &gt; i" read the whole building from the table to discard
    /// the rows before the cursor (180 ms for a page deep in a community of 33,000 residents).
    /// </summary>
    public static async Task<List<T>> PageAsync<T>(
        this IQueryable<Resident> query, ResidentCursor? cursor, int count, Expression<Func<Resident, T>> select, CancellationToken ct)
    {
        if (cursor is null) return await query.OrderBy(r => r.AreaCode).ThenBy(r => r.Id).Select(select).Take(count).ToListAsync(ct);
        var (area, id) = (cursor.AreaCode, cursor.Id);
        var rows = await query.Where(r => r.AreaCode == area && r.Id > id).OrderBy(r => r.Id).Select(select).Take(count).ToListAsync(ct);
        if (rows.Count < count)
        {
            rows.AddRange(await query.Where(r => string.Compare(r.AreaCode, area) > 0)
                .OrderBy(r => r.AreaCode).ThenBy(r => r.Id).Select(select).Take(count - rows.Count).ToListAsync(ct));
        }
        return rows;
    }
}

/// <summary>What a query needs to know of a round: its window and the groups it requires (empty: everyone).</summary>
internal sealed record RoundWindow(int Id, string Name, DateTime StartsAt, DateTime EndsAt, IReadOnlyList<KeyGroup> Groups, IReadOnlyList<string> AreaCodes, RoundStatus Status);

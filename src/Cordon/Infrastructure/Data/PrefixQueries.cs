using System.Linq.Expressions;
using Cordon.Features.Registry;

namespace Cordon.Infrastructure.Data;

/// <summary>
/// "Starts with" as an index range (<c>column &gt;= prefix AND column &lt; upper</c>), the form every
/// jurisdiction filter and prefix search in Cordon uses, so it runs inside the database on an index.
/// </summary>
public static class PrefixQueries
{
    private static readonly System.Reflection.MethodInfo Compare =
        typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    public static IQueryable<T> WhereStartsWith<T>(this IQueryable<T> query, Expression<Func<T, string>> column, string prefix)
    {
        var bounds = new Bounds(prefix, Prefix.UpperBound(prefix));
        // Reading the bounds from a captured object (not constants) makes EF send them as parameters.
        var boundsExpression = Expression.Constant(bounds);
        var lower = Expression.Call(Compare, column.Body, Expression.Property(boundsExpression, nameof(Bounds.Lower)));
        var upper = Expression.Call(Compare, column.Body, Expression.Property(boundsExpression, nameof(Bounds.Upper)));
        var body = Expression.AndAlso(
            Expression.GreaterThanOrEqual(lower, Expression.Constant(0)),
            Expression.LessThan(upper, Expression.Constant(0)));
        return query.Where(Expression.Lambda<Func<T, bool>>(body, column.Parameters));
    }

    private sealed record Bounds(string Lower, string Upper);
}

using System.Globalization;
using Cordon.Features.Identity;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Audit;

public sealed record AuditEntryDto(long Id, DateTime At, string? UserName, AuditAction Action, string Entity, string EntityKey, string? Details);

public sealed record AuditFilter(string? UserName, AuditAction? Action, string? Entity, string? EntityKey, DateTime? From, DateTime? To);

public sealed class AuditLog(IDbContextFactory<CordonDbContext> factory)
{
    /// <summary>Newest first, keyset-paged by id.</summary>
    public async Task<Outcome<Page<AuditEntryDto>>> SearchAsync(AuditFilter filter, string? before, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > 200) return Outcome<Page<AuditEntryDto>>.Invalid("limit", "must be between 1 and 200");
        long beforeId = long.MaxValue;
        if (before is not null && !long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out beforeId))
            return Outcome<Page<AuditEntryDto>>.Invalid("before", "is not a cursor from a previous page");
        if (filter.From is { } f && filter.To is { } t && f > t) return Outcome<Page<AuditEntryDto>>.Invalid("from", "must be before 'to'");

        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.AuditEntries.AsNoTracking().Where(e => e.Id < beforeId);
        if (!string.IsNullOrWhiteSpace(filter.UserName)) query = query.Where(e => e.UserName == filter.UserName.Trim());
        if (filter.Action is { } action) query = query.Where(e => e.Action == action);
        if (!string.IsNullOrWhiteSpace(filter.Entity)) query = query.Where(e => e.Entity == filter.Entity.Trim());
        if (!string.IsNullOrWhiteSpace(filter.EntityKey)) query = query.Where(e => e.EntityKey == filter.EntityKey.Trim());
        if (filter.From is { } from) query = query.Where(e => e.At >= from.ToUniversalTime());
        if (filter.To is { } to) query = query.Where(e => e.At <= to.ToUniversalTime());
        var rows = await query.OrderByDescending(e => e.Id).Take(limit + 1)
            .Select(e => new AuditEntryDto(e.Id, e.At, e.UserName, e.Action, e.Entity, e.EntityKey, e.Details)).ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return Outcome<Page<AuditEntryDto>>.Ok(new Page<AuditEntryDto>(rows, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }
}

public static class AuditApi
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditLog>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", Search).WithTags("Audit").RequireAuthorization(Policies.Admin)
            .WithSummary("The audit log, newest first: changes, sign-ins and reads of unmasked personal data");
        return app;
    }

    private static async Task<Results<Ok<Page<AuditEntryDto>>, ValidationProblem, NotFound, ProblemHttpResult>> Search(
        AuditLog log, string? user, AuditAction? action, string? entity, string? key, DateTime? from, DateTime? to, string? before,
        CancellationToken ct, int limit = 50) =>
        (await log.SearchAsync(new AuditFilter(user, action, entity, key, from, to), before, limit, ct)).ToHttp();
}

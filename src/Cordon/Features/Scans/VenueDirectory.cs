using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Scans;

/// <summary>A venue as a check-in needs it: where it is, whether it is open and its effective rule.</summary>
public sealed record VenueEntry(int Id, string Name, VenueCategory Category, string AreaCode, VenueStatus Status, VenueRule Rule, bool RuleOverridden);

/// <summary>
/// Venues by their code, kept in memory for <see cref="ScansOptions.VenueCacheSeconds"/>: at thousands of check-ins a
/// second the same few venues are asked for again and again. A change of a venue's status or rule applies on this
/// host at once (<see cref="Forget"/>) and on other hosts within that time.
/// </summary>
public sealed class VenueDirectory(IServiceScopeFactory scopes, IMemoryCache cache, IOptions<ScansOptions> options)
{
    private static string Key(string code) => "scans:venue:" + code;

    /// <summary>
    /// The code from what a scanner read: the bare code (V…), the poster's link (…/v/V…) or the older <c>venue:V…</c>
    /// text; upper case. Null when it cannot be a venue code.
    /// </summary>
    public static string? Normalize(string? scanned)
    {
        if (string.IsNullOrWhiteSpace(scanned)) return null;
        var text = scanned.Trim();
        var link = text.LastIndexOf("/v/", StringComparison.OrdinalIgnoreCase);
        if (link >= 0) text = text[(link + 3)..].Split('?', '#', '/')[0];
        else if (text.StartsWith("venue:", StringComparison.OrdinalIgnoreCase)) text = text[6..];
        text = text.Trim().ToUpperInvariant();
        return text.Length is > 0 and <= 20 && text.All(char.IsAsciiLetterOrDigit) ? text : null;
    }

    public async Task<VenueEntry?> FindAsync(string code, CancellationToken ct = default)
    {
        if (cache.TryGetValue(Key(code), out VenueEntry? cached)) return cached;
        // The context factory is scoped (it carries the audit interceptor): a singleton opens a scope per use.
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(ct);
        var row = await db.Venues.AsNoTracking().Where(v => v.VenueCode == code)
            .Select(v => new { v.Id, v.Name, v.Category, v.AreaCode, v.Status, Override = db.VenueRuleOverrides.FirstOrDefault(r => r.VenueId == v.Id) })
            .FirstOrDefaultAsync(ct);
        // Unknown codes are not remembered: a scanner sending made-up codes must not fill the memory.
        if (row is null) return null;
        var entry = new VenueEntry(row.Id, row.Name, row.Category, row.AreaCode, row.Status,
            row.Override?.ToRule() ?? VenueRules.DefaultFor(row.Category), row.Override is not null);
        if (options.Value.VenueCacheSeconds > 0) cache.Set(Key(code), entry, TimeSpan.FromSeconds(options.Value.VenueCacheSeconds));
        return entry;
    }

    public void Forget(string code) => cache.Remove(Key(code));
}

using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>A key group's periodic testing rule; <c>IntervalHours</c> null: the group is not tested periodically.</summary>
public sealed record KeyGroupRuleDto(KeyGroup KeyGroup, int? IntervalHours);

public sealed record KeyGroupRuleInput(int? IntervalHours);

/// <summary>
/// A key-group member overdue for their periodic test, personal data masked. <c>LastTestAt</c>: the latest sampling or
/// negative antigen self-test (null: never tested); <c>DueAt</c>: when the next test was due.
/// </summary>
public sealed record OverdueMember(long ResidentId, string Name, string Phone, string AreaCode, KeyGroup KeyGroup, int IntervalHours, DateTime? LastTestAt, DateTime? DueAt);

/// <summary>Key-group periodic testing (重点人群定期检测): the rule per group and who is overdue.</summary>
public sealed class KeyGroupTestingService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, TimeProvider clock, ScreeningEvents events)
{
    public const int MaxPageSize = 100;

    /// <summary>Every key group with its interval (null when it has no rule).</summary>
    public async Task<IReadOnlyList<KeyGroupRuleDto>> RulesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rules = await db.KeyGroupTestingRules.AsNoTracking().ToDictionaryAsync(r => r.KeyGroup, r => r.IntervalHours, ct);
        return Enum.GetValues<KeyGroup>().Where(g => g != KeyGroup.None)
            .Select(g => new KeyGroupRuleDto(g, rules.TryGetValue(g, out var hours) ? hours : null)).ToList();
    }

    /// <summary>Sets how often a group must be tested (1–720 hours).</summary>
    public Task<Outcome<KeyGroupRuleDto>> SetRuleAsync(string? keyGroup, int? intervalHours, CancellationToken ct = default)
    {
        if (intervalHours is null)
            return Task.FromResult(Outcome<KeyGroupRuleDto>.Invalid("intervalHours", "is required (delete the rule to stop testing the group periodically)"));
        return ChangeRuleAsync(keyGroup, intervalHours, ct);
    }

    /// <summary>Removes a group's rule: its members are no longer tested periodically.</summary>
    public Task<Outcome<KeyGroupRuleDto>> RemoveRuleAsync(string? keyGroup, CancellationToken ct = default) => ChangeRuleAsync(keyGroup, null, ct);

    private async Task<Outcome<KeyGroupRuleDto>> ChangeRuleAsync(string? keyGroup, int? intervalHours, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var group = ParseGroup(keyGroup);
        if (group is null) errors.Add("keyGroup", "is not a known key group");
        if (intervalHours is { } h && h is < ScreeningRules.MinIntervalHours or > ScreeningRules.MaxIntervalHours)
            errors.Add("intervalHours", $"must be between {ScreeningRules.MinIntervalHours} and {ScreeningRules.MaxIntervalHours} hours");
        if (errors.Any) return Outcome<KeyGroupRuleDto>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        var rule = await db.KeyGroupTestingRules.FirstOrDefaultAsync(r => r.KeyGroup == group, ct);
        if (intervalHours is null)
        {
            if (rule is not null) db.KeyGroupTestingRules.Remove(rule);
        }
        else if (rule is null) db.KeyGroupTestingRules.Add(new KeyGroupTestingRule { KeyGroup = group!.Value, IntervalHours = intervalHours.Value });
        else rule.IntervalHours = intervalHours.Value;
        await db.SaveChangesAsync(ct);
        events.RaiseObligationsChanged(new ObligationsChanged(null, group, clock.GetUtcNow().UtcDateTime));
        return Outcome<KeyGroupRuleDto>.Ok(new KeyGroupRuleDto(group!.Value, intervalHours));
    }

    /// <summary>
    /// Members of key groups inside the user's jurisdiction (and <paramref name="area"/>, and <paramref name="keyGroup"/>
    /// when given) whose periodic test is overdue; building by building (keyset on area code and resident id).
    /// </summary>
    public async Task<Outcome<Page<OverdueMember>>> OverdueAsync(string? area, string? keyGroup, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<OverdueMember>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (area is not null && !AreaCode.IsWellFormed(area)) return Outcome<Page<OverdueMember>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        KeyGroup? group = null;
        if (keyGroup is not null && (group = ParseGroup(keyGroup)) is null) return Outcome<Page<OverdueMember>>.Invalid("keyGroup", "is not a known key group");
        if (!ResidentCursor.TryParse(after, out var cursor)) return Outcome<Page<OverdueMember>>.Invalid("after", "is not a cursor from a previous page");
        if (area is not null && !user.CanSee(area)) return Outcome<Page<OverdueMember>>.NotFound();

        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rules = await db.KeyGroupTestingRules.AsNoTracking().Where(r => group == null || r.KeyGroup == group).ToListAsync(ct);
        var prefix = area is null ? user.JurisdictionPrefix : AreaCode.PrefixOf(area);
        var rows = await ScreeningQueries.Overdue(db, rules, now, prefix).PageAsync(cursor, limit + 1, r => new
        {
            r.Id,
            r.Name,
            r.Phone,
            r.AreaCode,
            r.KeyGroup,
            LastSampled = db.TubeMembers.Where(m => m.ResidentId == r.Id).Max(m => (DateTime?)m.SampledAt),
            LastAntigen = db.AntigenReports.Where(a => a.ResidentId == r.Id && a.Result == AntigenResult.Negative).Max(a => (DateTime?)a.TakenAt),
        }, ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var intervals = rules.ToDictionary(r => r.KeyGroup, r => r.IntervalHours);
        var items = rows.Select(r =>
        {
            var last = Latest(r.LastSampled, r.LastAntigen);
            var hours = intervals[r.KeyGroup];
            return new OverdueMember(r.Id, Mask.Name(r.Name), Mask.Phone(r.Phone), r.AreaCode, r.KeyGroup, hours, last, ScreeningRules.DueAt(last, hours));
        }).ToList();
        return Outcome<Page<OverdueMember>>.Ok(new Page<OverdueMember>(items, hasMore ? new ResidentCursor(rows[^1].AreaCode, rows[^1].Id).ToString() : null));
    }

    internal static DateTime? Latest(DateTime? a, DateTime? b)
    {
        var latest = a is null ? b : b is null ? a : a > b ? a : b;
        return latest is { } l ? ScreeningService.Utc(l) : null;
    }

    private static KeyGroup? ParseGroup(string? text) =>
        Enum.TryParse<KeyGroup>(text, ignoreCase: true, out var g) && g != KeyGroup.None && Enum.IsDefined(g) && !int.TryParse(text, out _) ? g : null;
}

using System.Globalization;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Health;

public sealed record OverrideDto(HealthColour Colour, string Reason, DateTime Until, bool ClearsPopups, string? By, DateTime? At);

/// <summary>
/// A resident's status as shown: <see cref="TestAgeHours"/> counts from the sample of the latest negative result;
/// <see cref="Override"/> is set while a staff override holds; <see cref="History"/> is the link to the changes.
/// </summary>
public sealed record HealthDto(
    long ResidentId, string Name, string AreaCode, HealthColour Colour, string Reason, IReadOnlyList<Popup> Popups,
    DateTime? LastNegativeSampledAt, double? TestAgeHours, DateTime Since, long Version, OverrideDto? Override, AppealDto? OpenAppeal, string History);

public sealed record HealthChangeDto(long Id, HealthColour? From, HealthColour To, string Reason, IReadOnlyList<Popup> Popups, string Source, DateTime At);

public sealed record AppealDto(
    long Id, long ResidentId, string Name, string AreaCode, string Text, HealthColour Colour, AppealStatus Status, DateTime CreatedAt,
    DateTime? DecidedAt, string? DecidedBy, string? Answer);

public sealed record AppealInput(string? Text);

/// <summary>Staff's answer to an appeal: <c>Resolved</c> (acted on it, usually with an override) or <c>Dismissed</c>.</summary>
public sealed record AppealDecisionInput(AppealStatus? Status, string? Answer);

/// <summary>
/// A staff override: the colour and the reason shown until <see cref="Until"/> (at most 30 days ahead).
/// <see cref="ClearsPopups"/>: staff checked the person's obligations too. <see cref="AppealId"/>: the open appeal it answers (resolved with it).
/// </summary>
public sealed record OverrideInput(HealthColour? Colour, string? Reason, DateTimeOffset? Until, bool ClearsPopups = false, long? AppealId = null);

/// <summary>
/// The health status as people and staff see it, and its correction (纠错/申诉): residents see their own (from the
/// sign-in, never the URL) and appeal; staff see residents inside their jurisdiction (outside: 404), and those with
/// <c>HealthCorrection</c> override and answer appeals. Overrides and appeals go through the change tracker, so the audit
/// interceptor records who changed what. The views are answered from this host's <see cref="HealthStatusCache"/> (ADR
/// 013); every change here moves the row's <c>UpdatedAt</c> (so other hosts' caches see it) and drops it on this host.
/// </summary>
internal sealed class HealthService(
    IDbContextFactory<CordonDbContext> factory, HealthStatusCache cache, HealthViews views, HealthStatusEvents events, HealthRecomputer recomputer,
    CurrentUser user, TimeProvider clock)
{
    public const int MaxAppealText = 1000;
    public const int MaxOverrideReason = 200;
    public const int MaxAnswer = 500;
    public static readonly TimeSpan MaxOverride = TimeSpan.FromDays(30);

    public Task<Outcome<HealthDto>> MineAsync(CancellationToken ct = default) => views.MineAsync(ct);

    public Task<Outcome<HealthDto>> ForResidentAsync(long residentId, CancellationToken ct = default) => views.ForResidentAsync(residentId, ct);

    public async Task<Outcome<Page<HealthChangeDto>>> MyHistoryAsync(string? after, int limit, CancellationToken ct = default) =>
        user.ResidentId is { } id ? await HistoryAsync(id, false, after, limit, ct) : Outcome<Page<HealthChangeDto>>.NotFound();

    public Task<Outcome<Page<HealthChangeDto>>> HistoryAsync(long residentId, string? after, int limit, CancellationToken ct = default) =>
        HistoryAsync(residentId, true, after, limit, ct);

    private async Task<Outcome<Page<HealthChangeDto>>> HistoryAsync(long residentId, bool inJurisdiction, string? after, int limit, CancellationToken ct)
    {
        if (limit is < 1 or > 100) return Outcome<Page<HealthChangeDto>>.Invalid("limit", "must be between 1 and 100");
        long? before = null;
        if (after is not null)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor)) return Outcome<Page<HealthChangeDto>>.Invalid("after", "is not a cursor from a previous page");
            before = cursor;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await ResidentAsync(db, residentId, inJurisdiction, ct) is null) return Outcome<Page<HealthChangeDto>>.NotFound();
        var query = db.HealthStatusChanges.AsNoTracking().Where(c => c.ResidentId == residentId);
        if (before is { } b) query = query.Where(c => c.Id < b);
        var rows = await query.OrderByDescending(c => c.Id).Take(limit + 1).ToListAsync(ct);
        var items = rows.Take(limit).Select(c => new HealthChangeDto(c.Id, c.FromColour, c.ToColour, c.Reason, PopupJson.Read(c.Popups), c.Source, Utc(c.At))).ToList();
        return Outcome<Page<HealthChangeDto>>.Ok(new Page<HealthChangeDto>(items, rows.Count > limit ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public async Task<Outcome<AppealDto>> AppealAsync(AppealInput input, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } id) return Outcome<AppealDto>.NotFound();
        var errors = new FieldErrors();
        errors.Require("text", input.Text?.Trim(), MaxAppealText);
        if (errors.Any) return Outcome<AppealDto>.Invalid(errors);
        var status = await cache.GetAsync(id, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var resident = await ResidentAsync(db, id, false, ct);
        if (resident is null || status is null) return Outcome<AppealDto>.NotFound();
        if (await db.HealthAppeals.AnyAsync(a => a.ResidentId == id && a.Status == AppealStatus.Open, ct))
            return Outcome<AppealDto>.Conflict("You already have an open appeal; staff will answer it first.");
        var appeal = new HealthAppeal { ResidentId = id, AreaCode = resident.AreaCode, Text = input.Text!.Trim(), Colour = status.Colour, CreatedAt = Now() };
        db.HealthAppeals.Add(appeal);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Sent twice at the same moment: the unique index on the open appeal kept one.
            return Outcome<AppealDto>.Conflict("You already have an open appeal; staff will answer it first.");
        }
        await TouchAsync(db, id, ct);
        return Outcome<AppealDto>.Ok(ToDto(appeal, Mask.Name(resident.Name)));
    }

    public async Task<IReadOnlyList<AppealDto>> MyAppealsAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } id) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await db.Residents.Where(r => r.Id == id).Select(r => r.Name).FirstOrDefaultAsync(ct) ?? "";
        var appeals = await db.HealthAppeals.AsNoTracking().Where(a => a.ResidentId == id).OrderByDescending(a => a.Id).Take(20).ToListAsync(ct);
        return appeals.Select(a => ToDto(a, Mask.Name(name))).ToList();
    }

    /// <summary>The appeals queue of the jurisdiction: open ones by default, oldest first (paged by id).</summary>
    public async Task<Outcome<Page<AppealDto>>> AppealsAsync(AppealStatus? status, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > 100) return Outcome<Page<AppealDto>>.Invalid("limit", "must be between 1 and 100");
        long afterId = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
            return Outcome<Page<AppealDto>>.Invalid("after", "is not a cursor from a previous page");
        var wanted = status ?? AppealStatus.Open;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.HealthAppeals.AsNoTracking().Where(a => a.Status == wanted).WhereStartsWith(a => a.AreaCode, user.JurisdictionPrefix)
            .Where(a => a.Id > afterId).OrderBy(a => a.Id).Take(limit + 1)
            .Join(db.Residents, a => a.ResidentId, r => r.Id, (a, r) => new { Appeal = a, r.Name }).ToListAsync(ct);
        var items = rows.Take(limit).Select(r => ToDto(r.Appeal, Mask.Name(r.Name))).ToList();
        return Outcome<Page<AppealDto>>.Ok(new Page<AppealDto>(items, rows.Count > limit ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public async Task<Outcome<AppealDto>> DecideAppealAsync(long appealId, AppealDecisionInput input, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (input.Status is not (AppealStatus.Resolved or AppealStatus.Dismissed)) errors.Add("status", "must be Resolved or Dismissed");
        errors.Optional("answer", input.Answer, MaxAnswer);
        if (errors.Any) return Outcome<AppealDto>.Invalid(errors);
        await using var db = await factory.CreateDbContextAsync(ct);
        var appeal = await db.HealthAppeals.WhereStartsWith(a => a.AreaCode, user.JurisdictionPrefix).FirstOrDefaultAsync(a => a.Id == appealId, ct);
        if (appeal is null) return Outcome<AppealDto>.NotFound();
        if (appeal.Status != AppealStatus.Open) return Outcome<AppealDto>.Conflict($"This appeal was already {appeal.Status.ToString().ToLowerInvariant()}.");
        Decide(appeal, input.Status!.Value, input.Answer);
        await db.SaveChangesAsync(ct);
        await TouchAsync(db, appeal.ResidentId, ct);
        var name = await db.Residents.Where(r => r.Id == appeal.ResidentId).Select(r => r.Name).FirstAsync(ct);
        return Outcome<AppealDto>.Ok(ToDto(appeal, Mask.Name(name)));
    }

    /// <summary>Sets an override on a resident inside the jurisdiction and stores the resulting status at once.</summary>
    public async Task<Outcome<HealthDto>> OverrideAsync(long residentId, OverrideInput input, CancellationToken ct = default)
    {
        var now = Now();
        var errors = new FieldErrors();
        if (input.Colour is not { } colour || !Enum.IsDefined(colour)) errors.Add("colour", "must be Green, Yellow or Red");
        errors.Require("reason", input.Reason?.Trim(), MaxOverrideReason);
        var until = input.Until?.UtcDateTime;
        if (until is null) errors.Add("until", "is required");
        else if (until <= now) errors.Add("until", "must be in the future");
        else if (until > now + MaxOverride) errors.Add("until", "must be at most 30 days ahead");
        if (errors.Any) return Outcome<HealthDto>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        if (await ResidentAsync(db, residentId, true, ct) is null) return Outcome<HealthDto>.NotFound();
        HealthAppeal? appeal = null;
        if (input.AppealId is { } appealId)
        {
            appeal = await db.HealthAppeals.FirstOrDefaultAsync(a => a.Id == appealId && a.ResidentId == residentId && a.Status == AppealStatus.Open, ct);
            if (appeal is null) return Outcome<HealthDto>.Invalid("appealId", "is not an open appeal of this resident");
        }
        await cache.GetAsync(residentId, ct); // makes sure the row exists
        var row = await db.HealthStatuses.FirstAsync(s => s.ResidentId == residentId, ct);
        row.OverrideColour = input.Colour;
        row.OverrideReason = input.Reason!.Trim();
        row.OverrideUntil = until;
        row.OverrideClearsPopups = input.ClearsPopups;
        row.OverrideBy = user.UserName;
        row.OverrideAt = now;
        row.UpdatedAt = now;
        // A recomputation that read the row before this change must not overwrite it (HealthStatusWriter's version check).
        row.Version++;
        if (appeal is not null) Decide(appeal, AppealStatus.Resolved, $"Override: {input.Colour} until {until:yyyy-MM-dd HH:mm} UTC. {input.Reason!.Trim()}");
        await db.SaveChangesAsync(ct);
        await recomputer.RecomputeAsync([residentId], HealthSources.Override, ct);
        events.RaiseStored([residentId]);
        return await views.ForResidentAsync(residentId, ct);
    }

    /// <summary>Removes the override; the rules' answer is stored at once.</summary>
    public async Task<Outcome<HealthDto>> RemoveOverrideAsync(long residentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await ResidentAsync(db, residentId, true, ct) is null) return Outcome<HealthDto>.NotFound();
        var row = await db.HealthStatuses.FirstOrDefaultAsync(s => s.ResidentId == residentId, ct);
        if (row?.OverrideColour is null) return Outcome<HealthDto>.Conflict("This resident's status has no override.");
        row.OverrideColour = null;
        row.OverrideReason = null;
        row.OverrideUntil = null;
        row.OverrideClearsPopups = false;
        row.OverrideBy = user.UserName;
        row.OverrideAt = Now();
        row.UpdatedAt = Now();
        row.Version++;
        await db.SaveChangesAsync(ct);
        await recomputer.RecomputeAsync([residentId], HealthSources.OverrideRemoved, ct);
        events.RaiseStored([residentId]);
        return await views.ForResidentAsync(residentId, ct);
    }

    /// <summary>An appeal of this resident changed: the row's write time moves (other hosts' caches look for it) and this host drops it.</summary>
    private async Task TouchAsync(CordonDbContext db, long residentId, CancellationToken ct)
    {
        var now = Now();
        await db.HealthStatuses.Where(s => s.ResidentId == residentId).ExecuteUpdateAsync(u => u.SetProperty(s => s.UpdatedAt, now), ct);
        events.RaiseStored([residentId]);
    }

    private sealed record ResidentRef(string Name, string AreaCode);

    /// <summary>The resident, if the caller may see them: staff inside their jurisdiction, a resident only themself.</summary>
    private async Task<ResidentRef?> ResidentAsync(CordonDbContext db, long residentId, bool inJurisdiction, CancellationToken ct)
    {
        var query = db.Residents.AsNoTracking().Where(r => r.Id == residentId);
        if (inJurisdiction) query = query.WhereStartsWith(r => r.AreaCode, user.JurisdictionPrefix);
        return await query.Select(r => new ResidentRef(r.Name, r.AreaCode)).FirstOrDefaultAsync(ct);
    }

    private void Decide(HealthAppeal appeal, AppealStatus status, string? answer)
    {
        appeal.Status = status;
        appeal.Answer = string.IsNullOrWhiteSpace(answer) ? null : answer.Trim()[..Math.Min(answer.Trim().Length, MaxAnswer)];
        appeal.DecidedAt = Now();
        appeal.DecidedBy = user.UserName;
    }

    internal static AppealDto ToDto(HealthAppeal a, string maskedName) => new(
        a.Id, a.ResidentId, maskedName, a.AreaCode, a.Text, a.Colour, a.Status, Utc(a.CreatedAt), a.DecidedAt is { } d ? Utc(d) : null, a.DecidedBy, a.Answer);

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

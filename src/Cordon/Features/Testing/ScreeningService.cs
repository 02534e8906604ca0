using System.Globalization;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>Opening a round: a name, the areas (inside your jurisdiction), a window of at most 7 days, and the groups required (none: everyone).</summary>
public sealed record RoundInput(string? Name, IReadOnlyList<string>? AreaCodes, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, IReadOnlyList<KeyGroup>? KeyGroups = null);

/// <summary>A screening round. <c>KeyGroups</c> empty: everyone in the areas is required. <c>Running</c>: open and inside its window now.</summary>
public sealed record RoundDto(
    int Id, string Name, DateTime StartsAt, DateTime EndsAt, IReadOnlyList<KeyGroup> KeyGroups, RoundStatus Status,
    IReadOnlyList<string> AreaCodes, string? CreatedBy, DateTime CreatedAt, DateTime? ClosedAt, bool Running);

/// <summary>A required resident not yet sampled in a round (补检), personal data masked.</summary>
public sealed record UntestedResident(long Id, string Name, string Phone, Sex Sex, int BirthYear, string AreaCode, KeyGroup KeyGroup);

/// <summary>Area screening rounds (区域筛查): open, close, list, and who is still untested.</summary>
public sealed class ScreeningService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, TimeProvider clock, ScreeningEvents events)
{
    public const int MaxPageSize = 100;

    /// <summary>Rounds that cover any part of the user's jurisdiction, newest first, keyset-paged by id.</summary>
    public async Task<Outcome<Page<RoundDto>>> ListAsync(RoundStatus? status, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<RoundDto>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (status is { } s && !Enum.IsDefined(s)) return Outcome<Page<RoundDto>>.Invalid("status", "must be Open or Closed");
        int? afterId = null;
        if (after is not null)
        {
            if (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Outcome<Page<RoundDto>>.Invalid("after", "is not a cursor from a previous page");
            afterId = parsed;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        var rounds = Visible(db);
        if (status is not null) rounds = rounds.Where(r => r.Status == status);
        if (afterId is { } a) rounds = rounds.Where(r => r.Id < a);
        var rows = await rounds.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var items = await ToDtosAsync(db, rows, ct);
        return Outcome<Page<RoundDto>>.Ok(new Page<RoundDto>(items, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public async Task<RoundDto?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var round = await Visible(db).FirstOrDefaultAsync(r => r.Id == id, ct);
        return round is null ? null : (await ToDtosAsync(db, [round], ct))[0];
    }

    /// <summary>Whether the user may close the round: every area of it lies inside their jurisdiction.</summary>
    public bool CanManage(RoundDto round) => round.AreaCodes.All(user.CanSee);

    public async Task<Outcome<RoundDto>> OpenAsync(RoundInput input, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 100);
        var startsAt = input.StartsAt?.UtcDateTime;
        var endsAt = input.EndsAt?.UtcDateTime;
        foreach (var (field, message) in ScreeningRules.CheckWindow(startsAt, endsAt, now)) errors.Add(field, message);
        var groups = input.KeyGroups ?? [];
        if (groups.Any(g => g == KeyGroup.None || !Enum.IsDefined(g))) errors.Add("keyGroups", "must name key groups (leave empty for everyone)");

        var codes = (input.AreaCodes ?? []).Select(c => c?.Trim() ?? "").Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (codes.Count == 0) errors.Add("areaCodes", "is required: name at least one area");
        else if (codes.Count > ScreeningRules.MaxAreasPerRound) errors.Add("areaCodes", $"must name at most {ScreeningRules.MaxAreasPerRound} areas");
        else
        {
            var malformed = codes.Where(c => !AreaCode.IsWellFormed(c)).ToList();
            if (malformed.Count > 0) errors.Add("areaCodes", $"{string.Join(", ", malformed)}: not a 6, 9, 12 or 15-digit area code");
            else
            {
                var visible = codes.Where(user.CanSee).ToList();
                var known = await db.Areas.Where(a => visible.Contains(a.Code)).Select(a => a.Code).ToListAsync(ct);
                var refused = codes.Where(c => !known.Contains(c)).ToList();
                if (refused.Count > 0) errors.Add("areaCodes", $"{string.Join(", ", refused)}: not a known area in your jurisdiction");
            }
        }
        if (errors.Any) return Outcome<RoundDto>.Invalid(errors);

        // Nested areas add nobody: a round over a street and one of its communities is a round over the street.
        var outermost = ScreeningRules.Outermost(codes.Select(AreaCode.PrefixOf));
        codes = codes.Where(c => outermost.Contains(AreaCode.PrefixOf(c))).Order(StringComparer.Ordinal).ToList();
        var round = new ScreeningRound
        {
            Name = input.Name!.Trim(),
            StartsAt = startsAt!.Value,
            EndsAt = endsAt!.Value,
            KeyGroups = ScreeningRules.FormatKeyGroups(groups),
            Status = RoundStatus.Open,
            CreatedBy = user.UserName,
            CreatedAt = now,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.ScreeningRounds.Add(round);
            await db.SaveChangesAsync(ct);
            db.ScreeningRoundAreas.AddRange(codes.Select(c => new ScreeningRoundArea { RoundId = round.Id, AreaCode = c }));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        var dto = (await ToDtosAsync(db, [round], ct))[0];
        events.RaiseRoundOpened(new RoundChanged(dto.Id, dto.AreaCodes, dto.KeyGroups, dto.StartsAt, dto.EndsAt, now));
        return Outcome<RoundDto>.Ok(dto);
    }

    /// <summary>Closes a round: it no longer asks anyone to come. Only for a user whose jurisdiction holds all its areas.</summary>
    public async Task<Outcome<RoundDto>> CloseAsync(int id, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        var round = await Visible(db).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (round is null) return Outcome<RoundDto>.NotFound();
        var dto = (await ToDtosAsync(db, [round], ct))[0];
        if (!CanManage(dto)) return Outcome<RoundDto>.NotFound();
        if (round.Status == RoundStatus.Closed) return Outcome<RoundDto>.Conflict("The round is already closed.");
        // Set-based and conditional, so two concurrent closes cannot both succeed.
        var changed = await db.ScreeningRounds.Where(r => r.Id == id && r.Status == RoundStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RoundStatus.Closed).SetProperty(r => r.ClosedAt, now), ct);
        if (changed == 0) return Outcome<RoundDto>.Conflict("The round is already closed.");
        dto = dto with { Status = RoundStatus.Closed, ClosedAt = now, Running = false };
        events.RaiseRoundClosed(new RoundChanged(dto.Id, dto.AreaCodes, dto.KeyGroups, dto.StartsAt, dto.EndsAt, now));
        return Outcome<RoundDto>.Ok(dto);
    }

    /// <summary>
    /// Required residents of the round (inside the user's jurisdiction and, when given, inside <paramref name="area"/>)
    /// with no sampling in the window: building by building (keyset on area code and resident id), names and phones masked.
    /// </summary>
    public async Task<Outcome<Page<UntestedResident>>> UntestedAsync(int id, string? area, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<UntestedResident>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (area is not null && !AreaCode.IsWellFormed(area)) return Outcome<Page<UntestedResident>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        if (!ResidentCursor.TryParse(after, out var cursor)) return Outcome<Page<UntestedResident>>.Invalid("after", "is not a cursor from a previous page");
        if (area is not null && !user.CanSee(area)) return Outcome<Page<UntestedResident>>.NotFound();

        await using var db = await factory.CreateDbContextAsync(ct);
        var round = await WindowAsync(db, id, ct);
        if (round is null) return Outcome<Page<UntestedResident>>.NotFound();
        var prefixes = ScreeningRules.VisiblePrefixes(round.AreaCodes, user.JurisdictionPrefix);
        if (area is not null) prefixes = ScreeningRules.Outermost(prefixes.Select(p => ScreeningRules.Intersect(p, AreaCode.PrefixOf(area))).OfType<string>());
        if (prefixes.Count == 0) return Outcome<Page<UntestedResident>>.Ok(new Page<UntestedResident>([], null));

        var rows = await ScreeningQueries.Untested(db, round, prefixes).PageAsync(cursor, limit + 1,
            r => new { r.Id, r.Name, r.Phone, r.Sex, r.BirthDate, r.AreaCode, r.KeyGroup }, ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var items = rows.Select(r => new UntestedResident(r.Id, Mask.Name(r.Name), Mask.Phone(r.Phone), r.Sex, r.BirthDate.Year, r.AreaCode, r.KeyGroup)).ToList();
        return Outcome<Page<UntestedResident>>.Ok(new Page<UntestedResident>(items, hasMore ? new ResidentCursor(rows[^1].AreaCode, rows[^1].Id).ToString() : null));
    }

    /// <summary>The names of areas by code, for labels (area names are not personal data).</summary>
    public async Task<IReadOnlyDictionary<string, string>> AreaNamesAsync(IEnumerable<string> codes, CancellationToken ct = default)
    {
        var list = codes.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0) return new Dictionary<string, string>();
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Areas.AsNoTracking().Where(a => list.Contains(a.Code)).Select(a => new { a.Code, a.Name }).ToDictionaryAsync(a => a.Code, a => a.Name, ct);
    }

    /// <summary>The round with its areas when the user sees any part of it.</summary>
    internal async Task<RoundWindow?> WindowAsync(CordonDbContext db, int id, CancellationToken ct)
    {
        var round = await Visible(db).FirstOrDefaultAsync(r => r.Id == id, ct);
        return round is null ? null : await LoadWindowAsync(db, round, ct);
    }

    internal static async Task<RoundWindow> LoadWindowAsync(CordonDbContext db, ScreeningRound round, CancellationToken ct)
    {
        var areas = await db.ScreeningRoundAreas.Where(a => a.RoundId == round.Id).Select(a => a.AreaCode).ToListAsync(ct);
        return new RoundWindow(round.Id, round.Name, Utc(round.StartsAt), Utc(round.EndsAt), ScreeningRules.ParseKeyGroups(round.KeyGroups), areas, round.Status);
    }

    /// <summary>Rounds with an area inside the user's jurisdiction, or an area that contains it.</summary>
    private IQueryable<ScreeningRound> Visible(CordonDbContext db)
    {
        var ancestors = user.JurisdictionCode is { } code ? ScreeningRules.SelfAndAncestors(code) : [];
        var inside = db.ScreeningRoundAreas.WhereStartsWith(a => a.AreaCode, user.JurisdictionPrefix).Select(a => a.RoundId);
        var around = db.ScreeningRoundAreas.Where(a => ancestors.Contains(a.AreaCode)).Select(a => a.RoundId);
        return db.ScreeningRounds.AsNoTracking().Where(r => inside.Contains(r.Id) || around.Contains(r.Id));
    }

    private async Task<List<RoundDto>> ToDtosAsync(CordonDbContext db, IReadOnlyList<ScreeningRound> rounds, CancellationToken ct)
    {
        var ids = rounds.Select(r => r.Id).ToList();
        var areas = (await db.ScreeningRoundAreas.Where(a => ids.Contains(a.RoundId)).ToListAsync(ct))
            .ToLookup(a => a.RoundId, a => a.AreaCode);
        var now = clock.GetUtcNow().UtcDateTime;
        return rounds.Select(r => new RoundDto(
            r.Id, r.Name, Utc(r.StartsAt), Utc(r.EndsAt), ScreeningRules.ParseKeyGroups(r.KeyGroups), r.Status,
            areas[r.Id].Order(StringComparer.Ordinal).ToList(), r.CreatedBy, Utc(r.CreatedAt), r.ClosedAt is { } c ? Utc(c) : null,
            ScreeningRules.IsRunning(r.Status, Utc(r.StartsAt), Utc(r.EndsAt), now))).ToList();
    }

    /// <summary>SQLite hands instants back without a kind; they were stored as UTC.</summary>
    internal static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

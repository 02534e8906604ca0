using System.Globalization;
using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Scans;

/// <summary>A check-in: what the scanner read (the venue's code or the poster's link) and the client's id for it (a UUID).</summary>
public sealed record ScanInput(string? VenueCode, string? ClientId = null);

/// <summary>
/// What the venue decided. <see cref="AlreadyRecorded"/>: the same check-in (client id) was stored before, and this is
/// what was stored then. <see cref="Colour"/> is the person's colour at the check-in (null when no status was found).
/// </summary>
public sealed record ScanResult(
    Guid ClientId, DateTime ScannedAt, int VenueId, string VenueName, VenueCategory Category,
    ScanDecision Decision, ScanReason Reason, HealthColour? Colour, VenueRule Rule, bool AlreadyRecorded);

/// <summary>One of the resident's own check-ins.</summary>
public sealed record MyScanDto(DateTime ScannedAt, int VenueId, string VenueName, VenueCategory Category, ScanDecision Decision, ScanReason Reason);

/// <summary>A check-in at a venue as staff see it: the name masked.</summary>
public sealed record VenueScanDto(DateTime ScannedAt, long ResidentId, string Name, ScanDecision Decision, ScanReason Reason);

/// <summary>Check-ins of one local hour (0–23) of a day.</summary>
public sealed record ScanHourDto(int Hour, int Allowed, int NotAllowed);

public sealed record VenueScanDay(int VenueId, string VenueName, DateOnly Day, int Allowed, int NotAllowed, IReadOnlyList<ScanHourDto> Hours);

/// <summary>A venue's rule and whether it is the venue's own or its category's default.</summary>
public sealed record VenueRuleDto(int VenueId, VenueCategory Category, HealthColour MaxColour, bool PopupAllowed, int? NegativeTestHours, bool Overridden);

public sealed record VenueRuleInput(HealthColour? MaxColour, bool? PopupAllowed, int? NegativeTestHours);

/// <summary>Venue check-in: the resident's check-in and history, the staff's view of a venue, the venue's rule.</summary>
public sealed class ScanService(
    IDbContextFactory<CordonDbContext> factory, VenueDirectory venues, IHealthStatusLookup health, ScanWriter writer,
    CurrentUser user, TimeProvider clock, CityTime time)
{
    /// <summary>How far back a resident's own list goes: the retention period shows everything still stored.</summary>
    public const int MyScansLimit = 100;
    public const string NotLinked = "Your account is not linked to a registered resident.";

    /// <summary>
    /// Records a check-in of the signed-in resident and answers the venue's decision once it is stored. An unknown
    /// venue code is NotFound and records nothing; a resent check-in (same client id) answers what was stored first.
    /// </summary>
    public async Task<Outcome<ScanResult>> CheckInAsync(ScanInput input, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(input.VenueCode)) errors.Add("venueCode", "is required");
        else if (input.VenueCode.Length > 300) errors.Add("venueCode", "must be at most 300 characters");
        var clientId = Guid.Empty;
        if (input.ClientId is not null && !Guid.TryParse(input.ClientId, out clientId)) errors.Add("clientId", "must be a UUID");
        if (input.ClientId is not null && clientId == Guid.Empty && !errors.Any) errors.Add("clientId", "must not be the empty UUID");
        if (errors.Any) return Outcome<ScanResult>.Invalid(errors);
        if (user.ResidentId is not { } residentId) return Outcome<ScanResult>.Conflict(NotLinked);

        if (VenueDirectory.Normalize(input.VenueCode) is not { } code || await venues.FindAsync(code, ct) is not { } venue)
            return Outcome<ScanResult>.NotFound();
        if (input.ClientId is null) clientId = Guid.CreateVersion7();

        var now = clock.GetUtcNow().UtcDateTime;
        var status = await health.GetAsync(residentId, ct);
        var verdict = VenueRules.Decide(venue.Rule, venue.Status, status, now);
        var scan = new Scan
        {
            ResidentId = residentId,
            ClientId = clientId,
            ScannedAt = now,
            VenueId = venue.Id,
            AreaCode = venue.AreaCode,
            Decision = verdict.Decision,
            Reason = verdict.Reason,
        };
        if (await writer.WriteAsync(scan, ct))
            return Outcome<ScanResult>.Ok(new ScanResult(clientId, now, venue.Id, venue.Name, venue.Category, verdict.Decision, verdict.Reason, status?.Colour, venue.Rule, false));

        // Sent before: answer what was stored then (its venue may differ if the client reused an id: the first one counts).
        await using var db = await factory.CreateDbContextAsync(ct);
        var stored = await db.Scans.AsNoTracking().FirstAsync(s => s.ResidentId == residentId && s.ClientId == clientId, ct);
        var first = stored.VenueId == venue.Id ? venue : await VenueOfAsync(db, stored.VenueId, ct) ?? venue;
        return Outcome<ScanResult>.Ok(new ScanResult(clientId, DateTime.SpecifyKind(stored.ScannedAt, DateTimeKind.Utc), first.Id, first.Name, first.Category,
            stored.Decision, stored.Reason, status?.Colour, first.Rule, true));
    }

    private static async Task<VenueEntry?> VenueOfAsync(CordonDbContext db, int venueId, CancellationToken ct) =>
        await db.Venues.AsNoTracking().Where(v => v.Id == venueId).Select(v => new VenueEntry(v.Id, v.Name, v.Category, v.AreaCode, v.Status,
            VenueRules.DefaultFor(v.Category), false)).FirstOrDefaultAsync(ct);

    /// <summary>The signed-in resident's check-ins, newest first (at most <see cref="MyScansLimit"/>); null when not linked.</summary>
    public async Task<IReadOnlyList<MyScanDto>?> MineAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Scans.AsNoTracking().Where(s => s.ResidentId == residentId)
            .OrderByDescending(s => s.ScannedAt).Take(MyScansLimit)
            .Join(db.Venues, s => s.VenueId, v => v.Id, (s, v) => new { s.ScannedAt, s.VenueId, v.Name, v.Category, s.Decision, s.Reason })
            .ToListAsync(ct);
        return rows.OrderByDescending(r => r.ScannedAt)
            .Select(r => new MyScanDto(DateTime.SpecifyKind(r.ScannedAt, DateTimeKind.Utc), r.VenueId, r.Name, r.Category, r.Decision, r.Reason)).ToList();
    }

    /// <summary>The venue if it lies in the signed-in staff member's jurisdiction.</summary>
    private async Task<Venue?> VisibleVenueAsync(CordonDbContext db, int venueId, CancellationToken ct) =>
        await db.Venues.AsNoTracking().Where(v => v.Id == venueId).WhereStartsWith(v => v.AreaCode, user.JurisdictionPrefix).FirstOrDefaultAsync(ct);

    private (DateTime From, DateTime To) DayRange(DateOnly day) =>
        (time.ToUtc(day.ToDateTime(TimeOnly.MinValue)), time.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue)));

    /// <summary>Check-ins at a venue of the jurisdiction on a local day (default today), newest first, names masked, paged.</summary>
    public async Task<Outcome<Page<VenueScanDto>>> ForVenueAsync(int venueId, DateOnly? day, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > 200) return Outcome<Page<VenueScanDto>>.Invalid("limit", "must be between 1 and 200");
        (DateTime At, long Resident)? cursor = null;
        if (after is not null)
        {
            var parts = after.Split('_');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var resident))
                return Outcome<Page<VenueScanDto>>.Invalid("after", "is not a cursor from a previous page");
            cursor = (new DateTime(ticks, DateTimeKind.Utc), resident);
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleVenueAsync(db, venueId, ct) is null) return Outcome<Page<VenueScanDto>>.NotFound();
        var (from, to) = DayRange(day ?? time.Today);
        var scans = db.Scans.AsNoTracking().Where(s => s.VenueId == venueId && s.ScannedAt >= from && s.ScannedAt < to);
        if (cursor is var (at, residentAfter))
            scans = scans.Where(s => s.ScannedAt < at || (s.ScannedAt == at && s.ResidentId < residentAfter));
        var rows = await scans.OrderByDescending(s => s.ScannedAt).ThenByDescending(s => s.ResidentId).Take(limit + 1)
            .GroupJoin(db.Residents, s => s.ResidentId, r => r.Id, (s, r) => new { s, r })
            .SelectMany(x => x.r.DefaultIfEmpty(), (x, r) => new { x.s.ScannedAt, x.s.ResidentId, Name = r == null ? null : r.Name, x.s.Decision, x.s.Reason })
            .ToListAsync(ct);
        var items = rows.OrderByDescending(r => r.ScannedAt).ThenByDescending(r => r.ResidentId)
            .Select(r => new VenueScanDto(DateTime.SpecifyKind(r.ScannedAt, DateTimeKind.Utc), r.ResidentId, r.Name is null ? "—" : Mask.Name(r.Name), r.Decision, r.Reason))
            .ToList();
        var hasMore = items.Count > limit;
        if (hasMore) items.RemoveAt(items.Count - 1);
        var next = hasMore ? string.Create(CultureInfo.InvariantCulture, $"{items[^1].ScannedAt.Ticks}_{items[^1].ResidentId}") : null;
        return Outcome<Page<VenueScanDto>>.Ok(new Page<VenueScanDto>(items, next));
    }

    /// <summary>Check-ins at a venue of the jurisdiction per local hour of a day (default today), allowed and not.</summary>
    public async Task<Outcome<VenueScanDay>> HourlyAsync(int venueId, DateOnly? day, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleVenueAsync(db, venueId, ct) is not { } venue) return Outcome<VenueScanDay>.NotFound();
        var date = day ?? time.Today;
        var (from, to) = DayRange(date);
        // One venue's day, two narrow columns from the (VenueId, ScannedAt) index range; hours are counted here because
        // the local hour of an instant is not something SQLite and PostgreSQL compute alike.
        var rows = await db.Scans.AsNoTracking().Where(s => s.VenueId == venueId && s.ScannedAt >= from && s.ScannedAt < to)
            .Select(s => new { s.ScannedAt, s.Decision }).ToListAsync(ct);
        var allowed = new int[24];
        var notAllowed = new int[24];
        foreach (var r in rows)
        {
            var hour = time.ToLocal(r.ScannedAt).Hour;
            if (r.Decision == ScanDecision.Allowed) allowed[hour]++;
            else notAllowed[hour]++;
        }
        var hours = Enumerable.Range(0, 24).Select(h => new ScanHourDto(h, allowed[h], notAllowed[h])).ToList();
        return Outcome<VenueScanDay>.Ok(new VenueScanDay(venue.Id, venue.Name, date, allowed.Sum(), notAllowed.Sum(), hours));
    }

    public async Task<Outcome<VenueRuleDto>> RuleAsync(int venueId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleVenueAsync(db, venueId, ct) is not { } venue) return Outcome<VenueRuleDto>.NotFound();
        var own = await db.VenueRuleOverrides.AsNoTracking().FirstOrDefaultAsync(r => r.VenueId == venueId, ct);
        return Outcome<VenueRuleDto>.Ok(ToDto(venue, own));
    }

    /// <summary>Sets the venue's own rule (replacing its category's default); audited by the data interceptor.</summary>
    public async Task<Outcome<VenueRuleDto>> SetRuleAsync(int venueId, VenueRuleInput input, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (input.MaxColour is not { } colour || !Enum.IsDefined(colour)) errors.Add("maxColour", "must be Green, Yellow or Red");
        if (input.PopupAllowed is null) errors.Add("popupAllowed", "is required");
        if (input.NegativeTestHours is { } hours && !VenueRule.TestHours.Contains(hours))
            errors.Add("negativeTestHours", $"must be one of {string.Join(", ", VenueRule.TestHours)} or empty");
        if (errors.Any) return Outcome<VenueRuleDto>.Invalid(errors);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleVenueAsync(db, venueId, ct) is not { } venue) return Outcome<VenueRuleDto>.NotFound();
        var own = await db.VenueRuleOverrides.FirstOrDefaultAsync(r => r.VenueId == venueId, ct);
        if (own is null) db.VenueRuleOverrides.Add(own = new VenueRuleOverride { VenueId = venueId });
        own.MaxColour = input.MaxColour!.Value;
        own.PopupAllowed = input.PopupAllowed!.Value;
        own.NegativeTestHours = input.NegativeTestHours;
        own.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        own.UpdatedBy = user.UserName;
        await db.SaveChangesAsync(ct);
        venues.Forget(venue.VenueCode);
        return Outcome<VenueRuleDto>.Ok(ToDto(venue, own));
    }

    /// <summary>Removes the venue's own rule: its category's default applies again.</summary>
    public async Task<Outcome<VenueRuleDto>> ResetRuleAsync(int venueId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleVenueAsync(db, venueId, ct) is not { } venue) return Outcome<VenueRuleDto>.NotFound();
        if (await db.VenueRuleOverrides.FirstOrDefaultAsync(r => r.VenueId == venueId, ct) is { } own)
        {
            db.VenueRuleOverrides.Remove(own);
            await db.SaveChangesAsync(ct);
        }
        venues.Forget(venue.VenueCode);
        return Outcome<VenueRuleDto>.Ok(ToDto(venue, null));
    }

    private static VenueRuleDto ToDto(Venue venue, VenueRuleOverride? own)
    {
        var rule = own?.ToRule() ?? VenueRules.DefaultFor(venue.Category);
        return new VenueRuleDto(venue.Id, venue.Category, rule.MaxColour, rule.PopupAllowed, rule.NegativeTestHours, own is not null);
    }
}

using System.Globalization;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Testing;

public sealed record SiteInput(
    string? Name, string? AreaCode, string? Address, SiteKind Kind = SiteKind.Fixed, SiteStatus Status = SiteStatus.Open,
    int SlotMinutes = 30, int CapacityPerSlot = 50, string? OpeningHours = null, double? Latitude = null, double? Longitude = null);

/// <summary>A slot of a site on a day: UTC instants, the local start time, and its places.</summary>
public sealed record SlotDto(DateTime StartsAt, DateTime EndsAt, DateOnly Day, TimeOnly LocalTime, int Capacity, int Booked, int Free, bool Bookable);

/// <summary>The live queue of a site (排队情况): pace of the last 15 minutes, people waiting, estimated wait.</summary>
public sealed record SiteQueueDto(
    int SiteId, int SampledLast15Minutes, double RatePerMinute, int Waiting, int EstimatedWaitMinutes, CrowdLevel Crowd,
    DateTime? CurrentSlotStartsAt, DateTime? NextSlotStartsAt, DateTime At);

/// <summary>A site in a list, with its next free slots and its queue.</summary>
public sealed record SiteSummary(
    int Id, string Name, string AreaCode, string Address, SiteKind Kind, SiteStatus Status, int SlotMinutes, int CapacityPerSlot,
    double? Latitude, double? Longitude, IReadOnlyList<SlotDto> NextFree, SiteQueueDto Queue);

/// <summary>One bookable day of a site: its slots, places and the first free slot.</summary>
public sealed record SiteDayDto(DateOnly Day, int Slots, int Capacity, int Booked, int Free, SlotDto? NextFree);

public sealed record SiteStaffDto(string UserId, string UserName, string DisplayName);

public sealed record SiteDetail(
    int Id, string Name, string AreaCode, string Address, SiteKind Kind, SiteStatus Status, int SlotMinutes, int CapacityPerSlot,
    string OpeningHours, double? Latitude, double? Longitude, DateTime CreatedAt, IReadOnlyList<SiteDayDto> Days,
    IReadOnlyList<SiteStaffDto> Staff, SiteQueueDto Queue);

public sealed record SiteStaffInput(string? UserName);

/// <summary>
/// Sampling sites (采样点): lists for staff (inside their jurisdiction) and residents (open sites they can book),
/// detail with the bookable days, create and edit for testing managers, staff assignment, slots and the live queue.
/// </summary>
public sealed class SiteService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time, IOptions<TestingOptions> options)
{
    public const int MaxPageSize = 100;
    private const int NextFreeShown = 3;

    private int DaysAhead => options.Value.BookingDaysAhead;

    /// <summary>Sites inside the user's jurisdiction, filtered by area, kind and status; keyset-paged by id.</summary>
    public async Task<Outcome<Page<SiteSummary>>> ListAsync(
        string? areaCode, SiteKind? kind, SiteStatus? status, string? after, int limit, CancellationToken ct = default)
    {
        if (Check(areaCode, kind, status, after, limit, out var afterId) is { } invalid) return invalid;
        if (areaCode is not null && !user.CanSee(areaCode)) return Outcome<Page<SiteSummary>>.Ok(new Page<SiteSummary>([], null));
        await using var db = await factory.CreateDbContextAsync(ct);
        var sites = db.SamplingSites.AsNoTracking().WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix);
        if (areaCode is not null) sites = sites.WhereStartsWith(s => s.AreaCode, AreaCode.PrefixOf(areaCode));
        if (kind is { } k) sites = sites.Where(s => s.Kind == k);
        if (status is { } st) sites = sites.Where(s => s.Status == st);
        return Outcome<Page<SiteSummary>>.Ok(await PageAsync(db, sites, afterId, limit, ct));
    }

    /// <summary>
    /// The sites a resident can book: open fixed and temporary sites (door-to-door teams are sent by the community, not
    /// booked), in <paramref name="areaCode"/> when given, else in the resident's own street.
    /// </summary>
    public async Task<Outcome<Page<SiteSummary>>> BookableAsync(string? areaCode, string? after, int limit, CancellationToken ct = default)
    {
        if (Check(areaCode, null, null, after, limit, out var afterId) is { } invalid) return invalid;
        await using var db = await factory.CreateDbContextAsync(ct);
        var area = areaCode ?? await HomeStreetAsync(db, ct);
        var sites = db.SamplingSites.AsNoTracking().Where(s => s.Status == SiteStatus.Open && s.Kind != SiteKind.Mobile);
        if (area is not null) sites = sites.WhereStartsWith(s => s.AreaCode, AreaCode.PrefixOf(area));
        return Outcome<Page<SiteSummary>>.Ok(await PageAsync(db, sites, afterId, limit, ct));
    }

    /// <summary>The area code of the signed-in resident's street (the first 9 digits of their area), or null.</summary>
    public async Task<string?> HomeStreetAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await HomeStreetAsync(db, ct);
    }

    private async Task<string?> HomeStreetAsync(CordonDbContext db, CancellationToken ct)
    {
        if (user.ResidentId is not { } id) return null;
        var area = await db.Residents.Where(r => r.Id == id).Select(r => r.AreaCode).FirstOrDefaultAsync(ct);
        return area is { Length: >= 9 } ? area[..9] : area;
    }

    private static Outcome<Page<SiteSummary>>? Check(string? areaCode, SiteKind? kind, SiteStatus? status, string? after, int limit, out int afterId)
    {
        afterId = 0;
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<SiteSummary>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (areaCode is not null && !AreaCode.IsWellFormed(areaCode)) return Outcome<Page<SiteSummary>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        if (kind is { } k && !Enum.IsDefined(k)) return Outcome<Page<SiteSummary>>.Invalid("kind", "must be Fixed, Temporary or Mobile");
        if (status is { } s && !Enum.IsDefined(s)) return Outcome<Page<SiteSummary>>.Invalid("status", "must be Open or Closed");
        if (after is not null && (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId) || afterId < 0))
            return Outcome<Page<SiteSummary>>.Invalid("after", "is not a cursor from a previous page");
        return null;
    }

    private async Task<Page<SiteSummary>> PageAsync(CordonDbContext db, IQueryable<SamplingSite> sites, int afterId, int limit, CancellationToken ct)
    {
        var rows = await sites.Where(s => s.Id > afterId).OrderBy(s => s.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var now = time.UtcNow;
        var booked = await BookedAsync(db, rows.Select(s => s.Id).ToList(), now, time.Today.AddDays(DaysAhead + 1), ct);
        var queues = await QueuesAsync(db, rows, ct);
        var items = rows.Select(s => new SiteSummary(
            s.Id, s.Name, s.AreaCode, s.Address, s.Kind, s.Status, s.SlotMinutes, s.CapacityPerSlot, s.Latitude, s.Longitude,
            s.Status == SiteStatus.Open ? NextFree(s, booked, now).Take(NextFreeShown).ToList() : [], queues[s.Id])).ToList();
        return new Page<SiteSummary>(items, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>One site inside the user's jurisdiction with its bookable days, staff and queue.</summary>
    public async Task<SiteDetail?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var site = await VisibleSites(db).FirstOrDefaultAsync(s => s.Id == id, ct);
        return site is null ? null : await DescribeAsync(db, site, withStaff: true, ct);
    }

    /// <summary>An open site a resident can book, with its bookable days and queue (no staff).</summary>
    public async Task<SiteDetail?> GetBookableAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var site = await db.SamplingSites.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == id && s.Status == SiteStatus.Open && s.Kind != SiteKind.Mobile, ct);
        return site is null ? null : await DescribeAsync(db, site, withStaff: false, ct);
    }

    private async Task<SiteDetail> DescribeAsync(CordonDbContext db, SamplingSite site, bool withStaff, CancellationToken ct)
    {
        var now = time.UtcNow;
        var today = time.Today;
        var booked = await BookedAsync(db, [site.Id], time.ToUtc(today.ToDateTime(TimeOnly.MinValue)), today.AddDays(DaysAhead + 1), ct);
        var days = new List<SiteDayDto>();
        for (var day = today; day <= today.AddDays(DaysAhead); day = day.AddDays(1))
        {
            var slots = SlotsOf(site, day, booked, now);
            days.Add(new SiteDayDto(day, slots.Count, slots.Sum(s => s.Capacity), slots.Sum(s => s.Booked), slots.Where(s => s.Bookable).Sum(s => s.Free),
                slots.FirstOrDefault(s => s.Bookable && s.Free > 0)));
        }
        IReadOnlyList<SiteStaffDto> staff = withStaff ? await StaffAsync(db, site.Id, ct) : [];
        var queue = (await QueuesAsync(db, [site], ct))[site.Id];
        return new SiteDetail(site.Id, site.Name, site.AreaCode, site.Address, site.Kind, site.Status, site.SlotMinutes, site.CapacityPerSlot,
            site.OpeningHours, site.Latitude, site.Longitude, Utc(site.CreatedAt), days, staff, queue);
    }

    /// <summary>
    /// The slots of a site on a local day with capacity, booked places and free places. Staff see sites of their
    /// jurisdiction; residents (<paramref name="forResident"/>) see the open sites they can book.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<SlotDto>>> SlotsAsync(int siteId, DateOnly? day, bool forResident, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var site = forResident
            ? await db.SamplingSites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId && s.Status == SiteStatus.Open && s.Kind != SiteKind.Mobile, ct)
            : await VisibleSites(db).FirstOrDefaultAsync(s => s.Id == siteId, ct);
        if (site is null) return Outcome<IReadOnlyList<SlotDto>>.NotFound();
        var today = time.Today;
        var date = day ?? today;
        // Staff may look back (who was booked yesterday); residents only at the days they can book.
        if (forResident && (date < today || date > today.AddDays(DaysAhead)))
            return Outcome<IReadOnlyList<SlotDto>>.Invalid("day", $"must be between today and {DaysAhead} days ahead");
        if (date < today.AddDays(-366) || date > today.AddDays(366)) return Outcome<IReadOnlyList<SlotDto>>.Invalid("day", "must be within a year of today");
        var booked = await BookedAsync(db, [site.Id], time.ToUtc(date.ToDateTime(TimeOnly.MinValue)), date.AddDays(1), ct);
        return Outcome<IReadOnlyList<SlotDto>>.Ok(SlotsOf(site, date, booked, time.UtcNow));
    }

    public async Task<Outcome<SiteQueueDto>> QueueAsync(int siteId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var site = await VisibleSites(db).FirstOrDefaultAsync(s => s.Id == siteId, ct);
        return site is null ? Outcome<SiteQueueDto>.NotFound() : Outcome<SiteQueueDto>.Ok((await QueuesAsync(db, [site], ct))[site.Id]);
    }

    public async Task<Outcome<SiteDetail>> CreateAsync(SiteInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var errors = await ValidateAsync(db, input, ct);
        if (errors.Any) return Outcome<SiteDetail>.Invalid(errors);
        var site = new SamplingSite { Name = "", AreaCode = "", Address = "", OpeningHours = "", CreatedAt = time.UtcNow };
        Apply(site, input);
        db.SamplingSites.Add(site);
        await db.SaveChangesAsync(ct);
        return Outcome<SiteDetail>.Ok(await DescribeAsync(db, site, withStaff: true, ct));
    }

    /// <summary>
    /// Changes a site. Appointments already booked keep their time even when the new hours or slot length no longer
    /// have that slot; a lower capacity takes no one's place away (the slot simply shows no free places).
    /// </summary>
    public async Task<Outcome<SiteDetail>> UpdateAsync(int id, SiteInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var site = await db.SamplingSites.Where(s => s.Id == id).WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix).FirstOrDefaultAsync(ct);
        if (site is null) return Outcome<SiteDetail>.NotFound();
        var errors = await ValidateAsync(db, input, ct);
        if (errors.Any) return Outcome<SiteDetail>.Invalid(errors);
        Apply(site, input);
        await db.SaveChangesAsync(ct);
        return Outcome<SiteDetail>.Ok(await DescribeAsync(db, site, withStaff: true, ct));
    }

    private static void Apply(SamplingSite site, SiteInput input)
    {
        site.Name = input.Name!.Trim();
        site.AreaCode = input.AreaCode!.Trim();
        site.Address = input.Address!.Trim();
        site.Kind = input.Kind;
        site.Status = input.Status;
        site.SlotMinutes = input.SlotMinutes;
        site.CapacityPerSlot = input.CapacityPerSlot;
        site.OpeningHours = input.OpeningHours!.Trim();
        site.Latitude = input.Latitude;
        site.Longitude = input.Longitude;
    }

    private async Task<FieldErrors> ValidateAsync(CordonDbContext db, SiteInput input, CancellationToken ct)
    {
        var errors = ValidateShape(input);
        var areaCode = input.AreaCode?.Trim();
        if (!AreaCode.IsWellFormed(areaCode)) return errors;
        if (!user.CanSee(areaCode!) || !await db.Areas.AnyAsync(a => a.Code == areaCode, ct))
            errors.Add("areaCode", "is not a known area in your jurisdiction");
        return errors;
    }

    /// <summary>Everything that can be checked without the database.</summary>
    public static FieldErrors ValidateShape(SiteInput input)
    {
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 100);
        errors.Require("address", input.Address, 200);
        if (string.IsNullOrWhiteSpace(input.AreaCode)) errors.Add("areaCode", "is required");
        else if (!AreaCode.IsWellFormed(input.AreaCode.Trim())) errors.Add("areaCode", "must be a 6, 9, 12 or 15-digit area code");
        if (!Enum.IsDefined(input.Kind)) errors.Add("kind", "must be Fixed, Temporary or Mobile");
        if (!Enum.IsDefined(input.Status)) errors.Add("status", "must be Open or Closed");
        if (input.SlotMinutes is < 5 or > 240) errors.Add("slotMinutes", "must be between 5 and 240 minutes");
        if (input.CapacityPerSlot is < 1 or > 10_000) errors.Add("capacityPerSlot", "must be between 1 and 10000");
        if (input.OpeningHours is { Length: > 300 }) errors.Add("openingHours", "must be at most 300 characters");
        else if (!OpeningHours.TryParse(input.OpeningHours, out var hours, out var error)) errors.Add("openingHours", error!);
        else if (input.SlotMinutes is >= 5 and <= 240 && !Enum.GetValues<DayOfWeek>().Any(d => hours.SlotsOn(NextDate(d), input.SlotMinutes).Any()))
            errors.Add("openingHours", "has no period long enough for one slot");
        if (input.Latitude is < -90 or > 90 || input.Latitude is { } lat && double.IsNaN(lat)) errors.Add("latitude", "must be between -90 and 90");
        if (input.Longitude is < -180 or > 180 || input.Longitude is { } lon && double.IsNaN(lon)) errors.Add("longitude", "must be between -180 and 180");
        if ((input.Latitude is null) != (input.Longitude is null)) errors.Add(input.Latitude is null ? "latitude" : "longitude", "is required with the other coordinate");
        return errors;
    }

    // Any date with that weekday: opening hours depend on the weekday only.
    private static DateOnly NextDate(DayOfWeek day) => new DateOnly(2024, 1, 7).AddDays((int)day);

    /// <summary>The users working at a site.</summary>
    public async Task<Outcome<IReadOnlyList<SiteStaffDto>>> StaffAsync(int siteId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await VisibleSites(db).AnyAsync(s => s.Id == siteId, ct)) return Outcome<IReadOnlyList<SiteStaffDto>>.NotFound();
        return Outcome<IReadOnlyList<SiteStaffDto>>.Ok(await StaffAsync(db, siteId, ct));
    }

    private static async Task<IReadOnlyList<SiteStaffDto>> StaffAsync(CordonDbContext db, int siteId, CancellationToken ct) =>
        await (from s in db.SiteStaff
               join u in db.Users on s.UserId equals u.Id
               where s.SiteId == siteId
               orderby u.UserName
               select new SiteStaffDto(u.Id, u.UserName!, u.DisplayName)).ToListAsync(ct);

    /// <summary>Sampling staff of the manager's jurisdiction not yet working at the site (for the assignment form).</summary>
    public async Task<IReadOnlyList<SiteStaffDto>> AssignableStaffAsync(int siteId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await SamplingStaff(db)
            .Where(u => !db.SiteStaff.Any(s => s.SiteId == siteId && s.UserId == u.Id))
            .OrderBy(u => u.UserName).Take(200)
            .Select(u => new SiteStaffDto(u.Id, u.UserName!, u.DisplayName)).ToListAsync(ct);
    }

    /// <summary>Assigns a sampling-staff user (by user name) to a site; assigning someone already there changes nothing.</summary>
    public async Task<Outcome<IReadOnlyList<SiteStaffDto>>> AssignAsync(int siteId, SiteStaffInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await VisibleSites(db).AnyAsync(s => s.Id == siteId, ct)) return Outcome<IReadOnlyList<SiteStaffDto>>.NotFound();
        var userName = input.UserName?.Trim();
        if (string.IsNullOrEmpty(userName)) return Outcome<IReadOnlyList<SiteStaffDto>>.Invalid("userName", "is required");
        var normalized = userName.ToUpperInvariant();
        var staffId = await SamplingStaff(db).Where(u => u.NormalizedUserName == normalized).Select(u => u.Id).FirstOrDefaultAsync(ct);
        if (staffId is null) return Outcome<IReadOnlyList<SiteStaffDto>>.Invalid("userName", "is not a sampling-staff user in your jurisdiction");
        if (!await db.SiteStaff.AnyAsync(s => s.SiteId == siteId && s.UserId == staffId, ct))
        {
            db.SiteStaff.Add(new SiteStaff { SiteId = siteId, UserId = staffId });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Assigned by someone else a moment ago: the outcome is the same.
                db.ChangeTracker.Clear();
            }
        }
        return Outcome<IReadOnlyList<SiteStaffDto>>.Ok(await StaffAsync(db, siteId, ct));
    }

    public async Task<Outcome<IReadOnlyList<SiteStaffDto>>> UnassignAsync(int siteId, string userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await VisibleSites(db).AnyAsync(s => s.Id == siteId, ct)) return Outcome<IReadOnlyList<SiteStaffDto>>.NotFound();
        var row = await db.SiteStaff.FirstOrDefaultAsync(s => s.SiteId == siteId && s.UserId == userId, ct);
        if (row is null) return Outcome<IReadOnlyList<SiteStaffDto>>.NotFound();
        db.SiteStaff.Remove(row);
        await db.SaveChangesAsync(ct);
        return Outcome<IReadOnlyList<SiteStaffDto>>.Ok(await StaffAsync(db, siteId, ct));
    }

    private IQueryable<CordonUser> SamplingStaff(CordonDbContext db) =>
        from u in db.Users.WhereStartsWith(u => u.JurisdictionPrefix, user.JurisdictionPrefix)
        where db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.SamplingStaff))
        select u;

    internal IQueryable<SamplingSite> VisibleSites(CordonDbContext db) =>
        db.SamplingSites.AsNoTracking().WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix);

    /// <summary>Booked places per site and slot start (UTC ticks) from <paramref name="fromUtc"/> to the start of <paramref name="untilDay"/>.</summary>
    private async Task<Dictionary<(int SiteId, long Ticks), int>> BookedAsync(
        CordonDbContext db, List<int> siteIds, DateTime fromUtc, DateOnly untilDay, CancellationToken ct)
    {
        if (siteIds.Count == 0) return [];
        var until = time.ToUtc(untilDay.ToDateTime(TimeOnly.MinValue));
        // The slot under way started before now: look back by the longest slot length.
        var from = fromUtc.AddMinutes(-240);
        var rows = await db.SiteSlots.AsNoTracking()
            .Where(s => siteIds.Contains(s.SiteId) && s.StartsAt >= from && s.StartsAt < until && s.Booked > 0)
            .Select(s => new { s.SiteId, s.StartsAt, s.Booked }).ToListAsync(ct);
        return rows.ToDictionary(r => (r.SiteId, r.StartsAt.Ticks), r => r.Booked);
    }

    private List<SlotDto> SlotsOf(SamplingSite site, DateOnly day, Dictionary<(int, long), int> booked, DateTime now)
    {
        if (!OpeningHours.TryParse(site.OpeningHours, out var hours, out _)) return [];
        var lastDay = time.Today.AddDays(DaysAhead);
        return SiteCalendar.Slots(hours, site.SlotMinutes, day, time.Zone).Select(slot =>
        {
            var taken = booked.GetValueOrDefault((site.Id, slot.StartsAt.Ticks));
            var free = Math.Max(0, site.CapacityPerSlot - taken);
            var bookable = site.Status == SiteStatus.Open && slot.EndsAt > now && day <= lastDay;
            return new SlotDto(slot.StartsAt, slot.EndsAt, day, slot.Local, site.CapacityPerSlot, taken, free, bookable);
        }).ToList();
    }

    private IEnumerable<SlotDto> NextFree(SamplingSite site, Dictionary<(int, long), int> booked, DateTime now)
    {
        var today = time.Today;
        for (var day = today; day <= today.AddDays(DaysAhead); day = day.AddDays(1))
        {
            foreach (var slot in SlotsOf(site, day, booked, now))
            {
                if (slot.Bookable && slot.Free > 0) yield return slot;
            }
        }
    }

    /// <summary>The live queue of each site, in two queries however many sites there are.</summary>
    internal async Task<Dictionary<int, SiteQueueDto>> QueuesAsync(CordonDbContext db, IReadOnlyList<SamplingSite> sites, CancellationToken ct)
    {
        var now = time.UtcNow;
        var since = now.AddMinutes(-QueueEstimate.WindowMinutes);
        var ids = sites.Select(s => s.Id).ToList();
        if (ids.Count == 0) return [];
        // A person sampled since then is in a tube that is still open or was collected since (collection follows sampling).
        var sampled = await (
                from t in db.Tubes
                where ids.Contains(t.SiteId) && (t.Status == TubeStatus.Open || t.CollectedAt >= since)
                join m in db.TubeMembers on t.Id equals m.TubeId
                where m.SampledAt >= since
                group m by t.SiteId into g
                select new { SiteId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.SiteId, x => x.Count, ct);

        var windows = sites.ToDictionary(s => s.Id, s => OpeningHours.TryParse(s.OpeningHours, out var hours, out _)
            ? QueueEstimate.Window(hours, s.SlotMinutes, now, time.Zone)
            : (null, null));
        var starts = new List<DateTime>();
        foreach (var (current, next) in windows.Values)
        {
            if (current is { } c) starts.Add(c.StartsAt);
            if (next is { } n) starts.Add(n.StartsAt);
        }
        var waiting = new Dictionary<(int, long), int>();
        if (starts.Count > 0)
        {
            var (from, to) = (starts.Min(), starts.Max());
            var rows = await db.Appointments.AsNoTracking()
                .Where(a => ids.Contains(a.SiteId) && a.Status == AppointmentStatus.Booked && a.SlotStartsAt >= from && a.SlotStartsAt <= to)
                .GroupBy(a => new { a.SiteId, a.SlotStartsAt })
                .Select(g => new { g.Key.SiteId, g.Key.SlotStartsAt, Count = g.Count() }).ToListAsync(ct);
            foreach (var r in rows) waiting[(r.SiteId, r.SlotStartsAt.Ticks)] = r.Count;
        }

        return sites.ToDictionary(s => s.Id, s =>
        {
            var (current, next) = windows[s.Id];
            var count = sampled.GetValueOrDefault(s.Id);
            var rate = QueueEstimate.RatePerMinute(count);
            var queue = (current is { } c ? waiting.GetValueOrDefault((s.Id, c.StartsAt.Ticks)) : 0)
                        + (next is { } n ? waiting.GetValueOrDefault((s.Id, n.StartsAt.Ticks)) : 0);
            var wait = QueueEstimate.WaitMinutes(queue, rate);
            return new SiteQueueDto(s.Id, count, rate, queue, wait, QueueEstimate.Crowd(wait), current?.StartsAt, next?.StartsAt, now);
        });
    }

    internal static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

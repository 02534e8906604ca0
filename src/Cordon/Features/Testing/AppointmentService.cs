using System.Globalization;
using Cordon.Features.Audit;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cordon.Features.Testing;

public sealed record BookingInput(int? SiteId, DateTime? SlotStartsAt);

/// <summary>An appointment as its resident sees it.</summary>
public sealed record MyAppointmentDto(
    long Id, int SiteId, string SiteName, string SiteAddress, DateTime SlotStartsAt, DateTime SlotEndsAt, DateOnly Day,
    TimeOnly LocalTime, AppointmentStatus Status, DateTime CreatedAt, DateTime? CancelledAt, bool CanChange);

/// <summary>An appointment as the site's staff see it: the person's name masked.</summary>
public sealed record SiteAppointmentDto(long Id, DateTime SlotStartsAt, TimeOnly LocalTime, AppointmentStatus Status, string Name, string AreaCode, DateTime CreatedAt);

/// <summary>
/// Residents' appointments (预约): book a slot without ever exceeding its capacity, one active appointment per person per
/// day, cancel, reschedule (cancel and book in one transaction); and a site's appointments of a day for its staff.
/// </summary>
/// <remarks>
/// Capacity holds under any concurrency because a place is taken by one conditional statement,
/// <c>UPDATE "SiteSlots" SET "Booked" = "Booked" + 1 WHERE … AND "Booked" &lt; capacity</c>, which the database runs
/// for one writer at a time per row; only when it changed a row is the appointment inserted, in the same transaction.
/// </remarks>
public sealed class AppointmentService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time, IOptions<TestingOptions> options, BookingGate gate)
{
    public const string SlotFull = "The slot is full: every place is booked. Choose another slot.";
    public const string SameDay = "you already have an appointment on that day";
    public const string NotASlot = "is not a slot in the site's opening hours";
    public const string InThePast = "is in the past";
    public const string UnknownSite = "is not a known sampling site";
    public const string ClosedSite = "is closed";
    public const string MobileSite = "is a door-to-door team: your community arranges its visits";
    public const string NotLinked = "Your account is not linked to a resident of the registry.";

    private int DaysAhead => options.Value.BookingDaysAhead;

    /// <summary>The signed-in resident's appointments, the coming ones first, then the last 30 days.</summary>
    public async Task<Outcome<IReadOnlyList<MyAppointmentDto>>> MineAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return Outcome<IReadOnlyList<MyAppointmentDto>>.Conflict(NotLinked);
        await using var db = await factory.CreateDbContextAsync(ct);
        var since = time.Today.AddDays(-30);
        var rows = await (from a in db.Appointments.AsNoTracking()
                          join s in db.SamplingSites on a.SiteId equals s.Id
                          where a.ResidentId == residentId && a.Day >= since
                          orderby a.SlotStartsAt descending, a.Id descending
                          select new { a, s.Name, s.Address, s.SlotMinutes })
                         .Take(100).ToListAsync(ct);
        var now = time.UtcNow;
        var list = rows.Select(r => ToMine(r.a, r.Name, r.Address, r.SlotMinutes, now))
            .OrderBy(a => a.SlotEndsAt <= now).ThenBy(a => a.SlotEndsAt <= now ? -a.SlotStartsAt.Ticks : a.SlotStartsAt.Ticks).ToList();
        return Outcome<IReadOnlyList<MyAppointmentDto>>.Ok(list);
    }

    public async Task<Outcome<MyAppointmentDto>> GetMineAsync(long id, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return Outcome<MyAppointmentDto>.Conflict(NotLinked);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await DescribeAsync(db, id, residentId, ct) is { } found ? Outcome<MyAppointmentDto>.Ok(found) : Outcome<MyAppointmentDto>.NotFound();
    }

    /// <summary>Books a slot for the signed-in resident.</summary>
    public async Task<Outcome<MyAppointmentDto>> BookAsync(BookingInput input, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return Outcome<MyAppointmentDto>.Conflict(NotLinked);
        await using var db = await factory.CreateDbContextAsync(ct);
        using var turn = await gate.EnterAsync(db, ct);
        var (site, slot, invalid) = await CheckAsync(db, input, ct);
        if (invalid is not null) return invalid;
        if (await db.Appointments.AnyAsync(a => a.ResidentId == residentId && a.Day == slot.Day && a.Status == AppointmentStatus.Booked, ct))
            return Outcome<MyAppointmentDto>.Invalid("slotStartsAt", SameDay);

        var booked = await TakePlaceAsync(db, site!, slot, residentId, replacing: null, ct);
        if (!booked.IsOk) return Relay(booked);
        return Outcome<MyAppointmentDto>.Ok((await DescribeAsync(db, booked.Value, residentId, ct))!);
    }

    /// <summary>Moves an appointment to another slot (of the same or another site): the old place is given back only if the new one is taken.</summary>
    public async Task<Outcome<MyAppointmentDto>> RescheduleAsync(long id, BookingInput input, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return Outcome<MyAppointmentDto>.Conflict(NotLinked);
        await using var db = await factory.CreateDbContextAsync(ct);
        using var turn = await gate.EnterAsync(db, ct);
        if (await FindMineAsync(db, id, residentId, ct) is not ({ } old, var oldSlotMinutes)) return Outcome<MyAppointmentDto>.NotFound();
        if (Unchangeable(old, oldSlotMinutes) is { } refused) return refused;
        var (site, slot, invalid) = await CheckAsync(db, input, ct);
        if (invalid is not null) return invalid;
        if (site!.Id == old.SiteId && slot.StartsAt == Utc(old.SlotStartsAt)) return Outcome<MyAppointmentDto>.Invalid("slotStartsAt", "is the slot you already have");
        if (await db.Appointments.AnyAsync(a => a.ResidentId == residentId && a.Day == slot.Day && a.Status == AppointmentStatus.Booked && a.Id != id, ct))
            return Outcome<MyAppointmentDto>.Invalid("slotStartsAt", SameDay);

        var booked = await TakePlaceAsync(db, site, slot, residentId, replacing: old, ct);
        if (!booked.IsOk) return Relay(booked);
        return Outcome<MyAppointmentDto>.Ok((await DescribeAsync(db, booked.Value, residentId, ct))!);
    }

    /// <summary>Cancels a booked appointment whose slot has not ended; its place becomes free again.</summary>
    public async Task<Outcome<MyAppointmentDto>> CancelAsync(long id, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return Outcome<MyAppointmentDto>.Conflict(NotLinked);
        await using var db = await factory.CreateDbContextAsync(ct);
        using var turn = await gate.EnterAsync(db, ct);
        if (await FindMineAsync(db, id, residentId, ct) is not ({ } appointment, var slotMinutes)) return Outcome<MyAppointmentDto>.NotFound();
        if (Unchangeable(appointment, slotMinutes) is { } refused) return refused;

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (!await GiveBackAsync(db, appointment, ct))
                return Outcome<MyAppointmentDto>.Conflict("The appointment was changed a moment ago; reload it.");
            await transaction.CommitAsync(ct);
        }
        return Outcome<MyAppointmentDto>.Ok((await DescribeAsync(db, id, residentId, ct))!);
    }

    /// <summary>A site's appointments on a local day (all states), for staff of the site's jurisdiction; names masked.</summary>
    public async Task<Outcome<IReadOnlyList<SiteAppointmentDto>>> ForSiteAsync(int siteId, DateOnly? day, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.SamplingSites.Where(s => s.Id == siteId).WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix).AnyAsync(ct))
            return Outcome<IReadOnlyList<SiteAppointmentDto>>.NotFound();
        var date = day ?? time.Today;
        if (Math.Abs(date.DayNumber - time.Today.DayNumber) > 366) return Outcome<IReadOnlyList<SiteAppointmentDto>>.Invalid("day", "must be within a year of today");
        // A site takes at most a few thousand people a day; the cap guards the page, not a real list.
        var rows = await (from a in db.Appointments.AsNoTracking()
                          join r in db.Residents on a.ResidentId equals r.Id
                          where a.SiteId == siteId && a.Day == date
                          orderby a.SlotStartsAt, a.Id
                          select new { a.Id, a.SlotStartsAt, a.Status, r.Name, r.AreaCode, a.CreatedAt })
                         .Take(10_000).ToListAsync(ct);
        return Outcome<IReadOnlyList<SiteAppointmentDto>>.Ok(rows.Select(r => new SiteAppointmentDto(
            r.Id, Utc(r.SlotStartsAt), TimeOnly.FromDateTime(time.ToLocal(r.SlotStartsAt)), r.Status, Mask.Name(r.Name), r.AreaCode, Utc(r.CreatedAt))).ToList());
    }

    /// <summary>The site and slot a booking names, or why it cannot be booked (nothing read is written).</summary>
    private async Task<(SamplingSite? Site, SlotTime Slot, Outcome<MyAppointmentDto>? Invalid)> CheckAsync(CordonDbContext db, BookingInput input, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (input.SiteId is null) errors.Add("siteId", "is required");
        if (input.SlotStartsAt is null) errors.Add("slotStartsAt", "is required");
        if (errors.Any) return (null, default, Outcome<MyAppointmentDto>.Invalid(errors));

        var site = await db.SamplingSites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == input.SiteId, ct);
        if (site is null) return (null, default, Outcome<MyAppointmentDto>.Invalid("siteId", UnknownSite));
        if (site.Status != SiteStatus.Open) return (null, default, Outcome<MyAppointmentDto>.Invalid("siteId", ClosedSite));
        if (site.Kind == SiteKind.Mobile) return (null, default, Outcome<MyAppointmentDto>.Invalid("siteId", MobileSite));
        if (!OpeningHours.TryParse(site.OpeningHours, out var hours, out _)) return (null, default, Outcome<MyAppointmentDto>.Invalid("slotStartsAt", NotASlot));

        var startsAt = ToUtc(input.SlotStartsAt!.Value);
        var now = time.UtcNow;
        var today = time.Today;
        if (SiteCalendar.Find(hours, site.SlotMinutes, startsAt, time.Zone) is not { } slot)
            return (null, default, Outcome<MyAppointmentDto>.Invalid("slotStartsAt", NotASlot));
        if (slot.EndsAt <= now || slot.Day < today) return (null, default, Outcome<MyAppointmentDto>.Invalid("slotStartsAt", InThePast));
        if (slot.Day > today.AddDays(DaysAhead))
            return (null, default, Outcome<MyAppointmentDto>.Invalid("slotStartsAt", $"is more than {DaysAhead} days ahead"));
        return (site, slot, null);
    }

    /// <summary>
    /// In one transaction: give back the replaced appointment's place (when rescheduling), make sure the slot's counter
    /// row exists, take a place only while one is free, and insert the appointment. Any refusal rolls everything back.
    /// </summary>
    private async Task<Outcome<long>> TakePlaceAsync(
        CordonDbContext db, SamplingSite site, SlotTime slot, long residentId, Appointment? replacing, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (replacing is not null && !await GiveBackAsync(db, replacing, ct))
            return Outcome<long>.Conflict("The appointment was changed a moment ago; reload it.");

        var (siteId, startsAt, capacity) = (site.Id, slot.StartsAt, site.CapacityPerSlot);
        // The same statement on SQLite (3.24+) and PostgreSQL.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "SiteSlots" ("SiteId", "StartsAt", "Booked") VALUES ({siteId}, {startsAt}, 0) ON CONFLICT DO NOTHING""", ct);
        var taken = await db.SiteSlots
            .Where(s => s.SiteId == siteId && s.StartsAt == startsAt && s.Booked < capacity)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Booked + 1), ct);
        if (taken == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return Outcome<long>.Conflict(SlotFull);
        }

        var appointment = new Appointment
        {
            ResidentId = residentId,
            SiteId = siteId,
            SlotStartsAt = startsAt,
            Day = slot.Day,
            CreatedAt = time.UtcNow,
        };
        db.Appointments.Add(appointment);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            // Another booking of the same person for that day won the race (IX_Appointments_ResidentId_Day).
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return Outcome<long>.Invalid("slotStartsAt", SameDay);
        }
        await transaction.CommitAsync(ct);
        return Outcome<long>.Ok(appointment.Id);
    }

    /// <summary>Cancels a booked appointment and frees its place, inside the caller's transaction; false when it is no longer booked.</summary>
    private async Task<bool> GiveBackAsync(CordonDbContext db, Appointment appointment, CancellationToken ct)
    {
        var now = time.UtcNow;
        var id = appointment.Id;
        var cancelled = await db.Appointments.Where(a => a.Id == id && a.Status == AppointmentStatus.Booked)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AppointmentStatus.Cancelled).SetProperty(a => a.CancelledAt, now), ct);
        if (cancelled == 0) return false;
        var (siteId, startsAt) = (appointment.SiteId, Utc(appointment.SlotStartsAt));
        await db.SiteSlots.Where(s => s.SiteId == siteId && s.StartsAt == startsAt && s.Booked > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Booked - 1), ct);
        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            UserId = user.Id,
            UserName = user.UserName,
            Action = AuditAction.Update,
            Entity = nameof(Appointment),
            EntityKey = id.ToString(CultureInfo.InvariantCulture),
            Details = "Status,CancelledAt",
        });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Why an appointment can no longer be cancelled or moved, or null when it can.</summary>
    private Outcome<MyAppointmentDto>? Unchangeable(Appointment appointment, int slotMinutes) => appointment.Status switch
    {
        AppointmentStatus.Booked when Utc(appointment.SlotStartsAt).AddMinutes(slotMinutes) <= time.UtcNow =>
            Outcome<MyAppointmentDto>.Conflict("The appointment is in the past."),
        AppointmentStatus.Booked => null,
        AppointmentStatus.Cancelled => Outcome<MyAppointmentDto>.Conflict("The appointment is already cancelled."),
        AppointmentStatus.Sampled => Outcome<MyAppointmentDto>.Conflict("You have been sampled for this appointment; it cannot be changed."),
        _ => throw new ArgumentOutOfRangeException(nameof(appointment)),
    };

    private static async Task<(Appointment Appointment, int SlotMinutes)?> FindMineAsync(
        CordonDbContext db, long id, long residentId, CancellationToken ct)
    {
        var row = await (from a in db.Appointments.AsNoTracking()
                         join s in db.SamplingSites on a.SiteId equals s.Id
                         where a.Id == id && a.ResidentId == residentId
                         select new { a, s.SlotMinutes }).FirstOrDefaultAsync(ct);
        return row is null ? null : (row.a, row.SlotMinutes);
    }

    private async Task<MyAppointmentDto?> DescribeAsync(CordonDbContext db, long id, long residentId, CancellationToken ct)
    {
        var row = await (from a in db.Appointments.AsNoTracking()
                         join s in db.SamplingSites on a.SiteId equals s.Id
                         where a.Id == id && a.ResidentId == residentId
                         select new { a, s.Name, s.Address, s.SlotMinutes }).FirstOrDefaultAsync(ct);
        return row is null ? null : ToMine(row.a, row.Name, row.Address, row.SlotMinutes, time.UtcNow);
    }

    private MyAppointmentDto ToMine(Appointment a, string siteName, string address, int slotMinutes, DateTime now)
    {
        var startsAt = Utc(a.SlotStartsAt);
        var endsAt = startsAt.AddMinutes(slotMinutes);
        return new MyAppointmentDto(a.Id, a.SiteId, siteName, address, startsAt, endsAt, a.Day, TimeOnly.FromDateTime(time.ToLocal(startsAt)),
            a.Status, Utc(a.CreatedAt), a.CancelledAt is { } c ? Utc(c) : null, a.Status == AppointmentStatus.Booked && endsAt > now);
    }

    private static Outcome<MyAppointmentDto> Relay(Outcome<long> outcome) => outcome.Kind switch
    {
        OutcomeKind.Invalid => Outcome<MyAppointmentDto>.Invalid(outcome.Errors!),
        OutcomeKind.Conflict => Outcome<MyAppointmentDto>.Conflict(outcome.Message!),
        OutcomeKind.NotFound => Outcome<MyAppointmentDto>.NotFound(),
        OutcomeKind.Ok => throw new ArgumentException("Only a refusal is relayed.", nameof(outcome)),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    private static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067, // SQLITE_CONSTRAINT_UNIQUE
        _ => false,
    };

    /// <summary>An instant from a client: UTC as given, a local offset converted, and a time without offset read as city time.</summary>
    private DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => time.ToUtc(value),
    };

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

/// <summary>
/// Takes turns for bookings, cancellations and reschedulings on this host, asynchronously: a waiting request holds no
/// thread and no connection. On SQLite one at a time: the file has one writer anyway, and a writer that finds it locked
/// waits in Microsoft.Data.Sqlite's sleep-and-retry loop, holding a thread, until the 30 s command timeout. On PostgreSQL
/// a few dozen at a time: the row lock of a slot orders its bookings anyway, and the bound keeps a rush from taking every
/// connection of the pool (and of the server) from the rest of the application. The gate is about threads and
/// connections in a rush, not about capacity: 200 parallel bookings for 10 places give exactly 10 with the gate wide
/// open too (measured on SQLite), because a place is only ever taken by the conditional update.
/// </summary>
public sealed class BookingGate
{
    public const int PostgresConcurrency = 16;

    private readonly SemaphoreSlim _sqlite = new(1, 1);
    private readonly SemaphoreSlim _postgres = new(PostgresConcurrency, PostgresConcurrency);

    public async Task<IDisposable> EnterAsync(CordonDbContext db, CancellationToken ct)
    {
        var semaphore = db.IsPostgres ? _postgres : _sqlite;
        await semaphore.WaitAsync(ct);
        return new Turn(semaphore);
    }

    private sealed class Turn(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}

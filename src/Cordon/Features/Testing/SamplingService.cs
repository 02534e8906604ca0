using System.Text.RegularExpressions;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

public sealed record SamplerSite(int Id, string Name, string AreaCode, string Address, SiteKind Kind);

/// <summary>A person in a tube as the sampler sees them: the masked name only.</summary>
public sealed record TubeMemberDto(string Name, string AreaCode, DateTime SampledAt);

/// <summary>A tube with its quality-control trail: the time of every stage.</summary>
public sealed record TubeDto(
    long Id, string Barcode, int PoolSize, int SiteId, string SiteName, TubeStatus Status, TubeResult Result, double? CtValue,
    int Count, string? BoxCode, bool IsRetest, DateTime OpenedAt, DateTime? CollectedAt, DateTime? BoxedAt, DateTime? DispatchedAt,
    DateTime? ReceivedAt, DateTime? TestedAt, DateTime? ReleasedAt, string? VoidReason, IReadOnlyList<TubeMemberDto> Members);

/// <summary>A tube in a list (no members).</summary>
public sealed record TubeSummary(long Id, string Barcode, int PoolSize, TubeStatus Status, int Count, DateTime OpenedAt, DateTime? CollectedAt);

public sealed record OpenTubeInput(string? Barcode, int? PoolSize, int? SiteId);

public sealed record AddPersonInput(string? Code);

public sealed record VoidTubeInput(string? Reason);

/// <summary>
/// Tube barcodes and box codes: 4–40 letters, digits or '-', compared in upper case (what a scanner and a person
/// typing it both produce).
/// </summary>
public static partial class TubeCode
{
    public const string Rule = "must be 4 to 40 letters, digits or '-'";

    [GeneratedRegex("^[A-Z0-9-]{4,40}$")]
    private static partial Regex Pattern();

    public static string Normalize(string? text) => (text ?? "").Trim().ToUpperInvariant();

    public static bool IsWellFormed(string code) => Pattern().IsMatch(code);
}

/// <summary>
/// Sampling at a site (采样): open a tube by its barcode, add people by their scanned personal codes until the pool is
/// full (the tube then closes itself), close early, or void a tube with a reason. A sampler works at the sites they are
/// assigned to; an admin at any site of their jurisdiction.
/// </summary>
public sealed class SamplingService(
    IDbContextFactory<CordonDbContext> factory, SamplingCodeService codes, CurrentUser user, CityTime time, ScreeningEvents events)
{
    /// <summary>The sites where the user may sample.</summary>
    public async Task<IReadOnlyList<SamplerSite>> MySitesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var sites = db.SamplingSites.AsNoTracking();
        sites = user.IsInRole(Roles.Admin)
            ? sites.WhereStartsWith(s => s.AreaCode, user.JurisdictionPrefix)
            : sites.Where(s => db.SiteStaff.Any(a => a.SiteId == s.Id && a.UserId == user.Id));
        return await sites.OrderBy(s => s.Name).ThenBy(s => s.Id).Take(500)
            .Select(s => new SamplerSite(s.Id, s.Name, s.AreaCode, s.Address, s.Kind)).ToListAsync(ct);
    }

    public async Task<Outcome<TubeDto>> OpenTubeAsync(OpenTubeInput input, CancellationToken ct = default)
    {
        var barcode = TubeCode.Normalize(input.Barcode);
        var errors = new FieldErrors();
        if (barcode.Length == 0) errors.Add("barcode", "is required");
        else if (!TubeCode.IsWellFormed(barcode)) errors.Add("barcode", TubeCode.Rule);
        if (input.PoolSize is not { } poolSize) errors.Add("poolSize", "is required");
        else if (!PoolRules.PoolSizes.Contains(poolSize)) errors.Add("poolSize", $"must be one of {string.Join(", ", PoolRules.PoolSizes)}");
        if (input.SiteId is null) errors.Add("siteId", "is required");
        if (errors.Any) return Outcome<TubeDto>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await MaySampleAtAsync(db, input.SiteId!.Value, ct)) return Outcome<TubeDto>.Invalid("siteId", "is not a site where you sample");
        if (await db.Tubes.AnyAsync(t => t.Barcode == barcode, ct)) return Outcome<TubeDto>.Invalid("barcode", "is already used by another tube");
        var tube = new Tube { Barcode = barcode, PoolSize = input.PoolSize!.Value, SiteId = input.SiteId.Value, OpenedBy = user.UserName, OpenedAt = time.UtcNow };
        db.Tubes.Add(tube);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another sampler opened a tube with the same barcode a moment ago; the unique index said no.
            return Outcome<TubeDto>.Invalid("barcode", "is already used by another tube");
        }
        return Outcome<TubeDto>.Ok((await DescribeAsync(db, tube.Id, ct))!);
    }

    /// <summary>One tube by barcode, if it was sampled at a site inside the user's jurisdiction (or one they work at).</summary>
    public async Task<TubeDto?> GetTubeAsync(string barcode, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(barcode);
        var tube = await db.Tubes.AsNoTracking().Where(t => t.Barcode == code).Select(t => new { t.Id, t.SiteId }).FirstOrDefaultAsync(ct);
        if (tube is null || !await MaySeeSiteAsync(db, tube.SiteId, ct)) return null;
        return await DescribeAsync(db, tube.Id, ct);
    }

    /// <summary>The tubes of a site in one state, newest first (e.g. the closed ones waiting for a box).</summary>
    public async Task<Outcome<IReadOnlyList<TubeSummary>>> SiteTubesAsync(int siteId, TubeStatus status, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await MaySampleAtAsync(db, siteId, ct)) return Outcome<IReadOnlyList<TubeSummary>>.NotFound();
        var tubes = await db.Tubes.AsNoTracking().Where(t => t.SiteId == siteId && t.Status == status)
            .OrderByDescending(t => t.Id).Take(200)
            .Select(t => new TubeSummary(t.Id, t.Barcode, t.PoolSize, t.Status, db.TubeMembers.Count(m => m.TubeId == t.Id), t.OpenedAt, t.CollectedAt))
            .ToListAsync(ct);
        return Outcome<IReadOnlyList<TubeSummary>>.Ok(tubes);
    }

    /// <summary>
    /// Adds the person a scanned code names to an open tube. A person is in one open tube at a time (the filtered unique
    /// index backs this under concurrency); the same person twice in one tube is refused; the tube closes itself when full.
    /// Their booked appointment of today at this site becomes Sampled; in a single tube, their open retest order is linked.
    /// </summary>
    public async Task<Outcome<TubeDto>> AddPersonAsync(string barcode, AddPersonInput input, CancellationToken ct = default)
    {
        var scanned = input.Code?.Trim();
        if (string.IsNullOrEmpty(scanned)) return Outcome<TubeDto>.Invalid("code", "is required");
        if (scanned.Length > 100) return Outcome<TubeDto>.Invalid("code", "must be at most 100 characters");

        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(barcode);
        var tube = await db.Tubes.FirstOrDefaultAsync(t => t.Barcode == code, ct);
        if (tube is null || !await MaySampleAtAsync(db, tube.SiteId, ct)) return Outcome<TubeDto>.NotFound();
        if (tube.Status != TubeStatus.Open) return Outcome<TubeDto>.Conflict($"Tube {tube.Barcode} is {tube.Status.ToString().ToLowerInvariant()}: it takes no more people.");

        if (await codes.ResolveAsync(scanned, ct) is not { } residentId) return Outcome<TubeDto>.Invalid("code", "is not a personal sampling code or ID number of a registered resident");
        var resident = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => new { r.Id, r.AreaCode }).FirstOrDefaultAsync(ct);
        if (resident is null) return Outcome<TubeDto>.Invalid("code", "is not a personal sampling code or ID number of a registered resident");

        var now = time.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Take the tube's row for this transaction (a row lock on PostgreSQL, the write lock on SQLite) so that two
        // samplers adding to one tube at once cannot overfill it; it also re-checks that the tube is still open.
        var stillOpen = await db.Tubes.Where(t => t.Id == tube.Id && t.Status == TubeStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.OpenedAt, t => t.OpenedAt), ct);
        if (stillOpen == 0) return Outcome<TubeDto>.Conflict($"Tube {tube.Barcode} was closed a moment ago: it takes no more people.");
        var count = await db.TubeMembers.CountAsync(m => m.TubeId == tube.Id, ct);
        if (count >= tube.PoolSize) return Outcome<TubeDto>.Conflict($"Tube {tube.Barcode} is full ({count}/{tube.PoolSize}).");
        if (await db.TubeMembers.AnyAsync(m => m.TubeId == tube.Id && m.ResidentId == residentId, ct))
            return Outcome<TubeDto>.Invalid("code", "names a person who is already in this tube");
        var otherTube = await db.TubeMembers.Where(m => m.ResidentId == residentId && m.InOpenTube)
            .Join(db.Tubes, m => m.TubeId, t => t.Id, (m, t) => t.Barcode).FirstOrDefaultAsync(ct);
        if (otherTube is not null) return Outcome<TubeDto>.Invalid("code", $"names a person who is already in the open tube {otherTube}");

        var member = new TubeMember { TubeId = tube.Id, ResidentId = residentId, AreaCode = resident.AreaCode, SampledAt = now, SampledBy = user.UserName };
        var today = time.Today;
        var appointment = await db.Appointments.FirstOrDefaultAsync(
            a => a.ResidentId == residentId && a.SiteId == tube.SiteId && a.Day == today && a.Status == AppointmentStatus.Booked, ct);
        if (appointment is not null)
        {
            appointment.Status = AppointmentStatus.Sampled;
            member.AppointmentId = appointment.Id;
        }
        if (tube.PoolSize == 1)
        {
            // A single tube of someone with an open retest order is that retest (单管复核), wherever it is taken.
            var orders = await db.RetestOrders.Where(o => o.ResidentId == residentId && o.Status == RetestStatus.Open).ToListAsync(ct);
            foreach (var order in orders)
            {
                order.RetestTubeId = tube.Id;
                order.Status = RetestStatus.Sampled;
            }
            if (orders.Count > 0) tube.RetestOfTubeId = orders.MaxBy(o => o.CreatedAt)!.PoolTubeId;
        }
        var full = count + 1 == tube.PoolSize;
        if (full)
        {
            member.InOpenTube = false;
            Close(tube, now);
        }
        db.TubeMembers.Add(member);
        try
        {
            await db.SaveChangesAsync(ct);
            if (full) await ReleaseMembersAsync(db, tube.Id, ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The person was put into another open tube at the same moment (IX_TubeMembers_ResidentId_Open).
            return Outcome<TubeDto>.Invalid("code", "names a person who is already in an open tube");
        }
        // Sampled: a round's or key group's obligation is met (the health status loses its popup).
        events.RaiseObligationsChanged(new ObligationsChanged(residentId, null, now));
        return Outcome<TubeDto>.Ok((await DescribeAsync(db, tube.Id, ct))!);
    }

    /// <summary>Closes a tube before it is full (the last people of the day, a single tube that was opened as a pool).</summary>
    public async Task<Outcome<TubeDto>> CloseTubeAsync(string barcode, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(barcode);
        var tube = await db.Tubes.FirstOrDefaultAsync(t => t.Barcode == code, ct);
        if (tube is null || !await MaySampleAtAsync(db, tube.SiteId, ct)) return Outcome<TubeDto>.NotFound();
        if (tube.Status != TubeStatus.Open) return Outcome<TubeDto>.Conflict($"Tube {tube.Barcode} is already {tube.Status.ToString().ToLowerInvariant()}.");
        if (!await db.TubeMembers.AnyAsync(m => m.TubeId == tube.Id, ct))
            return Outcome<TubeDto>.Conflict($"Tube {tube.Barcode} holds nobody: void it instead of closing it.");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Close(tube, time.UtcNow);
        await db.SaveChangesAsync(ct);
        await ReleaseMembersAsync(db, tube.Id, ct);
        await transaction.CommitAsync(ct);
        return Outcome<TubeDto>.Ok((await DescribeAsync(db, tube.Id, ct))!);
    }

    /// <summary>
    /// Voids a tube (wrong barcode, spilled, lost) with a reason; the change is audited and the tube is kept. Its people
    /// are free to be sampled again, and a retest it carried goes back to open. A tube with a result cannot be voided.
    /// </summary>
    public async Task<Outcome<TubeDto>> VoidTubeAsync(string barcode, VoidTubeInput input, CancellationToken ct = default)
    {
        var reason = input.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length < 2) return Outcome<TubeDto>.Invalid("reason", "is required: say why the tube is voided");
        if (reason.Length > 200) return Outcome<TubeDto>.Invalid("reason", "must be at most 200 characters");
        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(barcode);
        var tube = await db.Tubes.FirstOrDefaultAsync(t => t.Barcode == code, ct);
        if (tube is null || !await MaySampleAtAsync(db, tube.SiteId, ct)) return Outcome<TubeDto>.NotFound();
        if (tube.Status is TubeStatus.Resulted or TubeStatus.Voided)
            return Outcome<TubeDto>.Conflict($"Tube {tube.Barcode} is {tube.Status.ToString().ToLowerInvariant()}: it cannot be voided.");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        tube.Status = TubeStatus.Voided;
        tube.VoidReason = reason;
        foreach (var order in await db.RetestOrders.Where(o => o.RetestTubeId == tube.Id && o.Status == RetestStatus.Sampled).ToListAsync(ct))
        {
            order.RetestTubeId = null;
            order.Status = RetestStatus.Open;
        }
        await db.SaveChangesAsync(ct);
        await ReleaseMembersAsync(db, tube.Id, ct);
        await transaction.CommitAsync(ct);
        return Outcome<TubeDto>.Ok((await DescribeAsync(db, tube.Id, ct))!);
    }

    private static void Close(Tube tube, DateTime now)
    {
        tube.Status = TubeStatus.Closed;
        tube.CollectedAt = now;
    }

    /// <summary>The people of a tube that is no longer open may go into another tube.</summary>
    private static Task<int> ReleaseMembersAsync(CordonDbContext db, long tubeId, CancellationToken ct) =>
        db.TubeMembers.Where(m => m.TubeId == tubeId && m.InOpenTube).ExecuteUpdateAsync(s => s.SetProperty(m => m.InOpenTube, false), ct);

    internal async Task<bool> MaySampleAtAsync(CordonDbContext db, int siteId, CancellationToken ct)
    {
        if (user.IsInRole(Roles.Admin))
        {
            var area = await db.SamplingSites.Where(s => s.Id == siteId).Select(s => s.AreaCode).FirstOrDefaultAsync(ct);
            return area is not null && user.CanSee(area);
        }
        return user.IsInRole(Roles.SamplingStaff) && await db.SiteStaff.AnyAsync(s => s.SiteId == siteId && s.UserId == user.Id, ct);
    }

    /// <summary>Staff see a site's tubes inside their jurisdiction; a sampler also at the sites they work at.</summary>
    internal async Task<bool> MaySeeSiteAsync(CordonDbContext db, int siteId, CancellationToken ct)
    {
        var area = await db.SamplingSites.Where(s => s.Id == siteId).Select(s => s.AreaCode).FirstOrDefaultAsync(ct);
        if (area is null) return false;
        return user.CanSee(area) || await db.SiteStaff.AnyAsync(s => s.SiteId == siteId && s.UserId == user.Id, ct);
    }

    internal static async Task<TubeDto?> DescribeAsync(CordonDbContext db, long tubeId, CancellationToken ct)
    {
        var t = await db.Tubes.AsNoTracking().Where(t => t.Id == tubeId).Select(t => new
        {
            Tube = t,
            Site = db.SamplingSites.Where(s => s.Id == t.SiteId).Select(s => s.Name).FirstOrDefault(),
            Box = db.TransportBoxes.Where(b => b.Id == t.BoxId).Select(b => b.Code).FirstOrDefault(),
        }).FirstOrDefaultAsync(ct);
        if (t is null) return null;
        var members = await db.TubeMembers.AsNoTracking().Where(m => m.TubeId == tubeId).OrderBy(m => m.Id)
            .Join(db.Residents, m => m.ResidentId, r => r.Id, (m, r) => new { r.Name, m.AreaCode, m.SampledAt })
            .ToListAsync(ct);
        var tube = t.Tube;
        return new TubeDto(
            tube.Id, tube.Barcode, tube.PoolSize, tube.SiteId, t.Site ?? "", tube.Status, tube.Result, tube.CtValue, members.Count, t.Box,
            tube.RetestOfTubeId is not null, tube.OpenedAt, tube.CollectedAt, tube.BoxedAt, tube.DispatchedAt, tube.ReceivedAt,
            tube.TestedAt, tube.ReleasedAt, tube.VoidReason,
            members.Select(m => new TubeMemberDto(Mask.Name(m.Name), m.AreaCode, m.SampledAt)).ToList());
    }
}

using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

public sealed record BoxDto(
    long Id, string Code, int SiteId, string SiteName, int? LabId, string? LabName, BoxStatus Status, int Tubes,
    DateTime CreatedAt, DateTime? DispatchedAt, string? DispatchedBy, string? Courier, DateTime? ReceivedAt, string? ReceivedBy,
    IReadOnlyList<string> Barcodes);

public sealed record LabDto(int Id, string Name, string AreaCode, string Address);

public sealed record CreateBoxInput(string? Code, int? SiteId);

public sealed record BoxTubeInput(string? Barcode);

public sealed record DispatchInput(int? LabId, string? Courier);

/// <summary>
/// Transport boxes (转运箱) and the hand-over from a site to a lab: closed tubes go into a box; the box is dispatched to a
/// lab with a courier (the hand-over record); the lab receives it by scanning its code. Every tube in the box takes the
/// box's dispatch and receipt times, so each tube carries its own quality-control trail.
/// </summary>
public sealed class BoxService(IDbContextFactory<CordonDbContext> factory, SamplingService sampling, CurrentUser user, CityTime time)
{
    /// <summary>Every lab in the city: a site may send its boxes to any of them (labs are institutions, not personal data).</summary>
    public async Task<IReadOnlyList<LabDto>> LabsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Labs.AsNoTracking().OrderBy(l => l.Id).Select(l => new LabDto(l.Id, l.Name, l.AreaCode, l.Address)).ToListAsync(ct);
    }

    public async Task<Outcome<BoxDto>> CreateAsync(CreateBoxInput input, CancellationToken ct = default)
    {
        var code = TubeCode.Normalize(input.Code);
        var errors = new FieldErrors();
        if (code.Length == 0) errors.Add("code", "is required");
        else if (!TubeCode.IsWellFormed(code)) errors.Add("code", TubeCode.Rule);
        if (input.SiteId is null) errors.Add("siteId", "is required");
        if (errors.Any) return Outcome<BoxDto>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await sampling.MaySampleAtAsync(db, input.SiteId!.Value, ct)) return Outcome<BoxDto>.Invalid("siteId", "is not a site where you sample");
        if (await db.TransportBoxes.AnyAsync(b => b.Code == code, ct)) return Outcome<BoxDto>.Invalid("code", "is already used by another box");
        var box = new TransportBox { Code = code, SiteId = input.SiteId.Value, CreatedAt = time.UtcNow };
        db.TransportBoxes.Add(box);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Outcome<BoxDto>.Invalid("code", "is already used by another box");
        }
        return Outcome<BoxDto>.Ok((await DescribeAsync(db, box.Id, ct))!);
    }

    /// <summary>A box by code, for staff who work at its site, see its site, or work for its lab.</summary>
    public async Task<BoxDto?> GetAsync(string code, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var normalized = TubeCode.Normalize(code);
        var box = await db.TransportBoxes.AsNoTracking().FirstOrDefaultAsync(b => b.Code == normalized, ct);
        if (box is null) return null;
        var labArea = box.LabId is { } labId ? await db.Labs.Where(l => l.Id == labId).Select(l => l.AreaCode).FirstOrDefaultAsync(ct) : null;
        if (!(labArea is not null && user.CanSee(labArea)) && !await sampling.MaySeeSiteAsync(db, box.SiteId, ct)) return null;
        return await DescribeAsync(db, box.Id, ct);
    }

    /// <summary>The boxes of a site in one state, newest first.</summary>
    public async Task<Outcome<IReadOnlyList<BoxDto>>> SiteBoxesAsync(int siteId, BoxStatus status, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await sampling.MaySampleAtAsync(db, siteId, ct)) return Outcome<IReadOnlyList<BoxDto>>.NotFound();
        var ids = await db.TransportBoxes.Where(b => b.SiteId == siteId && b.Status == status).OrderByDescending(b => b.Id).Take(50).Select(b => b.Id).ToListAsync(ct);
        var boxes = new List<BoxDto>();
        foreach (var id in ids) boxes.Add((await DescribeAsync(db, id, ct))!);
        return Outcome<IReadOnlyList<BoxDto>>.Ok(boxes);
    }

    /// <summary>Puts a closed tube of the box's site into an open box.</summary>
    public async Task<Outcome<BoxDto>> AddTubeAsync(string boxCode, BoxTubeInput input, CancellationToken ct = default)
    {
        var barcode = TubeCode.Normalize(input.Barcode);
        if (barcode.Length == 0) return Outcome<BoxDto>.Invalid("barcode", "is required");
        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(boxCode);
        var box = await db.TransportBoxes.AsNoTracking().FirstOrDefaultAsync(b => b.Code == code, ct);
        if (box is null || !await sampling.MaySampleAtAsync(db, box.SiteId, ct)) return Outcome<BoxDto>.NotFound();
        if (box.Status != BoxStatus.Open) return Outcome<BoxDto>.Conflict($"Box {box.Code} was dispatched: it takes no more tubes.");
        var tube = await db.Tubes.AsNoTracking().Where(t => t.Barcode == barcode).Select(t => new { t.Id, t.SiteId, t.Status, t.BoxId }).FirstOrDefaultAsync(ct);
        if (tube is null) return Outcome<BoxDto>.Invalid("barcode", "is not a known tube");
        if (tube.SiteId != box.SiteId) return Outcome<BoxDto>.Invalid("barcode", "is a tube of another site");
        if (tube.BoxId == box.Id) return Outcome<BoxDto>.Invalid("barcode", "is already in this box");
        if (tube.Status != TubeStatus.Closed)
        {
            return Outcome<BoxDto>.Invalid("barcode", tube.Status == TubeStatus.Open
                ? "is a tube that is still open: close it first"
                : $"is a tube that is {tube.Status.ToString().ToLowerInvariant()}, not waiting for a box");
        }
        var now = time.UtcNow;
        // The status condition makes a tube go into one box only, even when two people box it at once.
        var boxed = await db.Tubes.Where(t => t.Id == tube.Id && t.Status == TubeStatus.Closed).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.BoxId, box.Id).SetProperty(t => t.Status, TubeStatus.Boxed).SetProperty(t => t.BoxedAt, now), ct);
        if (boxed == 0) return Outcome<BoxDto>.Conflict($"Tube {barcode} was boxed or voided a moment ago.");
        return Outcome<BoxDto>.Ok((await DescribeAsync(db, box.Id, ct))!);
    }

    /// <summary>Hands a box over to a courier for a lab (转运交接): the box and all its tubes are dispatched now.</summary>
    public async Task<Outcome<BoxDto>> DispatchAsync(string boxCode, DispatchInput input, CancellationToken ct = default)
    {
        var courier = input.Courier?.Trim();
        var errors = new FieldErrors();
        if (input.LabId is null) errors.Add("labId", "is required");
        errors.Require("courier", courier, 100);
        if (errors.Any) return Outcome<BoxDto>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(boxCode);
        var box = await db.TransportBoxes.FirstOrDefaultAsync(b => b.Code == code, ct);
        if (box is null || !await sampling.MaySampleAtAsync(db, box.SiteId, ct)) return Outcome<BoxDto>.NotFound();
        if (!await db.Labs.AnyAsync(l => l.Id == input.LabId, ct)) return Outcome<BoxDto>.Invalid("labId", "is not a known lab");
        if (box.Status != BoxStatus.Open) return Outcome<BoxDto>.Conflict($"Box {box.Code} was already dispatched.");
        if (!await db.Tubes.AnyAsync(t => t.BoxId == box.Id && t.Status == TubeStatus.Boxed, ct))
            return Outcome<BoxDto>.Conflict($"Box {box.Code} is empty: put tubes in it first.");

        var now = time.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        box.Status = BoxStatus.Dispatched;
        box.LabId = input.LabId;
        box.Courier = courier;
        box.DispatchedAt = now;
        box.DispatchedBy = user.UserName;
        await db.SaveChangesAsync(ct);
        await db.Tubes.Where(t => t.BoxId == box.Id && t.Status == TubeStatus.Boxed)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TubeStatus.Dispatched).SetProperty(t => t.DispatchedAt, now), ct);
        await transaction.CommitAsync(ct);
        return Outcome<BoxDto>.Ok((await DescribeAsync(db, box.Id, ct))!);
    }

    /// <summary>The lab receives a dispatched box by scanning its code: the box and its tubes are received now.</summary>
    public async Task<Outcome<BoxDto>> ReceiveAsync(string boxCode, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(boxCode);
        if (code.Length == 0) return Outcome<BoxDto>.Invalid("code", "is required");
        var box = await db.TransportBoxes.FirstOrDefaultAsync(b => b.Code == code, ct);
        if (box is null) return Outcome<BoxDto>.Invalid("code", "is not a known box");
        if (box.Status == BoxStatus.Open) return Outcome<BoxDto>.Invalid("code", "is a box that has not been dispatched");
        var labArea = await db.Labs.Where(l => l.Id == box.LabId).Select(l => l.AreaCode).FirstOrDefaultAsync(ct);
        if (labArea is null || !user.CanSee(labArea)) return Outcome<BoxDto>.Invalid("code", "is a box sent to a lab outside your jurisdiction");
        if (box.Status == BoxStatus.Received) return Outcome<BoxDto>.Conflict($"Box {box.Code} was already received at {box.ReceivedAt:yyyy-MM-dd HH:mm} UTC.");

        var now = time.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        box.Status = BoxStatus.Received;
        box.ReceivedAt = now;
        box.ReceivedBy = user.UserName;
        await db.SaveChangesAsync(ct);
        await db.Tubes.Where(t => t.BoxId == box.Id && t.Status == TubeStatus.Dispatched)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TubeStatus.Received).SetProperty(t => t.ReceivedAt, now), ct);
        await transaction.CommitAsync(ct);
        return Outcome<BoxDto>.Ok((await DescribeAsync(db, box.Id, ct))!);
    }

    private static async Task<BoxDto?> DescribeAsync(CordonDbContext db, long boxId, CancellationToken ct)
    {
        var b = await db.TransportBoxes.AsNoTracking().Where(b => b.Id == boxId).Select(b => new
        {
            Box = b,
            Site = db.SamplingSites.Where(s => s.Id == b.SiteId).Select(s => s.Name).FirstOrDefault(),
            Lab = db.Labs.Where(l => l.Id == b.LabId).Select(l => l.Name).FirstOrDefault(),
        }).FirstOrDefaultAsync(ct);
        if (b is null) return null;
        var barcodes = await db.Tubes.AsNoTracking().Where(t => t.BoxId == boxId).OrderBy(t => t.BoxedAt).ThenBy(t => t.Id).Select(t => t.Barcode).ToListAsync(ct);
        var box = b.Box;
        return new BoxDto(box.Id, box.Code, box.SiteId, b.Site ?? "", box.LabId, b.Lab, box.Status, barcodes.Count, box.CreatedAt,
            box.DispatchedAt, box.DispatchedBy, box.Courier, box.ReceivedAt, box.ReceivedBy, barcodes);
    }
}

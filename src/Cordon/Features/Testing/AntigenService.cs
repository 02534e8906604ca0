using System.Globalization;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>A self-test report: the result, when the test was taken, and optionally a photo of the cassette as a data URL (JPEG or PNG, at most 290 KB).</summary>
public sealed record AntigenInput(AntigenResult? Result, DateTimeOffset? TakenAt, string? Photo = null);

/// <summary>A resident's own report as they see it.</summary>
public sealed record MyAntigenReport(long Id, AntigenResult Result, DateTime TakenAt, DateTime ReportedAt, bool HasPhoto);

/// <summary>
/// A report as staff see it, personal data masked. <c>SampledSince</c>: the person has been sampled for a nucleic-acid
/// test since taking it — for a positive report, the action that answers it.
/// </summary>
public sealed record AntigenReportDto(
    long Id, long ResidentId, string Name, string Phone, string AreaCode, KeyGroup KeyGroup, AntigenResult Result,
    DateTime TakenAt, DateTime ReportedAt, bool HasPhoto, bool SampledSince);

/// <summary>Antigen self-tests (抗原自测) of key-group members: reporting, the staff list and the positives to act on.</summary>
public sealed class AntigenService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, TimeProvider clock, ScreeningEvents events)
{
    public const int MaxPageSize = 100;

    /// <summary>The signed-in resident's key group (None when they are not in one), or null when the account has no resident.</summary>
    public async Task<KeyGroup?> MyKeyGroupAsync(CancellationToken ct = default)
    {
        if (user.ResidentId is not { } id) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Residents.Where(r => r.Id == id).Select(r => (KeyGroup?)r.KeyGroup).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Records a self-test for the signed-in resident. Only members of a key group report; the test must have been taken
    /// in the last 72 hours and not in the future. Sending the same report again (same time taken) changes nothing.
    /// </summary>
    public async Task<Outcome<MyAntigenReport>> ReportAsync(AntigenInput input, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return Outcome<MyAntigenReport>.NotFound();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        var resident = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => new { r.AreaCode, r.KeyGroup }).FirstOrDefaultAsync(ct);
        if (resident is null) return Outcome<MyAntigenReport>.NotFound();

        var errors = new FieldErrors();
        if (resident.KeyGroup == KeyGroup.None)
            errors.Add("keyGroup", "antigen self-tests are reported by members of key groups; you are not registered in one");
        if (input.Result is not { } result || !Enum.IsDefined(result)) errors.Add("result", "must be Negative, Positive or Invalid");
        var takenAt = input.TakenAt?.UtcDateTime;
        if (takenAt is null) errors.Add("takenAt", "is required");
        else if (ScreeningRules.CheckTakenAt(takenAt.Value, now) is { } problem) errors.Add("takenAt", problem);
        var photo = string.IsNullOrEmpty(input.Photo) ? null : input.Photo;
        if (photo is not null && ScreeningRules.CheckPhoto(photo) is { } photoProblem) errors.Add("photo", photoProblem);
        if (errors.Any) return Outcome<MyAntigenReport>.Invalid(errors);

        var existing = await FindSameAsync(db, residentId, takenAt!.Value, ct);
        if (existing is not null) return Same(existing, input.Result!.Value);
        var report = new AntigenReport
        {
            ResidentId = residentId,
            AreaCode = resident.AreaCode,
            Result = input.Result!.Value,
            TakenAt = takenAt.Value,
            ReportedAt = now,
            Photo = photo,
        };
        db.AntigenReports.Add(report);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent retry of the same report won the unique index (ResidentId, TakenAt).
            await using var again = await factory.CreateDbContextAsync(ct);
            existing = await FindSameAsync(again, residentId, takenAt.Value, ct);
            if (existing is null) throw;
            return Same(existing, input.Result!.Value);
        }
        events.RaiseObligationsChanged(new ObligationsChanged(residentId, resident.KeyGroup, now));
        return Outcome<MyAntigenReport>.Ok(ToMine(report));
    }

    /// <summary>The signed-in resident's latest reports.</summary>
    public async Task<IReadOnlyList<MyAntigenReport>> MineAsync(int count = 20, CancellationToken ct = default)
    {
        if (user.ResidentId is not { } residentId) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.AntigenReports.AsNoTracking().Where(a => a.ResidentId == residentId).OrderByDescending(a => a.TakenAt).Take(count)
            .Select(a => new { a.Id, a.Result, a.TakenAt, a.ReportedAt, HasPhoto = a.Photo != null }).ToListAsync(ct);
        return rows.Select(a => new MyAntigenReport(a.Id, a.Result, ScreeningService.Utc(a.TakenAt), ScreeningService.Utc(a.ReportedAt), a.HasPhoto)).ToList();
    }

    /// <summary>
    /// Reports of residents inside the user's jurisdiction (and <paramref name="area"/>), newest first, keyset-paged by id;
    /// <paramref name="awaitingTest"/>: only those whose person has not been sampled since (for positives: still to act on).
    /// </summary>
    public async Task<Outcome<Page<AntigenReportDto>>> ListAsync(
        string? area, AntigenResult? result, bool awaitingTest, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<AntigenReportDto>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (area is not null && !AreaCode.IsWellFormed(area)) return Outcome<Page<AntigenReportDto>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        if (result is { } r && !Enum.IsDefined(r)) return Outcome<Page<AntigenReportDto>>.Invalid("result", "must be Negative, Positive or Invalid");
        long? beforeId = null;
        if (after is not null)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Outcome<Page<AntigenReportDto>>.Invalid("after", "is not a cursor from a previous page");
            beforeId = parsed;
        }
        if (area is not null && !user.CanSee(area)) return Outcome<Page<AntigenReportDto>>.NotFound();

        await using var db = await factory.CreateDbContextAsync(ct);
        var reports = db.AntigenReports.AsNoTracking().WhereStartsWith(a => a.AreaCode, area is null ? user.JurisdictionPrefix : AreaCode.PrefixOf(area));
        if (result is not null) reports = reports.Where(a => a.Result == result);
        if (beforeId is { } b) reports = reports.Where(a => a.Id < b);
        if (awaitingTest) reports = reports.Where(a => !db.TubeMembers.Any(m => m.ResidentId == a.ResidentId && m.SampledAt >= a.TakenAt));
        var rows = await reports.OrderByDescending(a => a.Id).Take(limit + 1)
            .Join(db.Residents, a => a.ResidentId, p => p.Id, (a, p) => new
            {
                a.Id,
                a.ResidentId,
                p.Name,
                p.Phone,
                a.AreaCode,
                p.KeyGroup,
                a.Result,
                a.TakenAt,
                a.ReportedAt,
                HasPhoto = a.Photo != null,
                SampledSince = db.TubeMembers.Any(m => m.ResidentId == a.ResidentId && m.SampledAt >= a.TakenAt),
            })
            .OrderByDescending(a => a.Id)
            .ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var items = rows.Select(a => new AntigenReportDto(
            a.Id, a.ResidentId, Mask.Name(a.Name), Mask.Phone(a.Phone), a.AreaCode, a.KeyGroup, a.Result,
            ScreeningService.Utc(a.TakenAt), ScreeningService.Utc(a.ReportedAt), a.HasPhoto, a.SampledSince)).ToList();
        return Outcome<Page<AntigenReportDto>>.Ok(new Page<AntigenReportDto>(items, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    /// <summary>The photo of a report inside the user's jurisdiction.</summary>
    public async Task<(byte[] Bytes, string ContentType)?> PhotoAsync(long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var photo = await db.AntigenReports.AsNoTracking().Where(a => a.Id == id).WhereStartsWith(a => a.AreaCode, user.JurisdictionPrefix)
            .Select(a => a.Photo).FirstOrDefaultAsync(ct);
        return ScreeningRules.DecodePhoto(photo);
    }

    private static async Task<AntigenReport?> FindSameAsync(CordonDbContext db, long residentId, DateTime takenAt, CancellationToken ct) =>
        await db.AntigenReports.AsNoTracking().FirstOrDefaultAsync(a => a.ResidentId == residentId && a.TakenAt == takenAt, ct);

    private static Outcome<MyAntigenReport> Same(AntigenReport existing, AntigenResult result) =>
        existing.Result == result
            ? Outcome<MyAntigenReport>.Ok(ToMine(existing))
            : Outcome<MyAntigenReport>.Conflict("A report with another result was already made for the same time; report each test once.");

    private static MyAntigenReport ToMine(AntigenReport a) =>
        new(a.Id, a.Result, ScreeningService.Utc(a.TakenAt), ScreeningService.Utc(a.ReportedAt), a.Photo is not null);
}

using System.Globalization;
using System.Security.Cryptography;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Registry;

public sealed record VenueDto(
    int Id, string Name, VenueCategory Category, string AreaCode, string Address, VenueStatus Status, string VenueCode,
    double? Latitude, double? Longitude);

public sealed record VenueInput(
    string? Name, VenueCategory Category, string? AreaCode, string? Address, VenueStatus Status = VenueStatus.Open,
    double? Latitude = null, double? Longitude = null);

public sealed class VenueService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, TimeProvider clock)
{
    public async Task<Outcome<Page<VenueDto>>> SearchAsync(
        string? query, string? areaCode, VenueCategory? category, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > 100) return Outcome<Page<VenueDto>>.Invalid("limit", "must be between 1 and 100");
        if (areaCode is not null && !AreaCode.IsWellFormed(areaCode)) return Outcome<Page<VenueDto>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        if (query is { Length: > 100 }) return Outcome<Page<VenueDto>>.Invalid("q", "must be at most 100 characters");
        var afterId = 0;
        if (after is not null && !int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
            return Outcome<Page<VenueDto>>.Invalid("after", "is not a cursor from a previous page");
        if (areaCode is not null && !user.CanSee(areaCode)) return Outcome<Page<VenueDto>>.Ok(new Page<VenueDto>([], null));

        await using var db = await factory.CreateDbContextAsync(ct);
        var venues = db.Venues.AsNoTracking().WhereStartsWith(v => v.AreaCode, user.JurisdictionPrefix);
        if (areaCode is not null) venues = venues.WhereStartsWith(v => v.AreaCode, AreaCode.PrefixOf(areaCode));
        if (!string.IsNullOrWhiteSpace(query)) venues = venues.WhereStartsWith(v => v.Name, query.Trim());
        if (category is { } c) venues = venues.Where(v => v.Category == c);
        var rows = await venues.Where(v => v.Id > afterId).OrderBy(v => v.Id).Take(limit + 1).Select(ToDto).ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return Outcome<Page<VenueDto>>.Ok(new Page<VenueDto>(rows, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public async Task<VenueDto?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Venues.AsNoTracking().Where(v => v.Id == id)
            .WhereStartsWith(v => v.AreaCode, user.JurisdictionPrefix).Select(ToDto).FirstOrDefaultAsync(ct);
    }

    public async Task<Outcome<VenueDto>> CreateAsync(VenueInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var errors = await ValidateAsync(db, input, null, ct);
        if (errors.Any) return Outcome<VenueDto>.Invalid(errors);
        var venue = NewVenue(input, clock.GetUtcNow().UtcDateTime);
        db.Venues.Add(venue);
        await db.SaveChangesAsync(ct);
        return Outcome<VenueDto>.Ok(ToDtoCompiled(venue));
    }

    public async Task<Outcome<VenueDto>> UpdateAsync(int id, VenueInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var venue = await db.Venues.Where(v => v.Id == id).WhereStartsWith(v => v.AreaCode, user.JurisdictionPrefix).FirstOrDefaultAsync(ct);
        if (venue is null) return Outcome<VenueDto>.NotFound();
        var errors = await ValidateAsync(db, input, id, ct);
        if (errors.Any) return Outcome<VenueDto>.Invalid(errors);
        Apply(venue, input);
        venue.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return Outcome<VenueDto>.Ok(ToDtoCompiled(venue));
    }

    internal static Venue NewVenue(VenueInput input, DateTime now)
    {
        var venue = new Venue { Name = "", AreaCode = "", Address = "", VenueCode = NewVenueCode(), CreatedAt = now, UpdatedAt = now };
        Apply(venue, input);
        return venue;
    }

    private static void Apply(Venue venue, VenueInput input)
    {
        venue.Name = input.Name!.Trim();
        venue.Category = input.Category;
        venue.AreaCode = input.AreaCode!.Trim();
        venue.Address = input.Address!.Trim();
        venue.Status = input.Status;
        venue.Latitude = input.Latitude;
        venue.Longitude = input.Longitude;
    }

    /// <summary>10 characters from an alphabet without look-alikes (no 0/O, 1/I): about 50 bits, not guessable.</summary>
    public static string NewVenueCode() => "V" + RandomNumberGenerator.GetString("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", 10);

    internal async Task<FieldErrors> ValidateAsync(CordonDbContext db, VenueInput input, int? existingId, CancellationToken ct)
    {
        var errors = ValidateShape(input);
        if (errors.Any) return errors;
        var areaCode = input.AreaCode!.Trim();
        if (!user.CanSee(areaCode) || !await db.Areas.AnyAsync(a => a.Code == areaCode, ct))
            errors.Add("areaCode", "is not a known area in your jurisdiction");
        var name = input.Name!.Trim();
        if (await db.Venues.AnyAsync(v => v.AreaCode == areaCode && v.Name == name && v.Id != existingId, ct))
            errors.Add("name", "is already used by another venue in this area");
        return errors;
    }

    public static FieldErrors ValidateShape(VenueInput input)
    {
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 100);
        errors.Require("address", input.Address, 200);
        if (string.IsNullOrWhiteSpace(input.AreaCode)) errors.Add("areaCode", "is required");
        else if (!AreaCode.IsWellFormed(input.AreaCode.Trim())) errors.Add("areaCode", "must be a 6, 9, 12 or 15-digit area code");
        if (!Enum.IsDefined(input.Category)) errors.Add("category", "is not a known venue category");
        if (!Enum.IsDefined(input.Status)) errors.Add("status", "must be Open or Suspended");
        if (input.Latitude is < -90 or > 90) errors.Add("latitude", "must be between -90 and 90");
        if (input.Longitude is < -180 or > 180) errors.Add("longitude", "must be between -180 and 180");
        return errors;
    }

    private static readonly System.Linq.Expressions.Expression<Func<Venue, VenueDto>> ToDto =
        v => new VenueDto(v.Id, v.Name, v.Category, v.AreaCode, v.Address, v.Status, v.VenueCode, v.Latitude, v.Longitude);

    private static readonly Func<Venue, VenueDto> ToDtoCompiled = ToDto.Compile();
}

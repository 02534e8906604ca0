using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Registry;

public sealed record AreaDto(string Code, string Name, AreaLevel Level, string? ParentCode, double? Latitude, double? Longitude, bool HasBoundary);

public sealed record AreaInput(string? Code, string? Name, string? ParentCode, double? Latitude, double? Longitude, string? BoundaryGeoJson);

public sealed class AreaService(IDbContextFactory<CordonDbContext> factory, CurrentUser user)
{
    /// <summary>The areas directly below <paramref name="parentCode"/>, or the user's own jurisdiction area when null.</summary>
    public async Task<Outcome<IReadOnlyList<AreaDto>>> ChildrenAsync(string? parentCode, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (parentCode is null)
        {
            var own = await db.Areas.Where(a => a.Code == user.JurisdictionCode).Select(ToDto).ToListAsync(ct);
            return Outcome<IReadOnlyList<AreaDto>>.Ok(own);
        }
        if (!AreaCode.IsWellFormed(parentCode)) return Outcome<IReadOnlyList<AreaDto>>.Invalid("parentCode", "is not a 6, 9, 12 or 15-digit area code");
        if (!user.CanSee(parentCode)) return Outcome<IReadOnlyList<AreaDto>>.NotFound();
        var children = await db.Areas.Where(a => a.ParentCode == parentCode).OrderBy(a => a.Code).Select(ToDto).ToListAsync(ct);
        return Outcome<IReadOnlyList<AreaDto>>.Ok(children);
    }

    public async Task<AreaDto?> GetAsync(string code, CancellationToken ct = default)
    {
        if (!AreaCode.IsWellFormed(code) || !user.CanSee(code)) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Areas.Where(a => a.Code == code).Select(ToDto).FirstOrDefaultAsync(ct);
    }

    /// <summary>The area and its ancestors, outermost first, for breadcrumbs ("示范区 › 东城街道 › 和平社区").</summary>
    public async Task<IReadOnlyList<AreaDto>> PathAsync(string code, CancellationToken ct = default)
    {
        if (!AreaCode.IsWellFormed(code)) return [];
        var codes = new List<string> { code };
        for (var length = code.Length - 3; length >= 6; length -= 3) codes.Add(code[..length]);
        codes.Add(code[..4] + "00");
        await using var db = await factory.CreateDbContextAsync(ct);
        var areas = await db.Areas.Where(a => codes.Contains(a.Code)).Select(ToDto).ToListAsync(ct);
        return areas.OrderBy(a => a.Level).ToList();
    }

    public async Task<string?> BoundaryAsync(string code, CancellationToken ct = default)
    {
        if (!AreaCode.IsWellFormed(code) || !user.CanSee(code)) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Areas.Where(a => a.Code == code).Select(a => a.BoundaryGeoJson).FirstOrDefaultAsync(ct);
    }

    public async Task<Outcome<AreaDto>> CreateAsync(AreaInput input, CancellationToken ct = default)
    {
        var errors = Validate(input);
        if (string.IsNullOrWhiteSpace(input.ParentCode)) errors.Add("parentCode", "is required");
        if (errors.Any) return Outcome<AreaDto>.Invalid(errors);
        var (code, parentCode) = (input.Code!, input.ParentCode!);
        if (!AreaCode.IsWellFormed(parentCode)) return Outcome<AreaDto>.Invalid("parentCode", "is not a 6, 9, 12 or 15-digit area code");
        if (!user.CanSee(parentCode)) return Outcome<AreaDto>.Invalid("parentCode", "is not an area in your jurisdiction");
        if (!AreaCode.IsValidChild(parentCode, code))
            return Outcome<AreaDto>.Invalid("code", $"must be one level below {parentCode} and start with its code");

        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Areas.AnyAsync(a => a.Code == parentCode, ct)) return Outcome<AreaDto>.Invalid("parentCode", "is not a known area");
        if (await db.Areas.AnyAsync(a => a.Code == code, ct)) return Outcome<AreaDto>.Conflict($"Area {code} already exists.");
        var area = new Area
        {
            Code = code,
            Name = input.Name!.Trim(),
            Level = AreaCode.LevelOf(code),
            ParentCode = parentCode,
            Prefix = AreaCode.PrefixOf(code),
            Latitude = input.Latitude,
            Longitude = input.Longitude,
            BoundaryGeoJson = input.BoundaryGeoJson,
        };
        db.Areas.Add(area);
        await db.SaveChangesAsync(ct);
        return Outcome<AreaDto>.Ok(ToDtoCompiled(area));
    }

    public async Task<Outcome<AreaDto>> UpdateAsync(string code, AreaInput input, CancellationToken ct = default)
    {
        if (!AreaCode.IsWellFormed(code) || !user.CanSee(code)) return Outcome<AreaDto>.NotFound();
        var errors = Validate(input with { Code = code });
        if (errors.Any) return Outcome<AreaDto>.Invalid(errors);
        await using var db = await factory.CreateDbContextAsync(ct);
        var area = await db.Areas.FirstOrDefaultAsync(a => a.Code == code, ct);
        if (area is null) return Outcome<AreaDto>.NotFound();
        area.Name = input.Name!.Trim();
        area.Latitude = input.Latitude;
        area.Longitude = input.Longitude;
        area.BoundaryGeoJson = input.BoundaryGeoJson;
        await db.SaveChangesAsync(ct);
        return Outcome<AreaDto>.Ok(ToDtoCompiled(area));
    }

    private static FieldErrors Validate(AreaInput input)
    {
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 100);
        if (!AreaCode.IsWellFormed(input.Code)) errors.Add("code", "must be a 6, 9, 12 or 15-digit area code");
        if (input.Latitude is < -90 or > 90) errors.Add("latitude", "must be between -90 and 90");
        if (input.Longitude is < -180 or > 180) errors.Add("longitude", "must be between -180 and 180");
        if (input.BoundaryGeoJson is { } geo)
        {
            if (geo.Length > 200_000) errors.Add("boundaryGeoJson", "must be at most 200000 characters");
            else if (!IsJsonObject(geo)) errors.Add("boundaryGeoJson", "must be a GeoJSON object");
        }
        return errors;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out _);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static readonly System.Linq.Expressions.Expression<Func<Area, AreaDto>> ToDto =
        a => new AreaDto(a.Code, a.Name, a.Level, a.ParentCode, a.Latitude, a.Longitude, a.BoundaryGeoJson != null);

    private static readonly Func<Area, AreaDto> ToDtoCompiled = ToDto.Compile();
}

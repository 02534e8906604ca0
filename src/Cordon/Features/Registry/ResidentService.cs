using System.Globalization;
using Cordon.Features.Audit;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Registry;

/// <summary>A resident as lists show them: personal fields masked.</summary>
public sealed record ResidentSummary(long Id, string Name, string IdNumber, string Phone, Sex Sex, int BirthYear, string AreaCode, KeyGroup KeyGroup);

public sealed record ResidentDetail(
    long Id, string Name, string IdNumber, string Phone, Sex Sex, int BirthYear, string AreaCode,
    string? Household, string? Unit, string? Room, KeyGroup KeyGroup, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The unmasked personal data of one resident; every time it is returned, an audit entry says who saw it and why.</summary>
public sealed record ResidentPersonalData(long Id, string Name, string IdNumber, string Phone, DateOnly BirthDate, string? Room);

public sealed record ResidentInput(
    string? Name, string? IdNumber, string? Phone, string? AreaCode,
    string? Household, string? Unit, string? Room, KeyGroup KeyGroup = KeyGroup.None);

public sealed record UnmaskRequest(string? Reason);

public sealed class ResidentService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, PersonalDataProtector protector, TimeProvider clock, RegistryEvents events)
{
    public const int MaxPageSize = 100;

    /// <summary>
    /// Residents inside the user's jurisdiction (and <paramref name="areaCode"/> when given) matching <paramref name="query"/>:
    /// an 18-character ID number matches exactly, digits match a phone prefix, anything else a name prefix.
    /// Keyset-paged in the database; never more than one page is read.
    /// </summary>
    public async Task<Outcome<Page<ResidentSummary>>> SearchAsync(string? query, string? areaCode, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<ResidentSummary>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (areaCode is not null && !AreaCode.IsWellFormed(areaCode)) return Outcome<Page<ResidentSummary>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        if (query is { Length: > 50 }) return Outcome<Page<ResidentSummary>>.Invalid("q", "must be at most 50 characters");
        if (areaCode is not null && !user.CanSee(areaCode)) return Outcome<Page<ResidentSummary>>.Ok(new Page<ResidentSummary>([], null));

        await using var db = await factory.CreateDbContextAsync(ct);
        var residents = db.Residents.AsNoTracking().WhereStartsWith(r => r.AreaCode, user.JurisdictionPrefix);
        if (areaCode is not null) residents = residents.WhereStartsWith(r => r.AreaCode, AreaCode.PrefixOf(areaCode));

        var q = query?.Trim();
        List<Resident> rows;
        if (string.IsNullOrEmpty(q) || ResidentIdNumber.IsValid(q) || q.All(char.IsAsciiDigit))
        {
            if (!string.IsNullOrEmpty(q))
            {
                if (ResidentIdNumber.IsValid(q))
                {
                    var hash = protector.Hash(ResidentIdNumber.Normalize(q));
                    residents = residents.Where(r => r.IdNumberHash == hash);
                }
                else
                {
                    residents = residents.WhereStartsWith(r => r.Phone, q);
                }
            }
            if (after is not null)
            {
                if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var afterId))
                    return Outcome<Page<ResidentSummary>>.Invalid("after", "is not a cursor from a previous page");
                residents = residents.Where(r => r.Id > afterId);
            }
            rows = await residents.OrderBy(r => r.Id).Take(limit + 1).ToListAsync(ct);
            return Outcome<Page<ResidentSummary>>.Ok(ToPage(rows, limit));
        }

        residents = residents.WhereStartsWith(r => r.Name, q);
        if (after is not null)
        {
            // The cursor is the id of the last row only: a name in a URL would leak unmasked personal data.
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var afterId))
                return Outcome<Page<ResidentSummary>>.Invalid("after", "is not a cursor from a previous page");
            // Looked up inside the jurisdiction: a cursor naming someone outside it must not reveal where their name sorts.
            var afterName = await db.Residents.WhereStartsWith(r => r.AreaCode, user.JurisdictionPrefix)
                .Where(r => r.Id == afterId).Select(r => r.Name).FirstOrDefaultAsync(ct);
            if (afterName is null) return Outcome<Page<ResidentSummary>>.Invalid("after", "is not a cursor from a previous page");
            // (Name, Id) > (afterName, afterId), with "Name >= afterName" on its own so that it bounds the index range.
            // The bare OR let PostgreSQL plan a BitmapOr that read and sorted every row of the prefix (35 ms at 1 M residents).
            residents = residents.Where(r => string.Compare(r.Name, afterName) >= 0 && (string.Compare(r.Name, afterName) > 0 || r.Id > afterId));
        }
        rows = await residents.OrderBy(r => r.Name).ThenBy(r => r.Id).Take(limit + 1).ToListAsync(ct);
        return Outcome<Page<ResidentSummary>>.Ok(ToPage(rows, limit));
    }

    private Page<ResidentSummary> ToPage(List<Resident> rows, int limit)
    {
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new Page<ResidentSummary>(rows.Select(ToSummary).ToList(), hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
    }

    public async Task<ResidentDetail?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var r = await FindVisibleAsync(db, id, ct);
        return r is null ? null : new ResidentDetail(
            r.Id, Mask.Name(r.Name), Mask.IdNumber(protector.Decrypt(r.IdNumberCipher)), Mask.Phone(r.Phone), r.Sex, r.BirthDate.Year,
            r.AreaCode, r.Household, r.Unit, Mask.Room(r.Room), r.KeyGroup, r.CreatedAt, r.UpdatedAt);
    }

    /// <summary>Shows the personal data in full to a role that needs it, inside its jurisdiction, and records who, whom, when and why.</summary>
    public async Task<Outcome<ResidentPersonalData>> UnmaskAsync(long id, string? reason, CancellationToken ct = default)
    {
        if (!user.CanUnmaskPersonalData) return Outcome<ResidentPersonalData>.NotFound();
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 2) return Outcome<ResidentPersonalData>.Invalid("reason", "is required: say why you need the full data");
        if (reason.Length > 200) return Outcome<ResidentPersonalData>.Invalid("reason", "must be at most 200 characters");
        await using var db = await factory.CreateDbContextAsync(ct);
        var r = await FindVisibleAsync(db, id, ct);
        if (r is null) return Outcome<ResidentPersonalData>.NotFound();
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            UserId = user.Id,
            UserName = user.UserName,
            Action = AuditAction.ReadPersonalData,
            Entity = nameof(Resident),
            EntityKey = r.Id.ToString(CultureInfo.InvariantCulture),
            Details = $"name,idNumber,phone,birthDate,room; reason: {reason.Trim()}",
        });
        await db.SaveChangesAsync(ct);
        return Outcome<ResidentPersonalData>.Ok(new ResidentPersonalData(r.Id, r.Name, protector.Decrypt(r.IdNumberCipher), r.Phone, r.BirthDate, r.Room));
    }

    public async Task<Outcome<ResidentDetail>> CreateAsync(ResidentInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var errors = await ValidateAsync(db, input, existingId: null, ct);
        if (errors.Any) return Outcome<ResidentDetail>.Invalid(errors);
        var resident = NewResident(input, clock.GetUtcNow().UtcDateTime);
        db.Residents.Add(resident);
        await db.SaveChangesAsync(ct);
        events.RaiseResidentsAdded(new ResidentsAdded([resident.Id], 1));
        return Outcome<ResidentDetail>.Ok((await GetAsync(resident.Id, ct))!);
    }

    public async Task<Outcome<ResidentDetail>> UpdateAsync(long id, ResidentInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var resident = await FindVisibleAsync(db, id, ct, tracking: true);
        if (resident is null) return Outcome<ResidentDetail>.NotFound();
        var errors = await ValidateAsync(db, input, existingId: id, ct);
        if (errors.Any) return Outcome<ResidentDetail>.Invalid(errors);
        Apply(resident, input);
        resident.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return Outcome<ResidentDetail>.Ok((await GetAsync(id, ct))!);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var resident = await FindVisibleAsync(db, id, ct, tracking: true);
        if (resident is null) return false;
        db.Residents.Remove(resident);
        await db.SaveChangesAsync(ct);
        return true;
    }

    internal Resident NewResident(ResidentInput input, DateTime now)
    {
        var resident = new Resident { Name = "", IdNumberHash = "", IdNumberCipher = "", Phone = "", AreaCode = "", CreatedAt = now, UpdatedAt = now };
        Apply(resident, input);
        return resident;
    }

    private void Apply(Resident resident, ResidentInput input)
    {
        var idNumber = ResidentIdNumber.Normalize(input.IdNumber!);
        resident.Name = input.Name!.Trim();
        if (resident.IdNumberHash != protector.Hash(idNumber))
        {
            resident.IdNumberHash = protector.Hash(idNumber);
            resident.IdNumberCipher = protector.Encrypt(idNumber);
        }
        resident.BirthDate = ResidentIdNumber.BirthDateOf(idNumber)!.Value;
        resident.Sex = ResidentIdNumber.SexOf(idNumber);
        resident.Phone = input.Phone!.Trim();
        resident.AreaCode = input.AreaCode!.Trim();
        resident.Household = Blank(input.Household);
        resident.Unit = Blank(input.Unit);
        resident.Room = Blank(input.Room);
        resident.KeyGroup = input.KeyGroup;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Checks one input against the rules and the database (area exists and is visible, ID number not taken).</summary>
    internal async Task<FieldErrors> ValidateAsync(CordonDbContext db, ResidentInput input, long? existingId, CancellationToken ct)
    {
        var errors = ValidateShape(input);
        if (errors.Any) return errors;
        var areaCode = input.AreaCode!.Trim();
        if (!user.CanSee(areaCode) || !await db.Areas.AnyAsync(a => a.Code == areaCode, ct))
            errors.Add("areaCode", "is not a known area in your jurisdiction");
        var hash = protector.Hash(ResidentIdNumber.Normalize(input.IdNumber!));
        if (await db.Residents.AnyAsync(r => r.IdNumberHash == hash && r.Id != existingId, ct))
            errors.Add("idNumber", "belongs to a resident who is already registered");
        return errors;
    }

    /// <summary>The rules that need no database: required fields, lengths, ID checksum, phone format.</summary>
    public static FieldErrors ValidateShape(ResidentInput input)
    {
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 50);
        if (ResidentIdNumber.Validate(input.IdNumber) is { } idProblem) errors.Add("idNumber", idProblem);
        if (string.IsNullOrWhiteSpace(input.Phone)) errors.Add("phone", "is required");
        else if (!PhoneNumber.IsValid(input.Phone.Trim())) errors.Add("phone", "must be an 11-digit mobile number (1xxxxxxxxxx) or a landline (0xx-xxxxxxxx)");
        if (string.IsNullOrWhiteSpace(input.AreaCode)) errors.Add("areaCode", "is required");
        else if (!AreaCode.IsWellFormed(input.AreaCode.Trim())) errors.Add("areaCode", "must be a 6, 9, 12 or 15-digit area code");
        errors.Optional("household", input.Household, 30);
        errors.Optional("unit", input.Unit, 10);
        errors.Optional("room", input.Room, 10);
        if (!Enum.IsDefined(input.KeyGroup)) errors.Add("keyGroup", "is not a known key group");
        return errors;
    }

    private async Task<Resident?> FindVisibleAsync(CordonDbContext db, long id, CancellationToken ct, bool tracking = false)
    {
        var query = tracking ? db.Residents : db.Residents.AsNoTracking();
        return await query.Where(r => r.Id == id).WhereStartsWith(r => r.AreaCode, user.JurisdictionPrefix).FirstOrDefaultAsync(ct);
    }

    private ResidentSummary ToSummary(Resident r) => new(
        r.Id, Mask.Name(r.Name), Mask.IdNumber(protector.Decrypt(r.IdNumberCipher)), Mask.Phone(r.Phone), r.Sex, r.BirthDate.Year, r.AreaCode, r.KeyGroup);
}

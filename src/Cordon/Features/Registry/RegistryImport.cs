using System.Globalization;
using Cordon.Infrastructure.Csv;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Registry;

public sealed record ImportRowError(int Row, string Field, string Message);

/// <summary>What an import did. Re-sending the same file reports every row as unchanged.</summary>
public sealed record ImportReport(int Rows, int Created, int Updated, int Unchanged, int Rejected, IReadOnlyList<ImportRowError> Errors);

/// <summary>
/// CSV import of residents and venues. Every row is validated first; a file with errors imports nothing
/// unless the caller asks for the valid rows only. Rows are matched to existing records by their natural key
/// (ID number for residents, area + name for venues), so a re-run updates instead of duplicating.
/// </summary>
public sealed class RegistryImport(
    IDbContextFactory<CordonDbContext> factory, ResidentService residents,
    CurrentUser user, PersonalDataProtector protector, TimeProvider clock, RegistryEvents events)
{
    public const int MaxRows = 100_000;
    public static readonly string[] ResidentColumns = ["name", "idNumber", "phone", "areaCode", "household", "unit", "room", "keyGroup"];
    public static readonly string[] VenueColumns = ["name", "category", "areaCode", "address", "status", "latitude", "longitude"];

    public async Task<Outcome<ImportReport>> ImportResidentsAsync(Stream csv, bool validOnly, CancellationToken ct = default)
    {
        var parsed = Parse(csv, ResidentColumns, 4);
        if (!parsed.IsOk) return Outcome<ImportReport>.Invalid(parsed.Errors!);
        var rows = parsed.Value!;
        var errors = new List<ImportRowError>();
        var inputs = new List<(int Row, ResidentInput Input, string Hash)>();
        var seen = new Dictionary<string, int>();

        foreach (var (number, fields) in rows)
        {
            var keyGroup = KeyGroup.None;
            if (!string.IsNullOrWhiteSpace(fields["keyGroup"]) && !Enum.TryParse(fields["keyGroup"], ignoreCase: true, out keyGroup))
            {
                errors.Add(new ImportRowError(number, "keyGroup", $"must be one of {string.Join(", ", Enum.GetNames<KeyGroup>())}"));
                continue;
            }
            var input = new ResidentInput(fields["name"], fields["idNumber"], fields["phone"], fields["areaCode"],
                fields["household"], fields["unit"], fields["room"], keyGroup);
            var shape = ResidentService.ValidateShape(input);
            if (shape.Any)
            {
                errors.AddRange(shape.ToDictionary().SelectMany(e => e.Value.Select(m => new ImportRowError(number, e.Key, m))));
                continue;
            }
            var hash = protector.Hash(ResidentIdNumber.Normalize(input.IdNumber!));
            if (seen.TryGetValue(hash, out var first))
            {
                errors.Add(new ImportRowError(number, "idNumber", $"repeats the ID number of row {first}"));
                continue;
            }
            seen[hash] = number;
            inputs.Add((number, input, hash));
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var knownAreas = await KnownAreasAsync(db, inputs.Select(i => i.Input.AreaCode!.Trim()), ct);
        foreach (var item in inputs.Where(i => !knownAreas.Contains(i.Input.AreaCode!.Trim())).ToList())
        {
            errors.Add(new ImportRowError(item.Row, "areaCode", "is not a known area in your jurisdiction"));
            inputs.Remove(item);
        }
        if (errors.Count > 0 && !validOnly) return Rejected(errors);

        var existing = new Dictionary<string, Resident>();
        foreach (var chunk in inputs.Select(i => i.Hash).Chunk(500))
        {
            foreach (var r in await db.Residents.Where(r => chunk.Contains(r.IdNumberHash)).ToListAsync(ct)) existing[r.IdNumberHash] = r;
        }
        // A resident registered outside this user's jurisdiction is not theirs to change; say so without revealing more.
        foreach (var item in inputs.Where(i => existing.TryGetValue(i.Hash, out var r) && !user.CanSee(r.AreaCode)).ToList())
        {
            errors.Add(new ImportRowError(item.Row, "idNumber", "belongs to a resident registered outside your jurisdiction"));
            inputs.Remove(item);
        }
        if (errors.Count > 0 && !validOnly) return Rejected(errors);

        var now = clock.GetUtcNow().UtcDateTime;
        int created = 0, updated = 0, unchanged = 0;
        var added = new List<Resident>();
        foreach (var (_, input, hash) in inputs)
        {
            if (!existing.TryGetValue(hash, out var resident))
            {
                added.Add(db.Residents.Add(residents.NewResident(input, now)).Entity);
                created++;
                continue;
            }
            var before = (resident.Name, resident.Phone, resident.AreaCode, resident.Household, resident.Unit, resident.Room, resident.KeyGroup);
            var after = (input.Name!.Trim(), input.Phone!.Trim(), input.AreaCode!.Trim(), Blank(input.Household), Blank(input.Unit), Blank(input.Room), input.KeyGroup);
            if (before == after) { unchanged++; continue; }
            (resident.Name, resident.Phone, resident.AreaCode, resident.Household, resident.Unit, resident.Room, resident.KeyGroup) = after;
            resident.UpdatedAt = now;
            updated++;
        }
        if (!await TrySaveAsync(db, ct)) return ConcurrentChange();
        events.RaiseResidentsAdded(new ResidentsAdded(added.Select(r => r.Id).ToList(), added.Count));
        return Outcome<ImportReport>.Ok(new ImportReport(rows.Count, created, updated, unchanged, errors.Select(e => e.Row).Distinct().Count(), errors));
    }

    public async Task<Outcome<ImportReport>> ImportVenuesAsync(Stream csv, bool validOnly, CancellationToken ct = default)
    {
        var parsed = Parse(csv, VenueColumns, 4);
        if (!parsed.IsOk) return Outcome<ImportReport>.Invalid(parsed.Errors!);
        var rows = parsed.Value!;
        var errors = new List<ImportRowError>();
        var inputs = new List<(int Row, VenueInput Input)>();
        var seen = new Dictionary<(string, string), int>();

        foreach (var (number, fields) in rows)
        {
            var rowErrors = new List<ImportRowError>();
            if (!Enum.TryParse<VenueCategory>(fields["category"], ignoreCase: true, out var category) || !Enum.IsDefined(category))
                rowErrors.Add(new ImportRowError(number, "category", $"must be one of {string.Join(", ", Enum.GetNames<VenueCategory>())}"));
            var status = VenueStatus.Open;
            if (!string.IsNullOrWhiteSpace(fields["status"]) && !Enum.TryParse(fields["status"], ignoreCase: true, out status))
                rowErrors.Add(new ImportRowError(number, "status", "must be Open or Suspended"));
            var latitude = ParseCoordinate(fields["latitude"], number, "latitude", rowErrors);
            var longitude = ParseCoordinate(fields["longitude"], number, "longitude", rowErrors);
            if (rowErrors.Count > 0) { errors.AddRange(rowErrors); continue; }
            var input = new VenueInput(fields["name"], category, fields["areaCode"], fields["address"], status, latitude, longitude);
            var shape = VenueService.ValidateShape(input);
            if (shape.Any)
            {
                errors.AddRange(shape.ToDictionary().SelectMany(e => e.Value.Select(m => new ImportRowError(number, e.Key, m))));
                continue;
            }
            var key = (input.AreaCode!.Trim(), input.Name!.Trim());
            if (seen.TryGetValue(key, out var first))
            {
                errors.Add(new ImportRowError(number, "name", $"repeats the venue of row {first} in the same area"));
                continue;
            }
            seen[key] = number;
            inputs.Add((number, input));
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var knownAreas = await KnownAreasAsync(db, inputs.Select(i => i.Input.AreaCode!.Trim()), ct);
        foreach (var item in inputs.Where(i => !knownAreas.Contains(i.Input.AreaCode!.Trim())).ToList())
        {
            errors.Add(new ImportRowError(item.Row, "areaCode", "is not a known area in your jurisdiction"));
            inputs.Remove(item);
        }
        if (errors.Count > 0 && !validOnly) return Rejected(errors);

        var areaCodes = inputs.Select(i => i.Input.AreaCode!.Trim()).Distinct().ToList();
        var existing = new Dictionary<(string, string), Venue>();
        foreach (var chunk in areaCodes.Chunk(200))
        {
            foreach (var v in await db.Venues.Where(v => chunk.Contains(v.AreaCode)).ToListAsync(ct)) existing[(v.AreaCode, v.Name)] = v;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        int created = 0, updated = 0, unchanged = 0;
        foreach (var (_, input) in inputs)
        {
            if (!existing.TryGetValue((input.AreaCode!.Trim(), input.Name!.Trim()), out var venue))
            {
                db.Venues.Add(VenueService.NewVenue(input, now));
                created++;
                continue;
            }
            var before = (venue.Category, venue.Address, venue.Status, venue.Latitude, venue.Longitude);
            var after = (input.Category, input.Address!.Trim(), input.Status, input.Latitude, input.Longitude);
            if (before == after) { unchanged++; continue; }
            (venue.Category, venue.Address, venue.Status, venue.Latitude, venue.Longitude) = after;
            venue.UpdatedAt = now;
            updated++;
        }
        if (!await TrySaveAsync(db, ct)) return ConcurrentChange();
        return Outcome<ImportReport>.Ok(new ImportReport(rows.Count, created, updated, unchanged, errors.Select(e => e.Row).Distinct().Count(), errors));
    }

    /// <summary>
    /// Saves in one transaction; false when another import (typically the same file, retried while the first was still
    /// saving) inserted the same records first. Nothing of this file is then saved and sending it again is safe.
    /// </summary>
    private static async Task<bool> TrySaveAsync(CordonDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 } // SQLITE_CONSTRAINT_UNIQUE
                                              or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return false;
        }
    }

    private static Outcome<ImportReport> ConcurrentChange() => Outcome<ImportReport>.Conflict(
        "Some of these records were saved by another import at the same moment (for example this file, sent twice); nothing from this file was saved. Send it again.");

    private static Outcome<ImportReport> Rejected(List<ImportRowError> errors)
    {
        var fieldErrors = new FieldErrors();
        foreach (var e in errors.OrderBy(e => e.Row).Take(1000)) fieldErrors.Add($"rows[{e.Row}].{e.Field}", e.Message);
        return Outcome<ImportReport>.Invalid(fieldErrors);
    }

    private async Task<HashSet<string>> KnownAreasAsync(CordonDbContext db, IEnumerable<string> codes, CancellationToken ct)
    {
        var visible = codes.Distinct().Where(user.CanSee).ToList();
        var known = new HashSet<string>();
        foreach (var chunk in visible.Chunk(500))
        {
            known.UnionWith(await db.Areas.Where(a => chunk.Contains(a.Code)).Select(a => a.Code).ToListAsync(ct));
        }
        return known;
    }

    private static double? ParseCoordinate(string? text, int row, string field, List<ImportRowError> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        errors.Add(new ImportRowError(row, field, "must be a decimal number"));
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Reads the rows of a CSV file with a header line; row numbers count the header as row 1, like a spreadsheet.</summary>
    private static Outcome<List<(int Row, Dictionary<string, string?> Fields)>> Parse(Stream csv, string[] columns, int requiredColumns)
    {
        using var reader = new StreamReader(csv, detectEncodingFromByteOrderMarks: true);
        var rows = new List<(int, Dictionary<string, string?>)>();
        try
        {
            using var records = Csv.Read(reader).GetEnumerator();
            if (!records.MoveNext()) return Outcome<List<(int, Dictionary<string, string?>)>>.Invalid("file", "is empty: the first line must name the columns");
            var header = records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
            var missing = columns.Take(requiredColumns).Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0)
                return Outcome<List<(int, Dictionary<string, string?>)>>.Invalid("file", $"lacks the column(s) {string.Join(", ", missing)}; expected header: {string.Join(",", columns)}");
            var index = columns.ToDictionary(c => c, c => Array.FindIndex(header, h => h.Equals(c, StringComparison.OrdinalIgnoreCase)));
            while (records.MoveNext())
            {
                var (row, fields) = records.Current;
                if (fields.All(string.IsNullOrWhiteSpace)) continue;
                if (rows.Count >= MaxRows)
                    return Outcome<List<(int, Dictionary<string, string?>)>>.Invalid("file", $"has more than {MaxRows} rows; split it");
                if (fields.Length > header.Length)
                    return Outcome<List<(int, Dictionary<string, string?>)>>.Invalid("file", $"row {row} has {fields.Length} fields but the header names {header.Length}");
                rows.Add((row, index.ToDictionary(c => c.Key, c => c.Value >= 0 && c.Value < fields.Length ? fields[c.Value].Trim() : null)));
            }
        }
        catch (CsvFormatException e)
        {
            return Outcome<List<(int, Dictionary<string, string?>)>>.Invalid("file", $"is not valid CSV: {e.Message}");
        }
        if (rows.Count == 0) return Outcome<List<(int, Dictionary<string, string?>)>>.Invalid("file", "has a header but no rows");
        return Outcome<List<(int, Dictionary<string, string?>)>>.Ok(rows);
    }
}

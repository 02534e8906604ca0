using System.Globalization;
using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Checkpoints;

/// <summary>A checkpoint and its policy, as staff create or change it. <c>allowedColours</c> defaults to green only.</summary>
public sealed record CheckpointInput(
    string? AreaCode, string? Name, string? LocationNote = null, bool Active = true, IReadOnlyList<HealthColour>? AllowedColours = null,
    bool AllowPopups = false, int? RequiredTestHours = null, double? TemperatureThreshold = null);

public sealed record CheckpointDto(
    int Id, string AreaCode, string AreaName, string Name, string? LocationNote, bool Active, IReadOnlyList<HealthColour> AllowedColours,
    bool AllowPopups, int? RequiredTestHours, double TemperatureThreshold);

/// <summary>
/// Community checkpoints (卡口) inside the user's jurisdiction: list and read for all staff, create, change and
/// remove for the community's checkpoint staff. Outside the jurisdiction a checkpoint does not exist (404).
/// </summary>
public sealed class CheckpointService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    public async Task<Outcome<Page<CheckpointDto>>> ListAsync(string? areaCode, string? after, int limit, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxPageSize) return Outcome<Page<CheckpointDto>>.Invalid("limit", $"must be between 1 and {MaxPageSize}");
        if (areaCode is not null && !AreaCode.IsWellFormed(areaCode))
            return Outcome<Page<CheckpointDto>>.Invalid("area", "is not a 6, 9, 12 or 15-digit area code");
        var afterId = 0;
        if (after is not null && (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId) || afterId < 0))
            return Outcome<Page<CheckpointDto>>.Invalid("after", "is not a cursor from a previous page");
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = Visible(db);
        if (areaCode is not null) query = query.WhereStartsWith(c => c.AreaCode, AreaCode.PrefixOf(areaCode));
        var rows = await query.Where(c => c.Id > afterId).OrderBy(c => c.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var items = await DescribeAsync(db, rows, ct);
        return Outcome<Page<CheckpointDto>>.Ok(new Page<CheckpointDto>(items, hasMore ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public async Task<CheckpointDto?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoint = await Visible(db).FirstOrDefaultAsync(c => c.Id == id, ct);
        return checkpoint is null ? null : (await DescribeAsync(db, [checkpoint], ct))[0];
    }

    public async Task<Outcome<CheckpointDto>> CreateAsync(CheckpointInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var errors = await ValidateAsync(db, input, ct);
        if (errors.Any) return Outcome<CheckpointDto>.Invalid(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var checkpoint = new Checkpoint { AreaCode = "", Name = "", CreatedAt = now };
        Apply(checkpoint, input, now);
        if (await NameTakenAsync(db, checkpoint, ct)) return Outcome<CheckpointDto>.Conflict(NameTaken);
        db.Checkpoints.Add(checkpoint);
        await db.SaveChangesAsync(ct);
        return Outcome<CheckpointDto>.Ok((await DescribeAsync(db, [checkpoint], ct))[0]);
    }

    public async Task<Outcome<CheckpointDto>> UpdateAsync(int id, CheckpointInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoint = await Visible(db, tracked: true).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (checkpoint is null) return Outcome<CheckpointDto>.NotFound();
        var errors = await ValidateAsync(db, input, ct);
        if (errors.Any) return Outcome<CheckpointDto>.Invalid(errors);
        Apply(checkpoint, input, clock.GetUtcNow().UtcDateTime);
        if (await NameTakenAsync(db, checkpoint, ct)) return Outcome<CheckpointDto>.Conflict(NameTaken);
        await db.SaveChangesAsync(ct);
        return Outcome<CheckpointDto>.Ok((await DescribeAsync(db, [checkpoint], ct))[0]);
    }

    /// <summary>Removes a checkpoint that never recorded anyone; one with passages is kept for its log (deactivate it instead).</summary>
    public async Task<Outcome<CheckpointDto>> DeleteAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoint = await Visible(db, tracked: true).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (checkpoint is null) return Outcome<CheckpointDto>.NotFound();
        if (await HasHistoryAsync(db, id, ct)) return Outcome<CheckpointDto>.Conflict(HasPassages);
        var dto = (await DescribeAsync(db, [checkpoint], ct))[0];
        db.Checkpoints.Remove(checkpoint);
        await db.SaveChangesAsync(ct);
        return Outcome<CheckpointDto>.Ok(dto);
    }

    /// <summary>
    /// Sets a checkpoint inactive (ADR 016): what the screen offers instead of deleting when the checkpoint has a
    /// passage log, which stays readable until retention removes it. Setting an inactive one inactive again changes nothing.
    /// </summary>
    public async Task<Outcome<CheckpointDto>> DeactivateAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoint = await Visible(db, tracked: true).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (checkpoint is null) return Outcome<CheckpointDto>.NotFound();
        if (checkpoint.Active)
        {
            checkpoint.Active = false;
            checkpoint.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
        }
        return Outcome<CheckpointDto>.Ok((await DescribeAsync(db, [checkpoint], ct))[0]);
    }

    /// <summary>Whether a checkpoint of the jurisdiction has recorded anyone (passages or outsiders still kept); null when it is not found.</summary>
    public async Task<bool?> HasHistoryAsync(int id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await Visible(db).AnyAsync(c => c.Id == id, ct)) return null;
        return await HasHistoryAsync(db, id, ct);
    }

    private static async Task<bool> HasHistoryAsync(CordonDbContext db, int id, CancellationToken ct) =>
        await db.Passages.AnyAsync(p => p.CheckpointId == id, ct) || await db.Outsiders.AnyAsync(o => o.CheckpointId == id, ct);

    public const string HasPassages = "The checkpoint has recorded passages; set it inactive instead.";

    private const string NameTaken = "The community already has a checkpoint with this name.";

    internal IQueryable<Checkpoint> Visible(CordonDbContext db, bool tracked = false)
    {
        var query = tracked ? db.Checkpoints : db.Checkpoints.AsNoTracking();
        return query.WhereStartsWith(c => c.AreaCode, user.JurisdictionPrefix);
    }

    private static Task<bool> NameTakenAsync(CordonDbContext db, Checkpoint checkpoint, CancellationToken ct) =>
        db.Checkpoints.AnyAsync(c => c.AreaCode == checkpoint.AreaCode && c.Name == checkpoint.Name && c.Id != checkpoint.Id, ct);

    private static void Apply(Checkpoint checkpoint, CheckpointInput input, DateTime now)
    {
        checkpoint.AreaCode = input.AreaCode!.Trim();
        checkpoint.Name = input.Name!.Trim();
        checkpoint.LocationNote = string.IsNullOrWhiteSpace(input.LocationNote) ? null : input.LocationNote.Trim();
        checkpoint.Active = input.Active;
        checkpoint.AllowedColours = ToFlags(input.AllowedColours ?? [HealthColour.Green]);
        checkpoint.AllowPopups = input.AllowPopups;
        checkpoint.RequiredTestHours = input.RequiredTestHours;
        checkpoint.TemperatureThreshold = Math.Round(input.TemperatureThreshold ?? CheckpointRules.DefaultThreshold, 1);
        checkpoint.UpdatedAt = now;
    }

    private async Task<FieldErrors> ValidateAsync(CordonDbContext db, CheckpointInput input, CancellationToken ct)
    {
        var errors = ValidateShape(input);
        var areaCode = input.AreaCode?.Trim();
        if (!AreaCode.IsWellFormed(areaCode) || AreaCode.LevelOf(areaCode!) != AreaLevel.Community) return errors;
        if (!user.CanSee(areaCode!) || !await db.Areas.AnyAsync(a => a.Code == areaCode, ct))
            errors.Add("areaCode", "is not a community in your jurisdiction");
        return errors;
    }

    /// <summary>Everything that can be checked without the database.</summary>
    public static FieldErrors ValidateShape(CheckpointInput input)
    {
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 100);
        errors.Optional("locationNote", input.LocationNote, 200);
        var areaCode = input.AreaCode?.Trim();
        if (string.IsNullOrEmpty(areaCode)) errors.Add("areaCode", "is required");
        else if (!AreaCode.IsWellFormed(areaCode) || AreaCode.LevelOf(areaCode) != AreaLevel.Community)
            errors.Add("areaCode", "must be the 12-digit code of a community");
        if (input.AllowedColours is { } colours && colours.Any(c => !Enum.IsDefined(c)))
            errors.Add("allowedColours", "may hold only Green, Yellow and Red");
        if (input.RequiredTestHours is { } hours && !CheckpointRules.TestHourChoices.Contains(hours))
            errors.Add("requiredTestHours", "must be 24, 48 or 72 hours, or empty for no test requirement");
        if (input.TemperatureThreshold is { } t && (double.IsNaN(t) || t < 36.0 || t > 39.0))
            errors.Add("temperatureThreshold", "must be between 36.0 and 39.0 °C");
        return errors;
    }

    public static AllowedColours ToFlags(IEnumerable<HealthColour> colours) =>
        colours.Aggregate(AllowedColours.None, (set, c) => set | CheckpointRules.ColourFlag(c));

    public static IReadOnlyList<HealthColour> FromFlags(AllowedColours flags) =>
        Enum.GetValues<HealthColour>().Where(c => flags.HasFlag(CheckpointRules.ColourFlag(c))).ToList();

    private static async Task<IReadOnlyList<CheckpointDto>> DescribeAsync(CordonDbContext db, IReadOnlyList<Checkpoint> rows, CancellationToken ct)
    {
        var codes = rows.Select(c => c.AreaCode).Distinct().ToList();
        var names = await db.Areas.AsNoTracking().Where(a => codes.Contains(a.Code)).ToDictionaryAsync(a => a.Code, a => a.Name, ct);
        return rows.Select(c => ToDto(c, names.GetValueOrDefault(c.AreaCode, c.AreaCode))).ToList();
    }

    public static CheckpointDto ToDto(Checkpoint c, string areaName) => new(
        c.Id, c.AreaCode, areaName, c.Name, c.LocationNote, c.Active, FromFlags(c.AllowedColours), c.AllowPopups, c.RequiredTestHours,
        c.TemperatureThreshold);
}

using Cordon.Features.Health;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Checkpoints;

/// <summary>
/// One passage as the console sends it. The person is identified by exactly one of: <see cref="Pass"/> (the scanned
/// pass text, verified again here), <see cref="ResidentId"/> (the reference an ID-number lookup returned) or
/// <see cref="OutsiderId"/> (a registered outsider; then <see cref="Colour"/>, <see cref="Popups"/> and
/// <see cref="TestAgeHours"/> are what the worker saw on the outsider's own code). <see cref="At"/> defaults to now.
/// </summary>
public sealed record PassageInput(
    Guid? ClientId, PassageDirection? Direction, double? Temperature = null, bool IdChecked = false, DateTime? At = null,
    string? Pass = null, long? ResidentId = null, long? OutsiderId = null,
    HealthColour? Colour = null, int? Popups = null, double? TestAgeHours = null);

/// <summary>What was stored for a passage; <see cref="Duplicate"/> when the console had sent it before (nothing new stored).</summary>
public sealed record PassageResult(
    Guid ClientId, long Id, PassageDecision Decision, string Reason, bool Fever, HealthColour? Colour, int Popups, double? TestAgeHours,
    string? MaskedName, bool Duplicate);

public sealed record PassageBatchResult(int Stored, int Duplicates, IReadOnlyList<PassageResult> Passages);

public sealed record LookupInput(string? IdNumber);

public sealed record PopupDto(PopupKind Kind, string Reason);

/// <summary>The minimum a checkpoint is told about a person: masked name, colour, popups and test age.</summary>
public sealed record PersonCheckDto(long Reference, string MaskedName, HealthColour? Colour, IReadOnlyList<PopupDto> Popups, double? TestAgeHours);

public sealed record OutsiderInput(string? Name, string? Phone, OutsiderPurpose? Purpose, string? Note = null);

public sealed record OutsiderDto(long Id, int CheckpointId, string MaskedName, string MaskedPhone, OutsiderPurpose Purpose, string? Note, DateTime RegisteredAt);

/// <summary>
/// The work at a checkpoint: look a resident up by ID number, record passages (one or a batch synced from the
/// console's offline queue, idempotent by the console's id) with the decision the server makes again from a verified
/// pass or the stored status, and register outsiders.
/// </summary>
public sealed class PassageService(
    IDbContextFactory<CordonDbContext> factory, CurrentUser user, TimeProvider clock, PersonalDataProtector protector,
    IHealthStatusLookup statuses, ICheckpointPassReader passes)
{
    public const int MaxBatch = 500;
    /// <summary>How long a console may hold passages offline before they are refused as too old to record.</summary>
    public static readonly TimeSpan MaxOfflineAge = TimeSpan.FromDays(7);
    /// <summary>Phones' clocks drift; a passage a little in the future is accepted.</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromMinutes(5);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Outcome<PersonCheckDto>> LookupAsync(int checkpointId, LookupInput input, CancellationToken ct = default)
    {
        if (ResidentIdNumber.Validate(input.IdNumber) is { } error) return Outcome<PersonCheckDto>.Invalid("idNumber", error);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await FindCheckpointAsync(db, checkpointId, ct) is null) return Outcome<PersonCheckDto>.NotFound();
        var hash = protector.Hash(ResidentIdNumber.Normalize(input.IdNumber!));
        var resident = await db.Residents.AsNoTracking().WhereStartsWith(r => r.AreaCode, user.JurisdictionPrefix)
            .Where(r => r.IdNumberHash == hash).Select(r => new { r.Id, r.Name }).FirstOrDefaultAsync(ct);
        if (resident is null) return Outcome<PersonCheckDto>.NotFound();
        var status = await statuses.GetAsync(resident.Id, ct);
        var now = Now;
        return Outcome<PersonCheckDto>.Ok(new PersonCheckDto(
            resident.Id, Mask.Name(resident.Name), status?.Colour, PopupsOf(status?.Popups, now), TestAge(status?.LastNegativeSampledAt, now)));
    }

    public async Task<Outcome<PassageResult>> RecordAsync(int checkpointId, PassageInput input, CancellationToken ct = default)
    {
        var outcome = await RecordBatchAsync(checkpointId, [input], single: true, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => Outcome<PassageResult>.Ok(outcome.Value!.Passages[0]),
            OutcomeKind.Invalid => Outcome<PassageResult>.Invalid(outcome.Errors!),
            OutcomeKind.NotFound => Outcome<PassageResult>.NotFound(),
            _ => Outcome<PassageResult>.Conflict(outcome.Message!),
        };
    }

    public Task<Outcome<PassageBatchResult>> RecordBatchAsync(int checkpointId, IReadOnlyList<PassageInput>? inputs, CancellationToken ct = default) =>
        RecordBatchAsync(checkpointId, inputs, single: false, ct);

    /// <summary>All or nothing: one invalid passage rejects the batch (naming it), so the console keeps the batch and can show why.</summary>
    private async Task<Outcome<PassageBatchResult>> RecordBatchAsync(int checkpointId, IReadOnlyList<PassageInput>? inputs, bool single, CancellationToken ct)
    {
        if (inputs is null || inputs.Count == 0) return Outcome<PassageBatchResult>.Invalid("passages", "must hold at least one passage");
        if (inputs.Count > MaxBatch) return Outcome<PassageBatchResult>.Invalid("passages", $"must hold at most {MaxBatch} passages");
        var now = Now;
        var errors = new FieldErrors();
        for (var i = 0; i < inputs.Count; i++) ValidateShape(inputs[i], single ? "" : $"passages[{i}].", now, errors);
        if (errors.Any) return Outcome<PassageBatchResult>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoint = await FindCheckpointAsync(db, checkpointId, ct);
        if (checkpoint is null) return Outcome<PassageBatchResult>.NotFound();

        var clientIds = inputs.Select(p => p.ClientId!.Value).Distinct().ToList();
        var known = await KnownAsync(db, clientIds, ct);
        var fresh = inputs.Where(p => !known.ContainsKey(p.ClientId!.Value)).DistinctBy(p => p.ClientId).ToList();

        var residentIds = fresh.Where(p => p.ResidentId is not null).Select(p => p.ResidentId!.Value).Distinct().ToList();
        var residents = await db.Residents.AsNoTracking().WhereStartsWith(r => r.AreaCode, user.JurisdictionPrefix)
            .Where(r => residentIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, ct);
        var outsiderIds = fresh.Where(p => p.OutsiderId is not null).Select(p => p.OutsiderId!.Value).Distinct().ToList();
        var outsiders = await db.Outsiders.AsNoTracking().Where(o => outsiderIds.Contains(o.Id) && o.AreaCode == checkpoint.AreaCode)
            .ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        for (var i = 0; i < inputs.Count; i++)
        {
            var prefix = single ? "" : $"passages[{i}].";
            if (known.ContainsKey(inputs[i].ClientId!.Value)) continue;
            if (inputs[i].ResidentId is { } r && !residents.ContainsKey(r)) errors.Add(prefix + "residentId", "is not a resident in your jurisdiction");
            if (inputs[i].OutsiderId is { } o && !outsiders.ContainsKey(o)) errors.Add(prefix + "outsiderId", "is not an outsider registered in this community");
        }
        if (errors.Any) return Outcome<PassageBatchResult>.Invalid(errors);

        var rows = new List<(Passage Row, string? Name)>();
        foreach (var input in fresh)
        {
            var (facts, source, residentId, name) = await FactsAsync(input, residents, outsiders, ct);
            var verdict = CheckpointRules.Decide(checkpoint.Policy, facts);
            rows.Add((new Passage
            {
                ClientId = input.ClientId!.Value,
                CheckpointId = checkpoint.Id,
                AreaCode = checkpoint.AreaCode,
                Source = source,
                ResidentId = residentId,
                OutsiderId = input.OutsiderId,
                At = input.At is { } at ? Utc(at) : now,
                Direction = input.Direction!.Value,
                Temperature = input.Temperature is { } t ? Math.Round(t, 1) : null,
                Fever = verdict.Fever,
                IdChecked = input.IdChecked || source == PassageSource.IdNumber,
                Colour = facts.Colour,
                Popups = facts.Popups,
                TestAgeHours = facts.TestAgeHours is { } age ? Math.Round(age, 1) : null,
                Decision = verdict.Decision,
                Reason = verdict.Reason,
                RecordedBy = user.UserName ?? "",
                ReceivedAt = now,
            }, name));
        }
        db.Passages.AddRange(rows.Select(r => r.Row));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (rows.Count > 0)
        {
            // Another request stored some of these client ids first (two syncs racing): keep theirs, store the rest.
            return await RetryAfterRaceAsync(checkpointId, inputs, single, ct);
        }
        var names = rows.ToDictionary(r => r.Row.ClientId, r => r.Name);
        var stored = rows.ToDictionary(r => r.Row.ClientId, r => r.Row);
        var results = inputs.Select(p => p.ClientId!.Value).Distinct().Select(id => stored.TryGetValue(id, out var row)
            ? ToResult(row, names[id], duplicate: false)
            : known[id] with { Duplicate = true }).ToList();
        return Outcome<PassageBatchResult>.Ok(new PassageBatchResult(rows.Count, results.Count(r => r.Duplicate), results));
    }

    private int _retries;

    private async Task<Outcome<PassageBatchResult>> RetryAfterRaceAsync(int checkpointId, IReadOnlyList<PassageInput> inputs, bool single, CancellationToken ct)
    {
        if (++_retries > 2) throw new InvalidOperationException("Passages could not be stored after concurrent retries.");
        return await RecordBatchAsync(checkpointId, inputs, single, ct);
    }

    private async Task<(PassageFacts Facts, PassageSource Source, long? ResidentId, string? MaskedName)> FactsAsync(
        PassageInput input, Dictionary<long, string> residents, Dictionary<long, string> outsiders, CancellationToken ct)
    {
        var at = input.At is { } a ? Utc(a) : Now;
        var direction = input.Direction!.Value;
        if (input.Pass is { } text)
        {
            var pass = await passes.ReadAsync(text.Trim(), at, ct);
            return pass.Problem is { } problem
                ? (new PassageFacts(direction, null, 0, null, input.Temperature, problem), PassageSource.Pass, null, null)
                : (new PassageFacts(direction, pass.Colour, pass.Popups?.Count ?? 0, TestAge(pass.SampledAt, at), input.Temperature),
                    PassageSource.Pass, pass.ResidentId, pass.MaskedName);
        }
        if (input.ResidentId is { } residentId)
        {
            var status = await statuses.GetAsync(residentId, ct);
            return (new PassageFacts(direction, status?.Colour, PopupsOf(status?.Popups, at).Count, TestAge(status?.LastNegativeSampledAt, at), input.Temperature),
                PassageSource.IdNumber, residentId, Mask.Name(residents[residentId]));
        }
        var outsiderId = input.OutsiderId!.Value;
        return (new PassageFacts(direction, input.Colour, input.Popups ?? 0, input.TestAgeHours, input.Temperature),
            PassageSource.Outsider, null, Mask.Name(outsiders[outsiderId]));
    }

    /// <summary>The checks of an outsider's passage that need no database (the outsider form runs them before registering).</summary>
    public static FieldErrors ValidateOutsiderPassage(PassageDirection direction, double? temperature, double? testAgeHours)
    {
        var errors = new FieldErrors();
        // No instant is given, so the clock is not read.
        ValidateShape(new PassageInput(Guid.NewGuid(), direction, temperature, OutsiderId: 1, TestAgeHours: testAgeHours), "", default, errors);
        return errors;
    }

    private static void ValidateShape(PassageInput input, string prefix, DateTime now, FieldErrors errors)
    {
        if (input.ClientId is null || input.ClientId == Guid.Empty) errors.Add(prefix + "clientId", "is required: a new UUID per passage, kept when it is sent again");
        if (input.Direction is not { } direction || !Enum.IsDefined(direction)) errors.Add(prefix + "direction", "must be In or Out");
        if (CheckpointRules.TemperatureError(input.Temperature) is { } error) errors.Add(prefix + "temperature", error);
        else if (input.Temperature is null && input.Direction == PassageDirection.In) errors.Add(prefix + "temperature", "is required when entering (测温)");
        var who = (input.Pass is not null ? 1 : 0) + (input.ResidentId is not null ? 1 : 0) + (input.OutsiderId is not null ? 1 : 0);
        if (who != 1) errors.Add(prefix + "pass", "exactly one of pass, residentId and outsiderId is required");
        if (input.Pass is { Length: 0 or > 1024 }) errors.Add(prefix + "pass", "must be the text of a pass (1 to 1024 characters)");
        if (input.At is { } at)
        {
            var utc = Utc(at);
            if (utc > now + MaxClockAhead) errors.Add(prefix + "at", "is in the future");
            else if (utc < now - MaxOfflineAge) errors.Add(prefix + "at", $"is more than {MaxOfflineAge.TotalDays:0} days ago");
        }
        var seen = input.Colour is not null || input.Popups is not null || input.TestAgeHours is not null;
        if (seen && input.OutsiderId is null) errors.Add(prefix + "colour", "is given only for outsiders (a resident's colour comes from the pass or the stored status)");
        if (input.Colour is { } c && !Enum.IsDefined(c)) errors.Add(prefix + "colour", "must be Green, Yellow or Red");
        if (input.Popups is < 0 or > 10) errors.Add(prefix + "popups", "must be between 0 and 10");
        if (input.TestAgeHours is { } age && (double.IsNaN(age) || age < 0 || age > 24 * 365)) errors.Add(prefix + "testAgeHours", "must be between 0 and 8760 hours");
    }

    public async Task<Outcome<OutsiderDto>> RegisterOutsiderAsync(int checkpointId, OutsiderInput input, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        errors.Require("name", input.Name, 50);
        var phone = input.Phone?.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(phone)) errors.Add("phone", "is required");
        else if (phone.Length is < 5 or > 20 || !phone.TrimStart('+').All(char.IsAsciiDigit)) errors.Add("phone", "must be a phone number (5 to 20 digits)");
        if (input.Purpose is not { } purpose || !Enum.IsDefined(purpose)) errors.Add("purpose", "must be Visit, Courier, FoodDelivery, Maintenance or Other");
        errors.Optional("note", input.Note, 200);
        if (errors.Any) return Outcome<OutsiderDto>.Invalid(errors);
        await using var db = await factory.CreateDbContextAsync(ct);
        var checkpoint = await FindCheckpointAsync(db, checkpointId, ct);
        if (checkpoint is null) return Outcome<OutsiderDto>.NotFound();
        var outsider = new Outsider
        {
            CheckpointId = checkpoint.Id,
            AreaCode = checkpoint.AreaCode,
            Name = input.Name!.Trim(),
            Phone = phone!,
            Purpose = input.Purpose!.Value,
            Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim(),
            RegisteredAt = Now,
            RegisteredBy = user.UserName ?? "",
        };
        db.Outsiders.Add(outsider);
        await db.SaveChangesAsync(ct);
        return Outcome<OutsiderDto>.Ok(new OutsiderDto(outsider.Id, outsider.CheckpointId, Mask.Name(outsider.Name), Mask.Phone(outsider.Phone),
            outsider.Purpose, outsider.Note, outsider.RegisteredAt));
    }

    private Task<Checkpoint?> FindCheckpointAsync(CordonDbContext db, int id, CancellationToken ct) =>
        db.Checkpoints.AsNoTracking().WhereStartsWith(c => c.AreaCode, user.JurisdictionPrefix).FirstOrDefaultAsync(c => c.Id == id, ct);

    private static async Task<Dictionary<Guid, PassageResult>> KnownAsync(CordonDbContext db, List<Guid> clientIds, CancellationToken ct)
    {
        var rows = await db.Passages.AsNoTracking().Where(p => clientIds.Contains(p.ClientId)).ToListAsync(ct);
        return rows.ToDictionary(p => p.ClientId, p => ToResult(p, null, duplicate: true));
    }

    private static PassageResult ToResult(Passage p, string? maskedName, bool duplicate) =>
        new(p.ClientId, p.Id, p.Decision, p.Reason, p.Fever, p.Colour, p.Popups, p.TestAgeHours, maskedName, duplicate);

    /// <summary>The popups in force at <paramref name="at"/> (an expired one no longer counts).</summary>
    private static IReadOnlyList<PopupDto> PopupsOf(IReadOnlyList<Popup>? popups, DateTime at) =>
        popups is null ? [] : popups.Where(p => p.Until is null || p.Until > at).Select(p => new PopupDto(p.Kind, p.Reason)).ToList();

    /// <summary>An instant without a zone is taken as UTC (the API's instants are UTC).</summary>
    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime();

    internal static double? TestAge(DateTime? sampledAt, DateTime at) =>
        sampledAt is { } s ? Math.Max(0, Math.Round((at - s).TotalHours, 1)) : null;
}

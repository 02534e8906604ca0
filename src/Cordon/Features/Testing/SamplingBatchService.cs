using System.Data.Common;
using System.Globalization;
using Cordon.Features.Audit;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>A tube a sampling terminal collected offline: its barcode, pool size, the scanned codes and when it was closed.</summary>
public sealed record CollectedTubeInput(string? Barcode, int? PoolSize, IReadOnlyList<string>? Codes, DateTime? CollectedAt);

public sealed record SamplingBatchInput(int? SiteId, IReadOnlyList<CollectedTubeInput>? Tubes);

/// <summary>What a batch did: <see cref="Unchanged"/> tubes were already there exactly so (a retried upload).</summary>
public sealed record SamplingBatchReport(int Tubes, int People, int Created, int Unchanged, int AppointmentsSampled, int RetestsLinked);

/// <summary>
/// Upload of closed tubes in batches (up to 2,000 tubes, 20,000 people), for sampling terminals that scan offline or
/// at screening scale, where one request per scan is too slow. The same rules as scanning one by one: known codes, a
/// person once per batch and in no open tube, no more people than the pool, collection not in the future; the whole
/// batch is validated first and written in one transaction, or nothing is. Idempotent: a tube already stored with the
/// same site, pool size and people is unchanged, so a terminal may resend a batch whose answer it never saw.
/// Written set-based (multi-row INSERT, then INSERT … SELECT for the members) with one audit entry for the batch.
/// </summary>
public sealed class SamplingBatchService(
    IDbContextFactory<CordonDbContext> factory, SamplingService sampling, PersonalDataProtector protector, CurrentUser user, CityTime time,
    ScreeningEvents events)
{
    public const int MaxTubes = 2_000;
    public const int MaxPeople = 20_000;
    /// <summary>A terminal that was offline uploads later, but not days later.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(3);
    private const int Chunk = 1_000;

    private sealed record Collected(int Index, string Barcode, int PoolSize, string[] Codes, DateTime CollectedAt);

    public async Task<Outcome<SamplingBatchReport>> IngestAsync(SamplingBatchInput input, CancellationToken ct = default)
    {
        var now = time.UtcNow;
        var errors = new FieldErrors();
        if (input.SiteId is null) errors.Add("siteId", "is required");
        if (input.Tubes is not { Count: > 0 } tubesIn) return Outcome<SamplingBatchReport>.Invalid(errors.Add("tubes", "is required"));
        if (tubesIn.Count > MaxTubes) return Outcome<SamplingBatchReport>.Invalid(errors.Add("tubes", $"must hold at most {MaxTubes} tubes"));
        if (tubesIn.Sum(t => t?.Codes?.Count ?? 0) > MaxPeople) return Outcome<SamplingBatchReport>.Invalid(errors.Add("tubes", $"must hold at most {MaxPeople} people"));

        var tubes = new List<Collected>(tubesIn.Count);
        var barcodes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tubesIn.Count; i++)
        {
            var t = tubesIn[i] ?? new CollectedTubeInput(null, null, null, null);
            var field = $"tubes[{i}]";
            var before = errors.ToDictionary().Count;
            var barcode = TubeCode.Normalize(t.Barcode);
            if (barcode.Length == 0) errors.Add(field + ".barcode", "is required");
            else if (!TubeCode.IsWellFormed(barcode)) errors.Add(field + ".barcode", TubeCode.Rule);
            else if (barcodes.TryGetValue(barcode, out var first)) errors.Add(field + ".barcode", $"repeats the tube of tubes[{first}]");
            else barcodes[barcode] = i;
            if (t.PoolSize is not { } poolSize || !PoolRules.PoolSizes.Contains(poolSize)) errors.Add(field + ".poolSize", $"must be one of {string.Join(", ", PoolRules.PoolSizes)}");
            var codes = (t.Codes ?? []).Select(c => c?.Trim() ?? "").ToArray();
            if (codes.Length == 0) errors.Add(field + ".codes", "is required");
            else if (t.PoolSize is { } size && codes.Length > size) errors.Add(field + ".codes", $"holds more people than the pool size {size}");
            for (var k = 0; k < codes.Length; k++)
            {
                if (codes[k].Length == 0) errors.Add($"{field}.codes[{k}]", "is required");
                else if (codes[k].Length > 100) errors.Add($"{field}.codes[{k}]", "must be at most 100 characters");
            }
            var collectedAt = t.CollectedAt is { } at ? ToUtc(at) : now;
            if (collectedAt > now + LabService.ClockSkew) errors.Add(field + ".collectedAt", "must not be in the future");
            else if (collectedAt < now - MaxAge) errors.Add(field + ".collectedAt", $"must be within the last {MaxAge.TotalDays:0} days");
            if (errors.ToDictionary().Count == before) tubes.Add(new Collected(i, barcode, t.PoolSize!.Value, codes, collectedAt));
        }
        if (errors.Any) return Outcome<SamplingBatchReport>.Invalid(errors);

        await using var db = await factory.CreateDbContextAsync(ct);
        var siteId = input.SiteId!.Value;
        if (!await sampling.MaySampleAtAsync(db, siteId, ct)) return Outcome<SamplingBatchReport>.Invalid("siteId", "is not a site where you sample");

        // Everyone in the batch, resolved with a few queries instead of one per code.
        var resolved = await ResolveAsync(db, tubes.SelectMany(t => t.Codes), ct);
        var people = new Dictionary<Collected, long[]>();
        var seen = new Dictionary<long, int>();
        foreach (var tube in tubes)
        {
            var ids = new long[tube.Codes.Length];
            for (var k = 0; k < tube.Codes.Length; k++)
            {
                var field = $"tubes[{tube.Index}].codes[{k}]";
                if (!resolved.TryGetValue(tube.Codes[k], out var residentId)) { errors.Add(field, "is not a personal sampling code or ID number of a registered resident"); continue; }
                if (seen.TryGetValue(residentId, out var other)) { errors.Add(field, $"names a person who is already in tubes[{other}]"); continue; }
                seen[residentId] = tube.Index;
                ids[k] = residentId;
            }
            people[tube] = ids;
        }

        // A tube already stored exactly so was sent before: unchanged. Stored otherwise: the barcode is taken.
        var existing = new Dictionary<string, (long Id, int SiteId, int PoolSize)>(StringComparer.Ordinal);
        foreach (var chunk in tubes.Select(t => t.Barcode).Chunk(Chunk))
        {
            foreach (var t in await db.Tubes.AsNoTracking().Where(t => chunk.Contains(t.Barcode)).Select(t => new { t.Id, t.Barcode, t.SiteId, t.PoolSize }).ToListAsync(ct))
                existing[t.Barcode] = (t.Id, t.SiteId, t.PoolSize);
        }
        var storedMembers = new Dictionary<long, HashSet<long>>();
        foreach (var chunk in existing.Values.Select(e => e.Id).Chunk(Chunk))
        {
            foreach (var m in await db.TubeMembers.AsNoTracking().Where(m => chunk.Contains(m.TubeId)).Select(m => new { m.TubeId, m.ResidentId }).ToListAsync(ct))
            {
                if (!storedMembers.TryGetValue(m.TubeId, out var set)) storedMembers[m.TubeId] = set = [];
                set.Add(m.ResidentId);
            }
        }
        var fresh = new List<Collected>();
        foreach (var tube in tubes)
        {
            if (!existing.TryGetValue(tube.Barcode, out var stored)) { fresh.Add(tube); continue; }
            var same = stored.SiteId == siteId && stored.PoolSize == tube.PoolSize
                && storedMembers.GetValueOrDefault(stored.Id) is { } members && members.SetEquals(people[tube]);
            if (!same) errors.Add($"tubes[{tube.Index}].barcode", "is already used by another tube");
        }
        var freshPeople = fresh.SelectMany(t => people[t]).Where(id => id != 0).ToArray();
        foreach (var chunk in freshPeople.Chunk(Chunk))
        {
            var open = await db.TubeMembers.AsNoTracking().Where(m => m.InOpenTube && chunk.Contains(m.ResidentId))
                .Join(db.Tubes, m => m.TubeId, t => t.Id, (m, t) => new { m.ResidentId, t.Barcode }).ToListAsync(ct);
            foreach (var o in open)
            {
                var tube = fresh.First(t => people[t].Contains(o.ResidentId));
                errors.Add($"tubes[{tube.Index}].codes[{Array.IndexOf(people[tube], o.ResidentId)}]", $"names a person who is already in the open tube {o.Barcode}");
            }
        }
        if (errors.Any) return Outcome<SamplingBatchReport>.Invalid(errors);
        var unchanged = tubes.Count - fresh.Count;
        if (fresh.Count == 0) return Outcome<SamplingBatchReport>.Ok(new SamplingBatchReport(tubes.Count, people.Values.Sum(p => p.Length), 0, unchanged, 0, 0));

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            foreach (var chunk in fresh.Chunk(Chunk / 2)) await InsertTubesAsync(db, chunk, siteId, ct);
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var chunk in fresh.Select(t => t.Barcode).Chunk(Chunk))
            {
                foreach (var t in await db.Tubes.AsNoTracking().Where(t => chunk.Contains(t.Barcode)).Select(t => new { t.Id, t.Barcode }).ToListAsync(ct)) ids[t.Barcode] = t.Id;
            }
            foreach (var chunk in fresh.SelectMany(t => people[t].Select(p => (Tube: ids[t.Barcode], Resident: p))).Chunk(5 * Chunk))
            {
                // Numbers only, from the database: inlined. Area and sampling time come from the resident and the tube.
                var rows = string.Join(",", chunk.Select(r => string.Create(CultureInfo.InvariantCulture, $"({r.Tube},{r.Resident})")));
                var sql = $$"""
                    INSERT INTO "TubeMembers" ("TubeId", "ResidentId", "AreaCode", "SampledAt", "InOpenTube", "SampledBy")
                    SELECT v.column1, r."Id", r."AreaCode", t."CollectedAt", FALSE, {0}
                    FROM (VALUES {{rows}}) AS v
                    INNER JOIN "Residents" AS r ON r."Id" = v.column2
                    INNER JOIN "Tubes" AS t ON t."Id" = v.column1
                    """;
                await db.Database.ExecuteSqlRawAsync(sql, [(object?)user.UserName ?? DBNull.Value], ct);
            }
            var appointments = await MarkAppointmentsAsync(db, fresh, people, siteId, ct);
            var retests = await LinkRetestsAsync(db, fresh.Where(t => t.PoolSize == 1).ToList(), people, ids, ct);
            db.AuditEntries.Add(new AuditEntry
            {
                At = now,
                UserId = user.Id,
                UserName = user.UserName,
                Action = AuditAction.Create,
                Entity = nameof(Tube),
                EntityKey = $"site {siteId}",
                Details = $"batch: {fresh.Count} tubes, {freshPeople.Length} people",
            });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            events.RaiseObligationsChanged(new ObligationsChanged(null, null, now) { ResidentIds = freshPeople });
            return Outcome<SamplingBatchReport>.Ok(new SamplingBatchReport(tubes.Count, people.Values.Sum(p => p.Length), fresh.Count, unchanged, appointments, retests));
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            // Another upload stored one of these barcodes a moment ago (unique index): nothing of this batch was written.
            return Outcome<SamplingBatchReport>.Conflict("Another upload stored some of these tubes a moment ago; nothing was written. Send the batch again.");
        }
    }

    private static bool IsUniqueViolation(DbException e) =>
        e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }
        || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };

    private async Task InsertTubesAsync(CordonDbContext db, Collected[] tubes, int siteId, CancellationToken ct)
    {
        var parameters = new List<object> { (object?)user.UserName ?? DBNull.Value };
        var rows = new List<string>(tubes.Length);
        foreach (var t in tubes)
        {
            var (barcode, at) = (parameters.Count, parameters.Count + 1);
            parameters.Add(t.Barcode);
            parameters.Add(t.CollectedAt);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"({{{barcode}}}, {t.PoolSize}, {siteId}, {(int)TubeStatus.Closed}, {(int)TubeResult.Pending}, {{0}}, {{{at}}}, {{{at}}})"));
        }
        var sql = $"""INSERT INTO "Tubes" ("Barcode", "PoolSize", "SiteId", "Status", "Result", "OpenedBy", "OpenedAt", "CollectedAt") VALUES {string.Join(",", rows)}""";
        await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
    }

    /// <summary>Booked appointments at this site on the day each person was sampled become Sampled.</summary>
    private async Task<int> MarkAppointmentsAsync(CordonDbContext db, List<Collected> tubes, Dictionary<Collected, long[]> people, int siteId, CancellationToken ct)
    {
        var marked = 0;
        foreach (var day in tubes.GroupBy(t => time.DayOf(t.CollectedAt)))
        {
            var date = day.Key;
            foreach (var chunk in day.SelectMany(t => people[t]).Chunk(Chunk))
            {
                marked += await db.Appointments.Where(a => chunk.Contains(a.ResidentId) && a.SiteId == siteId && a.Day == date && a.Status == AppointmentStatus.Booked)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AppointmentStatus.Sampled), ct);
            }
        }
        return marked;
    }

    /// <summary>A single tube of someone with an open retest order is that retest, as when scanned one by one.</summary>
    private static async Task<int> LinkRetestsAsync(CordonDbContext db, List<Collected> singles, Dictionary<Collected, long[]> people, Dictionary<string, long> ids, CancellationToken ct)
    {
        var linked = 0;
        foreach (var chunk in singles.Chunk(Chunk))
        {
            var byResident = chunk.ToDictionary(t => people[t][0], t => ids[t.Barcode]);
            var residents = byResident.Keys.ToArray();
            var orders = await db.RetestOrders.Where(o => residents.Contains(o.ResidentId) && o.Status == RetestStatus.Open).ToListAsync(ct);
            foreach (var group in orders.GroupBy(o => o.ResidentId))
            {
                var tubeId = byResident[group.Key];
                foreach (var order in group)
                {
                    order.RetestTubeId = tubeId;
                    order.Status = RetestStatus.Sampled;
                }
                var poolTubeId = group.MaxBy(o => o.CreatedAt)!.PoolTubeId;
                await db.Tubes.Where(t => t.Id == tubeId).ExecuteUpdateAsync(s => s.SetProperty(t => t.RetestOfTubeId, poolTubeId), ct);
                linked++;
            }
        }
        return linked;
    }

    /// <summary>
    /// What <see cref="SamplingCodeService.ResolveAsync"/> does for one scan, for many at once: QR text or bare code
    /// (upper case) through the sampling codes, ID numbers through their keyed hash.
    /// </summary>
    private async Task<Dictionary<string, long>> ResolveAsync(CordonDbContext db, IEnumerable<string> scanned, CancellationToken ct)
    {
        var byCode = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var byHash = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var text in scanned.Distinct(StringComparer.Ordinal))
        {
            var value = text.StartsWith(SamplingCodeService.QrPrefix, StringComparison.OrdinalIgnoreCase) ? text[SamplingCodeService.QrPrefix.Length..].Trim() : text;
            if (ResidentIdNumber.IsValid(value)) Add(byHash, protector.Hash(ResidentIdNumber.Normalize(value)), text);
            else if (value.Length is > 0 and <= 20) Add(byCode, value.ToUpperInvariant(), text);
        }
        var resolved = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in byCode.Keys.Chunk(Chunk))
        {
            foreach (var c in await db.SamplingCodes.AsNoTracking().Where(c => chunk.Contains(c.Code)).Select(c => new { c.Code, c.ResidentId }).ToListAsync(ct))
                foreach (var text in byCode[c.Code]) resolved[text] = c.ResidentId;
        }
        foreach (var chunk in byHash.Keys.Chunk(Chunk))
        {
            foreach (var r in await db.Residents.AsNoTracking().Where(r => chunk.Contains(r.IdNumberHash)).Select(r => new { r.IdNumberHash, r.Id }).ToListAsync(ct))
                foreach (var text in byHash[r.IdNumberHash]) resolved[text] = r.Id;
        }
        return resolved;

        static void Add(Dictionary<string, List<string>> map, string key, string text)
        {
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            list.Add(text);
        }
    }

    private DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => time.ToUtc(value),
    };
}

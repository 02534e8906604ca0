using System.Data.Common;
using System.Globalization;
using Cordon.Features.Health;
using Cordon.Features.Passes;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Scans;

/// <summary>
/// One scan a venue terminal uploads: its own id for it (a UUID), when it was scanned (ISO 8601 with an offset), and the
/// person as read from their ID card (<paramref name="IdNumber"/>) and/or their signed pass (<paramref name="Pass"/>,
/// the <c>CDP1.…</c> text). All text, so that one bad field refuses its item only (ADR 015).
/// </summary>
public sealed record ScanBatchItemInput(string? ClientId, string? ScannedAt, string? IdNumber = null, string? Pass = null);

/// <summary>A terminal's upload: the venue's code and up to <see cref="ScanBatchService.MaxItems"/> scans.</summary>
public sealed record ScanBatchInput(string? VenueCode, IReadOnlyList<ScanBatchItemInput>? Items);

public enum ScanItemOutcome
{
    /// <summary>Stored now.</summary>
    Recorded = 1,
    /// <summary>Stored before (same person and client id): the answer is what was stored then.</summary>
    AlreadyRecorded = 2,
    /// <summary>Not stored: <see cref="ScanBatchItemResult.Errors"/> says which field and why.</summary>
    Rejected = 3,
}

/// <summary>
/// The answer for one item, at its index in the upload. Recorded or already recorded: the decision, its reason, when it
/// was scanned (as stored) and the person's current colour (null without a status). Rejected: the field errors.
/// </summary>
public sealed record ScanBatchItemResult(
    int Index, Guid? ClientId, ScanItemOutcome Outcome, ScanDecision? Decision, ScanReason? Reason, HealthColour? Colour,
    DateTime? ScannedAt, IReadOnlyDictionary<string, string[]>? Errors);

public sealed record ScanBatchResult(
    int VenueId, string VenueName, int Recorded, int AlreadyRecorded, int Rejected, IReadOnlyList<ScanBatchItemResult> Items);

/// <summary>
/// Batch ingest of check-ins for venue terminals (场所码 / 数字哨兵): whole batches resolved set-based — ID numbers by
/// their HMAC hash in one query, statuses in one query, passes verified in memory — and written in one bulk insert
/// that skips what was stored before. A bad item is refused on its own; the rest are recorded (ADR 015).
/// </summary>
internal sealed class ScanBatchService(
    IDbContextFactory<CordonDbContext> factory, VenueDirectory venues, ScanWriter writer, PassKeyRing passKeys,
    HealthRecomputer recomputer, PersonalDataProtector protector, CurrentUser user, TimeProvider clock, IOptions<ScansOptions> options)
{
    /// <summary>Items one upload holds at most.</summary>
    public const int MaxItems = 1_000;

    /// <summary>How far a terminal's clock may run ahead of the server's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private sealed class Item(int index)
    {
        public int Index { get; } = index;
        public FieldErrors Errors { get; } = new();
        public Guid ClientId { get; set; }
        public DateTime ScannedAt { get; set; }
        public string? IdHash { get; set; }
        public long? PassResident { get; set; }
        public long ResidentId { get; set; }
        public HealthSnapshot? Status { get; set; }
    }

    public async Task<Outcome<ScanBatchResult>> IngestAsync(ScanBatchInput input, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        errors.Require("venueCode", input.VenueCode, 300);
        if (input.Items is not { Count: > 0 }) errors.Add("items", "must hold at least one scan");
        else if (input.Items.Count > MaxItems) errors.Add("items", $"must hold at most {MaxItems} scans (send the rest in another batch)");
        if (errors.Any) return Outcome<ScanBatchResult>.Invalid(errors);
        // Outside the jurisdiction the venue does not exist for this caller: the same 404 as an unknown code.
        if (VenueDirectory.Normalize(input.VenueCode) is not { } code || await venues.FindAsync(code, ct) is not { } venue || !user.CanSee(venue.AreaCode))
            return Outcome<ScanBatchResult>.NotFound();

        var now = clock.GetUtcNow().UtcDateTime;
        var items = Parse(input.Items!, now);
        await VerifyPassesAsync(input.Items!, items, now, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        await ResolveIdNumbersAsync(db, items, ct);
        await ReadStatusesAsync(db, items, ct);

        var valid = items.Where(i => !i.Errors.Any).ToList();
        var scans = valid.Select(i =>
        {
            var verdict = VenueRules.Decide(venue.Rule, venue.Status, i.Status, i.ScannedAt);
            return new Scan
            {
                ResidentId = i.ResidentId,
                ClientId = i.ClientId,
                ScannedAt = i.ScannedAt,
                VenueId = venue.Id,
                AreaCode = venue.AreaCode,
                Decision = verdict.Decision,
                Reason = verdict.Reason,
            };
        }).ToList();
        // In key order, so that two uploads holding the same scans wait for each other instead of deadlocking.
        var ordered = scans.OrderBy(s => s.ResidentId).ThenBy(s => s.ClientId).ToList();
        HashSet<(long, Guid)> inserted;
        try
        {
            inserted = ordered.Count == 0 ? [] : await writer.InsertAsync(ordered, ct);
        }
        catch (DbException e)
        {
            throw new ScanNotStoredException(e);
        }
        var earlier = await StoredBeforeAsync(db, scans.Where(s => !inserted.Contains((s.ResidentId, s.ClientId))).ToList(), ct);

        var results = new ScanBatchItemResult[items.Count];
        foreach (var i in items.Where(i => i.Errors.Any))
            results[i.Index] = new ScanBatchItemResult(i.Index, i.ClientId == Guid.Empty ? null : i.ClientId, ScanItemOutcome.Rejected, null, null, null, null, i.Errors.ToDictionary());
        for (var k = 0; k < valid.Count; k++)
        {
            var (i, scan) = (valid[k], scans[k]);
            var key = (scan.ResidentId, scan.ClientId);
            var stored = inserted.Contains(key) ? scan : earlier.GetValueOrDefault(key) ?? scan;
            results[i.Index] = new ScanBatchItemResult(i.Index, i.ClientId, inserted.Contains(key) ? ScanItemOutcome.Recorded : ScanItemOutcome.AlreadyRecorded,
                stored.Decision, stored.Reason, i.Status?.Colour, DateTime.SpecifyKind(stored.ScannedAt, DateTimeKind.Utc), null);
        }
        return Outcome<ScanBatchResult>.Ok(new ScanBatchResult(venue.Id, venue.Name,
            results.Count(r => r.Outcome == ScanItemOutcome.Recorded), results.Count(r => r.Outcome == ScanItemOutcome.AlreadyRecorded),
            results.Count(r => r.Outcome == ScanItemOutcome.Rejected), results));
    }

    /// <summary>The fields of every item, each checked on its own; a client id seen earlier in the batch refuses the later item.</summary>
    private List<Item> Parse(IReadOnlyList<ScanBatchItemInput> inputs, DateTime now)
    {
        var oldest = now.AddDays(-options.Value.RetentionDays);
        var seen = new HashSet<Guid>();
        var items = new List<Item>(inputs.Count);
        for (var index = 0; index < inputs.Count; index++)
        {
            var input = inputs[index] ?? new ScanBatchItemInput(null, null);
            var item = new Item(index);
            items.Add(item);
            var e = item.Errors;
            if (string.IsNullOrWhiteSpace(input.ClientId)) e.Add("clientId", "is required");
            else if (!Guid.TryParse(input.ClientId, out var clientId)) e.Add("clientId", "must be a UUID");
            else if (clientId == Guid.Empty) e.Add("clientId", "must not be the empty UUID");
            else if (!seen.Add(clientId)) { item.ClientId = clientId; e.Add("clientId", "appears more than once in this batch"); }
            else item.ClientId = clientId;

            if (string.IsNullOrWhiteSpace(input.ScannedAt)) e.Add("scannedAt", "is required");
            else if (!TryParseInstant(input.ScannedAt, out var at)) e.Add("scannedAt", "must be an ISO 8601 time with an offset, e.g. 2026-12-01T08:30:00+08:00");
            else if (at > now + ClockSkew) e.Add("scannedAt", "is in the future: check the terminal's clock");
            else if (at < oldest) e.Add("scannedAt", $"is older than the retention period ({options.Value.RetentionDays} days)");
            // Whole microseconds, as PostgreSQL keeps them: a resent batch is answered with the very same instant.
            else item.ScannedAt = new DateTime(at.Ticks - at.Ticks % 10, DateTimeKind.Utc);

            var hasId = !string.IsNullOrWhiteSpace(input.IdNumber);
            var hasPass = !string.IsNullOrWhiteSpace(input.Pass);
            if (!hasId && !hasPass) e.Add("idNumber", "an ID number or a pass is required");
            if (hasId)
            {
                if (ResidentIdNumber.Validate(input.IdNumber) is { } why) e.Add("idNumber", why);
                else item.IdHash = protector.Hash(ResidentIdNumber.Normalize(input.IdNumber!));
            }
            if (hasPass && input.Pass!.Trim().Length > PassFormat.MaxTextLength) e.Add("pass", $"must be at most {PassFormat.MaxTextLength} characters");
        }
        return items;
    }

    private static bool TryParseInstant(string text, out DateTime utc)
    {
        utc = default;
        var trimmed = text.Trim();
        // An instant needs its offset: a bare local time would be read in whatever zone the server runs in.
        var hasOffset = trimmed.EndsWith('Z') || trimmed.EndsWith('z') || (trimmed.Length > 6 && trimmed[^6] is '+' or '-' && trimmed[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)) return false;
        utc = value.UtcDateTime;
        return true;
    }

    /// <summary>Each pass checked at the time it was scanned (an offline terminal uploads later) with the keys published now.</summary>
    private async Task VerifyPassesAsync(IReadOnlyList<ScanBatchItemInput> inputs, List<Item> items, DateTime now, CancellationToken ct)
    {
        var withPass = items.Where(i => !i.Errors.Any && !string.IsNullOrWhiteSpace(inputs[i.Index].Pass)).ToList();
        if (withPass.Count == 0) return;
        var verifier = await passKeys.VerifierAsync(inputs[withPass[0].Index].Pass!.Trim(), now, ct);
        foreach (var item in withPass)
        {
            var check = verifier.Verify(inputs[item.Index].Pass!.Trim(), item.ScannedAt);
            if (check.Content is { } content) item.PassResident = content.ResidentId;
            else item.Errors.Add("pass", $"{check.Code}: {check.Reason}");
        }
    }

    /// <summary>The residents behind the ID numbers: one query by hash for the whole batch.</summary>
    private static async Task ResolveIdNumbersAsync(CordonDbContext db, List<Item> items, CancellationToken ct)
    {
        var hashes = items.Where(i => !i.Errors.Any && i.IdHash is not null).Select(i => i.IdHash!).Distinct().ToList();
        var byHash = hashes.Count == 0 ? [] : await db.Residents.AsNoTracking().Where(r => hashes.Contains(r.IdNumberHash))
            .Select(r => new { r.Id, r.IdNumberHash }).ToDictionaryAsync(r => r.IdNumberHash, r => r.Id, ct);
        foreach (var item in items.Where(i => !i.Errors.Any))
        {
            if (item.IdHash is null) { item.ResidentId = item.PassResident!.Value; continue; }
            if (!byHash.TryGetValue(item.IdHash, out var residentId)) item.Errors.Add("idNumber", "no registered resident has this ID number");
            else if (item.PassResident is { } fromPass && fromPass != residentId) item.Errors.Add("pass", "belongs to another person than the ID number");
            else item.ResidentId = residentId;
        }
    }

    /// <summary>
    /// The stored statuses of the batch's residents in one query. A resident without a stored row yet (registered after
    /// the last fill) gets it computed once, as the single lookup does; a pass whose person is no longer registered is refused.
    /// </summary>
    private async Task ReadStatusesAsync(CordonDbContext db, List<Item> items, CancellationToken ct)
    {
        var ids = items.Where(i => !i.Errors.Any).Select(i => i.ResidentId).Distinct().ToList();
        if (ids.Count == 0) return;
        var statuses = await ReadAsync(db, ids, ct);
        var missing = ids.Where(id => !statuses.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            var existing = await db.Residents.AsNoTracking().Where(r => missing.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct);
            if (existing.Count > 0)
            {
                await recomputer.RecomputeAsync(existing, HealthSources.Initial, ct);
                foreach (var (id, status) in await ReadAsync(db, existing, ct)) statuses[id] = status;
            }
            var gone = missing.Except(existing).ToHashSet();
            foreach (var item in items.Where(i => !i.Errors.Any && gone.Contains(i.ResidentId)))
                item.Errors.Add("pass", "its person is no longer registered");
        }
        foreach (var item in items.Where(i => !i.Errors.Any)) item.Status = statuses.GetValueOrDefault(item.ResidentId);
    }

    private static async Task<Dictionary<long, HealthSnapshot>> ReadAsync(CordonDbContext db, List<long> ids, CancellationToken ct) =>
        (await db.HealthStatuses.AsNoTracking().Where(s => ids.Contains(s.ResidentId)).ToListAsync(ct))
            .ToDictionary(s => s.ResidentId, HealthStatusLookup.ToSnapshot);

    /// <summary>The rows stored before for scans the insert skipped: one query over their residents and client ids.</summary>
    private static async Task<Dictionary<(long, Guid), Scan>> StoredBeforeAsync(CordonDbContext db, List<Scan> skipped, CancellationToken ct)
    {
        if (skipped.Count == 0) return [];
        var residents = skipped.Select(s => s.ResidentId).Distinct().ToList();
        var clients = skipped.Select(s => s.ClientId).Distinct().ToList();
        var keys = skipped.Select(s => (s.ResidentId, s.ClientId)).ToHashSet();
        var rows = await db.Scans.AsNoTracking().Where(s => residents.Contains(s.ResidentId) && clients.Contains(s.ClientId)).ToListAsync(ct);
        return rows.Where(r => keys.Contains((r.ResidentId, r.ClientId))).ToDictionary(r => (r.ResidentId, r.ClientId));
    }
}

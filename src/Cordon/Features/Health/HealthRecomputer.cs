using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Health;

/// <summary>
/// Which residents to recompute in bulk: those whose area code starts with one of <paramref name="AreaPrefixes"/> (null:
/// everyone), only the members of <paramref name="KeyGroup"/> if given, and only those without a stored row if
/// <paramref name="OnlyMissing"/>.
/// </summary>
public sealed record HealthScope(IReadOnlyList<string>? AreaPrefixes = null, KeyGroup? KeyGroup = null, bool OnlyMissing = false)
{
    public static readonly HealthScope Everyone = new();
    public static readonly HealthScope Missing = new(OnlyMissing: true);
}

/// <summary>What a recomputation did: residents looked at, rows written (new or changed), history entries added.</summary>
public sealed record RecomputeReport(int Residents, int Written, int Changed, double Seconds);

/// <summary>
/// Recomputes and stores statuses, in batches of <see cref="BatchSize"/> residents: read the residents and their stored
/// rows, gather the facts (<see cref="HealthFactsLoader"/>), apply <see cref="HealthRules"/>, and write only what
/// changed (<see cref="HealthStatusWriter"/>). One path for one person and for a million.
/// </summary>
internal sealed class HealthRecomputer(IDbContextFactory<CordonDbContext> factory, HealthFactsLoader loader, HealthStatusEvents events, TimeProvider clock)
{
    public const int BatchSize = 2_000;

    private sealed record Stored(long ResidentId, HealthColour Colour, string Reason, string Popups, DateTime? LastNegativeSampledAt, DateTime Since,
        long Version, DateTime? NextCheckAt, HealthColour? OverrideColour, string? OverrideReason, DateTime? OverrideUntil, bool OverrideClearsPopups);

    public async Task<RecomputeReport> RecomputeAsync(IReadOnlyCollection<long> residentIds, string source, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        var total = new Totals();
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await loader.StartAsync(db, Now(), ct);
        foreach (var chunk in residentIds.Distinct().Chunk(BatchSize))
        {
            var subjects = await db.Residents.AsNoTracking().Where(r => chunk.Contains(r.Id))
                .Select(r => new HealthSubject(r.Id, r.AreaCode, r.KeyGroup)).ToListAsync(ct);
            await RecomputeBatchAsync(db, run, subjects, source, total, ct);
        }
        return total.Report(clock.GetElapsedTime(started).TotalSeconds);
    }

    public async Task<RecomputeReport> RecomputeScopeAsync(HealthScope scope, string source, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        var total = new Totals();
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await loader.StartAsync(db, Now(), ct);
        var query = db.Residents.AsNoTracking();
        if (scope.AreaPrefixes is { } prefixes) query = query.WhereStartsWithAny(r => r.AreaCode, ScreeningRules.Outermost(prefixes));
        if (scope.KeyGroup is { } group) query = query.Where(r => r.KeyGroup == group);
        if (scope.OnlyMissing) query = query.Where(r => !db.HealthStatuses.Any(s => s.ResidentId == r.Id));
        long after = 0;
        while (true)
        {
            // Keyset on the primary key: each batch is one index range, however deep the run.
            var subjects = await query.Where(r => r.Id > after).OrderBy(r => r.Id).Take(BatchSize)
                .Select(r => new HealthSubject(r.Id, r.AreaCode, r.KeyGroup)).ToListAsync(ct);
            if (subjects.Count == 0) break;
            await RecomputeBatchAsync(db, run, subjects, source, total, ct);
            after = subjects[^1].Id;
            db.ChangeTracker.Clear();
        }
        return total.Report(clock.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>The members of these tubes (their results were released).</summary>
    public async Task<RecomputeReport> RecomputeTubesAsync(IReadOnlyList<long> tubeIds, string source, CancellationToken ct = default)
    {
        var residents = new HashSet<long>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            foreach (var chunk in tubeIds.Chunk(BatchSize))
                residents.UnionWith(await db.TubeMembers.Where(m => chunk.Contains(m.TubeId)).Select(m => m.ResidentId).ToListAsync(ct));
        }
        return await RecomputeAsync(residents, source, ct);
    }

    /// <summary>The rows whose time has come (an override or round window ended, a key-group test fell due).</summary>
    public async Task<RecomputeReport> RecomputeDueAsync(string source, CancellationToken ct = default)
    {
        var now = Now();
        var total = new RecomputeReport(0, 0, 0, 0);
        while (true)
        {
            List<long> due;
            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                due = await db.HealthStatuses.Where(s => s.NextCheckAt <= now).OrderBy(s => s.NextCheckAt).Select(s => s.ResidentId).Take(BatchSize * 5).ToListAsync(ct);
            }
            if (due.Count == 0) return total;
            var report = await RecomputeAsync(due, source, ct);
            total = new RecomputeReport(total.Residents + report.Residents, total.Written + report.Written, total.Changed + report.Changed, total.Seconds + report.Seconds);
            if (due.Count < BatchSize * 5) return total;
        }
    }

    private async Task RecomputeBatchAsync(CordonDbContext db, HealthRunContext run, List<HealthSubject> subjects, string source, Totals total, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3 && subjects.Count > 0; attempt++)
        {
            var ids = subjects.Select(s => s.Id).ToList();
            var stored = await db.HealthStatuses.AsNoTracking().Where(s => ids.Contains(s.ResidentId))
                .Select(s => new Stored(s.ResidentId, s.Colour, s.Reason, s.Popups, s.LastNegativeSampledAt, s.Since, s.Version, s.NextCheckAt,
                    s.OverrideColour, s.OverrideReason, s.OverrideUntil, s.OverrideClearsPopups))
                .ToDictionaryAsync(s => s.ResidentId, ct);
            var overrides = stored.Values.Where(s => s.OverrideColour is not null && s.OverrideUntil is not null)
                .ToDictionary(s => s.ResidentId, s => new HealthOverride(s.OverrideColour!.Value, s.OverrideReason ?? "", Utc(s.OverrideUntil!.Value), s.OverrideClearsPopups));
            var facts = await loader.LoadAsync(db, run, subjects, overrides, ct);
            var rows = new List<StatusRow>();
            foreach (var subject in subjects)
            {
                var decision = HealthRules.Decide(facts[subject.Id], run.Now);
                var popups = PopupJson.Write(decision.Popups);
                var lastNegative = facts[subject.Id].LastNegativeSampledAt;
                var old = stored.GetValueOrDefault(subject.Id);
                if (old is null)
                {
                    rows.Add(new StatusRow(subject.Id, subject.AreaCode, decision.Colour, decision.Reason, popups, lastNegative, run.Now, 1, decision.NextCheckAt, null, true));
                    continue;
                }
                var changed = old.Colour != decision.Colour || old.Reason != decision.Reason || old.Popups != popups;
                if (!changed && Same(old.LastNegativeSampledAt, lastNegative) && Same(old.NextCheckAt, decision.NextCheckAt)) continue;
                rows.Add(new StatusRow(subject.Id, subject.AreaCode, decision.Colour, decision.Reason, popups, lastNegative,
                    changed ? run.Now : Utc(old.Since), old.Version + 1, decision.NextCheckAt, old.Colour, changed));
            }
            // Stamped with the time of this write, not the run's start: other hosts' caches look for rows by it (ADR 013).
            var skipped = (await HealthStatusWriter.WriteAsync(db, rows, source, Now(), ct)).ToHashSet();
            events.RaiseStored(rows.Where(r => !skipped.Contains(r.ResidentId)).Select(r => r.ResidentId).ToList());
            total.Add(attempt == 0 ? subjects.Count : 0, rows.Count - skipped.Count, rows.Count(r => r.Changed && !skipped.Contains(r.ResidentId)));
            // Someone else wrote these rows meanwhile (an override, another recomputation): read them again and retry.
            subjects = subjects.Where(s => skipped.Contains(s.Id)).ToList();
        }
    }

    /// <summary>Now, to the microsecond: PostgreSQL keeps microseconds, and a stored time must read back equal.</summary>
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }

    private static bool Same(DateTime? a, DateTime? b) => a is null ? b is null : b is not null && Utc(a.Value) == Utc(b.Value);

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private sealed class Totals
    {
        private int _residents, _written, _changed;

        public void Add(int residents, int written, int changed) => (_residents, _written, _changed) = (_residents + residents, _written + written, _changed + changed);

        public RecomputeReport Report(double seconds) => new(_residents, _written, _changed, seconds);
    }
}

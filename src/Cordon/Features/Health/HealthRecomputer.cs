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
/// Recomputes and stores statuses, in batches of <see cref="BatchSize"/> residents: read the residents with their stored
/// rows (one joined query), gather the facts (<see cref="HealthFactsLoader"/>), apply <see cref="HealthRules"/>, and
/// write only what changed (<see cref="HealthStatusWriter"/>). One path for one person and for a million. On PostgreSQL
/// a bulk run is a pipeline (ADR 014): the next batches are read and decided on one connection while the previous ones
/// are written on two others.
/// </summary>
internal sealed partial class HealthRecomputer(
    IDbContextFactory<CordonDbContext> factory, HealthFactsLoader loader, HealthStatusEvents events, TimeProvider clock, ILogger<HealthRecomputer> log)
{
    public const int BatchSize = 5_000;

    /// <summary>Residents per batch (tests make it small to cross batch boundaries with few residents).</summary>
    internal int Batch { get; set; } = BatchSize;

    /// <summary>Connections writing a bulk run's batches at the same time on PostgreSQL (one more reads ahead of them).</summary>
    private const int Writers = 2;

    /// <summary>Runs of at least this many residents log where their time went.</summary>
    private const int LoggedRun = 50_000;

    private sealed record Stored(HealthColour Colour, string Reason, string Popups, DateTime? LastNegativeSampledAt, DateTime Since,
        long Version, DateTime? NextCheckAt, HealthColour? OverrideColour, string? OverrideReason, DateTime? OverrideUntil, bool OverrideClearsPopups);

    /// <summary>A resident of the batch and their stored row (null: none yet).</summary>
    private sealed record Current(HealthSubject Subject, Stored? Stored);

    /// <summary>A decided batch: the residents it looked at and the rows to write.</summary>
    private sealed record Decided(IReadOnlyList<Current> Residents, List<StatusRow> Rows);

    public async Task<RecomputeReport> RecomputeAsync(IReadOnlyCollection<long> residentIds, string source, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        var total = new Totals();
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await loader.StartAsync(db, Now(), ct);
        await RecomputeIdsAsync(db, run, residentIds.Distinct().ToList(), source, total, ct);
        return Finish(total, source, started);
    }

    public async Task<RecomputeReport> RecomputeScopeAsync(HealthScope scope, string source, CancellationToken ct = default)
    {
        var started = clock.GetTimestamp();
        var total = new Totals();
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await loader.StartAsync(db, Now(), ct);
        List<long> skipped = [];
        if (db.IsPostgres)
        {
            // Pipelined: one connection reads and decides the next batches while Writers others write the previous ones
            // (disjoint residents, so they never wait for each other's rows).
            await using var reader = await factory.CreateDbContextAsync(ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var channel = System.Threading.Channels.Channel.CreateBounded<Decided>(Writers);
            var produce = Task.Run(async () =>
            {
                try
                {
                    await foreach (var decided in BatchesAsync(reader, scope, run, total, stop.Token)) await channel.Writer.WriteAsync(decided, stop.Token);
                    channel.Writer.Complete();
                }
                catch (Exception e)
                {
                    channel.Writer.Complete(e);
                }
            }, stop.Token);
            async Task<List<long>> ConsumeAsync()
            {
                try
                {
                    await using var writer = await factory.CreateDbContextAsync(stop.Token);
                    var mine = new List<long>();
                    await foreach (var decided in channel.Reader.ReadAllAsync(stop.Token)) mine.AddRange(await WriteAsync(writer, decided, source, total, stop.Token));
                    return mine;
                }
                catch
                {
                    await stop.CancelAsync();
                    throw;
                }
            }
            try
            {
                foreach (var mine in await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(ConsumeAsync, stop.Token)))) skipped.AddRange(mine);
            }
            finally
            {
                await stop.CancelAsync();
                await produce;
            }
        }
        else
        {
            await foreach (var decided in BatchesAsync(db, scope, run, total, ct)) skipped.AddRange(await WriteAsync(db, decided, source, total, ct));
        }
        // Someone else wrote these rows meanwhile (an override, another recomputation): read them again and retry.
        if (skipped.Count > 0) await RecomputeIdsAsync(db, run, skipped, source, total, ct, counted: true);
        return Finish(total, source, started);
    }

    /// <summary>The scope's residents after <paramref name="after"/> (keyset on the primary key), in key order.</summary>
    private static IQueryable<Resident> ScopeQuery(CordonDbContext db, HealthScope scope, long after)
    {
        var query = db.Residents.AsNoTracking().Where(r => r.Id > after);
        if (scope.AreaPrefixes is { } prefixes) query = query.WhereStartsWithAny(r => r.AreaCode, ScreeningRules.Outermost(prefixes));
        if (scope.KeyGroup is { } group) query = query.Where(r => r.KeyGroup == group);
        // The same bound on the stored rows: without it PostgreSQL's anti-join reads their key index from the start at
        // every batch (quadratic over a start-up fill).
        if (scope.OnlyMissing) query = query.Where(r => !db.HealthStatuses.Any(s => s.ResidentId > after && s.ResidentId == r.Id));
        return query.OrderBy(r => r.Id);
    }

    /// <summary>The scope read and decided batch after batch: keyset on the primary key, so each batch is one index range however deep the run.</summary>
    private async IAsyncEnumerable<Decided> BatchesAsync(
        CordonDbContext db, HealthScope scope, HealthRunContext run, Totals total, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        long after = 0;
        while (true)
        {
            var batch = await ReadAsync(db, ScopeQuery(db, scope, after).Take(Batch), total, ct);
            if (batch.Count == 0) yield break;
            after = batch[^1].Subject.Id;
            yield return await DecideAsync(db, run, batch, total, ct);
        }
    }

    /// <summary>The members of these tubes (their results were released).</summary>
    public async Task<RecomputeReport> RecomputeTubesAsync(IReadOnlyList<long> tubeIds, string source, CancellationToken ct = default)
    {
        var residents = new HashSet<long>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            foreach (var chunk in tubeIds.Chunk(BatchSize))
                residents.UnionWith(await db.TubeMembers.Where(m => EF.Parameter(chunk).Contains(m.TubeId)).Select(m => m.ResidentId).ToListAsync(ct));
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

    /// <summary>These residents, batch by batch, with up to two retries of the rows someone else wrote meanwhile.</summary>
    private async Task RecomputeIdsAsync(CordonDbContext db, HealthRunContext run, List<long> ids, string source, Totals total, CancellationToken ct, bool counted = false)
    {
        for (var attempt = 0; attempt < 3 && ids.Count > 0; attempt++)
        {
            var skipped = new List<long>();
            foreach (var chunk in ids.Chunk(Batch))
            {
                var batch = await ReadAsync(db, db.Residents.AsNoTracking().Where(r => EF.Parameter(chunk).Contains(r.Id)), total, ct);
                var decided = await DecideAsync(db, run, batch, total, ct);
                skipped.AddRange(await WriteAsync(db, decided, source, total, ct, counted: counted || attempt > 0));
            }
            ids = skipped;
        }
    }

    /// <summary>The residents of <paramref name="residents"/> with their stored rows, in one joined query.</summary>
    private static async Task<List<Current>> ReadAsync(CordonDbContext db, IQueryable<Resident> residents, Totals total, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var rows = await residents
            .LeftJoin(db.HealthStatuses, r => r.Id, s => s.ResidentId, (r, s) => new { r.Id, r.AreaCode, r.KeyGroup, Status = s })
            .Select(x => new
            {
                x.Id,
                x.AreaCode,
                x.KeyGroup,
                Version = (long?)x.Status!.Version,
                Colour = (HealthColour?)x.Status.Colour,
                x.Status.Reason,
                x.Status.Popups,
                x.Status.LastNegativeSampledAt,
                Since = (DateTime?)x.Status.Since,
                x.Status.NextCheckAt,
                x.Status.OverrideColour,
                x.Status.OverrideReason,
                x.Status.OverrideUntil,
                OverrideClearsPopups = (bool?)x.Status.OverrideClearsPopups,
            })
            .ToListAsync(ct);
        var batch = rows.OrderBy(r => r.Id).Select(r => new Current(new HealthSubject(r.Id, r.AreaCode, r.KeyGroup), r.Version is not { } version ? null
            : new Stored(r.Colour!.Value, r.Reason!, r.Popups!, r.LastNegativeSampledAt, r.Since!.Value, version, r.NextCheckAt, r.OverrideColour,
                r.OverrideReason, r.OverrideUntil, r.OverrideClearsPopups!.Value))).ToList();
        total.Time(Phase.Read, started);
        return batch;
    }

    /// <summary>The facts of the batch and the pure rules: the rows that must be written (new, or changed in any stored field).</summary>
    private async Task<Decided> DecideAsync(CordonDbContext db, HealthRunContext run, List<Current> batch, Totals total, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var overrides = batch.Where(c => c.Stored is { OverrideColour: not null, OverrideUntil: not null })
            .ToDictionary(c => c.Subject.Id, c => new HealthOverride(c.Stored!.OverrideColour!.Value, c.Stored.OverrideReason ?? "", Utc(c.Stored.OverrideUntil!.Value), c.Stored.OverrideClearsPopups));
        var facts = await loader.LoadAsync(db, run, batch.Select(c => c.Subject).ToList(), overrides, ct);
        total.Time(Phase.Facts, started);
        started = System.Diagnostics.Stopwatch.GetTimestamp();
        var rows = new List<StatusRow>();
        foreach (var (subject, old) in batch)
        {
            var decision = HealthRules.Decide(facts[subject.Id], run.Now);
            var popups = PopupJson.Write(decision.Popups);
            var lastNegative = facts[subject.Id].LastNegativeSampledAt;
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
        total.Time(Phase.Rules, started);
        return new Decided(batch, rows);
    }

    /// <summary>Writes a decided batch in one transaction and tells the listeners; returns the ids skipped (changed meanwhile).</summary>
    private async Task<IReadOnlyList<long>> WriteAsync(CordonDbContext db, Decided decided, string source, Totals total, CancellationToken ct, bool counted = false)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Stamped with the time of this write, not the run's start: other hosts' caches look for rows by it (ADR 013).
        var skipped = await HealthStatusWriter.WriteAsync(db, decided.Rows, source, Now(), ct);
        var skippedSet = skipped.ToHashSet();
        events.RaiseStored(decided.Rows.Where(r => !skippedSet.Contains(r.ResidentId)).Select(r => r.ResidentId).ToList());
        total.Add(counted ? 0 : decided.Residents.Count, decided.Rows.Count - skipped.Count, decided.Rows.Count(r => r.Changed && !skippedSet.Contains(r.ResidentId)));
        total.Time(Phase.Write, started);
        return skipped;
    }

    private RecomputeReport Finish(Totals total, string source, long started)
    {
        var report = total.Report(clock.GetElapsedTime(started).TotalSeconds);
        if (report.Residents >= LoggedRun)
            Log.Phases(log, source, report.Residents, report.Seconds, total.Seconds(Phase.Read), total.Seconds(Phase.Facts), total.Seconds(Phase.Rules), total.Seconds(Phase.Write));
        return report;
    }

    /// <summary>Now, to the microsecond: PostgreSQL keeps microseconds, and a stored time must read back equal.</summary>
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }

    private static bool Same(DateTime? a, DateTime? b) => a is null ? b is null : b is not null && Utc(a.Value) == Utc(b.Value);

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private enum Phase
    {
        Read,
        Facts,
        Rules,
        Write,
    }

    /// <summary>The counts of a run and the time spent per phase (summed over the pipeline's two sides, so they may exceed the wall time).</summary>
    private sealed class Totals
    {
        private readonly Lock _lock = new();
        private readonly long[] _ticks = new long[4];
        private int _residents, _written, _changed;

        public void Add(int residents, int written, int changed)
        {
            lock (_lock) (_residents, _written, _changed) = (_residents + residents, _written + written, _changed + changed);
        }

        public void Time(Phase phase, long started)
        {
            var elapsed = System.Diagnostics.Stopwatch.GetTimestamp() - started;
            lock (_lock) _ticks[(int)phase] += elapsed;
        }

        public double Seconds(Phase phase) => (double)_ticks[(int)phase] / System.Diagnostics.Stopwatch.Frequency;

        public RecomputeReport Report(double seconds) => new(_residents, _written, _changed, seconds);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information,
            Message = "Health status bulk run ({Source}): {Residents} residents in {Seconds:0.00} s; read {Read:0.00} s, facts {Facts:0.00} s, rules {Rules:0.00} s, write {Write:0.00} s")]
        public static partial void Phases(ILogger logger, string source, int residents, double seconds, double read, double facts, double rules, double write);
    }
}

using System.Threading.Channels;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Health;

/// <summary>
/// Asks for statuses to be recomputed in the background (the event handlers of this and of later features call it).
/// It returns at once; the change is stored within seconds.
/// </summary>
public interface IHealthRecompute
{
    void Residents(IReadOnlyCollection<long> residentIds, string source);

    void Scope(HealthScope scope, string source);
}

internal sealed record HealthWork(IReadOnlyCollection<long>? ResidentIds, IReadOnlyList<long>? TubeIds, HealthScope? Scope, string Source);

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How often the sweep looks for time-driven changes (a round window starts or ends, a key-group test falls due, an override expires).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int SweepSeconds { get; set; } = 15;

    /// <summary>
    /// Fill the rows of residents who have none when the host starts (residents loaded by another process, such as
    /// <c>generate</c>) and after a bulk load on this host. Residents registered one by one or by CSV import get their
    /// row from the registry's event instead; a resident read before either is computed on the spot (IHealthStatusLookup).
    /// </summary>
    public bool FillMissing { get; set; } = true;
}

/// <summary>The queue between the events (raised on request threads) and the worker: unbounded, never blocks a request.</summary>
internal sealed class HealthUpdateQueue : IHealthRecompute
{
    private readonly Channel<HealthWork> _channel = Channel.CreateUnbounded<HealthWork>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<HealthWork> Reader => _channel.Reader;

    public void Residents(IReadOnlyCollection<long> residentIds, string source)
    {
        if (residentIds.Count > 0) _channel.Writer.TryWrite(new HealthWork(residentIds, null, null, source));
    }

    public void Tubes(IReadOnlyList<long> tubeIds, string source)
    {
        if (tubeIds.Count > 0) _channel.Writer.TryWrite(new HealthWork(null, tubeIds, null, source));
    }

    public void Scope(HealthScope scope, string source) => _channel.Writer.TryWrite(new HealthWork(null, null, scope, source));
}

/// <summary>
/// The one background worker of the health status: it subscribes to the testing platform's and the registry's events,
/// drains the queue (residents queued together are recomputed together, in batches), and sweeps every few seconds for
/// time-driven changes (rows whose NextCheckAt has come, rounds whose window began since the last sweep). New residents
/// come as an event, so the sweep never scans the whole registry for rows that are missing.
/// </summary>
internal sealed partial class HealthUpdateWorker(
    HealthUpdateQueue queue, ScreeningEvents events, Registry.RegistryEvents registry, IServiceScopeFactory scopes, IOptions<HealthOptions> options, TimeProvider clock,
    ILogger<HealthUpdateWorker> log) : BackgroundService
{
    private HashSet<int> _runningRounds = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        events.RoundOpened += change => queue.Scope(new HealthScope(Prefixes(change)), HealthSources.RoundOpened(change.RoundId));
        events.RoundClosed += change => queue.Scope(new HealthScope(Prefixes(change)), HealthSources.RoundClosed(change.RoundId));
        events.ObligationsChanged += OnObligationsChanged;
        events.ResultsReleased += change => queue.Tubes(change.TubeIds, HealthSources.Results);
        registry.ResidentsAdded += OnResidentsAdded;
        return base.StartAsync(cancellationToken);
    }

    private void OnObligationsChanged(ObligationsChanged change)
    {
        if (change.ResidentId is { } one) queue.Residents([one], change.KeyGroup is null ? HealthSources.Sampling : HealthSources.AntigenReport);
        else if (change.KeyGroup is { } group) queue.Scope(new HealthScope(KeyGroup: group), HealthSources.KeyGroup);
        queue.Residents(change.ResidentIds, HealthSources.Sampling);
    }

    /// <summary>New residents get their first row now; a bulk load (ids unknown) is followed by one scan for missing rows.</summary>
    private void OnResidentsAdded(Registry.ResidentsAdded change)
    {
        if (change.ResidentIds is { } ids) queue.Residents(ids, HealthSources.Registered);
        else if (options.Value.FillMissing) queue.Scope(HealthScope.Missing, HealthSources.Initial);
    }

    private static IReadOnlyList<string> Prefixes(RoundChanged change) => change.AreaCodes.Select(Registry.AreaCode.PrefixOf).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.FillMissing) await RunAsync(new HealthWork(null, null, HealthScope.Missing, HealthSources.Initial), stoppingToken);
        var sweepEvery = TimeSpan.FromSeconds(options.Value.SweepSeconds);
        var nextSweep = clock.GetUtcNow() + sweepEvery;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextSweep - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try
                {
                    await queue.Reader.WaitToReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time for the sweep.
                }
            }
            await DrainAsync(stoppingToken);
            if (clock.GetUtcNow() >= nextSweep)
            {
                await SweepAsync(stoppingToken);
                nextSweep = clock.GetUtcNow() + sweepEvery;
            }
        }
    }

    /// <summary>Everything queued now: resident ids merged per source, scopes one by one.</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        var residents = new Dictionary<string, HashSet<long>>();
        var tubes = new Dictionary<string, List<long>>();
        var scopes = new List<HealthWork>();
        while (queue.Reader.TryRead(out var work))
        {
            if (work.ResidentIds is { } ids) Merge(residents, work.Source).UnionWith(ids);
            else if (work.TubeIds is { } tubeIds) Merge(tubes, work.Source).AddRange(tubeIds);
            else scopes.Add(work);
        }
        foreach (var (source, ids) in tubes) await RunAsync(new HealthWork(null, ids, null, source), ct);
        foreach (var (source, ids) in residents) await RunAsync(new HealthWork(ids, null, null, source), ct);
        foreach (var work in scopes) await RunAsync(work, ct);
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync(ct);
            await using (db)
            {
                // A round whose window began since the last sweep: everyone it covers may now get a popup. (Its end is in
                // the rows' NextCheckAt; a round opened or closed by staff comes as an event.)
                var now = clock.GetUtcNow().UtcDateTime;
                var running = await db.ScreeningRounds.Where(r => r.Status == RoundStatus.Open && r.StartsAt <= now && r.EndsAt >= now).Select(r => r.Id).ToListAsync(ct);
                foreach (var started in running.Where(id => !_runningRounds.Contains(id)))
                {
                    var areas = await db.ScreeningRoundAreas.Where(a => a.RoundId == started).Select(a => a.AreaCode).ToListAsync(ct);
                    queue.Scope(new HealthScope(areas.Select(Registry.AreaCode.PrefixOf).ToList()), HealthSources.Sweep);
                }
                _runningRounds = running.ToHashSet();
            }
            var recomputer = scope.ServiceProvider.GetRequiredService<HealthRecomputer>();
            var due = await recomputer.RecomputeDueAsync(HealthSources.Sweep, ct);
            if (due.Changed > 0) Log.Recomputed(log, HealthSources.Sweep, due.Residents, due.Changed, due.Seconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(log, HealthSources.Sweep, e);
        }
    }

    private async Task RunAsync(HealthWork work, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var recomputer = scope.ServiceProvider.GetRequiredService<HealthRecomputer>();
            var report = work switch
            {
                { ResidentIds: { } ids } => await recomputer.RecomputeAsync(ids, work.Source, ct),
                { TubeIds: { } tubeIds } => await recomputer.RecomputeTubesAsync(tubeIds, work.Source, ct),
                { Scope: { } s } => await recomputer.RecomputeScopeAsync(s, work.Source, ct),
                _ => new RecomputeReport(0, 0, 0, 0),
            };
            if (report.Written > 0) Log.Recomputed(log, work.Source, report.Residents, report.Changed, report.Seconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(log, work.Source, e);
        }
    }

    private static T Merge<T>(Dictionary<string, T> all, string key) where T : new()
    {
        if (!all.TryGetValue(key, out var value)) all[key] = value = new T();
        return value;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Health status ({Source}): {Residents} residents recomputed, {Changed} changed in {Seconds:0.00} s")]
        public static partial void Recomputed(ILogger logger, string source, int residents, int changed, double seconds);

        [LoggerMessage(Level = LogLevel.Error, Message = "Health status recomputation ({Source}) failed")]
        public static partial void Failed(ILogger logger, string source, Exception exception);
    }
}

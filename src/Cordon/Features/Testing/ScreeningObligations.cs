using System.Runtime.CompilerServices;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

public enum ObligationKind
{
    /// <summary>Untested in an open screening round that covers the person (区域筛查未检 → 补检).</summary>
    ScreeningRound = 1,
    /// <summary>The periodic test of the person's key group is overdue (重点人群超期未检).</summary>
    KeyGroupTest = 2,
}

/// <summary>
/// A test the person must take now. For a round: <c>RoundId</c>, <c>RoundName</c>, <c>Since</c> = the window's start,
/// <c>Until</c> = its end (the obligation lapses then, or earlier when the round is closed). For a key group:
/// <c>KeyGroup</c>, <c>Since</c> = when the last test expired (null: never tested), <c>Until</c> = null (it lasts until
/// the person is sampled or reports a negative antigen self-test).
/// </summary>
public sealed record Obligation(ObligationKind Kind, int? RoundId, string? RoundName, KeyGroup? KeyGroup, DateTime? Since, DateTime? Until);

public sealed record ResidentObligation(long ResidentId, Obligation Obligation);

/// <summary>
/// What the testing platform requires of people right now: the basis of the health-status popup (弹窗). A person has an
/// obligation when they are required by an open screening round whose window is running and have no sampling in that
/// window, or when they belong to a key group with a testing rule and their last sampling or negative antigen
/// self-test is older than the group's interval (or they were never tested).
/// <para>
/// This is a system service: it does not filter by the signed-in user's jurisdiction (the status feature recomputes for
/// everyone). It reads the database on every call and keeps no state; <see cref="ScreeningEvents"/> says when to ask
/// again (round opened/closed, rule changed, antigen reported). A sampling clears a round obligation and a key-group
/// obligation at once; the sampling slice's own events report those. Time alone also changes the answer (a window
/// starts or ends, an interval runs out), so a periodic recomputation is needed besides the events.
/// </para>
/// </summary>
public interface IScreeningObligations
{
    /// <summary>The obligations of one person now (empty: nothing required).</summary>
    Task<IReadOnlyList<Obligation>> ForResidentAsync(long residentId, CancellationToken ct = default);

    /// <summary>
    /// Bulk form for recomputation: every current obligation, streamed in batches from the database (first the untested
    /// residents of each running round, then the overdue key-group members, each in area-code then resident-id order). A person appears
    /// once per obligation. <paramref name="areaPrefix"/> limits it to residents whose area code starts with it.
    /// </summary>
    IAsyncEnumerable<ResidentObligation> AllAsync(string? areaPrefix = null, CancellationToken ct = default);

    /// <summary>
    /// The residents a round requires who have no sampling in its window, whatever its status: on <see cref="ScreeningEvents.RoundOpened"/>
    /// these get a popup, on <see cref="ScreeningEvents.RoundClosed"/> these lose it.
    /// </summary>
    IAsyncEnumerable<long> UntestedInRoundAsync(int roundId, CancellationToken ct = default);
}

internal sealed class ScreeningObligations(IDbContextFactory<CordonDbContext> factory, TimeProvider clock) : IScreeningObligations
{
    private const int BatchSize = 5000;

    public async Task<IReadOnlyList<Obligation>> ForResidentAsync(long residentId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        var resident = await db.Residents.AsNoTracking().Where(r => r.Id == residentId).Select(r => new { r.AreaCode, r.KeyGroup }).FirstOrDefaultAsync(ct);
        if (resident is null) return [];
        var obligations = new List<Obligation>();
        foreach (var round in await RunningRoundsAsync(db, now, ct))
        {
            if (!ScreeningRules.Covers(round.AreaCodes, round.Groups.ToList(), resident.AreaCode, resident.KeyGroup)) continue;
            var (from, to) = (round.StartsAt, round.EndsAt);
            if (await db.TubeMembers.AnyAsync(m => m.ResidentId == residentId && m.SampledAt >= from && m.SampledAt <= to, ct)) continue;
            obligations.Add(RoundObligation(round));
        }
        if (resident.KeyGroup != KeyGroup.None
            && await db.KeyGroupTestingRules.AsNoTracking().FirstOrDefaultAsync(r => r.KeyGroup == resident.KeyGroup, ct) is { } rule)
        {
            var lastSampled = await db.TubeMembers.Where(m => m.ResidentId == residentId).MaxAsync(m => (DateTime?)m.SampledAt, ct);
            var lastAntigen = await db.AntigenReports.Where(a => a.ResidentId == residentId && a.Result == AntigenResult.Negative).MaxAsync(a => (DateTime?)a.TakenAt, ct);
            var last = KeyGroupTestingService.Latest(lastSampled, lastAntigen);
            if (ScreeningRules.IsOverdue(last, rule.IntervalHours, now))
                obligations.Add(new Obligation(ObligationKind.KeyGroupTest, null, null, rule.KeyGroup, ScreeningRules.DueAt(last, rule.IntervalHours), null));
        }
        return obligations;
    }

    public async IAsyncEnumerable<ResidentObligation> AllAsync(string? areaPrefix = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<RoundWindow> running;
        List<KeyGroupTestingRule> rules;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            running = await RunningRoundsAsync(db, now, ct);
            rules = await db.KeyGroupTestingRules.AsNoTracking().ToListAsync(ct);
        }
        foreach (var round in running)
        {
            var obligation = RoundObligation(round);
            await foreach (var id in UntestedAsync(round, areaPrefix, ct)) yield return new ResidentObligation(id, obligation);
        }
        var intervals = rules.ToDictionary(r => r.KeyGroup, r => r.IntervalHours);
        ResidentCursor? after = null;
        while (true)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var batch = await ScreeningQueries.Overdue(db, rules, now, areaPrefix).PageAsync(after, BatchSize, r => new
            {
                r.Id,
                r.AreaCode,
                r.KeyGroup,
                LastSampled = db.TubeMembers.Where(m => m.ResidentId == r.Id).Max(m => (DateTime?)m.SampledAt),
                LastAntigen = db.AntigenReports.Where(a => a.ResidentId == r.Id && a.Result == AntigenResult.Negative).Max(a => (DateTime?)a.TakenAt),
            }, ct);
            foreach (var r in batch)
            {
                var hours = intervals[r.KeyGroup];
                var since = ScreeningRules.DueAt(KeyGroupTestingService.Latest(r.LastSampled, r.LastAntigen), hours);
                yield return new ResidentObligation(r.Id, new Obligation(ObligationKind.KeyGroupTest, null, null, r.KeyGroup, since, null));
            }
            if (batch.Count < BatchSize) break;
            after = new ResidentCursor(batch[^1].AreaCode, batch[^1].Id);
        }
    }

    public async IAsyncEnumerable<long> UntestedInRoundAsync(int roundId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        RoundWindow? round;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var row = await db.ScreeningRounds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == roundId, ct);
            round = row is null ? null : await ScreeningService.LoadWindowAsync(db, row, ct);
        }
        if (round is null) yield break;
        await foreach (var id in UntestedAsync(round, null, ct)) yield return id;
    }

    private async IAsyncEnumerable<long> UntestedAsync(RoundWindow round, string? areaPrefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var prefixes = ScreeningRules.Outermost(round.AreaCodes.Select(AreaCode.PrefixOf));
        if (areaPrefix is not null) prefixes = ScreeningRules.Outermost(prefixes.Select(p => ScreeningRules.Intersect(p, areaPrefix)).OfType<string>());
        if (prefixes.Count == 0) yield break;
        ResidentCursor? after = null;
        while (true)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var batch = await ScreeningQueries.Untested(db, round, prefixes).PageAsync(after, BatchSize, r => new { r.Id, r.AreaCode }, ct);
            foreach (var r in batch) yield return r.Id;
            if (batch.Count < BatchSize) yield break;
            after = new ResidentCursor(batch[^1].AreaCode, batch[^1].Id);
        }
    }

    private static async Task<List<RoundWindow>> RunningRoundsAsync(CordonDbContext db, DateTime now, CancellationToken ct)
    {
        var rows = await db.ScreeningRounds.AsNoTracking()
            .Where(r => r.Status == RoundStatus.Open && r.StartsAt <= now && r.EndsAt >= now).ToListAsync(ct);
        var rounds = new List<RoundWindow>();
        foreach (var row in rows) rounds.Add(await ScreeningService.LoadWindowAsync(db, row, ct));
        return rounds;
    }

    private static Obligation RoundObligation(RoundWindow round) =>
        new(ObligationKind.ScreeningRound, round.Id, round.Name, null, round.StartsAt, round.EndsAt);
}

/// <summary>A round was opened or closed: who it covers and its window.</summary>
public sealed record RoundChanged(int RoundId, IReadOnlyList<string> AreaCodes, IReadOnlyList<KeyGroup> KeyGroups, DateTime StartsAt, DateTime EndsAt, DateTime At);

/// <summary>
/// Key-group obligations may have changed: for one resident (an antigen self-test was reported) or for every member of
/// a group (its testing rule changed).
/// </summary>
public sealed record ObligationsChanged(long? ResidentId, KeyGroup? KeyGroup, DateTime At)
{
    /// <summary>Several residents at once (a sampling batch): each of them may have lost an obligation.</summary>
    public IReadOnlyList<long> ResidentIds { get; init; } = [];
}

/// <summary>
/// Lab results were released (single entry or file import): the tubes whose results were written. Their members' results
/// changed; a handler resolves the residents from TubeMembers off the lab's request (a 200,000-tube file holds two
/// million people).
/// </summary>
public sealed record ResultsReleased(IReadOnlyList<long> TubeIds, DateTime At);

/// <summary>
/// In-process notifications of the screening slice, raised after the change is committed. The health-status feature
/// subscribes (it is a singleton) and asks <see cref="IScreeningObligations"/> again. Handlers run on the request's
/// thread: keep them short (queue the work, e.g. into a Channel); an exception in one is logged and does not reach the
/// request or the other handlers.
/// </summary>
public sealed partial class ScreeningEvents(ILogger<ScreeningEvents> log)
{
    public event Action<RoundChanged>? RoundOpened;
    public event Action<RoundChanged>? RoundClosed;
    public event Action<ObligationsChanged>? ObligationsChanged;
    public event Action<ResultsReleased>? ResultsReleased;

    internal void RaiseRoundOpened(RoundChanged change) => Raise(RoundOpened, change);

    internal void RaiseRoundClosed(RoundChanged change) => Raise(RoundClosed, change);

    internal void RaiseObligationsChanged(ObligationsChanged change) => Raise(ObligationsChanged, change);

    internal void RaiseResultsReleased(ResultsReleased change) => Raise(ResultsReleased, change);

    private void Raise<T>(Action<T>? handlers, T change)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<T>>())
        {
            try
            {
                handler(change);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(log, typeof(T).Name, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "A handler of the screening event {Event} failed")]
        public static partial void HandlerFailed(ILogger logger, string @event, Exception exception);
    }
}

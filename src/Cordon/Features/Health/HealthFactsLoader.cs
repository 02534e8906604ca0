using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Health;

/// <summary>A resident as the recomputation sees them.</summary>
internal sealed record HealthSubject(long Id, string AreaCode, KeyGroup KeyGroup);

/// <summary>What holds for a whole recomputation run: the running rounds, the key-group rules and the risk areas in force.</summary>
internal sealed record HealthRunContext(DateTime Now, IReadOnlyList<RoundWindow> Rounds, IReadOnlyDictionary<KeyGroup, int> KeyGroupHours, IReadOnlyList<RiskAreaFact> RiskAreas);

/// <summary>
/// Gathers the facts of the rules for a batch of residents, set-based: a handful of queries per batch whatever its size
/// (results and retest orders grouped by resident, sampling in each running round's window, the last test of key-group
/// members), plus the fact sources of the features not built yet. The round and key-group popups use the same rules as
/// <see cref="IScreeningObligations"/> (ScreeningRules.Covers, IsOverdue, DueAt), per batch instead of per person.
/// </summary>
internal sealed class HealthFactsLoader(ICaseFacts cases, IContactFacts contacts, IRiskAreaFacts riskAreas, ICompanionFacts companions)
{
    public async Task<HealthRunContext> StartAsync(CordonDbContext db, DateTime now, CancellationToken ct)
    {
        var rows = await db.ScreeningRounds.AsNoTracking()
            .Where(r => r.Status == RoundStatus.Open && r.StartsAt <= now && r.EndsAt >= now).ToListAsync(ct);
        var rounds = new List<RoundWindow>();
        foreach (var row in rows) rounds.Add(await ScreeningService.LoadWindowAsync(db, row, ct));
        var hours = await db.KeyGroupTestingRules.AsNoTracking().ToDictionaryAsync(r => r.KeyGroup, r => r.IntervalHours, ct);
        return new HealthRunContext(now, rounds, hours, await riskAreas.InForceAsync(ct));
    }

    public async Task<Dictionary<long, HealthFacts>> LoadAsync(
        CordonDbContext db, HealthRunContext run, IReadOnlyList<HealthSubject> subjects, IReadOnlyDictionary<long, HealthOverride> overrides, CancellationToken ct)
    {
        var ids = subjects.Select(s => s.Id).ToList();
        var results = await db.PersonResults.Where(r => EF.Parameter(ids).Contains(r.ResidentId) && (r.Kind == PersonResultKind.Negative || r.Kind == PersonResultKind.Positive))
            .GroupBy(r => new { r.ResidentId, r.Kind }).Select(g => new { g.Key.ResidentId, g.Key.Kind, Last = g.Max(r => r.SampledAt) }).ToListAsync(ct);
        var negative = results.Where(r => r.Kind == PersonResultKind.Negative).ToDictionary(r => r.ResidentId, r => Utc(r.Last));
        var positive = results.Where(r => r.Kind == PersonResultKind.Positive).ToDictionary(r => r.ResidentId, r => Utc(r.Last));
        var retests = (await db.RetestOrders.Where(o => EF.Parameter(ids).Contains(o.ResidentId) && o.Status != RetestStatus.Done)
            .Select(o => o.ResidentId).Distinct().ToListAsync(ct)).ToHashSet();

        var obligations = new Dictionary<long, List<Obligation>>();
        foreach (var round in run.Rounds)
        {
            var covered = subjects.Where(s => ScreeningRules.Covers(round.AreaCodes, round.Groups.ToList(), s.AreaCode, s.KeyGroup)).Select(s => s.Id).ToList();
            if (covered.Count == 0) continue;
            var (from, to) = (round.StartsAt, round.EndsAt);
            var sampled = (await db.TubeMembers.Where(m => EF.Parameter(covered).Contains(m.ResidentId) && m.SampledAt >= from && m.SampledAt <= to)
                .Select(m => m.ResidentId).Distinct().ToListAsync(ct)).ToHashSet();
            var obligation = new Obligation(ObligationKind.ScreeningRound, round.Id, round.Name, null, round.StartsAt, round.EndsAt);
            foreach (var id in covered.Where(id => !sampled.Contains(id))) Add(obligations, id, obligation);
        }

        var dueAt = new Dictionary<long, DateTime>();
        var members = subjects.Where(s => run.KeyGroupHours.ContainsKey(s.KeyGroup)).ToList();
        if (members.Count > 0)
        {
            var memberIds = members.Select(m => m.Id).ToList();
            var sampledAt = await db.TubeMembers.Where(m => EF.Parameter(memberIds).Contains(m.ResidentId)).GroupBy(m => m.ResidentId)
                .Select(g => new { g.Key, Last = g.Max(m => m.SampledAt) }).ToDictionaryAsync(g => g.Key, g => Utc(g.Last), ct);
            var antigenAt = await db.AntigenReports.Where(a => EF.Parameter(memberIds).Contains(a.ResidentId) && a.Result == AntigenResult.Negative).GroupBy(a => a.ResidentId)
                .Select(g => new { g.Key, Last = g.Max(a => a.TakenAt) }).ToDictionaryAsync(g => g.Key, g => Utc(g.Last), ct);
            foreach (var member in members)
            {
                var hours = run.KeyGroupHours[member.KeyGroup];
                var last = KeyGroupTestingService.Latest(sampledAt.TryGetValue(member.Id, out var s) ? s : null, antigenAt.TryGetValue(member.Id, out var a) ? a : null);
                var due = ScreeningRules.DueAt(last, hours);
                if (ScreeningRules.IsOverdue(last, hours, run.Now)) Add(obligations, member.Id, new Obligation(ObligationKind.KeyGroupTest, null, null, member.KeyGroup, due, null));
                else if (due is { } d) dueAt[member.Id] = d;
            }
        }

        var caseIds = await cases.ActiveCasesAsync(ids, ct);
        var contactFacts = await contacts.ContactsAsync(ids, ct);
        var hits = await companions.OpenHitsAsync(ids, ct);
        var facts = new Dictionary<long, HealthFacts>(subjects.Count);
        foreach (var s in subjects)
        {
            var contact = contactFacts.GetValueOrDefault(s.Id);
            facts[s.Id] = new HealthFacts(
                ActiveCase: caseIds.Contains(s.Id),
                LastPositiveSingleSampledAt: positive.TryGetValue(s.Id, out var p) ? p : null,
                LastNegativeSampledAt: negative.TryGetValue(s.Id, out var n) ? n : null,
                CloseContactInIsolation: contact?.CloseContactInIsolation ?? false,
                SecondaryContact: contact?.SecondaryContact ?? false,
                HomeMonitoring: contact?.HomeMonitoring ?? false,
                AreaRisk: RiskOf(run.RiskAreas, s.AreaCode),
                AwaitingRetest: retests.Contains(s.Id),
                Obligations: obligations.GetValueOrDefault(s.Id),
                CompanionHitSince: hits.TryGetValue(s.Id, out var h) ? h : null,
                KeyGroupDueAt: dueAt.TryGetValue(s.Id, out var d2) ? d2 : null,
                Override: overrides.GetValueOrDefault(s.Id));
        }
        return facts;
    }

    /// <summary>The strictest designation over the resident's area (lockdown before control).</summary>
    internal static RiskAreaLevel? RiskOf(IReadOnlyList<RiskAreaFact> areas, string areaCode) =>
        areas.Where(a => areaCode.StartsWith(a.AreaPrefix, StringComparison.Ordinal)).Select(a => (RiskAreaLevel?)a.Level).Min();

    private static void Add(Dictionary<long, List<Obligation>> all, long id, Obligation obligation)
    {
        if (!all.TryGetValue(id, out var list)) all[id] = list = [];
        list.Add(obligation);
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

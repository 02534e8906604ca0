using System.Globalization;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Testing;

/// <summary>A validated tube result, ready to apply: the tube is received and has no result yet.</summary>
internal sealed record TubeResultToApply(long TubeId, int PoolSize, TubeResult Result, double? Ct, bool IsRetest);

/// <summary>What applying results wrote.</summary>
public sealed record AppliedResults(int Tubes, int PersonResults, int RetestOrders, int CaseCandidates, int RetestsAnswered);

/// <summary>
/// The bulk path that applies tube results, shared by single entry and file import so both mean the same thing.
/// Set-based throughout: tubes are updated with ExecuteUpdate per result (and Ct value), and everyone's results, the
/// retest orders of positive pools and the case candidates of positive single tubes are written with one
/// INSERT … SELECT from the tubes' members per chunk of tubes, never row by row and never through the change tracker
/// (two million person results would otherwise mean two million tracked entities and as many audit rows; the caller
/// writes one audit entry for the batch instead). The SQL is plain, so SQLite and PostgreSQL run the same text.
/// Exactly once: rows are written only for tubes this transaction moved from Received to Resulted (a tube never goes
/// back), so a repeat finds nothing to move. Run it inside a transaction: it returns null when a tube was no longer
/// waiting for its result (another lab user got there first), and the caller rolls back. The unique indexes on
/// (tube, resident) stay as a guard that fails loudly; no ON CONFLICT clause, because PostgreSQL's speculative insertion
/// made the two million inserts of a 200,000-tube file markedly slower in the benchmark.
/// </summary>
internal static class ResultWriter
{
    public const int ChunkSize = 2_000;

    public static async Task<AppliedResults?> ApplyAsync(
        CordonDbContext db, IReadOnlyList<TubeResultToApply> results, DateTime testedAt, DateTime releasedAt, TimeSpan retestDeadline,
        CancellationToken ct)
    {
        var tubes = 0;
        foreach (var group in results.GroupBy(r => (r.Result, r.Ct)))
        {
            var (result, ctValue) = group.Key;
            foreach (var chunk in group.Select(r => r.TubeId).Chunk(ChunkSize))
            {
                var updated = await db.Tubes.Where(t => chunk.Contains(t.Id) && t.Status == TubeStatus.Received).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.Status, TubeStatus.Resulted)
                    .SetProperty(t => t.Result, result)
                    .SetProperty(t => t.CtValue, ctValue)
                    .SetProperty(t => t.TestedAt, testedAt)
                    .SetProperty(t => t.ReleasedAt, releasedAt), ct);
                if (updated != chunk.Length) return null;
                tubes += updated;
            }
        }

        int people = 0, retests = 0, candidates = 0;
        foreach (var group in results.GroupBy(r => PoolRules.OutcomeFor(r.Result, r.PoolSize)))
        {
            foreach (var chunk in group.Select(r => r.TubeId).Chunk(ChunkSize))
            {
                var ids = IdList(chunk);
                var kind = (int)group.Key;
                var personResults = $$"""
                    INSERT INTO "PersonResults" ("ResidentId", "AreaCode", "TubeId", "Kind", "SampledAt", "ReleasedAt")
                    SELECT m."ResidentId", m."AreaCode", m."TubeId", {{kind}}, m."SampledAt", {0}
                    FROM "TubeMembers" AS m WHERE m."TubeId" IN ({{ids}})
                    """;
                people += await db.Database.ExecuteSqlRawAsync(personResults, [releasedAt], ct);
                if (group.Key == PersonResultKind.PoolPositive)
                {
                    // Every member of a positive pool gets a single-tube retest order, sampled door to door by the deadline.
                    var retestOrders = $$"""
                        INSERT INTO "RetestOrders" ("ResidentId", "AreaCode", "PoolTubeId", "Status", "CreatedAt", "DueAt")
                        SELECT m."ResidentId", m."AreaCode", m."TubeId", {{(int)RetestStatus.Open}}, {0}, {1}
                        FROM "TubeMembers" AS m WHERE m."TubeId" IN ({{ids}})
                        """;
                    retests += await db.Database.ExecuteSqlRawAsync(retestOrders, [releasedAt, releasedAt + retestDeadline], ct);
                }
                else if (group.Key == PersonResultKind.Positive)
                {
                    // A positive single tube is a case candidate for the epidemiologists.
                    var caseCandidates = $$"""
                        INSERT INTO "CaseCandidates" ("ResidentId", "AreaCode", "TubeId", "CtValue", "Status", "CreatedAt")
                        SELECT m."ResidentId", m."AreaCode", m."TubeId", t."CtValue", {{(int)CandidateStatus.New}}, {0}
                        FROM "TubeMembers" AS m INNER JOIN "Tubes" AS t ON t."Id" = m."TubeId" WHERE m."TubeId" IN ({{ids}})
                        """;
                    candidates += await db.Database.ExecuteSqlRawAsync(caseCandidates, [releasedAt], ct);
                }
            }
        }

        var answered = 0;
        // Retest tubes answer their orders: a result (negative or positive) closes the order; an invalid one reopens it.
        foreach (var group in results.Where(r => r.IsRetest).GroupBy(r => r.Result == TubeResult.Invalid))
        {
            foreach (var chunk in group.Select(r => r.TubeId).Chunk(ChunkSize))
            {
                var residents = await db.TubeMembers.Where(m => chunk.Contains(m.TubeId)).Select(m => m.ResidentId).ToListAsync(ct);
                var orders = db.RetestOrders.Where(o => residents.Contains(o.ResidentId) && o.Status == RetestStatus.Sampled
                    && o.RetestTubeId != null && chunk.Contains(o.RetestTubeId.Value));
                answered += group.Key
                    ? await orders.ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, RetestStatus.Open).SetProperty(o => o.RetestTubeId, (long?)null), ct)
                    : await orders.ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, RetestStatus.Done), ct);
            }
        }
        return new AppliedResults(tubes, people, retests, candidates, answered);
    }

    /// <summary>Tube ids written into the statement: they are numbers from the database, so inlining them is safe and
    /// keeps one statement per chunk within every provider's parameter limit.</summary>
    private static string IdList(long[] ids) => string.Join(",", ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}

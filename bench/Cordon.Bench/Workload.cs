using Cordon.Features.Demo;
using Cordon.Features.Registry;

namespace Cordon.Bench;

/// <summary>
/// What the search requests ask for, taken from the very rows <c>cordon generate --seed S --id-area A</c> wrote:
/// the generator is deterministic, so replaying <see cref="DemoDistrict.Residents"/> with the same buildings,
/// seed and birthplace code reproduces every name and plain ID number without reading (or unmasking) the database.
/// </summary>
public sealed record Workload(
    IReadOnlyList<string> Surnames,
    IReadOnlyList<string> TwoCharPrefixes,
    IReadOnlyList<string> IdNumbers,
    IReadOnlyList<string> WorkerIdNumbers,
    string WorkerJurisdiction)
{
    public const int Seed = 1;
    public const string IdArea = "110001";

    /// <summary>The five commonest surnames in China; the generator draws ~100 surnames uniformly, ~1 % each.</summary>
    public static readonly string[] CommonSurnames = ["王", "李", "张", "刘", "陈"];

    public static Workload Build(int residents, int sampleSize = 256)
    {
        var workerJurisdiction = DemoDistrict.Accounts.Single(a => a.UserName == "worker").JurisdictionCode;
        // The buildings in the order 'cordon generate' reads them (ORDER BY "Code"; digits sort alike everywhere).
        var buildings = DemoDistrict.Areas().Where(a => a.Level == AreaLevel.Building).Select(a => a.Code).Order(StringComparer.Ordinal).ToArray();
        var prefixCounts = CommonSurnames.ToDictionary(s => s, _ => new Dictionary<string, int>(StringComparer.Ordinal));
        var all = new Reservoir(sampleSize, new Random(7));
        var worker = new Reservoir(sampleSize, new Random(11));
        foreach (var row in DemoDistrict.Residents(residents, buildings, Seed, IdArea))
        {
            if (row.Name.Length >= 2 && prefixCounts.TryGetValue(row.Name[..1], out var counts))
                counts[row.Name[..2]] = counts.GetValueOrDefault(row.Name[..2]) + 1;
            all.Offer(row.IdNumber);
            if (row.AreaCode.StartsWith(workerJurisdiction, StringComparison.Ordinal)) worker.Offer(row.IdNumber);
        }
        // Per surname the two commonest two-character prefixes: a realistic "王芳…" search that fills pages.
        var twoChar = CommonSurnames
            .SelectMany(s => prefixCounts[s].OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(2).Select(p => p.Key))
            .ToList();
        return new Workload(CommonSurnames, twoChar, all.Items, worker.Items, workerJurisdiction);
    }

    /// <summary>A uniform sample of a stream of unknown length (Algorithm R).</summary>
    private sealed class Reservoir(int size, Random random)
    {
        private readonly List<string> items = [];
        private long seen;

        public IReadOnlyList<string> Items => items;

        public void Offer(string item)
        {
            seen++;
            if (items.Count < size) items.Add(item);
            else if (random.NextInt64(seen) is var slot && slot < size) items[(int)slot] = item;
        }
    }
}

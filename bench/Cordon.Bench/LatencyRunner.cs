using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cordon.Features.Demo;

namespace Cordon.Bench;

/// <summary>One kind of request: <see cref="Path"/> gives the path and query of the i-th request.</summary>
public sealed record Scenario(string Name, string User, Func<int, string> Path);

/// <summary>Latency of one scenario in one mode, in milliseconds.</summary>
public sealed record Measurement(
    string Scenario, string User, string Mode, int Requests, double P50, double P90, double P99, double Max,
    double RequestsPerSecond, double ItemsPerResponse, int Errors);

/// <summary>
/// Measures search requests against a running host over real HTTP (loopback, keep-alive, bearer tokens):
/// per scenario a warm-up, then <c>requests</c> sequential requests, then as many again from
/// <c>concurrency</c> parallel clients. Latency is the time to the last byte of the response body.
/// </summary>
public sealed class LatencyRunner : IDisposable
{
    public const string Commander = "commander";
    public const string Worker = "worker";
    public const string Anonymous = "anonymous";
    private const int PageSize = 20;
    private const int DeepPage = 50;

    private readonly SocketsHttpHandler handler;
    private readonly Dictionary<string, HttpClient> clients = [];
    private readonly int requests;
    private readonly int concurrency;
    private readonly Action<string> progress;

    public LatencyRunner(Uri baseAddress, int requests, int concurrency, Action<string> progress)
    {
        handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxConnectionsPerServer = concurrency + 2,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        foreach (var user in new[] { Anonymous, Commander, Worker })
            clients[user] = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        this.requests = requests;
        this.concurrency = concurrency;
        this.progress = progress;
    }

    public async Task<List<Measurement>> RunAsync(Workload workload)
    {
        await SignInAsync(Commander);
        await SignInAsync(Worker);
        await VerifyWorkloadAsync(workload);

        var commanderPage2 = await CursorsAsync(Commander, workload.Surnames, page: 2);
        var commanderDeep = await CursorsAsync(Commander, workload.Surnames, page: DeepPage);
        var workerPage2 = await CursorsAsync(Worker, workload.Surnames, page: 2);

        var scenarios = new List<Scenario> { new("GET /health/live (baseline)", Anonymous, _ => "/health/live") };
        foreach (var (user, page2, deep, ids) in new[]
                 {
                     (Commander, commanderPage2, commanderDeep, workload.IdNumbers),
                     (Worker, workerPage2, new List<(string Prefix, string Cursor)>(), workload.WorkerIdNumbers),
                 })
        {
            scenarios.Add(new($"name prefix, 1 char ({string.Join("", workload.Surnames)})", user, i => Search(workload.Surnames[i % workload.Surnames.Count])));
            scenarios.Add(new($"name prefix, 2 chars ({workload.TwoCharPrefixes.Count} prefixes)", user, i => Search(workload.TwoCharPrefixes[i % workload.TwoCharPrefixes.Count])));
            if (page2.Count > 0) scenarios.Add(new("name prefix, page 2 (after cursor)", user, i => Search(page2[i % page2.Count].Prefix, page2[i % page2.Count].Cursor)));
            if (deep.Count > 0) scenarios.Add(new($"name prefix, page {DeepPage} (after cursor)", user, i => Search(deep[i % deep.Count].Prefix, deep[i % deep.Count].Cursor)));
            scenarios.Add(new("ID number, exact", user, i => Search(ids[i % ids.Count])));
        }

        var results = new List<Measurement>();
        foreach (var scenario in scenarios)
        {
            // Tokens last hours, but a fresh one per scenario keeps long runs safe.
            if (scenario.User != Anonymous) await SignInAsync(scenario.User);
            await SequentialAsync(scenario, Math.Max(20, requests / 5), record: false);
            foreach (var m in new[] { await SequentialAsync(scenario, requests, record: true), await ConcurrentAsync(scenario, requests) })
            {
                results.Add(m!);
                progress($"  {m!.Scenario,-44} {m.User,-9} {m.Mode,-12} p50 {m.P50,7:F2}  p90 {m.P90,7:F2}  p99 {m.P99,7:F2}  max {m.Max,8:F2} ms  {m.RequestsPerSecond,7:F0} req/s  {m.ItemsPerResponse,5:F1} rows{(m.Errors > 0 ? $"  {m.Errors} ERRORS" : "")}");
            }
        }
        return results;
    }

    private static string Search(string q, string? after = null) =>
        $"/api/v1/residents?q={Uri.EscapeDataString(q)}&limit={PageSize}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");

    private async Task SignInAsync(string user)
    {
        using var response = await clients[Anonymous].PostAsJsonAsync("/api/v1/auth/token", new { userName = user, password = DemoDistrict.Password });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        clients[user].DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
    }

    /// <summary>Fails early when the replayed workload does not match the database (other seed, other key, other buildings).</summary>
    private async Task VerifyWorkloadAsync(Workload workload)
    {
        foreach (var (user, ids) in new[] { (Commander, workload.IdNumbers), (Worker, workload.WorkerIdNumbers) })
        {
            if (ids.Count == 0) throw new InvalidOperationException($"The workload has no ID numbers for {user}.");
            foreach (var id in ids.Take(5))
            {
                var (status, items, _) = await GetPageAsync(user, Search(id));
                if (status != HttpStatusCode.OK || items != 1)
                    throw new InvalidOperationException($"Searching a generated ID number as {user} gave {status} with {items} rows instead of one: the database does not hold the generated residents.");
            }
        }
    }

    /// <summary>For each prefix, the cursor that fetches the given page (walking the pages before it).</summary>
    private async Task<List<(string Prefix, string Cursor)>> CursorsAsync(string user, IEnumerable<string> prefixes, int page)
    {
        var cursors = new List<(string, string)>();
        foreach (var prefix in prefixes)
        {
            string? cursor = null;
            for (var p = 1; p < page; p++)
            {
                (_, _, cursor) = await GetPageAsync(user, Search(prefix, cursor));
                if (cursor is null) break;
            }
            if (cursor is not null) cursors.Add((prefix, cursor));
        }
        return cursors;
    }

    private async Task<(HttpStatusCode Status, int Items, string? NextCursor)> GetPageAsync(string user, string path)
    {
        using var response = await clients[user].GetAsync(path);
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, 0, null);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var next = json.RootElement.TryGetProperty("nextCursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return (response.StatusCode, json.RootElement.GetProperty("items").GetArrayLength(), next);
    }

    private async Task<(double Ms, bool Ok, int Items)> TimeOneAsync(Scenario scenario, int i)
    {
        var client = clients[scenario.User];
        var path = scenario.Path(i);
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            progress($"    {(int)response.StatusCode} for {path}: {System.Text.Encoding.UTF8.GetString(body)[..Math.Min(300, body.Length)]}");
            return (ms, false, 0);
        }
        var items = 0;
        if (body.Length > 0 && body[0] == (byte)'{')
        {
            using var json = JsonDocument.Parse(body);
            items = json.RootElement.TryGetProperty("items", out var list) ? list.GetArrayLength() : 0;
        }
        return (ms, true, items);
    }

    private async Task<Measurement?> SequentialAsync(Scenario scenario, int count, bool record)
    {
        var latencies = new double[count];
        var (errors, items) = (0, 0L);
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var (ms, ok, n) = await TimeOneAsync(scenario, i);
            latencies[i] = ms;
            errors += ok ? 0 : 1;
            items += n;
        }
        return record ? Summarise(scenario, "sequential", latencies, wall.Elapsed, errors, items) : null;
    }

    private async Task<Measurement> ConcurrentAsync(Scenario scenario, int count)
    {
        var latencies = new double[count];
        var (errors, items, next) = (0, 0L, -1);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (ms, ok, n) = await TimeOneAsync(scenario, i);
                latencies[i] = ms;
                if (!ok) Interlocked.Increment(ref errors);
                Interlocked.Add(ref items, n);
            }
        }));
        return Summarise(scenario, $"{concurrency} parallel", latencies, wall.Elapsed, errors, items);
    }

    private static Measurement Summarise(Scenario scenario, string mode, double[] latencies, TimeSpan wall, int errors, long items)
    {
        Array.Sort(latencies);
        return new Measurement(
            scenario.Name, scenario.User, mode, latencies.Length,
            Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), latencies[^1],
            latencies.Length / wall.TotalSeconds, (double)items / latencies.Length, errors);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];

    public void Dispose()
    {
        foreach (var client in clients.Values) client.Dispose();
        handler.Dispose();
    }
}

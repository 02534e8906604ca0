using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cordon.Features.Demo;
using Npgsql;

namespace Cordon.Bench;

/// <summary>
/// Venue-terminal check-in ingest through the batch endpoint (ADR 015) on PostgreSQL, then the single check-in endpoint
/// and the trivial endpoint on the same host: terminals (one account each, bound to their venue's community) upload
/// batches of scans by ID number of random demo residents, several at once, until a total is sent or a time cap is
/// reached; then a share of the batches is sent again (a terminal that did not get its answer) and the rows are counted
/// (every recorded scan stored once, no resend stored twice). Usage:
/// <c>dotnet run -c Release --project bench/Cordon.Bench -- scanbatch [--total N] [--batch N] [--concurrency N] [--terminals N] [--seconds N] [--demo-residents N]</c>
/// </summary>
public static class ScanBatchBench
{
    private const string Database = "cordon_bench_scanbatch";

    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback, int max) => ScanBench.IntArg(args, name, fallback, max);
        var total = Arg("--total", 1_000_000, 5_000_000);
        var batchSize = Arg("--batch", 1_000, 1_000);
        var concurrency = Arg("--concurrency", 8, 64);
        var terminals = Arg("--terminals", 16, 200);
        var seconds = Arg("--seconds", 300, 900);
        var demoResidents = Arg("--demo-residents", 20_000, 200_000);
        var singleSeconds = Arg("--single-seconds", 20, 120);

        var (host, connectionString) = await ScanBench.NewHostAsync(Database, demoResidents);
        Console.WriteLine($"Batch check-in ingest: {demoResidents:N0} demo residents, {total:N0} scans in batches of {batchSize}, {concurrency} batches in flight, {terminals} terminals, at most {seconds} s");
        await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(10));
        Console.WriteLine($"  serving at {server.BaseAddress}; load average {ScanBench.LoadAverage()}");

        var venues = new List<(string Code, string Area)>();
        var accounts = new List<(long Id, string Area)>();
        await using (var db = new NpgsqlConnection(connectionString))
        {
            await db.OpenAsync();
            await using (var reader = await new NpgsqlCommand($"SELECT \"VenueCode\", \"AreaCode\" FROM \"Venues\" WHERE \"Status\" = 1 ORDER BY \"Id\" LIMIT {terminals}", db).ExecuteReaderAsync())
                while (await reader.ReadAsync()) venues.Add((reader.GetString(0), reader.GetString(1)));
            await using (var reader = await new NpgsqlCommand("SELECT \"Id\", \"AreaCode\" FROM \"Residents\" ORDER BY \"Id\" LIMIT 100", db).ExecuteReaderAsync())
                while (await reader.ReadAsync()) accounts.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        // The demo's ID numbers follow from the row number alone (DemoDistrict.Residents): replayed, never read back.
        var idNumbers = DemoDistrict.Residents(demoResidents, ["000000000000000"], 1).Select(r => r.IdNumber).ToArray();

        using var setup = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var adminToken = await ScanBench.TokenAsync(setup, "admin");
        var tokens = new string[venues.Count];
        for (var t = 0; t < venues.Count; t++)
        {
            var userName = $"benchterminal{t}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { userName, displayName = "Bench terminal", password = "Cordon-Demo-2026", role = "VenueTerminal", jurisdictionCode = venues[t].Area }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            (await setup.SendAsync(request)).EnsureSuccessStatusCode();
            tokens[t] = await ScanBench.TokenAsync(setup, userName);
        }

        // The bodies are made before the window, so that the load generator's JSON work is not in the measure.
        var batches = (total + batchSize - 1) / batchSize;
        var clock = Stopwatch.StartNew();
        var bodies = new byte[batches][];
        var random = new Random(42);
        var now = DateTime.UtcNow;
        for (var b = 0; b < batches; b++)
        {
            var json = new StringBuilder(batchSize * 130);
            json.Append("{\"venueCode\":\"").Append(venues[b % venues.Count].Code).Append("\",\"items\":[");
            for (var i = 0; i < batchSize; i++)
            {
                if (i > 0) json.Append(',');
                // Scanned within the last hour (offline terminals upload later).
                var at = now.AddSeconds(-random.Next(60, 3_600)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
                json.Append("{\"clientId\":\"").Append(Guid.NewGuid()).Append("\",\"scannedAt\":\"").Append(at)
                    .Append("\",\"idNumber\":\"").Append(idNumbers[random.Next(idNumbers.Length)]).Append("\"}");
            }
            bodies[b] = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
        }
        Console.WriteLine($"  {tokens.Length} terminal accounts; {batches:N0} batch bodies ({bodies.Sum(b => (long)b.Length) / 1_048_576:N0} MB) made in {clock.Elapsed.TotalSeconds:F0} s");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var loadBefore = ScanBench.LoadAverage();
        var run = await SendAsync(http, bodies, tokens, concurrency, TimeSpan.FromSeconds(seconds));
        var loadAfter = ScanBench.LoadAverage();
        // A terminal that did not get its answers sends the same batches again: all must be answered as already recorded.
        var resend = await SendAsync(http, bodies.Take(Math.Min(50, run.Sent)).ToArray(), tokens, concurrency, TimeSpan.FromMinutes(5));

        long stored, distinctResidents;
        await using (var db = new NpgsqlConnection(connectionString))
        {
            await db.OpenAsync();
            stored = (long)(await new NpgsqlCommand("SELECT count(*) FROM \"Scans\"", db).ExecuteScalarAsync())!;
            distinctResidents = (long)(await new NpgsqlCommand("SELECT count(DISTINCT \"ResidentId\") FROM \"Scans\"", db).ExecuteScalarAsync())!;
        }

        // The single check-in endpoint and the trivial endpoint on the same host, as in the 'scans' scenario.
        var residentTokens = await ScanBench.ResidentTokensAsync(setup, adminToken, accounts);
        var clients = Enumerable.Range(0, 4).Select(_ => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }).ToArray();
        var venueCodes = venues.Select(v => v.Code).ToList();
        await ScanBench.RunLoadAsync(clients, residentTokens, venueCodes, 64, TimeSpan.FromSeconds(3));
        var singleBefore = ScanBench.LoadAverage();
        var single = await ScanBench.RunLoadAsync(clients, residentTokens, venueCodes, 64, TimeSpan.FromSeconds(singleSeconds));
        var trivial = await ScanBench.RunLoadAsync(clients, residentTokens, venueCodes, 64, TimeSpan.FromSeconds(Math.Min(singleSeconds, 10)), trivial: true);
        foreach (var client in clients) client.Dispose();

        var latencies = run.Latencies.Order().ToArray();
        double P(double q) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        var singleLatencies = single.Latencies.Order().ToArray();
        Console.WriteLine($"""

            | measure | value |
            |---|---|
            | batches answered 200 / failed | {run.Sent - run.Failed:N0} / {run.Failed:N0} in {run.Elapsed.TotalSeconds:F1} s |
            | check-ins answered (recorded + already + rejected) | {run.Recorded:N0} + {run.Already:N0} + {run.Rejected:N0} |
            | **check-ins/s through the batch endpoint** | **{run.Recorded / run.Elapsed.TotalSeconds:N0}** |
            | batch latency p50 / p90 / p99 / max (ms) | {P(0.5):F0} / {P(0.9):F0} / {P(0.99):F0} / {latencies.LastOrDefault():F0} |
            | resent batches: recorded again / answered already recorded | {resend.Recorded:N0} / {resend.Already:N0} ({resend.Sent} batches) |
            | rows in Scans afterwards / recorded answers | {stored:N0} / {run.Recorded + resend.Recorded:N0} ({distinctResidents:N0} distinct residents) |
            | load average before / after the batch window | {loadBefore} / {loadAfter} |
            | single check-in endpoint (POST /api/v1/scans), 64 in flight | {single.Ok / single.Elapsed.TotalSeconds:N0}/s ({single.Errors} errors; p50 {(singleLatencies.Length == 0 ? 0 : singleLatencies[singleLatencies.Length / 2]):F0} ms) |
            | trivial endpoint (GET /health/live), same clients | {trivial.Ok / trivial.Elapsed.TotalSeconds:N0}/s |
            | load average before the single window / at the end | {singleBefore} / {ScanBench.LoadAverage()} |
            """);
        return 0;
    }

    private sealed record BatchRun(int Sent, int Failed, long Recorded, long Already, long Rejected, TimeSpan Elapsed, List<double> Latencies);

    /// <summary>Sends the bodies in order, <paramref name="concurrency"/> at once, each with the token of its venue's terminal, until all are sent or the time is up.</summary>
    private static async Task<BatchRun> SendAsync(HttpClient http, byte[][] bodies, string[] tokens, int concurrency, TimeSpan limit)
    {
        int next = -1, failed = 0;
        long recorded = 0, already = 0, rejected = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            int b;
            while (clock.Elapsed < limit && (b = Interlocked.Increment(ref next)) < bodies.Length)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/scans/batch") { Content = new ByteArrayContent(bodies[b]) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[b % tokens.Length]);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request);
                    if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failed); continue; }
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                    Interlocked.Add(ref recorded, body.RootElement.GetProperty("recorded").GetInt32());
                    Interlocked.Add(ref already, body.RootElement.GetProperty("alreadyRecorded").GetInt32());
                    Interlocked.Add(ref rejected, body.RootElement.GetProperty("rejected").GetInt32());
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        return new BatchRun(Math.Min(next + 1, bodies.Length), failed, recorded, already, rejected, clock.Elapsed, latencies.SelectMany(l => l).ToList());
    }
}

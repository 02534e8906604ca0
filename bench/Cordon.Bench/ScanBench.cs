using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Cordon.Bench;

/// <summary>
/// Venue check-in ingest through the API on PostgreSQL: many residents (each with their own account and token) check in
/// at the demo venues from several HTTP clients at once, for a bounded time; check-ins/s, latency percentiles, and the
/// rows found in the table afterwards (every 200 must be stored). Usage:
/// <c>dotnet run -c Release --project bench/Cordon.Bench -- scans [--residents-with-accounts N] [--concurrency N] [--seconds N] [--demo-residents N]</c>
/// </summary>
public static class ScanBench
{
    private const string Database = "cordon_bench_scans";
    private const string Password = "Cordon-Demo-2026";

    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback, int max) => IntArg(args, name, fallback, max);
        var accounts = Arg("--residents-with-accounts", 200, 2_000);
        var concurrency = Arg("--concurrency", 64, 512);
        var seconds = Arg("--seconds", 20, 120);
        var demoResidents = Arg("--demo-residents", 20_000, 200_000);
        var clients = Arg("--clients", 4, 64);
        var (host, connectionString) = await NewHostAsync(Database, demoResidents);
        Console.WriteLine($"Check-in ingest: {demoResidents:N0} demo residents, {accounts} with accounts, {concurrency} requests in flight over {clients} clients, {seconds} s");
        await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(5));
        Console.WriteLine($"  serving at {server.BaseAddress}; load average {LoadAverage()}");

        // Residents and venues straight from the database; one resident account per resident, signed in once.
        var residents = new List<(long Id, string Area)>();
        var venues = new List<string>();
        await using (var db = new NpgsqlConnection(connectionString))
        {
            await db.OpenAsync();
            await using (var reader = await new NpgsqlCommand($"SELECT \"Id\", \"AreaCode\" FROM \"Residents\" ORDER BY \"Id\" LIMIT {accounts}", db).ExecuteReaderAsync())
                while (await reader.ReadAsync()) residents.Add((reader.GetInt64(0), reader.GetString(1)));
            await using (var reader = await new NpgsqlCommand("SELECT \"VenueCode\" FROM \"Venues\" WHERE \"Status\" = 1", db).ExecuteReaderAsync())
                while (await reader.ReadAsync()) venues.Add(reader.GetString(0));
        }
        using var setup = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var adminToken = await TokenAsync(setup, "admin");
        var clock = Stopwatch.StartNew();
        var tokens = await ResidentTokensAsync(setup, adminToken, residents);
        Console.WriteLine($"  {tokens.Length} resident accounts created and signed in in {clock.Elapsed.TotalSeconds:F0} s; {venues.Count} venues");

        var http = Enumerable.Range(0, clients).Select(_ => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }).ToArray();
        // Warm-up (JIT, connection pools, venue cache), then the measured window.
        var warmUp = await RunLoadAsync(http, tokens, venues, concurrency, TimeSpan.FromSeconds(3));
        var loadBefore = LoadAverage();
        var result = await RunLoadAsync(http, tokens, venues, concurrency, TimeSpan.FromSeconds(seconds));
        // The machine's HTTP ceiling for comparison: the same clients on a trivial endpoint (no auth, no database).
        var trivial = await RunLoadAsync(http, tokens, venues, concurrency, TimeSpan.FromSeconds(Math.Min(seconds, 10)), trivial: true);
        foreach (var client in http) client.Dispose();

        long stored;
        await using (var db = new NpgsqlConnection(connectionString))
        {
            await db.OpenAsync();
            stored = (long)(await new NpgsqlCommand("SELECT count(*) FROM \"Scans\"", db).ExecuteScalarAsync())!;
        }
        var latencies = result.Latencies.Order().ToArray();
        double P(double q) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        Console.WriteLine($"""

            | measure | value |
            |---|---|
            | check-ins answered 200 in the window | {result.Ok:N0} in {result.Elapsed.TotalSeconds:F1} s |
            | **check-ins/s** | **{result.Ok / result.Elapsed.TotalSeconds:N0}** |
            | errors (non-200 or failed) | {result.Errors:N0} |
            | trivial endpoint (GET /health/live), same clients, requests/s | {trivial.Ok / trivial.Elapsed.TotalSeconds:N0} |
            | latency p50 / p90 / p99 / max (ms) | {P(0.5):F1} / {P(0.9):F1} / {P(0.99):F1} / {latencies.LastOrDefault():F1} |
            | rows in Scans afterwards (warm-up included) | {stored:N0} (answered 200 in total: {result.Ok + warmUp.Ok:N0}) |
            | residents / venues / in flight / clients | {tokens.Length} / {venues.Count} / {concurrency} / {clients} |
            | 1-min load average before / after | {loadBefore} / {LoadAverage()} |
            """);
        return 0;
    }

    /// <summary>The value of <c>name N</c> among the arguments, clamped to 1..<paramref name="max"/>; the fallback without it.</summary>
    internal static int IntArg(string[] args, string name, int fallback, int max)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? Math.Clamp(v, 1, max) : fallback;
    }

    /// <summary>A new bench database and the Release host over it, seeding the demo district with <paramref name="demoResidents"/> on start.</summary>
    internal static async Task<(CordonHost Host, string ConnectionString)> NewHostAsync(string database, int demoResidents)
    {
        var options = BenchOptions.Parse([]) ?? throw new InvalidOperationException("Build the host first (dotnet build -c Release Cordon.slnx).");
        var admin = Environment.GetEnvironmentVariable("CORDON_BENCH_POSTGRES") is { Length: > 0 } a ? a : BenchOptions.DefaultPostgresAdmin;
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;

        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE {database}", connection).ExecuteNonQueryAsync();
        }
        var dataDirectory = Directory.CreateTempSubdirectory("cordon-bench-scans-").FullName;
        var host = new CordonHost(options.CordonDll,
        [
            "--Database:Provider=Postgres", $"--Database:ConnectionString={connectionString}", $"--Cordon:DataDirectory={dataDirectory}",
            "--Database:SeedDemoOnStart=true", $"--Database:DemoResidents={demoResidents}", "--Logging:LogLevel:Default=Warning",
        ], Path.Combine(dataDirectory, "cordon.log"));
        return (host, connectionString);
    }

    /// <summary>One resident account per resident (created by the admin), each signed in once: their bearer tokens.</summary>
    internal static async Task<string[]> ResidentTokensAsync(HttpClient setup, string adminToken, IReadOnlyList<(long Id, string Area)> residents)
    {
        var tokens = new string[residents.Count];
        using (var gate = new SemaphoreSlim(4))
        {
            await Task.WhenAll(residents.Select(async (r, i) =>
            {
                await gate.WaitAsync();
                try
                {
                    var userName = $"benchresident{r.Id}";
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users")
                    {
                        Content = JsonContent.Create(new { userName, displayName = "Bench resident", password = Password, role = "Resident", jurisdictionCode = r.Area, residentId = r.Id }),
                    };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
                    (await setup.SendAsync(request)).EnsureSuccessStatusCode();
                    tokens[i] = await TokenAsync(setup, userName);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        return tokens;
    }

    internal sealed record LoadResult(long Ok, long Errors, TimeSpan Elapsed, List<double> Latencies);

    internal static async Task<LoadResult> RunLoadAsync(HttpClient[] http, string[] tokens, List<string> venues, int concurrency, TimeSpan duration, bool trivial = false)
    {
        long ok = 0, errors = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            var client = http[worker % http.Length];
            var random = new Random(worker);
            while (clock.Elapsed < duration)
            {
                using var request = trivial ? new HttpRequestMessage(HttpMethod.Get, "/health/live") : new HttpRequestMessage(HttpMethod.Post, "/api/v1/scans")
                {
                    Content = JsonContent.Create(new { venueCode = venues[random.Next(venues.Count)], clientId = Guid.NewGuid() }),
                };
                if (!trivial) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[random.Next(tokens.Length)]);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request);
                    if (response.IsSuccessStatusCode) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref errors);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        return new LoadResult(ok, errors, clock.Elapsed, latencies.SelectMany(l => l).ToList());
    }

    internal static async Task<string> TokenAsync(HttpClient client, string userName)
    {
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { userName, password = Password });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("accessToken").GetString()!;
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

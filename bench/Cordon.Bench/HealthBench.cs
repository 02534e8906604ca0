using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Cordon.Bench;

/// <summary>
/// The health-status scenario (<c>dotnet run -c Release --project bench/Cordon.Bench -- health [--residents N]</c>), on
/// PostgreSQL: generate a district, start the real host and time how long its worker takes to store every resident's
/// status (start-up fill), to give everyone a popup when a district-wide round opens and to take it away when the round
/// closes; then status lookups over HTTP with wrk beside a trivial endpoint of the same host.
/// </summary>
public static partial class HealthBench
{
    private const string Database = "cordon_bench_health";

    public static async Task<int> RunAsync(string[] args)
    {
        var residents = Arg(args, "--residents", 1_000_000);
        var seconds = Arg(args, "--wrk-seconds", 20);
        var connections = Arg(args, "--connections", 32);
        var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? "docs/benchmarks-health.md";
        // --keep: leave the database for the next run; --reuse: start from a kept database with enough residents (its
        // statuses and their history are emptied so the start-up fill is measured again); --wrk-seconds 0: no lookups.
        var keep = args.Contains("--keep");
        var reuse = args.Contains("--reuse");
        var repo = FindRepo();
        var cordon = Path.Combine(repo, "src/Cordon/bin/Release/net10.0/cordon.dll");
        if (!File.Exists(cordon)) cordon = Path.Combine(repo, "src/Cordon/bin/Debug/net10.0/cordon.dll");
        var admin = Environment.GetEnvironmentVariable("CORDON_BENCH_POSTGRES") ?? BenchOptions.DefaultPostgresAdmin;
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = Database, CommandTimeout = 3600 }.ConnectionString;
        var dataDirectory = Directory.CreateTempSubdirectory("cordon-bench-health-").FullName;
        var report = new List<string>();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.Add(line);
        }

        var reused = reuse && await ReusableAsync(admin, connectionString, residents);
        if (!reused) await RecreateAsync(admin, create: true);
        try
        {
            var host = new CordonHost(cordon, [
                "--Database:Provider=Postgres", $"--Database:ConnectionString={connectionString}", $"--Cordon:DataDirectory={dataDirectory}",
                "--Database:SeedDemoOnStart=false", "--Database:DemoResidents=0", "--Health:SweepSeconds=3600",
            ], Path.Combine(dataDirectory, "cordon.log"));
            Say($"- host: {cordon}; load before: {LoadAverage()}");
            var generated = TimeSpan.Zero;
            if (reused)
            {
                await ExecuteAsync(connectionString, """TRUNCATE "HealthStatuses", "HealthStatusChanges" """);
                await ExecuteAsync(connectionString, """UPDATE "ScreeningRounds" SET "Status" = 2 WHERE "Name" = 'bench round' """);
            }
            else
            {
                var seed = await host.RunAsync(["seed-demo", "--residents", "1000"], TimeSpan.FromMinutes(10));
                if (seed.ExitCode != 0) throw new InvalidOperationException(seed.Output);
                var generate = await host.RunAsync(["generate", "--residents", residents.ToString(CultureInfo.InvariantCulture), "--seed", "7"], TimeSpan.FromHours(2));
                if (generate.ExitCode != 0) throw new InvalidOperationException(generate.Output);
                generated = generate.Elapsed;
            }
            await ExecuteAsync(connectionString, """VACUUM (ANALYZE) "Residents" """);
            var total = await CountAsync(connectionString, """SELECT count(*) FROM "Residents" """);
            var district = await CountAsync(connectionString, """SELECT count(*) FROM "Residents" WHERE "AreaCode" LIKE '990102%'""");
            Say($"- residents: {total:N0} ({district:N0} in district 990102), {(reused ? "reused from a kept database" : $"generated in {generated.TotalSeconds:F0} s")}");

            var clock = Stopwatch.StartNew();
            await using var server = await host.StartServerAsync(TimeSpan.FromMinutes(5));
            await WaitAsync(connectionString, """SELECT count(*) FROM "HealthStatuses" """, n => n >= total, TimeSpan.FromMinutes(30));
            Say($"- start-up fill (every resident's status computed and stored, with its first history entry): {clock.Elapsed.TotalSeconds:F1} s for {total:N0} residents (load {LoadAverage()})");
            await ExecuteAsync(connectionString, """VACUUM (ANALYZE) "HealthStatuses" """);

            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            var token = await TokenAsync(http, "commander");
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var round = await http.PostAsJsonAsync("/api/v1/rounds", new
            {
                name = "bench round",
                areaCodes = new[] { "990102" },
                startsAt = DateTimeOffset.UtcNow.AddHours(-1),
                endsAt = DateTimeOffset.UtcNow.AddDays(1),
            });
            round.EnsureSuccessStatusCode();
            var roundId = (await round.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            clock.Restart();
            // This round's popup only: the demo data has a round of its own over one street.
            var withPopup = $"""SELECT count(*) FROM "HealthStatuses" WHERE "Popups" LIKE '%"round:{roundId}"%'""";
            await WaitAsync(connectionString, withPopup, n => n >= district, TimeSpan.FromMinutes(30));
            Say($"- round opened over the district: {district:N0} statuses recomputed, all got the popup, in {clock.Elapsed.TotalSeconds:F1} s (load {LoadAverage()})");
            (await http.PostAsync($"/api/v1/rounds/{roundId}/close", null)).EnsureSuccessStatusCode();
            clock.Restart();
            await WaitAsync(connectionString, withPopup, n => n == 0, TimeSpan.FromMinutes(30));
            Say($"- round closed: {district:N0} statuses recomputed, popup removed, in {clock.Elapsed.TotalSeconds:F1} s (load {LoadAverage()})");
            await Task.Delay(500);
            Say("- the worker's own log:");
            foreach (var line in File.ReadLines(Path.Combine(dataDirectory, "cordon.log")).Where(l => l.Contains("Health status", StringComparison.Ordinal)).ToList())
                Say($"  - `{line.Trim()}`");
            if (seconds <= 0) return Finish(report, repo, output);

            var (low, high) = await RangeAsync(connectionString);
            var script = Path.Combine(dataDirectory, "lookup.lua");
            await File.WriteAllTextAsync(script, $$"""
                math.randomseed(os.time())
                request = function()
                  local id = math.random({{low}}, {{high}})
                  return wrk.format("GET", "/api/v1/residents/" .. id .. "/health", { ["Authorization"] = "Bearer {{token}}" })
                end
                """);
            var trivial = await WrkAsync(new Uri(server.BaseAddress, "/health/live"), null, seconds, connections);
            var lookup = await WrkAsync(new Uri(server.BaseAddress, "/"), script, seconds, connections);
            Say($"- wrk -t2 -c{connections} -d{seconds}s, same host, load {LoadAverage()}:");
            Say("");
            Say("| endpoint | requests/s | p50 | p99 |");
            Say("|---|---:|---:|---:|");
            Say($"| trivial `GET /health/live` | {trivial.Rate:N0} | {trivial.P50} | {trivial.P99} |");
            Say($"| status lookup `GET /api/v1/residents/{{id}}/health` (staff, random resident of {total:N0}) | {lookup.Rate:N0} | {lookup.P50} | {lookup.P99} |");
            Say("");
            Say($"Lookup rate / trivial rate: {lookup.Rate / trivial.Rate:P0}.");
        }
        finally
        {
            if (!keep) await RecreateAsync(admin, create: false);
            Directory.Delete(dataDirectory, recursive: true);
        }
        return Finish(report, repo, output);
    }

    private static int Finish(List<string> report, string repo, string output)
    {
        var markdown = $"\n## Run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({Environment.ProcessorCount} cores, PostgreSQL)\n\n{string.Join("\n", report)}\n";
        File.AppendAllText(Path.Combine(repo, output), markdown);
        return 0;
    }

    /// <summary>Whether a kept database with at least <paramref name="residents"/> residents is there to reuse.</summary>
    private static async Task<bool> ReusableAsync(string admin, string connectionString, int residents)
    {
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = '{Database}'", connection);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 0) return false;
        }
        return await CountAsync(connectionString, """SELECT count(*) FROM "Residents" """) >= residents;
    }

    private sealed record WrkResult(double Rate, string P50, string P99);

    private static async Task<WrkResult> WrkAsync(Uri url, string? script, int seconds, int connections)
    {
        List<string> arguments = ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency"];
        if (script is not null) arguments.AddRange(["-s", script]);
        arguments.Add(url.ToString());
        using var process = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Console.WriteLine(text);
        var rate = double.Parse(RateLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rate, Percentile(text, "50%"), Percentile(text, "99%"));
    }

    internal static string Percentile(string wrk, string which) =>
        wrk.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(which, StringComparison.Ordinal))?[which.Length..].Trim() ?? "n/a";

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RateLine();

    internal static async Task<string> TokenAsync(HttpClient http, string user)
    {
        var response = await http.PostAsJsonAsync("/api/v1/auth/token", new { userName = user, password = "Cordon-Demo-2026" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    internal static async Task WaitAsync(string connectionString, string sql, Func<long, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!done(await CountAsync(connectionString, sql)))
        {
            if (clock.Elapsed > timeout) throw new TimeoutException(sql);
            // Each count is a parallel scan of a million rows: polled often, it takes a core from what it measures.
            await Task.Delay(2_000);
        }
    }

    internal static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<(long Low, long High)> RangeAsync(string connectionString) =>
        (await CountAsync(connectionString, """SELECT min("Id") FROM "Residents" """), await CountAsync(connectionString, """SELECT max("Id") FROM "Residents" """));

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task RecreateAsync(string admin, bool create, string database = Database)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection)) await drop.ExecuteNonQueryAsync();
        if (!create) return;
        await using var command = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static int Arg(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cordon.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
